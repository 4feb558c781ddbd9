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
    BudgetOverride,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    FundingRule,
    FundingSource,
)
from voorsprong.admin import ReasonForm, RefusalInFormMixin
from voorsprong.roles import Role
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


def _decide_each(request, objects, decision, **kwargs) -> None:
    """Run a decision service per object (a declaration, an approval over the budget) and tell the user
    what happened to each."""
    for obj in objects:
        try:
            changed = decision(obj, by=request.user, **kwargs)
        except WorkflowRefusal as refusal:
            messages.warning(request, f"{obj}: {refusal.message}")
        else:
            messages.success(request, f"{obj}: {changed.get_status_display().lower()}")


def _decide_each_with_reason(model_admin, request, objects, decision, title, intro, submit_label):
    """Ask for one reason, then run the decision service on each selected object with it."""
    form = ReasonForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        _decide_each(request, objects, decision, reason=form.cleaned_data["reason"])
        return None
    return TemplateResponse(
        request,
        # The applications' reason form lists any selected objects under this name.
        "admin/reason_for_selected.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "objects": objects,
            "form": form,
            "opts": model_admin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ThroughServicesOnlyMixin:
    """For an admin whose objects change only through services: no reverting to an earlier version."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the revert button is not enough: simple-history still saves a posted historic version.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Declaration)
class DeclarationAdmin(ThroughServicesOnlyMixin, SimpleHistoryAdmin):
    actions = ["approve_selected", "reject_selected", "mark_paid_selected"]
    list_display = ("company", "traject", "period", "amount", "hours", "status", "declared_on", "paid_on")
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
        "paid_by",
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

    # Each user is offered the actions of their role: officers decide, the financial service pays.
    def has_decide_permission(self, request):
        return request.user.acts_as(Role.OFFICER) and self.has_change_permission(request)

    def has_pay_permission(self, request):
        return request.user.acts_as(Role.FINANCE) and self.has_change_permission(request)

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

    @admin.action(description=_("Approve selected declarations"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        _decide_each(request, queryset, services.approve_declaration)

    @admin.action(description=_("Reject selected declarations"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return _decide_each_with_reason(
            self,
            request,
            queryset,
            services.reject_declaration,
            _("Reject selected declarations"),
            _("These declarations will be rejected with the reason below:"),
            _("Reject"),
        )

    @admin.action(description=_("Mark selected declarations as paid"), permissions=["pay"])
    def mark_paid_selected(self, request, queryset):
        _decide_each(request, queryset, services.mark_declaration_paid)


@admin.register(BudgetOverride)
class BudgetOverrideAdmin(RefusalInFormMixin, ThroughServicesOnlyMixin, SimpleHistoryAdmin):
    """Approvals over the budget: an officer requests one here (or with the applications' action "approve
    despite the budget"), another signs it off or refuses it with the actions."""

    actions = ["sign_off_selected", "refuse_selected"]
    list_display = ("application", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "application__traject")
    list_select_related = ("application__company", "application__traject", "requested_by", "decided_by")
    search_fields = ("application__company__name", "application__company__kbo_number", "reason")
    raw_id_fields = ("application",)
    add_fields = ("application", "reason")
    readonly_fields = (
        *add_fields,
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "refusal_reason",
    )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who asked and who signed off stays

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of a request is edited; it is signed off or refused by the actions
        requested = services.request_budget_override(obj.application, by=request.user, reason=obj.reason)
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = requested.pk

    @admin.action(description=_("Sign off selected approvals over the budget"), permissions=["change"])
    def sign_off_selected(self, request, queryset):
        _decide_each(
            request, queryset.select_related(*self.list_select_related), services.sign_off_budget_override
        )

    @admin.action(description=_("Refuse selected approvals over the budget"), permissions=["change"])
    def refuse_selected(self, request, queryset):
        return _decide_each_with_reason(
            self,
            request,
            queryset.select_related(*self.list_select_related),
            services.refuse_budget_override,
            _("Refuse selected approvals over the budget"),
            _("These approvals over the budget will be refused with the reason below:"),
            _("Refuse"),
        )


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
