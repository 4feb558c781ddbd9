from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from funding import services
from funding.models import (
    ApplicationFunding,
    BudgetLine,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    FundingRule,
    FundingSource,
)
from voorsprong.admin import ReasonForm
from voorsprong.services import WorkflowRefusal


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "is_subsidy")
    list_filter = ("is_subsidy",)
    search_fields = ("name", "code")


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("traject", "source", "capacity_period", "amount")
    list_filter = ("traject", "source")
    list_select_related = ("traject", "source", "capacity_period__traject")


@admin.register(FundingRule)
class FundingRuleAdmin(SimpleHistoryAdmin):
    list_display = ("traject", "default_planned_cost", "promoter_share", "company_surcharge")
    list_select_related = ("traject",)


@admin.register(ApplicationFunding)
class ApplicationFundingAdmin(SimpleHistoryAdmin):
    list_display = ("application", "source", "amount")
    list_filter = ("source", "application__traject")
    list_select_related = ("application__company", "application__traject", "source")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)


class DeclarationShareInline(admin.TabularInline):
    model = DeclarationShare
    fields = ("source", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class DeclarationAttachmentInline(admin.TabularInline):
    model = DeclarationAttachment
    fields = ("file", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _decide_each(request, declarations, decision, **kwargs) -> None:
    """Run a decision service per declaration and tell the officer what happened to each."""
    for declaration in declarations:
        try:
            changed = decision(declaration, by=request.user, **kwargs)
        except WorkflowRefusal as refusal:
            messages.warning(request, f"{declaration}: {refusal.message}")
        else:
            messages.success(request, f"{declaration}: {changed.get_status_display().lower()}")


@admin.register(Declaration)
class DeclarationAdmin(SimpleHistoryAdmin):
    actions = ["approve_selected", "reject_selected", "mark_paid_selected"]
    list_display = ("company", "traject", "period", "amount", "hours", "status", "declared_on")
    list_filter = ("status", "application__traject")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)
    inlines = [DeclarationShareInline, DeclarationAttachmentInline]
    # A declaration is added as declare_costs takes it. What was declared then passed the commitment check
    # and its shares follow from it, so it stays as it is; status and decisions change only by the actions.
    add_fields = ("application", "period_start", "period_end", "amount", "hours", "description")
    readonly_fields = (
        *add_fields,
        "declared_by",
        "declared_on",
        "status",
        "decided_by",
        "decided_on",
        "reason",
        "paid_on",
    )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of a saved declaration is edited here
        declared = services.declare_costs(
            obj.application,
            by=request.user,
            period_start=obj.period_start,
            period_end=obj.period_end,
            amount=obj.amount,
            hours=obj.hours,
            description=obj.description,
        )
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = declared.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except WorkflowRefusal as refusal:
            # Raised by save_model after the admin's transaction rolled back; the form comes back filled in.
            self.message_user(request, refusal.message, messages.ERROR)
            query = request.GET.copy()
            for name in self.add_fields:
                if request.POST.get(name):
                    query[name] = request.POST[name]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the revert button is not enough: simple-history still saves a posted historic version.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.display(description=_("company"), ordering="application__company__name")
    def company(self, declaration):
        return declaration.application.company.name

    @admin.display(description=_("traject"), ordering="application__traject__name")
    def traject(self, declaration):
        return declaration.application.traject.name

    @admin.display(description=_("period"), ordering="period_start")
    def period(self, declaration):
        start, end = (
            date_format(day, "SHORT_DATE_FORMAT")
            for day in (declaration.period_start, declaration.period_end)
        )
        return f"{start} – {end}"

    @admin.action(description=_("Approve selected declarations"), permissions=["change"])
    def approve_selected(self, request, queryset):
        _decide_each(request, queryset, services.approve_declaration)

    @admin.action(description=_("Reject selected declarations"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            _decide_each(request, queryset, services.reject_declaration, reason=form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            # The applications' reason form lists any selected objects under this name.
            "admin/reason_for_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject selected declarations"),
                "intro": _("These declarations will be rejected with the reason below:"),
                "submit_label": _("Reject"),
                "objects": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Mark selected declarations as paid"), permissions=["change"])
    def mark_paid_selected(self, request, queryset):
        _decide_each(request, queryset, services.mark_declaration_paid)


@admin.register(DeclarationShare)
class DeclarationShareAdmin(admin.ModelAdmin):
    list_display = ("declaration", "source", "amount")
    list_filter = ("source", "declaration__application__traject")
    list_select_related = ("declaration__application__company", "declaration__application__traject", "source")
    raw_id_fields = ("declaration",)


@admin.register(DeclarationAttachment)
class DeclarationAttachmentAdmin(admin.ModelAdmin):
    list_display = ("declaration", "file", "uploaded_at")
    list_select_related = ("declaration__application__company", "declaration__application__traject")
    raw_id_fields = ("declaration",)
