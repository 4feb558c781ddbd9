from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_field, unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from participants import hooks, selectors, services
from participants.forms.kbo import KboNumberFormField
from participants.kbo import format_kbo_number, kbo_search_term
from participants.models import (
    APPROVED_STATUSES,
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Evaluation,
    ExitAnswer,
    FollowUp,
    ImportJob,
    Invitation,
    KboImport,
    LearningSituation,
    Referral,
    RelatedEnterprise,
    SMEDeclaration,
    StopReason,
)
from participants.selectors import capacity_periods_with_use, taken_places
from participants.spreadsheets import SpreadsheetError
from trajects.models import CapacityPeriod, Traject
from voorsprong import money
from voorsprong.admin import (
    NoDeleteMixin,
    NoRevertMixin,
    ReadOnlyMixin,
    ReasonForm,
    RefusalInFormMixin,
    download_link,
    notation_column,
)
from voorsprong.services import WorkflowRefusal
from voorsprong.spreadsheets import CsvWriter
from voorsprong.uploads import validate_spreadsheet


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


class KboNumberFieldMixin:
    """Let every KBO number of the form be typed in the notations the API and the portal accept."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kbo_number":
            return KboNumberFormField(
                label=capfirst(db_field.verbose_name),
                required=not db_field.blank,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class KboSearchMixin:
    """Find rows by a KBO number as printed, or part of it ("0403.17", "BE 403 170")."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, kbo_search_term(search_term))


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


class CompanySMEDeclarationInline(admin.TabularInline):
    """The company's SME declarations, to read; a new one is made on the declarations' own add page."""

    model = SMEDeclaration
    fields = readonly_fields = (
        "reference_year",
        "total_staff_awu",
        "total_turnover",
        "total_balance_sheet_total",
        "size_class",
        "declared_by",
        "declared_at",
    )
    extra = max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("SME declarations (declare a new one under SME declarations)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("declared_by")


@admin.register(Company)
class CompanyAdmin(KboNumberFieldMixin, KboSearchMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "kbo",
        "size_class",
        "legal_form",
        "province",
        "municipality",
        "nace_code",
        "nace_version",
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
    inlines = [CompanySMEDeclarationInline, CompanyApplicationInline]
    fieldsets = (
        (None, {"fields": ("kbo_number", "name", "legal_form", "is_non_profit", "founded_on", "is_active")}),
        (
            _("Size"),
            {"fields": ("staff_headcount", "turnover", "balance_sheet_total", "size_class")},
        ),
        (
            _("Sector and location"),
            {
                "fields": (
                    "nace_code",
                    "nace_version",
                    "joint_committee",
                    "postal_code",
                    "municipality",
                    "province",
                )
            },
        ),
        (_("Contact person"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("KBO number"), ordering="kbo_number")
    def kbo(self, company):
        return format_kbo_number(company.kbo_number)

    def save_model(self, request, obj, form, change):
        services.save_company(obj, by=request.user)


# The company's answers the decision page shows, by the application's name of each (a reverse one-to-one,
# selected with the application), with their fields in the order they are asked.
ANSWER_FIELDS = (
    (
        "evaluation",
        (
            "usefulness",
            "coach_quality",
            "learning_culture_effect",
            "would_recommend",
            "learning_transfer",
            "motivation",
            "staff_participated",
            "staff_low_skilled",
            "staff_aged_55_plus",
            "will_keep_doing",
            "recommendations",
            "submitted_at",
        ),
    ),
    ("follow_up", ("training_policy_applied", "learning_continued", "employees_learned", "submitted_at")),
    ("exit_answer", ("main_reason", "would_start_again", "what_would_have_helped", "submitted_at")),
)


def _answer_rows(answer, fields) -> list[tuple[str, str]]:
    """Return per field of a company's answer its name and value as the admin shows them (a choice's
    label, a yes or no icon, a dash for none)."""
    rows = []
    for name in fields:
        field = answer._meta.get_field(name)
        rows.append((capfirst(field.verbose_name), display_for_field(getattr(answer, name), field, "–")))
    return rows


# What the decision page's buttons say; the moves themselves are the workflow's (services.TRANSITIONS).
MOVE_LABELS = {
    "submit": _("Submit"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
    "complete": _("Complete"),
    "stop": _("Stop"),
}
# Two officers decide an approval over the budget: this one asks, another signs it off.
REQUEST_OVERRIDE = "request_override"


def _apply_to_each(request, applications, transition, **kwargs) -> None:
    """Run a workflow service per application and tell the officer what happened to each."""
    for application in applications:
        try:
            changed = transition(application, by=request.user, **kwargs)
        except WorkflowRefusal as refusal:
            messages.warning(request, f"{application.company.name}: {refusal.message}")
        else:
            messages.success(request, f"{application.company.name}: {changed.get_status_display().lower()}")


class ApplicationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        validators=[validate_spreadsheet],
        help_text=validate_spreadsheet.describe(),
    )
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)


class _Echo:
    """What csv.writer writes to: each line is handed back to be streamed, not kept."""

    def write(self, line: str) -> str:
        return line


def _export_header() -> list[str]:
    company_field, application_field = Company._meta.get_field, Application._meta.get_field
    labels = [
        company_field("kbo_number").verbose_name,
        _("company name"),
        company_field("size_class").verbose_name,
        company_field("province").verbose_name,
        *(
            application_field(name).verbose_name
            for name in (
                "traject",
                "project",
                "status",
                "submitted_on",
                "decided_on",
                "started_on",
                "ended_on",
                "reason",
            )
        ),
    ]
    return [capfirst(str(label)) for label in labels]


def _export_row(application: Application) -> list[str]:
    company = application.company
    days = (application.submitted_on, application.decided_on, application.started_on, application.ended_on)
    return [
        format_kbo_number(company.kbo_number),
        company.name,
        company.get_size_class_display(),
        company.get_province_display(),
        application.traject.name,
        application.project.name if application.project else "",
        application.get_status_display(),
        *days,
        application.reason,
    ]


def _export_lines(applications, language: str):
    writer = CsvWriter(_Echo())
    # Streamed after the view has returned, so the request's language is set here again.
    with translation.override(language):
        # The BOM makes Excel read the file as UTF-8.
        yield "\ufeff" + writer.writerow(_export_header())
        for application in applications.iterator():
            yield writer.writerow(_export_row(application))


@admin.register(Application)
class ApplicationAdmin(KboSearchMixin, NoDeleteMixin, NoRevertMixin, RefusalInFormMixin, SimpleHistoryAdmin):
    actions = ["approve_selected", "reject_selected", "approve_selected_over_budget"]
    change_list_template = "admin/participants/application/change_list.html"
    # An application is added as create_application takes it; the rest follows the workflow.
    add_fields = ("company", "traject", "project")
    # What an officer decides on fits 1280 px beside the menu and the filters; the start and the end of
    # the coaching are on each application's page.
    list_display = ("company_and_kbo", "traject_code", "project_name", "status", "submitted", "decided")
    list_filter = (
        "traject",
        ApprovedStatusFilter,
        "status",
        "stop_reason",
        ("company__size_class", admin.ChoicesFieldListFilter),
        ("company__province", admin.ChoicesFieldListFilter),
        "project",
        ("decided_on", DateRangeFilterBuilder(title=_("decided on"))),
    )
    list_select_related = ("company", "traject", "project")
    search_fields = ("company__kbo_number", "company__name")
    date_hierarchy = "decided_on"
    # Found by name or (part of) the KBO number, as printed or not.
    autocomplete_fields = ("company", "referral")
    # Status and decisions change only through the workflow, never by editing a field.
    readonly_fields = (
        "status",
        "submitted_on",
        "decided_on",
        "decided_by",
        "started_on",
        "ended_on",
        "capacity_period",
        "size_class_at_approval",
        "reason",
        "stop_reason",
        # The promoter's count at completion: set by completing, never by editing a field.
        "staff_reached",
        "staff_reached_low_skilled",
        "staff_reached_aged_55_plus",
        "state_aid",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("company"), ordering="company__name")
    def company_and_kbo(self, application):
        company = application.company
        return format_html("{}<br><small>{}</small>", company.name, format_kbo_number(company.kbo_number))

    @admin.display(description=_("traject"), ordering="traject__code")
    def traject_code(self, application):
        traject = application.traject
        return format_html('<span title="{}">{}</span>', traject.name, traject.code)

    @admin.display(description=_("project"), ordering="project__name")
    def project_name(self, application):
        project = application.project
        if project is None:
            return None
        # Project names often start with their traject's, which has its own column.
        short = project.name.removeprefix(f"{application.traject.name} – ")
        return format_html('<span title="{}">{}</span>', project.name, short)

    # Short dates, as in a table: the long form takes a column twice as wide.
    @admin.display(description=_("submitted"), ordering="submitted_on")
    def submitted(self, application):
        return (
            date_format(application.submitted_on, "SHORT_DATE_FORMAT") if application.submitted_on else None
        )

    @admin.display(description=_("decided"), ordering="decided_on")
    def decided(self, application):
        return date_format(application.decided_on, "SHORT_DATE_FORMAT") if application.decided_on else None

    @admin.display(description=_("state aid"))
    def state_aid(self, application):
        # funding sits above participants: its admin page is named, never imported.
        url = reverse("admin:funding_aidline_headroom", args=[application.company_id])
        return format_html('<a href="{}">{}</a>', url, _("De-minimis headroom of the single undertaking"))

    @admin.action(description=_("Approve selected applications"), permissions=["change"])
    def approve_selected(self, request, queryset):
        _apply_to_each(request, queryset.select_related("company", "traject"), services.approve_application)

    @admin.action(description=_("Reject selected applications"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            services.reject_application,
            "reason",
            _("These applications will be rejected with the reason below:"),
            _("Reject"),
        )

    @admin.action(description=_("Approve selected applications despite the budget"), permissions=["change"])
    def approve_selected_over_budget(self, request, queryset):
        # Two officers decide an approval over the budget: this asks, another signs off.
        return self._with_reason(
            request,
            queryset,
            hooks.request_budget_override,
            "reason",
            _(
                "For these applications an approval despite their exhausted budget will be requested, "
                "for the reason below; another officer signs it off under approvals over the budget:"
            ),
            _("Request approval"),
        )

    def _with_reason(self, request, queryset, transition, reason_argument, intro, submit_label):
        """Ask for one reason, then run the transition on each selected application with it."""
        applications = queryset.select_related("company", "traject")
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _apply_to_each(request, applications, transition, **{reason_argument: reason})
            return None
        return TemplateResponse(
            request,
            "admin/reason_for_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": self.get_action(request.POST["action"])[2],
                "intro": intro,
                "submit_label": submit_label,
                "objects": applications,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    # -- the decision page: the application's own page, where an officer decides it ---------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        if application is not None and self.has_view_permission(request, application):
            extra_context = {**(extra_context or {}), "decision": self._decision(request, application)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _decision(self, request, application: Application) -> dict:
        """Return what an officer needs to decide ``application``, read with a fixed number of queries."""
        day = timezone.localdate()
        application = selectors.application_for_decision(application.pk)
        company = application.company
        declaration = selectors.latest_sme_declaration(company)
        period = selectors.decision_capacity_period(application, day)
        sessions = list(selectors.coaching_sessions_of(application))
        undecided = application.status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
        return {
            "application": application,
            "company": company,
            "kbo_number": format_kbo_number(company.kbo_number),
            "declaration": declaration,
            "size_basis": selectors.size_class_basis(company, declaration),
            "refusals": services.approval_refusals(application, day) if undecided else None,
            "period": period,
            "sessions": sessions,
            "hours": sum(session.hours for session in sessions),
            "milestones": selectors.milestones_reached(session.kind for session in sessions),
            "panels": hooks.decision_panels(hooks.DecisionSubject(application, day, period)),
            "outcomes": self._outcomes(application, day),
            "history": selectors.application_history_records(application),
            "moves": self._moves(request, application),
        }

    def _outcomes(self, application: Application, day) -> dict | None:
        """Return the company's answers to read: its learning situation at intake and at closing side by
        side, the closing evaluation, the follow-up, the exit questionnaire and the invitations. None
        before the approval, when nothing about the outcomes can have been asked yet."""
        if application.status not in APPROVED_STATUSES:
            return None
        outcomes = selectors.decision_outcomes(application, day)
        return {
            "status": outcomes.status,
            "intake": outcomes.intake,
            "closing": outcomes.closing,
            "rows": selectors.situation_rows(outcomes.intake, outcomes.closing)
            if outcomes.intake or outcomes.closing
            else [],
            # An answer the company did not give is missing from the application's selected one-to-ones.
            "answers": [
                (capfirst(answer._meta.verbose_name), _answer_rows(answer, fields))
                for related, fields in ANSWER_FIELDS
                if (answer := getattr(application, related, None)) is not None
            ],
            "invitations": outcomes.invitations,
        }

    def _moves(self, request, application: Application) -> list[dict]:
        """Return the buttons for the moves the status allows; none for a user who may not change it."""
        if not self.has_change_permission(request, application):
            return []
        moves = [
            {
                "name": transition.name,
                "label": MOVE_LABELS[transition.name],
                "reason": transition.needs_reason,
                "stop_reasons": StopReason.choices if transition.needs_stop_reason else None,
            }
            for transition in services.transitions_from(application.status)
        ]
        if application.status in services.DECIDABLE:
            moves.append(
                {"name": REQUEST_OVERRIDE, "label": _("Request approval over the budget"), "reason": True}
            )
        for move in moves:
            move["url"] = reverse("admin:participants_application_move", args=[application.pk, move["name"]])
        return moves

    def move_view(self, request, object_id, move):
        """Make one move on the application through its workflow service (the one the API and the bulk
        actions call) and go back to its page; a refusal is shown there and nothing changes."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        reason = request.POST.get("reason", "")
        try:
            if move == REQUEST_OVERRIDE:
                hooks.request_budget_override(application, by=request.user, reason=reason)
                done = _("An approval over the budget is requested; another officer signs it off.")
            elif move in services.TRANSITIONS:
                transition = services.TRANSITIONS[move]
                arguments = {"reason": reason} if transition.needs_reason else {}
                if transition.needs_stop_reason:
                    arguments["stop_reason"] = request.POST.get("stop_reason", "")
                changed = transition.service(application, by=request.user, **arguments)
                done = _("The application is %(status)s.") % {"status": changed.get_status_display().lower()}
            else:
                raise Http404
        except WorkflowRefusal as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:participants_application_change", args=[application.pk]))

    def get_readonly_fields(self, request, obj=None):
        # Company and traject define the application; a new one is made for another pairing.
        return self.readonly_fields if obj is None else ("company", "traject", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            services.update_application_details(
                obj,
                by=request.user,
                project=obj.project,
                referral=obj.referral,
                planned_cost=obj.planned_cost,
            )
            return
        created = services.create_application(
            company=obj.company, traject=obj.traject, project=obj.project, by=request.user
        )
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = created.pk

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export"),
            path(
                "<path:object_id>/move/<str:move>/",
                self.admin_site.admin_view(self.move_view),
                name=f"{prefix}_move",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import an uploaded spreadsheet: every row checked by the workflow services, all saved or none."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ApplicationImportForm(request.POST, request.FILES)
        else:
            form = ApplicationImportForm()
        result = self._run_import(request, form) if form.is_valid() else None
        return TemplateResponse(
            request,
            "admin/participants/application/import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import applications"),
                "opts": self.opts,
                "form": form,
                "result": result,
            },
        )

    def _run_import(self, request, form):
        try:
            result = services.import_applications(
                form.cleaned_data["file"], by=request.user, dry_run=form.cleaned_data["dry_run"]
            )
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            return None
        if result.failed:
            level = messages.ERROR
        elif result.saved:
            level = messages.SUCCESS
        else:
            level = messages.INFO
        self.message_user(request, result.summary, level)
        return result

    def export_view(self, request):
        """Return the changelist as filtered and searched, as CSV for Excel (;-separated, UTF-8 with BOM)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            changelist_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist_url}?{ERROR_FLAG}=1")
        applications = changelist.get_queryset(request).select_related("company", "traject", "project")
        response = StreamingHttpResponse(
            _export_lines(applications, translation.get_language()), content_type="text/csv; charset=utf-8"
        )
        filename = f"{slugify(self.opts.verbose_name_plural)}-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(CoachingSession)
class CoachingSessionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Coaching sessions, to read: promoters log them through the portal and the API."""

    list_display = (
        "application",
        "date",
        "kind",
        notation_column(CoachingSession, "hours", money.hours),
        "employees_present",
        "logged_by",
    )
    list_filter = ("kind", "application__traject", ("date", DateRangeFilterBuilder(title=_("date"))))
    list_select_related = ("application__company", "application__traject", "logged_by")
    search_fields = ("application__company__name", "application__company__kbo_number", "notes")
    raw_id_fields = ("application",)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Evaluations, to read: companies submit them through their link."""

    list_display = (
        "application",
        "usefulness",
        "coach_quality",
        "learning_culture_effect",
        "would_recommend",
        "learning_transfer",
        "motivation",
        "staff_participated",
        "submitted_at",
    )
    list_filter = ("application__traject", "would_recommend", "learning_transfer", "motivation")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "recommendations", "will_keep_doing")
    raw_id_fields = ("application",)


# The company's other answers and its invitations, to read: the company answers through its links (the
# situation at intake is logged in the portal), and the services send the invitations and reminders.
@admin.register(LearningSituation)
class LearningSituationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "application",
        "moment",
        "main_barrier",
        "has_training_policy",
        "headcount",
        "recorded_on",
        "recorded_by",
    )
    list_filter = ("moment", "application__traject", "main_barrier", "has_training_policy")
    list_select_related = ("application__company", "application__traject", "recorded_by")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "application",
        "training_policy_applied",
        "learning_continued",
        "employees_learned",
        "submitted_at",
    )
    list_filter = ("application__traject", "training_policy_applied", "learning_continued")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)


@admin.register(ExitAnswer)
class ExitAnswerAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("application", "main_reason", "would_start_again", "submitted_at")
    list_filter = ("application__traject", "main_reason", "would_start_again")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "what_would_have_helped")
    raw_id_fields = ("application",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("application", "questionnaire", "sent_on", "reminders_sent", "last_reminded_on")
    list_filter = ("questionnaire", "reminders_sent", "application__traject")
    list_select_related = ("application__company", "application__traject")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)
    date_hierarchy = "sent_on"


@admin.register(Referral)
class ReferralAdmin(KboSearchMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """Referrals: sector consultants refer companies (``refer_company``, in the portal and the API); an
    officer follows one up here (``follow_up_referral``). Who referred what, and when, stays."""

    fields = (
        "company",
        "traject",
        "sector_fund",
        "consultant",
        "referred_on",
        "intake_by",
        "follow_progress",
        "notes",
    )
    readonly_fields = ("company", "traject", "sector_fund", "consultant", "referred_on", "intake_by")
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

    def has_add_permission(self, request):
        return False  # only a sector consultant refers, and refer_company checks that they are one

    def save_model(self, request, obj, form, change):
        services.follow_up_referral(
            obj, by=request.user, follow_progress=obj.follow_progress, notes=obj.notes
        )


class CapacityPeriodForm(forms.ModelForm):
    class Meta:
        model = CapacityPeriod
        fields = ("traject", "start", "end", "places")

    def clean_places(self):
        places = self.cleaned_data["places"]
        taken = taken_places(self.instance) if self.instance.pk else 0
        if places is not None and places < taken:
            raise forms.ValidationError(
                _("%(taken)s places of this period are already taken; it cannot have fewer.")
                % {"taken": taken}
            )
        return places


@admin.register(CapacityPeriod)
class CapacityPeriodAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """Capacity periods through the same services as the API: a period's dates are fixed once it exists,
    and its places never drop below the places taken (checked again under the approvals' lock). Approvals
    and budget lines rest on a period, so none is deleted."""

    form = CapacityPeriodForm
    list_display = ("traject", "start", "end", "places", "taken")
    list_filter = ("traject",)
    date_hierarchy = "start"

    def get_queryset(self, request):
        return capacity_periods_with_use()

    def get_fields(self, request, obj=None):
        return (
            ("traject", "start", "end", "places", "taken") if obj else ("traject", "start", "end", "places")
        )

    def get_readonly_fields(self, request, obj=None):
        return ("traject", "start", "end", "taken") if obj else ()

    @admin.display(description=_("taken"), ordering="taken")
    def taken(self, period: CapacityPeriod) -> int:
        return period.taken

    def save_model(self, request, obj, form, change):
        if change:
            services.change_capacity_places(obj, places=obj.places, by=request.user)
        else:
            created = services.create_capacity_period(
                traject=obj.traject, start=obj.start, end=obj.end, places=obj.places, by=request.user
            )
            obj.pk = created.pk


ENTERPRISE_FIELDS = (
    "relation",
    "name",
    "kbo_number",
    "share",
    "staff_awu",
    "turnover",
    "balance_sheet_total",
)


class RelatedEnterpriseInline(KboNumberFieldMixin, admin.TabularInline):
    """The partner and linked enterprises, entered with a new declaration and never changed afterwards."""

    model = RelatedEnterprise
    fields = ENTERPRISE_FIELDS
    extra = 2
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else self.extra

    def get_readonly_fields(self, request, obj=None):
        return ENTERPRISE_FIELDS if obj else ()

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)


@admin.register(RelatedEnterprise)
class RelatedEnterpriseAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """The partner and linked enterprises of every declaration, to find them: they are entered with their
    declaration (``SMEDeclarationAdmin``) and never changed."""

    list_display = ("name", "relation", "share", "declaration")
    list_filter = ("relation",)
    list_select_related = ("declaration__company",)
    search_fields = ("name", "kbo_number", "declaration__company__name")


@admin.register(SMEDeclaration)
class SMEDeclarationAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """SME declarations: a new one goes through ``declare_sme_status`` (which sets the company's figures
    and size class); a saved one is evidence and is only read."""

    list_display = (
        "company",
        "reference_year",
        "size_class",
        "total_staff_awu",
        "declared_by",
        "declared_at",
    )
    list_filter = ("size_class", "reference_year")
    list_select_related = ("company", "declared_by")
    search_fields = ("company__name", "company__kbo_number")
    raw_id_fields = ("company",)
    date_hierarchy = "declared_at"
    add_fields = ("company", "reference_year", "staff_awu", "turnover", "balance_sheet_total", "attachment")
    readonly_fields = (
        *add_fields[:-1],
        "attachment_download",
        "total_staff_awu",
        "total_turnover",
        "total_balance_sheet_total",
        "size_class",
        "declared_by",
        "declared_at",
    )
    inlines = [RelatedEnterpriseInline]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description=_("attachment"))
    def attachment_download(self, declaration):
        if not declaration.attachment:
            return "–"
        return download_link(
            reverse("company-sme-declaration-attachment", args=[declaration.company_id, declaration.pk]),
            declaration.attachment_name,
        )

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Save nothing yet: the declaration and its enterprises are saved together in ``save_related``."""

    def save_related(self, request, form, formsets, change):
        enterprises = [
            services.EnterpriseFigures(**{name: row.cleaned_data[name] for name in ENTERPRISE_FIELDS})
            for formset in formsets
            for row in formset.forms
            if row.cleaned_data and row.has_changed()
        ]
        data = form.cleaned_data
        declaration = services.declare_sme_status(
            data["company"],
            by=request.user,
            reference_year=data["reference_year"],
            staff_awu=data["staff_awu"],
            turnover=data["turnover"],
            balance_sheet_total=data["balance_sheet_total"],
            enterprises=enterprises,
            attachment=data.get("attachment") or None,
        )
        # The admin goes on with the form's object and formsets (log entry, message, redirect).
        form.instance.pk = declaration.pk
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = (
                list(declaration.enterprises.all()),
                [],
                [],
            )


@admin.register(KboImport)
class KboImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The KBO extracts imported, to read: the import command records them."""

    list_display = (
        "imported_at",
        "extract_type",
        "extract_number",
        "snapshot_date",
        "created",
        "updated",
        "removed",
        "unchanged",
        "skipped",
    )
    list_filter = ("extract_type",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """The KBO imports queued for the workers, to read: ``import_kbo --queue`` queues them, a worker runs
    them."""

    list_display = ("created_at", "extract_type", "source", "status", "built_by", "finished_at", "kbo_import")
    list_filter = ("status", "extract_type", "built_by")
    # The job first, then its run (the abstract WorkerJob's fields would come first).
    fields = (
        "extract_type",
        "source",
        "status",
        "error",
        "kbo_import",
        "finished_at",
        "heartbeat_at",
        "requeues",
        "built_by",
    )
