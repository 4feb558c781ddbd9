from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from participants import services
from participants.kbo import format_kbo_number
from participants.models import (
    APPROVED_STATUSES,
    Application,
    CoachingSession,
    Company,
    Evaluation,
    Referral,
)
from trajects.models import Traject


class ApprovedInTrajectFilter(admin.SimpleListFilter):
    """Companies with an approved application (approved, in progress, completed or stopped)."""

    title = _("approved application in traject")
    parameter_name = "approved_in"

    def lookups(self, request, model_admin):
        return Traject.objects.values_list("code", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(
            applications__traject__code=self.value(), applications__status__in=APPROVED_STATUSES
        ).distinct()


class ApprovedStatusFilter(admin.SimpleListFilter):
    """Groups the statuses that count as "approved" in the reports."""

    title = _("approved")
    parameter_name = "approved"

    def lookups(self, request, model_admin):
        return [("yes", _("Approved (also in progress, completed or stopped)")), ("no", _("Not approved"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=APPROVED_STATUSES)
        if self.value() == "no":
            return queryset.exclude(status__in=APPROVED_STATUSES)
        return queryset


class CompanyApplicationInline(admin.TabularInline):
    model = Application
    fields = ("traject", "project", "status", "submitted_on", "decided_on", "started_on", "ended_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("traject", "project")


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "kbo",
        "size_class",
        "legal_form",
        "province",
        "municipality",
        "nace_code",
        "is_active",
    )
    list_filter = (
        ApprovedInTrajectFilter,
        "size_class",
        "province",
        "legal_form",
        "is_non_profit",
        "is_active",
    )
    search_fields = ("kbo_number", "name", "municipality")
    readonly_fields = ("size_class", "province", "created_at", "updated_at")
    inlines = [CompanyApplicationInline]
    fieldsets = (
        (None, {"fields": ("kbo_number", "name", "legal_form", "is_non_profit", "founded_on", "is_active")}),
        (
            _("Size"),
            {"fields": ("staff_headcount", "turnover", "balance_sheet_total", "size_class")},
        ),
        (
            _("Sector and location"),
            {"fields": ("nace_code", "joint_committee", "postal_code", "municipality", "province")},
        ),
        (_("Contact person"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("KBO number"), ordering="kbo_number")
    def kbo(self, company):
        return format_kbo_number(company.kbo_number)

    def get_search_results(self, request, queryset, search_term):
        # Officers paste KBO numbers as printed: "0403.170.701" or "BE 0403 170 701".
        compact = search_term.upper().removeprefix("BE").replace(".", "").replace(" ", "")
        if compact.isdigit():
            search_term = compact
        return super().get_search_results(request, queryset, search_term)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def _apply_to_each(request, applications, transition, **kwargs) -> None:
    """Runs a workflow service per application and tells the officer what happened to each."""
    for application in applications:
        try:
            changed = transition(application, by=request.user, **kwargs)
        except services.WorkflowRefusal as refusal:
            messages.warning(request, f"{application.company.name}: {refusal.message}")
        else:
            messages.success(request, f"{application.company.name}: {changed.get_status_display().lower()}")


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    actions = ["approve_selected", "reject_selected"]
    list_display = (
        "company",
        "traject",
        "project",
        "status",
        "submitted_on",
        "decided_on",
        "started_on",
        "ended_on",
    )
    list_filter = (
        "traject",
        ApprovedStatusFilter,
        "status",
        ("company__size_class", admin.ChoicesFieldListFilter),
        ("company__province", admin.ChoicesFieldListFilter),
        "project",
        ("decided_on", DateRangeFilterBuilder(title=_("decided on"))),
    )
    list_select_related = ("company", "traject", "project")
    search_fields = ("company__kbo_number", "company__name")
    date_hierarchy = "decided_on"
    raw_id_fields = ("company", "referral")
    # Status and decisions change only through the workflow, never by editing a field.
    readonly_fields = (
        "status",
        "submitted_on",
        "decided_on",
        "decided_by",
        "started_on",
        "ended_on",
        "capacity_period",
        "reason",
        "created_at",
        "updated_at",
    )

    @admin.action(description=_("Approve selected applications"), permissions=["change"])
    def approve_selected(self, request, queryset):
        _apply_to_each(request, queryset.select_related("company", "traject"), services.approve_application)

    @admin.action(description=_("Reject selected applications"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            _apply_to_each(
                request,
                queryset.select_related("company", "traject"),
                services.reject_application,
                reason=form.cleaned_data["reason"],
            )
            return None
        return TemplateResponse(
            request,
            "admin/participants/application/reject_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject selected applications"),
                "applications": queryset.select_related("company", "traject"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(CoachingSession)
class CoachingSessionAdmin(SimpleHistoryAdmin):
    list_display = ("application", "date", "kind", "hours", "employees_reached", "logged_by")
    list_filter = ("kind", "application__traject", ("date", DateRangeFilterBuilder(title=_("date"))))
    list_select_related = ("application__company", "application__traject", "logged_by")
    search_fields = ("application__company__name", "application__company__kbo_number", "notes")
    raw_id_fields = ("application",)


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = (
        "application",
        "usefulness",
        "coach_quality",
        "learning_culture_effect",
        "would_recommend",
        "submitted_at",
    )
    list_filter = ("application__traject", "would_recommend")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "recommendations")
    raw_id_fields = ("application",)


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = (
        "company",
        "traject",
        "sector_fund",
        "consultant",
        "referred_on",
        "intake_by",
        "follow_progress",
    )
    list_filter = (
        "traject",
        "sector_fund",
        "follow_progress",
        ("referred_on", DateRangeFilterBuilder(title=_("referred on"))),
    )
    list_select_related = ("company", "traject", "sector_fund", "consultant", "intake_by")
    search_fields = ("company__name", "company__kbo_number", "consultant__username")
    raw_id_fields = ("company",)
