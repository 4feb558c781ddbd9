from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from voorsprong.models import IdempotentRequest, User

admin.site.site_header = _("Voorsprong back office")
admin.site.site_title = _("Voorsprong")
admin.site.index_title = _("Administration of the Voorsprong trajects")


class ReasonForm(forms.Form):
    """The reason an officer gives for an admin action on the selected rows (reject, override, …)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


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


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin):
    """The stored first answers of POSTs sent with an Idempotency-Key (see voorsprong.idempotency)."""

    list_display = ("key", "user", "method", "path", "response_status", "created_at")
    list_filter = ("response_status",)
    list_select_related = ("user",)
    search_fields = ("key", "path", "user__username")
    autocomplete_fields = ("user",)
