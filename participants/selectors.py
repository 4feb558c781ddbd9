"""Reads and aggregates over companies and applications."""

import datetime
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from participants.kbo import kbo_search_term
from participants.models import (
    APPROVED_STATUSES,
    EVALUATION_SCORE_FIELDS,
    Application,
    ApplicationStatus,
    Company,
    Evaluation,
    Milestone,
    Referral,
    SMEDeclaration,
)
from trajects.models import CapacityPeriod, Traject
from voorsprong.models import User
from voorsprong.money import to_cents
from voorsprong.roles import Role


class EvaluationScores(TypedDict):
    """The evaluations of one traject: how many were received and the average of each score."""

    responses: int
    average_scores: dict[str, Decimal]


def approved_as_of(as_of: datetime.date) -> QuerySet[Application]:
    """Applications that counted as approved on ``as_of``, whatever happened to them later.

    An application counts from its decision date on: approved then (and since perhaps started,
    completed or stopped), or approved and withdrawn only after ``as_of``.
    """
    return (
        Application.objects.filter(decided_on__lte=as_of)
        .exclude(status=ApplicationStatus.REJECTED)
        .exclude(status=ApplicationStatus.WITHDRAWN, ended_on__lte=as_of)
    )


def latest_approvals_as_of(as_of: datetime.date) -> QuerySet[Application]:
    """Return the applications the statistics count as approved on ``as_of``: per company and traject the
    latest that counted as approved then (``approved_as_of``), newest decision first, the higher id on
    the same day. A company approved twice in a traject counts once, by the size class that latest
    approval rested on (``size_class_at_approval``).

    The choice is a window (read from the index ``application_latest_per_company``). Filters added to
    this queryset apply before the window chooses, so filter a list on its keys instead:
    ``filter(pk__in=latest_approvals_as_of(day).values("pk"))``.
    """
    return (
        approved_as_of(as_of)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("traject_id"), F("company_id")],
                order_by=[F("decided_on").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
    )


def approved_company_counts(as_of: datetime.date) -> dict[str, int]:
    """Distinct companies with an approved application, per traject code (answer 1 of question 244)."""
    rows = (
        approved_as_of(as_of)
        .values("traject__code")
        .annotate(companies=Count("company", distinct=True))
        .order_by()
    )
    return {row["traject__code"]: row["companies"] for row in rows}


def companies_in_any_traject(as_of: datetime.date) -> int:
    """Distinct companies with an approved application in one or more trajects."""
    return approved_as_of(as_of).aggregate(companies=Count("company", distinct=True))["companies"]


def application_history(application: Application) -> list[dict]:
    """The status changes of an application: who, when, from, to and why, oldest first."""
    records = application.history.select_related("history_user").order_by("history_date", "history_id")
    changes, previous = [], None
    for record in records:
        if previous is None or record.status != previous:
            changes.append(
                {
                    "at": record.history_date,
                    "by": record.history_user.get_username() if record.history_user else None,
                    "from": previous,
                    "to": record.status,
                    "reason": record.history_change_reason or "",
                }
            )
        previous = record.status
    return changes


def application_for_notification(application_id: int) -> Application:
    return Application.objects.select_related("company", "traject", "project").get(pk=application_id)


def decision_recipients(application: Application) -> list[str]:
    """The company contact and the promoters of the application's project, each address once."""
    addresses = [application.company.contact_email] if application.company.contact_email else []
    if application.project_id:
        addresses += (
            User.objects.filter(
                is_active=True,
                groups__name=Role.PROMOTER,
                organisation__projects=application.project_id,
            )
            .exclude(email="")
            .order_by("email")
            .values_list("email", flat=True)
            .distinct()
        )
    return list(dict.fromkeys(addresses))


def _sees_everything(user: User) -> bool:
    return user.acts_as(Role.OFFICER)


def applications_visible_to(user: User) -> QuerySet[Application]:
    """Officers see every application, a promoter those of its organisation's projects, a sector
    consultant those of its referrals; anyone else none."""
    applications = Application.objects.select_related("company", "traject", "project")
    if _sees_everything(user):
        return applications
    if user.has_role(Role.PROMOTER) and user.organisation_id:
        return applications.filter(project__organisations=user.organisation_id)
    if user.has_role(Role.SECTOR_CONSULTANT):
        # Only while the consultant follows the referral's progress (their choice on the referral).
        return applications.filter(referral__consultant=user, referral__follow_progress=True)
    return applications.none()


def companies_visible_to(user: User) -> QuerySet[Company]:
    """Sector consultants look companies up by KBO number to refer them; promoters see their own."""
    if _sees_everything(user) or user.has_role(Role.SECTOR_CONSULTANT):
        return Company.objects.all()
    if user.has_role(Role.PROMOTER) and user.organisation_id:
        return Company.objects.filter(pk__in=applications_visible_to(user).values("company_id"))
    return Company.objects.none()


def coaching_sessions_of(application: Application) -> QuerySet:
    return application.sessions.select_related("logged_by").order_by("date", "pk")


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Officers see every referral, a sector consultant its own; anyone else none."""
    referrals = Referral.objects.select_related(
        "company", "traject", "sector_fund", "consultant", "application"
    )
    if _sees_everything(user):
        return referrals
    if user.has_role(Role.SECTOR_CONSULTANT):
        return referrals.filter(consultant=user)
    return referrals.none()


def referrals_of(consultant: User) -> QuerySet[Referral]:
    """A consultant's own referrals with their application and its sessions counted, in one query."""
    return (
        Referral.objects.filter(consultant=consultant)
        .select_related("company", "traject", "application")
        .annotate(
            session_count=Count("application__sessions"), session_hours=Sum("application__sessions__hours")
        )
        .order_by("-referred_on", "-pk")
    )


# -- the promoters' portal ---------------------------------------------------------------------------
# The portal follows an application from its approval to the end of the coaching; before that a
# promoter has nothing to do with it.
COACHING_STATUSES = APPROVED_STATUSES


def _coached_by(user: User) -> QuerySet[Application]:
    return applications_visible_to(user).filter(status__in=COACHING_STATUSES)


def coaching_overview(
    user: User, *, traject: Traject | None = None, status: str = "", search: str = ""
) -> QuerySet[Application]:
    """The applications a user coaches, with sessions, hours and milestones reached counted in the database.

    ``search`` finds a company by name or by its KBO number in any notation.
    """
    applications = _coached_by(user)
    if status:
        applications = applications.filter(status=status)
    if traject is not None:
        applications = applications.filter(traject=traject)
    if search:
        term = kbo_search_term(search)
        found = Q(company__name__icontains=search)
        if term.isdigit():
            found |= Q(company__kbo_number__contains=term)
        applications = applications.filter(found)
    # The visibility filter joins one organisation row per application, so the sessions are the only
    # join that multiplies rows and the plain Sum counts each session once.
    return applications.annotate(
        session_count=Count("sessions", distinct=True),
        total_hours=Sum("sessions__hours"),
        milestones_reached=Count("sessions__kind", distinct=True),
    ).order_by("company__name", "pk")


def coaching_trajects(user: User) -> QuerySet[Traject]:
    """The trajects a user's coached applications belong to, to filter on."""
    return Traject.objects.filter(pk__in=_coached_by(user).values("traject_id")).order_by("name")


def coaching_milestones(application: Application) -> list[dict]:
    """Each milestone in order, reached once a session of its kind took place."""
    reached = set(application.sessions.values_list("kind", flat=True).distinct())
    return [
        {"value": milestone.value, "label": milestone.label, "reached": milestone.value in reached}
        for milestone in Milestone
    ]


def evaluations_submitted_as_of(as_of: datetime.date) -> QuerySet[Evaluation]:
    """Return the evaluations submitted on or before ``as_of`` (by the day in the project's time zone)."""
    return Evaluation.objects.filter(submitted_at__date__lte=as_of)


def evaluation_scores(as_of: datetime.date | None = None) -> dict[str, EvaluationScores]:
    """Return per traject code the evaluations received and the average of each score.

    Counts the evaluations submitted up to ``as_of``, or all of them without a date. Each average is
    computed exactly from the sum of the scores and rounded half up to two decimals (``Decimal``), so
    every database and every page gives the same figure; a traject without evaluations is left out.
    Only aggregates leave the database, never a company, so the cabinet can be shown them as they are.
    """
    evaluations = Evaluation.objects.all() if as_of is None else evaluations_submitted_as_of(as_of)
    sums = {f"{field}_sum": Sum(field) for field in EVALUATION_SCORE_FIELDS}
    rows = (
        evaluations.values("application__traject__code")
        .annotate(responses=Count("pk"), **sums)
        .order_by("application__traject__code")
    )
    return {
        row["application__traject__code"]: {
            "responses": row["responses"],
            "average_scores": {
                field: to_cents(Decimal(row[f"{field}_sum"]) / row["responses"])
                for field in EVALUATION_SCORE_FIELDS
            },
        }
        for row in rows
    }


def taken_places(period: CapacityPeriod) -> int:
    """Return the places of ``period`` held by applications approved in it."""
    return period.applications.filter(status__in=APPROVED_STATUSES).count()


def capacity_periods_with_use() -> QuerySet[CapacityPeriod]:
    """Return the capacity periods with ``taken`` and ``free`` places, counted in the database."""
    return (
        CapacityPeriod.objects.select_related("traject")
        .annotate(taken=Count("applications", filter=Q(applications__status__in=APPROVED_STATUSES)))
        .annotate(free=F("places") - F("taken"))
    )


def sme_declarations_of(company: Company) -> QuerySet[SMEDeclaration]:
    """Return the company's SME declarations, latest first, with who declared and the enterprises."""
    return (
        SMEDeclaration.objects.filter(company=company)
        .select_related("declared_by")
        .prefetch_related("enterprises")
        .order_by("-declared_at", "-pk")
    )
