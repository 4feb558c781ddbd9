import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.i18n import JavaScriptCatalog
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from voorsprong import money, two_factor
from voorsprong.models import (
    ApiToken,
    DataVersion,
    DataVersionOnDate,
    DeliveredOnce,
    IdempotentRequest,
    OutboxMessage,
    User,
)
from voorsprong.services import WorkflowRefusal, revoke_api_token, revoke_api_tokens
from voorsprong.validators import REASON_MAX_LENGTH, validate_multi_line

admin.site.site_header = _("Voorsprong back office")
admin.site.site_title = _("Voorsprong")
admin.site.index_title = _("Administration of the Voorsprong trajects")
# No "View site": the menu in the header (admin/base_site.html) leads to the pages, each user's own.
admin.site.site_url = None

# The list of every model down the left took 270 of 1280 px from each list; the index lists them all.
admin.site.enable_nav_sidebar = False


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """Django's catalogue for the admin's scripts, completed by the project's (``LOCALE_PATHS``,
    djangojs.po) with the strings Django's own Dutch lacks."""

    def get_paths(self, packages):
        return [*super().get_paths(packages), *map(str, settings.LOCALE_PATHS)]


def admin_javascript_catalogue(request, extra_context=None):
    return AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"])(request)


admin.site.i18n_javascript = admin_javascript_catalogue

_admin_has_permission = admin.site.has_permission


def admin_has_permission(request) -> bool:
    """Let into the admin only who may use it and owes no second step (voorsprong.two_factor)."""
    return _admin_has_permission(request) and two_factor.pending_step(request) is None


admin.site.has_permission = admin_has_permission

# django-otp's own admins would show an authenticator's secret (on adding one) and the recovery codes, in
# English; an administrator resets a user's two-step verification with the users' action instead.
for otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(otp_model):
        admin.site.unregister(otp_model)


def notation_column(model, name: str, notation=money.amount):
    """Return a changelist column showing a number field in the back office's notation, sortable by it:
    amounts as 1.234,56 (``money.amount``), hours as 13,5 (``money.hours``). Django's own display writes
    1234,56 and 40,50."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        return notation(getattr(obj, name))

    column.__name__ = name  # the column's CSS class: field-<name>
    return column


def download_link(url: str, name: str):
    """Return a link to an uploaded file's authorised download, never to its place in the media folder
    (which no server serves)."""
    return format_html('<a href="{}">{}</a>', url, name)


class RefusalInFormMixin:
    """Show a service's refusal on the add or change form instead of a server error.

    ``save_model`` calls a service, which may refuse (``WorkflowRefusal``) under its locks even after the
    form validated. changeform_view's transaction has then rolled back; the officer gets the form back with
    the refusal as a message, an add form filled in as it was (the admin takes initial values from the
    query string).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WorkflowRefusal as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            query = request.GET.copy()
            if object_id is None:
                for name in self.get_fields(request):
                    if request.POST.get(name):
                        query[name] = request.POST[name]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")


class NoRevertMixin:
    """Show an object's history but never revert to it: a reverted version would be saved past the services
    that guard every change of the object."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the revert button is not enough: simple-history still saves a posted historic version.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoDeleteMixin:
    """Refuse every delete, the "delete selected" action too: no service deletes these rows, which other
    records and the history rest on."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin, NoRevertMixin):
    """Show the rows and their history, to anyone with the view permission, and change none of them: the
    services write them as a consequence of something else (an approval, a declaration, a job)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    """The reason an officer gives for an admin action on the selected rows (reject, override, …)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multi_line],
    )


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "organisation", "is_staff", "is_active")
    list_filter = ("groups", "organisation__kind", "is_staff", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("username", "first_name", "last_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("organisation",)}),
    )
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-step verification (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor.reset(user, by=request.user)
        message = ngettext(
            "Two-step verification was reset for %(count)s user.",
            "Two-step verification was reset for %(count)s users.",
            len(queryset),
        )
        self.message_user(request, message % {"count": len(queryset)}, messages.SUCCESS)


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The stored first answers of POSTs sent with an Idempotency-Key (see voorsprong.idempotency), to read:
    only the API's idempotency layer writes them."""

    list_display = ("key", "user", "method", "path", "response_status", "created_at")
    list_filter = ("response_status",)
    list_select_related = ("user",)
    search_fields = ("key", "path", "user__username")
    autocomplete_fields = ("user",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The tasks queued after a commit (voorsprong.outbox), to read: which wait for the broker, how often
    handing them over failed and why."""

    list_display = ("task", "args", "created_at", "sent_at", "attempts", "next_attempt_at", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("task", "last_error")
    date_hierarchy = "created_at"


@admin.register(DeliveredOnce)
class DeliveredOnceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What was done once only however often its task arrived (voorsprong.outbox.once), to read: whether
    a decision e-mail or a questionnaire mail went out, and when."""

    list_display = ("key", "done_at")
    search_fields = ("key",)
    date_hierarchy = "done_at"


@admin.register(DataVersion)
class DataVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The versions of the data the cached figures are checked against (voorsprong.data_version), to read:
    a table's grows with every write to it."""

    list_display = ("area", "version")


@admin.register(DataVersionOnDate)
class DataVersionOnDateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The versions the figures as of a date are checked against, to read: a table's row of a date grows
    with every write that changes figures from that date on (the first day of all: from every date)."""

    list_display = ("area", "from_date", "version")
    list_filter = ("area",)
    ordering = ("area", "-on_date")

    @admin.display(description=_("from date"), ordering="on_date")
    def from_date(self, row: DataVersionOnDate):
        return _("every date") if row.on_date == datetime.date.min else row.on_date


class ExpiredFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "valid"

    def lookups(self, request, model_admin):
        return [("yes", _("Valid")), ("no", _("Expired"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__gt=now)
        if self.value() == "no":
            return queryset.filter(expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API keys, to read and revoke (delete): never a key itself, of which only a digest is
    kept. Their users make them (the page API-sleutels, the token endpoint), not the admin."""

    list_display = ("user", "label", "created_at", "expires_at", "last_used_at", "user_agent")
    list_filter = (ExpiredFilter,)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__last_name", "label", "user_agent")
    date_hierarchy = "created_at"
    fields = ("user", "label", "user_agent", "created_at", "expires_at", "last_used_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        revoke_api_token(obj, reason=f"revoked in the admin by user {request.user.pk}")

    def delete_queryset(self, request, queryset):
        revoke_api_tokens(queryset, reason=f"revoked in the admin by user {request.user.pk}")
