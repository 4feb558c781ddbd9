import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Mod, Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.geography import Province, province_for_postal_code
from participants.kbo import format_kbo_number, validate_kbo_number
from participants.nace import NaceVersion
from trajects.models import OrganisationKind
from trajects.size_classes import SizeClass, classify
from voorsprong.models import WorkerJob
from voorsprong.uploads import ORIGINAL_NAME_MAX_LENGTH, validate_scan
from voorsprong.validators import (
    REASON_MAX_LENGTH,
    validate_day,
    validate_founding_day,
    validate_multi_line,
    validate_one_line,
)


class LegalForm(models.TextChoices):
    BV = "bv", _("Private limited company (BV)")
    NV = "nv", _("Public limited company (NV)")
    CV = "cv", _("Cooperative company (CV)")
    COMMV = "commv", _("Limited partnership (CommV)")
    VOF = "vof", _("General partnership (VOF)")
    SOLE_TRADER = "sole_trader", _("Sole trader")
    VZW = "vzw", _("Non-profit association (vzw)")
    IVZW = "ivzw", _("International non-profit association (ivzw)")
    PRIVATE_FOUNDATION = "private_foundation", _("Private foundation")
    PUBLIC_FOUNDATION = "public_foundation", _("Foundation of public utility")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


NON_PROFIT_LEGAL_FORMS = (
    LegalForm.VZW,
    LegalForm.IVZW,
    LegalForm.PRIVATE_FOUNDATION,
    LegalForm.PUBLIC_FOUNDATION,
)

_KBO_FIRST_EIGHT = Cast(Substr("kbo_number", 1, 8), models.BigIntegerField())
_KBO_CHECK_DIGITS = Cast(Substr("kbo_number", 9, 2), models.IntegerField())


class Company(models.Model):
    """A company (onderneming) known by its KBO number."""

    # Unique by a constraint rather than unique=True: on PostgreSQL that makes no varchar_pattern_ops index
    # (nothing searches the numbers by prefix), and no index of them in the history, which nothing reads by
    # number; a national KBO import writes two million rows into each.
    kbo_number = models.CharField(_("KBO number"), max_length=10, validators=[validate_kbo_number])
    name = models.CharField(_("name"), max_length=255, validators=[validate_one_line])
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    is_non_profit = models.BooleanField(_("non-profit"), default=False)
    staff_headcount = models.PositiveIntegerField(
        _("staff headcount (FTE)"),
        null=True,
        blank=True,
        help_text=_("Empty while nobody has declared it: the size class is then unknown."),
    )
    turnover = models.DecimalField(
        _("annual turnover (EUR)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    balance_sheet_total = models.DecimalField(
        _("balance-sheet total (EUR)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    size_class = models.CharField(_("size class"), max_length=12, choices=SizeClass.choices, editable=False)
    nace_code = models.CharField(_("NACE code"), max_length=5, blank=True, help_text=_("Main activity."))
    nace_version = models.CharField(
        _("NACE version"),
        max_length=4,
        choices=NaceVersion.choices,
        blank=True,
        help_text=_("The nomenclature of the NACE code; NACE-BEL 2008 when left empty with a code."),
    )
    joint_committee = models.CharField(
        _("joint committee"), max_length=10, blank=True, validators=[validate_one_line]
    )
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True, validators=[validate_one_line])
    municipality = models.CharField(
        _("municipality"), max_length=100, blank=True, validators=[validate_one_line]
    )
    province = models.CharField(
        _("province"), max_length=20, choices=Province.choices, blank=True, editable=False
    )
    founded_on = models.DateField(_("start date"), null=True, blank=True, validators=[validate_founding_day])
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Off when the KBO marks the company as stopped.")
    )
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, validators=[validate_one_line]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[validate_one_line]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kbo_number"], name="company_kbo_number_unique"),
            models.CheckConstraint(
                condition=Q(kbo_number__regex=r"^[01][0-9]{9}$"), name="company_kbo_number_ten_digits"
            ),
            # CASE makes sure only ten digits are ever cast to numbers (PostgreSQL may
            # evaluate the parts of an AND in any order).
            models.CheckConstraint(
                condition=Case(
                    When(
                        kbo_number__regex=r"^[0-9]{10}$",
                        then=Exact(97 - Mod(_KBO_FIRST_EIGHT, 97), _KBO_CHECK_DIGITS),
                    ),
                    default=Value(True),
                    output_field=models.BooleanField(),
                ),
                name="company_kbo_number_checksum",
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=LegalForm.values), name="company_legal_form_valid"
            ),
            models.CheckConstraint(
                condition=~Q(legal_form__in=[form.value for form in NON_PROFIT_LEGAL_FORMS])
                | Q(is_non_profit=True),
                name="company_non_profit_legal_form",
            ),
            models.CheckConstraint(
                condition=Q(is_non_profit=True, size_class=SizeClass.NON_PROFIT)
                | Q(
                    is_non_profit=False,
                    size_class__in=[
                        SizeClass.MICRO,
                        SizeClass.SMALL,
                        SizeClass.MEDIUM,
                        SizeClass.LARGE,
                        SizeClass.UNKNOWN,
                    ],
                ),
                name="company_size_class_matches_non_profit",
            ),
            models.CheckConstraint(
                condition=Q(nace_code="", nace_version="")
                | (~Q(nace_code="") & Q(nace_version__in=NaceVersion.values)),
                name="company_nace_version_valid",
            ),
            models.CheckConstraint(condition=Q(turnover__gte=0), name="company_turnover_not_negative"),
            models.CheckConstraint(
                condition=Q(balance_sheet_total__gte=0), name="company_balance_sheet_not_negative"
            ),
        ]
        indexes = [
            # The companies of a known size class, for the lists that filter on one, in the lists' order.
            # The register's many companies of unknown size and its non-profits are left out: importing
            # it writes no entry here. A filter on province needs no index of its own: the smallest
            # province still holds percents of the companies, found soon along the lists' order. Those two
            # indexes of every company cost the first national import a twentieth of its time.
            models.Index(
                fields=["size_class", "name", "id"],
                name="company_known_size",
                condition=Q(
                    size_class__in=[SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE]
                ),
            ),
            # The lists' order (Meta.ordering, then pk): a page is read from the index, not sorted.
            models.Index(fields=["name", "id"], name="company_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({format_kbo_number(self.kbo_number)})"

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        # The derived fields take part in the constraints, so they are computed before validation.
        self.refresh_derived_fields()
        super().full_clean(*args, **kwargs)

    def clean(self) -> None:
        if self.legal_form in NON_PROFIT_LEGAL_FORMS and not self.is_non_profit:
            raise ValidationError(
                {"is_non_profit": _("A %(form)s is a non-profit.") % {"form": self.get_legal_form_display()}}
            )

    def refresh_derived_fields(self) -> None:
        """Set the size class and province, which follow from the other fields; they are stored for
        reporting."""
        derived = company_derived_fields(
            is_non_profit=self.is_non_profit,
            staff_headcount=self.staff_headcount,
            turnover=self.turnover,
            balance_sheet_total=self.balance_sheet_total,
            postal_code=self.postal_code,
            nace_code=self.nace_code,
            nace_version=self.nace_version,
        )
        for name, value in derived.items():
            setattr(self, name, value)


def company_derived_fields(
    *,
    is_non_profit: bool,
    staff_headcount: int | None,
    turnover: Decimal | None,
    balance_sheet_total: Decimal | None,
    postal_code: str,
    nace_code: str,
    nace_version: str,
) -> dict:
    """Return the size class, province and NACE version of a company with these fields: what
    ``Company.refresh_derived_fields`` sets, for a writer that builds no Company (the national KBO import)."""
    # The KBO import gives the version it found; a code typed in without one is NACE-BEL 2008, the
    # nomenclature the forms have always asked for. Without a code there is no version.
    if not nace_code:
        nace_version = ""
    elif not nace_version:
        nace_version = NaceVersion.NACE_2008
    return {
        "size_class": classify(
            is_non_profit=is_non_profit,
            staff_headcount=staff_headcount,
            turnover=turnover,
            balance_sheet_total=balance_sheet_total,
        ),
        "province": province_for_postal_code(postal_code) or "",
        "nace_version": nace_version,
    }


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


# At most one of these per company and traject at a time.
OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.IN_PROGRESS,
)
# An application in one of these was approved and holds a place of its capacity period.
APPROVED_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.COMPLETED,
    ApplicationStatus.STOPPED,
)
DECIDED_STATUSES = (*APPROVED_STATUSES, ApplicationStatus.REJECTED)
STARTED_STATUSES = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED)
ENDED_STATUSES = (ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED, ApplicationStatus.WITHDRAWN)
# A stopped application has a stop reason code instead; its text is needed only with StopReason.OTHER.
STATUSES_NEEDING_REASON = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)
# Decided and not rejected: approved, whatever happened since (also withdrawn after the approval).
WAS_APPROVED = Q(decided_on__isnull=False) & ~Q(status=ApplicationStatus.REJECTED)


class StopReason(models.TextChoices):
    """Why a trajectory stopped before its end, as the promoter chooses it when stopping."""

    ADMINISTRATIVE_BURDEN = "administrative_burden", _("Administrative burden")
    NO_TIME = "no_time", _("No time")
    REORGANISATION = "reorganisation", _("Reorganisation")
    BANKRUPTCY_OR_STOP = "bankruptcy_or_stop", _("Bankruptcy or end of the business")
    GOAL_REACHED = "goal_reached", _("Goal already reached")
    OTHER = "other", _("Other")


def _when_status_in(statuses, condition: Q) -> Q:
    """Return a check that says: if the status is one of these, the condition holds."""
    return ~Q(status__in=statuses) | condition


def _between_1_and_5(field: str) -> Q:
    return Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


def _staff_counts_consistent(total: str, low_skilled: str, aged_55_plus: str) -> Q:
    """Return a check that says: the three staff counts are all empty, or all given with the two groups
    within the total."""
    return Q(
        **{f"{total}__isnull": True, f"{low_skilled}__isnull": True, f"{aged_55_plus}__isnull": True}
    ) | Q(
        **{
            # A NULL group would pass "<=" (a check passes on unknown): each is required by name.
            f"{total}__isnull": False,
            f"{low_skilled}__isnull": False,
            f"{aged_55_plus}__isnull": False,
            f"{low_skilled}__lte": F(total),
            f"{aged_55_plus}__lte": F(total),
        }
    )


class Application(models.Model):
    """A company's application for one traject, from draft to the end of the coaching."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="applications"
    )
    traject = models.ForeignKey(
        "trajects.Traject", verbose_name=_("traject"), on_delete=models.PROTECT, related_name="applications"
    )
    project = models.ForeignKey(
        "trajects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    capacity_period = models.ForeignKey(
        "trajects.CapacityPeriod",
        verbose_name=_("capacity period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text=_("The period whose place this application took when it was approved."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, validators=[validate_day])
    decided_on = models.DateField(_("decided on"), null=True, blank=True, validators=[validate_day])
    started_on = models.DateField(_("started on"), null=True, blank=True, validators=[validate_day])
    ended_on = models.DateField(_("ended on"), null=True, blank=True, validators=[validate_day])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_applications",
    )
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_multi_line]
    )
    stop_reason = models.CharField(
        _("stop reason"),
        max_length=24,
        choices=StopReason.choices,
        blank=True,
        help_text=_("Why the trajectory stopped; only for a stopped application."),
    )
    staff_reached = models.PositiveIntegerField(
        _("employees reached"),
        null=True,
        blank=True,
        help_text=_(
            "Distinct employees the trajectory reached, each counted once, as the promoter counts them at "
            "completion; the company's closing evaluation, when it comes, counts instead."
        ),
    )
    staff_reached_low_skilled = models.PositiveIntegerField(_("of whom low-skilled"), null=True, blank=True)
    staff_reached_aged_55_plus = models.PositiveIntegerField(
        _("of whom aged 55 or over"), null=True, blank=True
    )
    planned_cost = models.DecimalField(
        _("planned cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the traject's default planned cost."),
    )
    referral = models.OneToOneField(
        "participants.Referral",
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )
    size_class_at_approval = models.CharField(
        _("size class at approval"),
        max_length=12,
        choices=SizeClass.choices,
        blank=True,
        editable=False,
        help_text=_(
            "The company's size class the approval rested on; the statistics count by it, so a company "
            "that grows later does not change the figures of an earlier date."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
            models.UniqueConstraint(
                fields=["company", "traject"],
                condition=Q(status__in=OPEN_STATUSES),
                name="application_one_open_per_company_and_traject",
                violation_error_message=_("This company already has an open application for this traject."),
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT) | Q(submitted_on__isnull=False),
                name="application_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=_when_status_in(DECIDED_STATUSES, Q(decided_on__isnull=False)),
                name="application_decided_has_date",
            ),
            models.CheckConstraint(
                condition=_when_status_in(
                    (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED), Q(decided_on__isnull=True)
                ),
                name="application_undecided_has_no_decision",
            ),
            models.CheckConstraint(
                condition=_when_status_in(APPROVED_STATUSES, Q(capacity_period__isnull=False)),
                name="application_approved_holds_place",
            ),
            models.CheckConstraint(
                condition=_when_status_in(STARTED_STATUSES, Q(started_on__isnull=False)),
                name="application_started_has_date",
            ),
            models.CheckConstraint(
                condition=_when_status_in(ENDED_STATUSES, Q(ended_on__isnull=False)),
                name="application_ended_has_date",
            ),
            models.CheckConstraint(
                condition=_when_status_in(STATUSES_NEEDING_REASON, ~Q(reason="")),
                name="application_reason_given",
            ),
            models.CheckConstraint(
                condition=Q(stop_reason__in=StopReason.values) | Q(stop_reason=""),
                name="application_stop_reason_valid",
            ),
            # A stop reason code exactly when stopped.
            models.CheckConstraint(
                condition=(Q(status=ApplicationStatus.STOPPED) & ~Q(stop_reason=""))
                | (~Q(status=ApplicationStatus.STOPPED) & Q(stop_reason="")),
                name="application_stop_reason_when_stopped",
            ),
            models.CheckConstraint(
                condition=~Q(stop_reason=StopReason.OTHER) | ~Q(reason=""),
                name="application_other_stop_reason_explained",
            ),
            models.CheckConstraint(
                condition=_staff_counts_consistent(
                    "staff_reached", "staff_reached_low_skilled", "staff_reached_aged_55_plus"
                ),
                name="application_staff_counts_consistent",
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.COMPLETED) | Q(staff_reached__isnull=True),
                name="application_staff_reached_when_completed",
            ),
            models.CheckConstraint(
                condition=(WAS_APPROVED & Q(size_class_at_approval__in=SizeClass.values))
                | (~WAS_APPROVED & Q(size_class_at_approval="")),
                name="application_size_class_frozen_at_approval",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__gte=F("submitted_on")), name="application_decided_after_submitted"
            ),
            models.CheckConstraint(
                condition=Q(planned_cost__gte=0), name="application_planned_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(started_on__gte=F("decided_on")), name="application_started_after_decided"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("submitted_on")), name="application_ended_after_submitted"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("started_on")), name="application_ended_after_started"
            ),
        ]
        indexes = [
            models.Index(fields=["traject", "status", "decided_on"]),
            models.Index(fields=["status"]),
            # The work queue's sections, each a status in the order its rows wait (the longest first).
            models.Index(fields=["status", "submitted_on", "id"], name="application_waiting_order"),
            models.Index(fields=["status", "decided_on", "id"], name="application_decided_order"),
            # The unanswered evaluations, the trajectories completed most recently first.
            models.Index(fields=["status", "ended_on", "id"], name="application_ended_order"),
            # Date filters of the lists and the reports without a traject.
            models.Index(fields=["decided_on"]),
            # The lists' order (Meta.ordering): a page is read from the index, not sorted.
            models.Index(fields=["-submitted_on", "-id"], name="application_list_order"),
            # The latest approval of a company in a traject (the size class the statistics count it by).
            models.Index(
                fields=["traject", "company", "-decided_on", "-id"], name="application_latest_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} – {self.traject.name}"


class Milestone(models.TextChoices):
    """The phases of a coaching trajectory; each session works on one of them."""

    INTAKE = "intake", _("Intake")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    ACTION_PLAN = "action_plan", _("Action plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    CLOSING = "closing", _("Closing")


class CoachingSession(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField(_("date"), validators=[validate_day])
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=20, choices=Milestone.choices)
    # Who attended this one session; the staff a trajectory reached is counted once per application
    # (Application.staff_reached, Evaluation.staff_participated), never as the sum of its sessions.
    employees_present = models.PositiveIntegerField(
        _("present at this session"),
        default=0,
        help_text=_("Employees present at this session; the same people may attend several sessions."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multi_line])
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_sessions",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        ordering = ["application", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=12), name="coachingsession_hours_between_0_and_12"
            ),
            models.CheckConstraint(condition=Q(kind__in=Milestone.values), name="coachingsession_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["application", "date"]),
            # The sessions of the last days, for the quiet trajectories of the work queue (an anti-join).
            models.Index(fields=["date", "application"], name="coachingsession_by_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()} ({self.hours} h)"


EVALUATION_SCORE_FIELDS = ("usefulness", "coach_quality", "learning_culture_effect", "would_recommend")
# Asked since the closing evaluation measures outcomes; empty on the evaluations given before.
OUTCOME_SCORE_FIELDS = ("learning_transfer", "motivation")


class Evaluation(models.Model):
    """A company's closing evaluation of its completed trajectory: the four scores and recommendations,
    and since the outcomes are measured, learning transfer and motivation (1 to 5), the distinct employees
    who took part and what the company keeps doing. Its learning situation at closing is a
    ``LearningSituation`` of its own."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="evaluation"
    )
    usefulness = models.PositiveSmallIntegerField(_("usefulness"))
    coach_quality = models.PositiveSmallIntegerField(_("quality of the coach"))
    learning_culture_effect = models.PositiveSmallIntegerField(_("effect on the learning culture"))
    would_recommend = models.PositiveSmallIntegerField(_("would recommend it"))
    learning_transfer = models.PositiveSmallIntegerField(
        _("learning transfer"),
        null=True,
        blank=True,
        help_text=_("Is what was learned used at work? 1 to 5."),
    )
    motivation = models.PositiveSmallIntegerField(
        _("motivation to learn"), null=True, blank=True, help_text=_("1 to 5.")
    )
    staff_participated = models.PositiveIntegerField(
        _("employees who took part"),
        null=True,
        blank=True,
        help_text=_("Distinct employees, each counted once."),
    )
    staff_low_skilled = models.PositiveIntegerField(_("of whom low-skilled"), null=True, blank=True)
    staff_aged_55_plus = models.PositiveIntegerField(_("of whom aged 55 or over"), null=True, blank=True)
    will_keep_doing = models.TextField(
        _("what the company will keep doing"), blank=True, validators=[validate_multi_line]
    )
    recommendations = models.TextField(_("recommendations"), blank=True, validators=[validate_multi_line])
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-submitted_at"]
        constraints = [
            *(
                models.CheckConstraint(condition=_between_1_and_5(field), name=f"evaluation_{field}_1_to_5")
                for field in EVALUATION_SCORE_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | _between_1_and_5(field),
                    name=f"evaluation_{field}_1_to_5",
                )
                for field in OUTCOME_SCORE_FIELDS
            ),
            models.CheckConstraint(
                condition=_staff_counts_consistent(
                    "staff_participated", "staff_low_skilled", "staff_aged_55_plus"
                ),
                name="evaluation_staff_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return str(self.application)


class Barrier(models.TextChoices):
    """The barriers to learning of the Lifelong Learning action plan, as a company meets them."""

    DISPOSITIONAL = "dispositional", _("Dispositional: motivation, attitude")
    SITUATIONAL = "situational", _("Situational: time, workload, family")
    INSTITUTIONAL = "institutional", _("Institutional: offer, conditions, timing")
    INFORMATIONAL = "informational", _("Informational: not knowing the offer")
    FINANCIAL = "financial", _("Financial")
    DIGITAL = "digital", _("Digital")


class LearningForm(models.TextChoices):
    """The ways of learning a company may already use."""

    FORMAL = "formal", _("Formal learning (courses with a certificate)")
    NON_FORMAL = "non_formal", _("Non-formal learning (training, workshops)")
    INFORMAL = "informal", _("Informal learning (on the job, from colleagues)")
    DURING_WORKING_HOURS = "during_working_hours", _("Learning during working hours")
    ONLINE_OR_BLENDED = "online_or_blended", _("Online or blended learning")


class SituationMoment(models.TextChoices):
    INTAKE = "intake", _("At intake")
    CLOSING = "closing", _("At closing")


def barrier_field(barrier: str) -> str:
    """Return the name of the ``LearningSituation`` field that says whether ``barrier`` is met."""
    return f"barrier_{barrier}"


def learning_form_field(form: str) -> str:
    """Return the name of the ``LearningSituation`` field that says whether ``form`` is used."""
    return f"learns_{form}"


BARRIER_FIELDS = tuple(barrier_field(barrier) for barrier in Barrier.values)
LEARNING_FORM_FIELDS = tuple(learning_form_field(form) for form in LearningForm.values)


class LearningSituation(models.Model):
    """A company's learning situation at intake (the baseline) or at closing, on the same closed questions,
    so the change is measured on one scale. Numbers only: no names of persons.

    The baseline is logged by the promoter with the intake session or by the sector consultant who did
    the intake; the situation at closing is the company's own answer in its closing evaluation.
    """

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="learning_situations",
    )
    moment = models.CharField(_("moment"), max_length=8, choices=SituationMoment.choices)
    barrier_dispositional = models.BooleanField(Barrier.DISPOSITIONAL.label, default=False)
    barrier_situational = models.BooleanField(Barrier.SITUATIONAL.label, default=False)
    barrier_institutional = models.BooleanField(Barrier.INSTITUTIONAL.label, default=False)
    barrier_informational = models.BooleanField(Barrier.INFORMATIONAL.label, default=False)
    barrier_financial = models.BooleanField(Barrier.FINANCIAL.label, default=False)
    barrier_digital = models.BooleanField(Barrier.DIGITAL.label, default=False)
    main_barrier = models.CharField(
        _("barrier that weighs most"),
        max_length=16,
        choices=Barrier.choices,
        blank=True,
        help_text=_("One of the barriers met; empty when none is met."),
    )
    has_training_policy = models.BooleanField(_("has a training policy"))
    has_learning_jobs = models.BooleanField(_("has learning jobs"))
    headcount = models.PositiveIntegerField(_("staff headcount"))
    low_skilled = models.PositiveIntegerField(_("of whom low-skilled"))
    aged_55_plus = models.PositiveIntegerField(_("of whom aged 55 or over"))
    learns_formal = models.BooleanField(LearningForm.FORMAL.label, default=False)
    learns_non_formal = models.BooleanField(LearningForm.NON_FORMAL.label, default=False)
    learns_informal = models.BooleanField(LearningForm.INFORMAL.label, default=False)
    learns_during_working_hours = models.BooleanField(LearningForm.DURING_WORKING_HOURS.label, default=False)
    learns_online_or_blended = models.BooleanField(LearningForm.ONLINE_OR_BLENDED.label, default=False)
    recorded_on = models.DateField(_("recorded on"), validators=[validate_day])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorded_learning_situations",
        help_text=_(
            "Empty at closing: the company answered itself. Empty at intake: logged by a promoter without an "
            "account here (earlier data)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("learning situation")
        verbose_name_plural = _("learning situations")
        ordering = ["application", "moment"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "moment"],
                name="learningsituation_unique_per_moment",
                violation_error_message=_("This situation has already been recorded."),
            ),
            models.CheckConstraint(
                condition=Q(moment__in=SituationMoment.values), name="learningsituation_moment_valid"
            ),
            models.CheckConstraint(
                condition=Q(main_barrier__in=Barrier.values) | Q(main_barrier=""),
                name="learningsituation_main_barrier_valid",
            ),
            # The barrier that weighs most is one of those met, and is named whenever one is met.
            *(
                models.CheckConstraint(
                    condition=~Q(main_barrier=barrier) | Q(**{barrier_field(barrier): True}),
                    name=f"learningsituation_main_barrier_{barrier}_met",
                )
                for barrier in Barrier.values
            ),
            models.CheckConstraint(
                condition=~Q(main_barrier="") | Q(**dict.fromkeys(BARRIER_FIELDS, False)),
                name="learningsituation_main_barrier_named",
            ),
            models.CheckConstraint(
                condition=Q(low_skilled__lte=F("headcount"), aged_55_plus__lte=F("headcount")),
                name="learningsituation_groups_within_headcount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.get_moment_display()}"

    @property
    def barriers(self) -> list[str]:
        """Return the codes of the barriers met, in the order of ``Barrier``."""
        return [barrier for barrier in Barrier.values if getattr(self, barrier_field(barrier))]

    @property
    def learning_forms(self) -> list[str]:
        """Return the codes of the learning forms used, in the order of ``LearningForm``."""
        return [form for form in LearningForm.values if getattr(self, learning_form_field(form))]


class FollowUp(models.Model):
    """The company's answers six months after completing its trajectory: did the learning last?"""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="follow_up"
    )
    training_policy_applied = models.BooleanField(_("training policy still applied"))
    learning_continued = models.BooleanField(_("learning went on"))
    employees_learned = models.PositiveIntegerField(
        _("employees who learned in the last six months"),
        help_text=_("Distinct employees, each counted once."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return str(self.application)


class StartAgain(models.TextChoices):
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class ExitAnswer(models.Model):
    """A company's short exit questionnaire after its trajectory stopped: why, in its own view, and
    whether it would start again."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="exit_answer"
    )
    main_reason = models.CharField(_("main reason to stop"), max_length=24, choices=StopReason.choices)
    would_start_again = models.CharField(
        _("would start a trajectory again later"), max_length=8, choices=StartAgain.choices
    )
    what_would_have_helped = models.TextField(
        _("what would have helped"), blank=True, validators=[validate_multi_line]
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit questionnaire")
        verbose_name_plural = _("exit questionnaires")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(main_reason__in=StopReason.values), name="exitanswer_main_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(would_start_again__in=StartAgain.values), name="exitanswer_start_again_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.application)


class Questionnaire(models.TextChoices):
    """What a company is asked through a personal link: each kind once per application."""

    EVALUATION = "evaluation", _("Closing evaluation")
    FOLLOW_UP = "follow_up", _("Follow-up after six months")
    EXIT = "exit", _("Exit questionnaire")


# The follow-up asks what lasted, six months after the trajectory was completed.
FOLLOW_UP_AFTER = relativedelta(months=6)
# The answer each questionnaire's link saves: one row per application, which makes the link single-use.
QUESTIONNAIRE_ANSWERS = {
    Questionnaire.EVALUATION: Evaluation,
    Questionnaire.FOLLOW_UP: FollowUp,
    Questionnaire.EXIT: ExitAnswer,
}
# What a company is asked once its trajectory ended: evaluated and followed up after completing, the
# exit questionnaire after a stop.
QUESTIONNAIRES_AFTER = {
    ApplicationStatus.COMPLETED: (Questionnaire.EVALUATION, Questionnaire.FOLLOW_UP),
    ApplicationStatus.STOPPED: (Questionnaire.EXIT,),
}


def follow_up_due_on(ended_on: datetime.date) -> datetime.date:
    """Return the first day the follow-up of a trajectory that ended on ``ended_on`` is due: the first day
    whose date six months back is not before the end, as the queries count it (``ended_on <= day -
    FOLLOW_UP_AFTER``). Six months after 31 August is 28 February, whose six months back is 28 August: the
    follow-up is due from 1 March."""
    day = ended_on + FOLLOW_UP_AFTER
    return day if day - FOLLOW_UP_AFTER >= ended_on else day + datetime.timedelta(days=1)


# The reminders of an unanswered questionnaire, in days after the invitation; after the last one it
# counts as not answered.
REMINDER_DAYS = (14, 30)


class Invitation(models.Model):
    """That a company was sent the link to a questionnaire, and how many reminders followed."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="invitations"
    )
    questionnaire = models.CharField(_("questionnaire"), max_length=12, choices=Questionnaire.choices)
    sent_on = models.DateField(_("sent on"), validators=[validate_day])
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_on = models.DateField(
        _("last reminded on"), null=True, blank=True, validators=[validate_day]
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "questionnaire"], name="invitation_unique_per_questionnaire"
            ),
            models.CheckConstraint(
                condition=Q(questionnaire__in=Questionnaire.values), name="invitation_questionnaire_valid"
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent__lte=len(REMINDER_DAYS)), name="invitation_at_most_two_reminders"
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent=0, last_reminded_on__isnull=True)
                | Q(reminders_sent__gt=0, last_reminded_on__isnull=False, last_reminded_on__gte=F("sent_on")),
                name="invitation_reminded_after_sent",
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "reminders_sent", "sent_on"])]

    def __str__(self) -> str:
        return f"{self.application} – {self.get_questionnaire_display()}"


class Referral(models.Model):
    """A candidate company brought in by a sector consultant (answer 9 of question 244)."""

    sector_fund = models.ForeignKey(
        "trajects.Organisation",
        verbose_name=_("sector fund"),
        on_delete=models.PROTECT,
        related_name="referrals",
        limit_choices_to={"kind": OrganisationKind.SECTOR_FUND},
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="referrals"
    )
    traject = models.ForeignKey(
        "trajects.Traject", verbose_name=_("traject"), on_delete=models.PROTECT, related_name="referrals"
    )
    referred_on = models.DateField(_("referred on"), validators=[validate_day])
    intake_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intake done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes",
    )
    follow_progress = models.BooleanField(
        _("follow progress"), default=True, help_text=_("The consultant keeps seeing the company's progress.")
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multi_line])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["sector_fund", "traject"])]

    def __str__(self) -> str:
        return f"{self.company.name} → {self.traject.name}"


class SMEDeclaration(models.Model):
    """A company's SME declaration (Commission Recommendation 2003/361/EC, annex art. 3 to 6).

    The company's own figures of the reference year plus those of its partner enterprises (a share of
    25 to 50 %, added pro rata) and linked enterprises (over 50 %, added in full) give the totals the size
    class follows from. The latest declaration sets the company's figures; earlier ones stay as evidence.
    """

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="sme_declarations"
    )
    reference_year = models.PositiveSmallIntegerField(
        _("reference year"), help_text=_("The year of the last approved accounts the figures come from.")
    )
    staff_awu = models.DecimalField(
        _("own staff (AWU)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Annual work units: full-time staff of the whole year count one, others a fraction."),
    )
    turnover = models.DecimalField(
        _("own annual turnover (EUR)"), max_digits=15, decimal_places=2, validators=[MinValueValidator(0)]
    )
    balance_sheet_total = models.DecimalField(
        _("own balance-sheet total (EUR)"), max_digits=15, decimal_places=2, validators=[MinValueValidator(0)]
    )
    total_staff_awu = models.DecimalField(_("total staff (AWU)"), max_digits=11, decimal_places=2)
    total_turnover = models.DecimalField(_("total annual turnover (EUR)"), max_digits=17, decimal_places=2)
    total_balance_sheet_total = models.DecimalField(
        _("total balance-sheet total (EUR)"), max_digits=17, decimal_places=2
    )
    size_class = models.CharField(_("size class"), max_length=12, choices=SizeClass.choices)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="sme_declarations",
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    attachment = models.FileField(
        _("attachment"),
        upload_to="sme-declarations/%Y/%m/",
        blank=True,
        validators=[validate_scan],
        help_text=_("The signed declaration or the accounts: a PDF or a scan (PNG, JPEG, WebP or TIFF)."),
    )
    attachment_name = models.CharField(
        _("attachment's original name"),
        max_length=ORIGINAL_NAME_MAX_LENGTH,
        blank=True,
        help_text=_("The attachment's name as it was uploaded; the download takes it."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SME declaration")
        verbose_name_plural = _("SME declarations")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_awu__gte=0, turnover__gte=0, balance_sheet_total__gte=0),
                name="smedeclaration_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    total_staff_awu__gte=F("staff_awu"),
                    total_turnover__gte=F("turnover"),
                    total_balance_sheet_total__gte=F("balance_sheet_total"),
                ),
                name="smedeclaration_totals_include_own_figures",
            ),
            models.CheckConstraint(
                condition=Q(size_class__in=SizeClass.values) & ~Q(size_class=SizeClass.UNKNOWN),
                name="smedeclaration_size_class_known",
            ),
        ]
        indexes = [models.Index(fields=["company", "-declared_at"], name="smedeclaration_latest")]

    def __str__(self) -> str:
        return f"{self.company.name} {self.reference_year}: {self.get_size_class_display()}"


class EnterpriseRelation(models.TextChoices):
    PARTNER = "partner", _("Partner enterprise (25–50 %)")
    LINKED = "linked", _("Linked enterprise (over 50 %)")


class RelatedEnterprise(models.Model):
    """A partner or linked enterprise of an SME declaration, with its share and its figures."""

    declaration = models.ForeignKey(
        SMEDeclaration,
        verbose_name=_("SME declaration"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    relation = models.CharField(_("relation"), max_length=10, choices=EnterpriseRelation.choices)
    name = models.CharField(_("name"), max_length=255, validators=[validate_one_line])
    kbo_number = models.CharField(
        _("KBO number"), max_length=10, blank=True, help_text=_("Empty for an enterprise outside Belgium.")
    )
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The larger of the shares in capital and in voting rights held between the two."),
    )
    staff_awu = models.DecimalField(
        _("staff (AWU)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    turnover = models.DecimalField(
        _("annual turnover (EUR)"), max_digits=15, decimal_places=2, validators=[MinValueValidator(0)]
    )
    balance_sheet_total = models.DecimalField(
        _("balance-sheet total (EUR)"), max_digits=15, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner or linked enterprise")
        verbose_name_plural = _("partner and linked enterprises")
        ordering = ["declaration", "relation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relation=EnterpriseRelation.PARTNER, share__gte=25, share__lte=50)
                | Q(relation=EnterpriseRelation.LINKED, share__gt=50, share__lte=100),
                name="relatedenterprise_share_fits_relation",
            ),
            models.CheckConstraint(
                condition=Q(staff_awu__gte=0, turnover__gte=0, balance_sheet_total__gte=0),
                name="relatedenterprise_figures_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()}, {self.share} %)"


class KboExtractType(models.TextChoices):
    FULL = "full", _("Full extract")
    UPDATE = "update", _("Update")


class KboImport(models.Model):
    """An extract of the KBO open data that was imported to the end, with what it changed.

    The newest extract number says which updates may follow: only a newer one.
    """

    extract_type = models.CharField(_("type"), max_length=6, choices=KboExtractType.choices)
    extract_number = models.PositiveIntegerField(
        _("extract number"),
        null=True,
        blank=True,
        help_text=_("From meta.csv; empty for an extract without it."),
    )
    snapshot_date = models.DateField(_("snapshot date"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    removed = models.PositiveIntegerField(_("removed from the register"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    skipped = models.PositiveIntegerField(_("skipped"))

    class Meta:
        verbose_name = _("KBO import")
        verbose_name_plural = _("KBO imports")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extract_type__in=KboExtractType.values), name="kboimport_extract_type_valid"
            ),
            # An update is applied once: a second run of the same one waits for the first, then fails here.
            models.UniqueConstraint(
                fields=["extract_number"],
                condition=Q(extract_type=KboExtractType.UPDATE),
                name="kboimport_unique_update",
            ),
            models.CheckConstraint(
                condition=~Q(extract_type=KboExtractType.UPDATE) | Q(extract_number__isnull=False),
                name="kboimport_update_has_number",
            ),
        ]

    def __str__(self) -> str:
        number = self.extract_number if self.extract_number is not None else "–"
        imported = timezone.localtime(self.imported_at)
        return f"{self.get_extract_type_display()} {number} ({imported:%Y-%m-%d %H:%M})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(WorkerJob):
    """A KBO import queued for whichever Celery worker is free: applied once, its ``KboImport`` saying what
    it changed. The files are in the shared media storage, so every machine's worker reads them.

    Its heartbeat is set when it is queued and when a worker starts it: the import runs in one transaction,
    which shows nothing before it ends, so a running job's worker is lost only past the import's hard time
    limit."""

    extract_type = models.CharField(_("type"), max_length=6, choices=KboExtractType.choices)
    source = models.CharField(
        _("files"), max_length=255, help_text=_("The extract's folder in the media storage.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    kbo_import = models.OneToOneField(
        KboImport,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job",
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extract_type__in=KboExtractType.values), name="importjob_extract_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="importjob_status_valid"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="importjob_source_given"),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.DONE) | Q(kbo_import__isnull=False),
                name="importjob_done_has_import",
            ),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.FAILED) | ~Q(error=""), name="importjob_failed_says_why"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_extract_type_display()} {self.source} ({self.get_status_display()})"
