"""Reads and aggregates over companies and applications."""

import datetime
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial, reduce
from typing import TypedDict

from django.conf import settings
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from participants.hooks import WorkItem, WorkQueueSection, work_queue_sections
from participants.kbo import kbo_search_term
from participants.models import (
    APPROVED_STATUSES,
    EVALUATION_SCORE_FIELDS,
    FOLLOW_UP_AFTER,
    OUTCOME_SCORE_FIELDS,
    QUESTIONNAIRE_ANSWERS,
    QUESTIONNAIRES_AFTER,
    REMINDER_DAYS,
    Application,
    ApplicationStatus,
    Barrier,
    CoachingSession,
    Company,
    Evaluation,
    ImportJob,
    ImportStatus,
    Invitation,
    LearningForm,
    LearningSituation,
    Milestone,
    Questionnaire,
    Referral,
    SituationMoment,
    SMEDeclaration,
    StopReason,
    barrier_field,
    follow_up_due_on,
    learning_form_field,
)
from participants.questionnaire_links import LINK_MAX_AGE
from trajects.models import CapacityPeriod, Project, Traject
from voorsprong import data_version
from voorsprong.days import start_of
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


def approvals_without_a_later_one(as_of: datetime.date, *, per_traject: bool = True) -> QuerySet[Application]:
    """Return per company and traject (or per company, without ``per_traject``) its latest approval as of
    ``as_of``: the applications of ``latest_approvals_as_of`` (or the newest of those per company), chosen
    as the approvals without a later one (a newer decision, or the higher id on the same day).

    The same rows as the window, as an anti-join: the planner estimates it well, where it takes the
    window's filter for a few rows and joins them back one by one. Filters added apply after the choice.
    """
    approved = approved_as_of(as_of)
    same = {"company_id": OuterRef("company_id")}
    if per_traject:
        same["traject_id"] = OuterRef("traject_id")
    later = approved.filter(**same).filter(
        Q(decided_on__gt=OuterRef("decided_on")) | Q(decided_on=OuterRef("decided_on"), pk__gt=OuterRef("pk"))
    )
    return approved.exclude(Exists(later))


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
    """A consultant's own referrals with their application, its sessions counted and the day its situation at
    intake was recorded (``baseline_on``), in one query."""
    baseline = LearningSituation.objects.filter(
        application=OuterRef("application"), moment=SituationMoment.INTAKE
    ).values("recorded_on")[:1]
    return (
        Referral.objects.filter(consultant=consultant)
        .select_related("company", "traject", "application")
        .annotate(
            session_count=Count("application__sessions"),
            session_hours=Sum("application__sessions__hours"),
            baseline_on=Subquery(baseline),
        )
        .order_by("-referred_on", "-pk")
    )


def intakes_of(consultant: User) -> QuerySet[Referral]:
    """Return the referrals whose intake ``consultant`` did and that led to an application."""
    return Referral.objects.filter(intake_by=consultant, application__isnull=False).select_related(
        "company", "traject", "application"
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
    # Per row rather than one join and GROUP BY over every session of every application: the database
    # sorts and cuts the page first and counts only the rows it shows (and a count of the rows skips them).
    return with_outcomes(
        applications.annotate(
            session_count=Coalesce(_of_sessions(Count("pk")), 0),
            total_hours=_of_sessions(Sum("hours")),
            milestones_reached=Coalesce(_of_sessions(Count("kind", distinct=True)), 0),
        )
    ).order_by("company__name", "pk")


def _of_sessions(aggregate: Aggregate) -> Subquery:
    """Return ``aggregate`` over the coaching sessions of the outer application (NULL without any)."""
    sessions = CoachingSession.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return Subquery(sessions.annotate(value=aggregate).values("value"))


def coaching_trajects(user: User) -> QuerySet[Traject]:
    """The trajects a user's coached applications belong to, to filter on. Finding them reads every
    application the user coaches, so which they are is kept in the figure cache."""
    coached = Traject.objects.filter(pk__in=_coached_by(user).values("traject_id"))
    parts = data_version.query_parts("coaching_trajects", coached)
    found = data_version.cached(parts, lambda: list(coached.values_list("pk", flat=True)))
    return Traject.objects.filter(pk__in=found).order_by("name")


def coaching_milestones(application: Application) -> list[dict]:
    """Each milestone in order, reached once a session of its kind took place."""
    return milestones_reached(application.sessions.values_list("kind", flat=True).distinct())


def most_present_at_a_session(application: Application) -> int:
    """Return the most employees present at one session of the application (0 without sessions): the
    trajectory reached at least that many. Adding the sessions up would count the same people again."""
    return application.sessions.aggregate(most=Max("employees_present"))["most"] or 0


def milestones_reached(kinds: Iterable[str]) -> list[dict]:
    """Each milestone in order, reached when one of the sessions' ``kinds`` worked on it."""
    reached = set(kinds)
    return [
        {"value": milestone.value, "label": milestone.label, "reached": milestone.value in reached}
        for milestone in Milestone
    ]


# -- outcomes: the baseline and the company's questionnaires, per application --------------------------
SHORT_QUESTIONNAIRE_LABELS = {
    Questionnaire.EVALUATION: gettext_lazy("Evaluation"),
    Questionnaire.FOLLOW_UP: gettext_lazy("Follow-up"),
    Questionnaire.EXIT: gettext_lazy("Exit"),
}


def _answered_at(questionnaire: str) -> str:
    """Return the name of the annotation ``with_outcomes`` gives a questionnaire's answer moment."""
    return f"{questionnaire}_answered_at"


@dataclass(frozen=True)
class QuestionnaireStatus:
    """Where a company stands with one questionnaire. ``state`` is one of ``not_invited``; ``due`` (the
    follow-up, asked from ``on``); ``invited`` (on ``on``); ``reminded`` (``reminders`` times, last on
    ``on``); ``answered`` (on ``on``); ``no_answer`` (every link it was sent has expired, ``on`` the day the
    last one was sent)."""

    questionnaire: str
    state: str
    on: datetime.date | None = None
    reminders: int = 0

    @property
    def label(self) -> str:
        return Questionnaire(self.questionnaire).label

    @property
    def short_label(self) -> str:
        """Return the questionnaire's name in a word, for a list."""
        return SHORT_QUESTIONNAIRE_LABELS[self.questionnaire]


@dataclass(frozen=True)
class OutcomeStatus:
    """An application's baseline (the day it was recorded, or None) and the questionnaires its company is
    asked now that the trajectory ended (none while it runs)."""

    baseline_on: datetime.date | None
    questionnaires: tuple[QuestionnaireStatus, ...]


def _with_outcome_days(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Return ``applications`` with the baseline's day and the moment of each answer annotated."""

    def first(model, field: str, **filters) -> Subquery:
        return Subquery(model.objects.filter(application=OuterRef("pk"), **filters).values(field)[:1])

    answers = {
        _answered_at(questionnaire): first(model, "submitted_at")
        for questionnaire, model in QUESTIONNAIRE_ANSWERS.items()
    }
    return applications.annotate(
        baseline_on=first(LearningSituation, "recorded_on", moment=SituationMoment.INTAKE), **answers
    )


def with_outcomes(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Return ``applications`` with what ``outcome_status`` reads: the baseline's day and the moment of each
    answer annotated, the invitations prefetched; one query more however many applications."""
    return _with_outcome_days(applications).prefetch_related("invitations")


def _questionnaire_status(
    application: Application, questionnaire: str, today: datetime.date
) -> QuestionnaireStatus:
    answered_at = getattr(application, _answered_at(questionnaire))
    if answered_at is not None:
        return QuestionnaireStatus(questionnaire, "answered", timezone.localdate(answered_at))
    invitation = next(
        (sent for sent in application.invitations.all() if sent.questionnaire == questionnaire), None
    )
    if invitation is None:
        due_on = follow_up_due_on(application.ended_on)
        if questionnaire == Questionnaire.FOLLOW_UP and today < due_on:
            return QuestionnaireStatus(questionnaire, "due", due_on)
        return QuestionnaireStatus(questionnaire, "not_invited")
    # Each reminder carries a new link, valid as long as the first: the last one sent expires last.
    last_sent = invitation.last_reminded_on or invitation.sent_on
    if today > last_sent + LINK_MAX_AGE:
        return QuestionnaireStatus(questionnaire, "no_answer", last_sent, invitation.reminders_sent)
    if invitation.reminders_sent:
        return QuestionnaireStatus(questionnaire, "reminded", last_sent, invitation.reminders_sent)
    return QuestionnaireStatus(questionnaire, "invited", invitation.sent_on)


def outcome_status(application: Application, today: datetime.date) -> OutcomeStatus:
    """Return the baseline and questionnaire status of an application read through ``with_outcomes``."""
    asked = QUESTIONNAIRES_AFTER.get(application.status, ())
    return OutcomeStatus(
        application.baseline_on,
        tuple(_questionnaire_status(application, questionnaire, today) for questionnaire in asked),
    )


# The groups of the situation's questions, as the form asks them.
SITUATION_GROUPS = {
    "barriers": gettext_lazy("Barriers to learning"),
    "policy": gettext_lazy("Training policy and staff"),
    "forms": gettext_lazy("Forms of learning already used"),
}


@dataclass(frozen=True)
class SituationRow:
    """One closed question of the learning situation with the answer at intake and at closing (None where
    that situation is missing). ``kind`` says how to show them: ``yes_no``, ``count`` or ``choice`` (a
    label); ``group`` is a key of ``SITUATION_GROUPS``. For a barrier ``change`` says what became of it:
    ``removed``, ``new``, ``remains`` or empty."""

    group: str
    question: str
    kind: str
    intake: object
    closing: object
    change: str = ""

    @property
    def group_label(self) -> str:
        return SITUATION_GROUPS[self.group]


def _barrier_change(intake: bool | None, closing: bool | None) -> str:
    if intake is None or closing is None or not (intake or closing):
        return ""
    if intake and closing:
        return "remains"
    return "removed" if intake else "new"


def situation_rows(
    intake: LearningSituation | None, closing: LearningSituation | None = None
) -> list[SituationRow]:
    """Return the closed questions of the situation at intake and at closing side by side, in the order
    they are asked, with the change per barrier."""

    def answers(name: str) -> tuple:
        return tuple(
            None if situation is None else getattr(situation, name) for situation in (intake, closing)
        )

    def question(name: str) -> str:
        return capfirst(LearningSituation._meta.get_field(name).verbose_name)

    rows = []
    for barrier in Barrier:
        met = answers(barrier_field(barrier))
        rows.append(SituationRow("barriers", barrier.label, "yes_no", *met, _barrier_change(*met)))
    main = tuple(
        None if situation is None else situation.get_main_barrier_display() or "–"
        for situation in (intake, closing)
    )
    rows.append(SituationRow("barriers", question("main_barrier"), "choice", *main))
    for name, kind in (
        ("has_training_policy", "yes_no"),
        ("has_learning_jobs", "yes_no"),
        ("headcount", "count"),
        ("low_skilled", "count"),
        ("aged_55_plus", "count"),
    ):
        rows.append(SituationRow("policy", question(name), kind, *answers(name)))
    rows += [
        SituationRow("forms", form.label, "yes_no", *answers(learning_form_field(form)))
        for form in LearningForm
    ]
    return rows


def baseline_of(application: Application) -> LearningSituation | None:
    """Return the application's learning situation at intake, or None while it is not recorded."""
    return (
        LearningSituation.objects.filter(application=application, moment=SituationMoment.INTAKE)
        .select_related("recorded_by")
        .first()
    )


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


# -- outcomes: what the coaching changed, as of a date ------------------------------------------------
# The three staff counts of an application: the closing evaluation's when it gave them, else the promoter's.
STAFF_COUNTS = (
    ("staff_total", "staff_participated", "staff_reached"),
    ("staff_low_skilled", "staff_low_skilled", "staff_reached_low_skilled"),
    ("staff_aged_55_plus", "staff_aged_55_plus", "staff_reached_aged_55_plus"),
)


def outcome_rows(as_of: datetime.date) -> QuerySet[Application]:
    """Return the applications with their learning situation at intake recorded by ``as_of`` joined as
    ``intake`` and the one at closing recorded by then as ``closing``, for :func:`outcome_aggregates`.

    An application has at most one situation per moment (a unique constraint), so the two joins never
    multiply its row: sums and counts over these rows count each application once. Only the applications
    some figure counts are returned (ended completed or stopped by then, or with a baseline): the others
    would add zeros (a seventh of the query's time at scale 100).

    The closing evaluation and the follow-up are joined as ``evaluated`` and ``followed_up`` only when they
    were submitted by ``as_of`` (the day in the project's time zone): compared with the moment that day
    ends, rather than turning each row's time into a day for each figure that asks.
    """
    ended = Q(status__in=[ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED], ended_on__lte=as_of)
    day_ends = start_of(as_of + datetime.timedelta(days=1))
    return Application.objects.annotate(
        intake=_situation_by(SituationMoment.INTAKE, as_of),
        closing=_situation_by(SituationMoment.CLOSING, as_of),
        evaluated=FilteredRelation("evaluation", condition=Q(evaluation__submitted_at__lt=day_ends)),
        followed_up=FilteredRelation("follow_up", condition=Q(follow_up__submitted_at__lt=day_ends)),
    ).filter(ended | Q(intake__isnull=False))


def _situation_by(moment: str, as_of: datetime.date) -> FilteredRelation:
    condition = Q(learning_situations__moment=moment, learning_situations__recorded_on__lte=as_of)
    return FilteredRelation("learning_situations", condition=condition)


def outcome_aggregates(as_of: datetime.date) -> dict[str, Aggregate]:
    """Return, by name, the aggregates of the outcome figures over :func:`outcome_rows` as of ``as_of``,
    to group by a traject or any other dimension of the application. All are whole numbers (or None for
    a sum over no row); ``reporting.statistics.outcomes`` turns them into the figures.

    - ``completed``: trajectories completed by then (``ended_on <= as_of``); ``responses``: of those, the
      ones whose closing evaluation was submitted by then (the day in the project's time zone);
    - ``follow_ups_due``: completed trajectories whose follow-up fell due by then (six months after the
      end, ``FOLLOW_UP_AFTER``, as ``follow_ups_due`` counts it); ``follow_ups``: of those, the ones whose
      follow-up was submitted by then;
    - ``<count>_companies`` for each count of trajectories above and ``stopped_<reason>``: the distinct
      companies behind it, the base a figure is masked on;
    - ``staff_total``, ``staff_low_skilled``, ``staff_aged_55_plus``: per completed trajectory one figure,
      the closing evaluation's counts when one with counts was received by then, else the promoter's
      count at completion; a trajectory with neither adds nothing, and the sessions' counts never;
      ``staff_companies``: the distinct companies whose trajectories gave a figure;
    - ``<score>_sum``, ``<score>_count``, ``<score>_companies`` for learning transfer and motivation:
      over the evaluations received that gave the score;
    - ``baselines``: companies with a baseline recorded by then, whatever their trajectory's status;
      ``met_<barrier>``: of those, the ones that met the barrier at intake;
    - ``paired``: responding companies with a baseline and a situation at closing; ``policy_before`` and
      ``policy_after``: of those, the ones with a training policy at intake and at closing;
      ``removed_<barrier>``: the ones that met the barrier at intake and no longer at closing;
    - ``stopped_<reason>``: trajectories stopped by then for each stop reason.

    Companies are counted distinct (a company completing twice in a group counts once); trajectories,
    evaluations and follow-ups are counted each.
    """
    completed = Q(status=ApplicationStatus.COMPLETED, ended_on__lte=as_of)
    responded = completed & Q(evaluated__isnull=False)
    due = completed & Q(ended_on__lte=as_of - FOLLOW_UP_AFTER)
    baseline = Q(intake__isnull=False)
    paired = responded & baseline & Q(closing__isnull=False)
    evaluated_staff = Q(evaluated__staff_participated__isnull=False)
    staff = {
        name: Case(When(evaluated_staff, then=F(f"evaluated__{given}")), default=F(promoted))
        for name, given, promoted in STAFF_COUNTS
    }
    companies = "company_id"

    def counted(condition: Q) -> Count:
        return Count(companies, distinct=True, filter=condition)

    trajectories = {
        "completed": completed,
        "responses": responded,
        "follow_ups_due": due,
        "follow_ups": due & Q(followed_up__isnull=False),
        **{
            f"stopped_{reason}": Q(status=ApplicationStatus.STOPPED, ended_on__lte=as_of, stop_reason=reason)
            for reason in StopReason.values
        },
    }
    aggregates: dict[str, Aggregate] = {
        **{name: Count("pk", filter=condition) for name, condition in trajectories.items()},
        **{f"{name}_companies": counted(condition) for name, condition in trajectories.items()},
        **{name: Sum(expression, filter=completed) for name, expression in staff.items()},
        "staff_companies": counted(completed & (evaluated_staff | Q(staff_reached__isnull=False))),
        "baselines": counted(baseline),
        "paired": counted(paired),
        "policy_before": counted(paired & Q(intake__has_training_policy=True)),
        "policy_after": counted(paired & Q(closing__has_training_policy=True)),
    }
    for score in OUTCOME_SCORE_FIELDS:
        given = responded & Q(**{f"evaluated__{score}__isnull": False})
        aggregates[f"{score}_sum"] = Sum(f"evaluated__{score}", filter=given)
        aggregates[f"{score}_count"] = Count("pk", filter=given)
        aggregates[f"{score}_companies"] = counted(given)
    for barrier in Barrier.values:
        field = barrier_field(barrier)
        aggregates[f"met_{barrier}"] = counted(baseline & Q(**{f"intake__{field}": True}))
        aggregates[f"removed_{barrier}"] = counted(
            paired & Q(**{f"intake__{field}": True, f"closing__{field}": False})
        )
    return aggregates


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


def sme_declarations_with_attachment_visible_to(user: User) -> QuerySet[SMEDeclaration]:
    """Return the SME declarations with an attachment whose attachment ``user`` may read: officers every
    one, a sector consultant those declared by someone of its own sector fund; anyone else none."""
    declarations = SMEDeclaration.objects.exclude(attachment="")
    if _sees_everything(user):
        return declarations
    if user.has_role(Role.SECTOR_CONSULTANT) and user.organisation_id:
        return declarations.filter(declared_by__organisation_id=user.organisation_id)
    return declarations.none()


# -- the officers' work queue ------------------------------------------------------------------------
# A trajectory in progress without a session for this long, or a completed one without an evaluation
# for this long, needs following up.
QUIET_TRAJECTORY_DAYS = 60
UNANSWERED_EVALUATION_DAYS = 30
# A capacity period with more than this percentage of its places taken is nearly full.
NEARLY_FULL_PERCENT = 90


def applications_awaiting_decision(today: datetime.date) -> QuerySet[Application]:
    """Return the submitted applications, the longest waiting first."""
    return (
        Application.objects.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("company", "traject")
        .order_by("submitted_on", "pk")
    )


def approved_without_promoter(today: datetime.date) -> QuerySet[Application]:
    """Return the approved applications without a project, or whose project no organisation runs: no
    promoter sees them, so nobody starts the coaching. The longest waiting first."""
    runs_project = Exists(Project.organisations.through.objects.filter(project_id=OuterRef("project_id")))
    return (
        Application.objects.filter(status=ApplicationStatus.APPROVED)
        .filter(Q(project__isnull=True) | ~runs_project)
        .select_related("company", "traject", "project")
        .order_by("decided_on", "pk")
    )


def quiet_trajectories(today: datetime.date) -> QuerySet[Application]:
    """Return the trajectories in progress without a coaching session for 60 days or more (counted from
    the start when there is none yet), with ``last_session_on`` and ``quiet_since``; the quietest first."""
    cutoff = today - datetime.timedelta(days=QUIET_TRAJECTORY_DAYS)
    sessions = CoachingSession.objects.filter(application=OuterRef("pk"))
    last_session = sessions.order_by("-date").values("date")[:1]
    return (
        Application.objects.filter(status=ApplicationStatus.IN_PROGRESS)
        # quiet_since <= cutoff, said so that the database finds the quiet ones by an anti-join with the
        # recent sessions, and looks up the last session of those alone rather than of every trajectory.
        .filter(~Exists(sessions.filter(date__gt=cutoff)), Q(started_on__lte=cutoff) | Exists(sessions))
        .annotate(last_session_on=Subquery(last_session))
        .annotate(quiet_since=Coalesce("last_session_on", "started_on"))
        # Read for the rows shown only: joined, the database read them for every trajectory in progress
        # before it found the quiet ones (306 ms against 119 at 100 times today's volume).
        .prefetch_related("company", "traject")
        .order_by("quiet_since", "pk")
    )


def unanswered_evaluations(today: datetime.date) -> QuerySet[Application]:
    """Return the trajectories completed 30 days ago or more whose company has not evaluated them, the
    most recent first: by then the beat sent both reminders, so an officer's own call is what is left."""
    return (
        Application.objects.filter(
            status=ApplicationStatus.COMPLETED,
            ended_on__lte=today - datetime.timedelta(days=UNANSWERED_EVALUATION_DAYS),
        )
        .filter(~Exists(Evaluation.objects.filter(application=OuterRef("pk"))))
        .select_related("company", "traject")
        .order_by("-ended_on", "-pk")
    )


# A follow-up is still asked up to this long after it fell due (the beat may have missed days); later
# the "last six months" it asks about are gone.
FOLLOW_UP_WINDOW = datetime.timedelta(days=30)


def _answered(questionnaire: str, answers) -> Q:
    return Q(questionnaire=questionnaire) & Exists(
        answers.objects.filter(application=OuterRef("application"))
    )


def unanswered_invitations(today: datetime.date) -> QuerySet[Invitation]:
    """Return the invitations that may be due for a reminder on ``today``: not answered, a reminder still
    to send, sent at least the first reminder's days ago and no longer ago than a link lives."""
    answered = reduce(
        operator.or_,
        (_answered(questionnaire, model) for questionnaire, model in QUESTIONNAIRE_ANSWERS.items()),
    )
    return (
        Invitation.objects.filter(
            reminders_sent__lt=len(REMINDER_DAYS),
            sent_on__lte=today - datetime.timedelta(days=REMINDER_DAYS[0]),
            sent_on__gt=today - LINK_MAX_AGE,
        )
        .exclude(answered)
        .order_by("sent_on", "pk")
    )


def follow_ups_due(today: datetime.date) -> QuerySet[Application]:
    """Return the completed trajectories whose follow-up fell due in the last 30 days and whose company was
    not invited to it yet."""
    ended_by = today - FOLLOW_UP_AFTER
    return (
        Application.objects.filter(
            status=ApplicationStatus.COMPLETED,
            ended_on__lte=ended_by,
            ended_on__gt=ended_by - FOLLOW_UP_WINDOW,
        )
        .exclude(invitations__questionnaire=Questionnaire.FOLLOW_UP)
        .select_related("company")
        .order_by("ended_on", "pk")
    )


def invitation_for_notification(invitation_id: int) -> Invitation:
    return Invitation.objects.select_related("application__company", "application__traject").get(
        pk=invitation_id
    )


def nearly_full_capacity_periods(today: datetime.date) -> QuerySet[CapacityPeriod]:
    """Return the capacity periods not yet over with more than 90% of their places taken, with ``taken``;
    the first to end first."""
    taken = (
        Application.objects.filter(capacity_period=OuterRef("pk"), status__in=APPROVED_STATUSES)
        .order_by()
        .values("capacity_period")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        CapacityPeriod.objects.filter(end__gte=today)
        .annotate(taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0)))
        # In whole numbers, so no database rounds a fraction: taken / places > 90 %.
        .filter(GreaterThan(F("taken") * 100, F("places") * NEARLY_FULL_PERCENT))
        .select_related("traject")
        .order_by("end", "traject__name", "pk")
    )


@dataclass(frozen=True)
class WorkQueueResult:
    """A section of the work queue as read: how many rows wait (and how many of them are late), and the
    lines of the first few."""

    section: WorkQueueSection
    count: int
    overdue: int
    items: list[WorkItem]
    full_list: str
    note: str

    @property
    def more(self) -> int:
        """Return how many rows wait beyond the lines read."""
        return self.count - len(self.items)


def _counted(rows: QuerySet, overdue: Q | None) -> QuerySet:
    """Return ``rows`` with ``total`` (and ``late``, the rows ``overdue``) as scalar subqueries: the database
    counts once, without the rows' joins and order, and reads the page up to its limit. A window count made
    it join and sort every row first (24,000 unanswered evaluations at scale 100: 155 ms against 21)."""
    every_row = rows.order_by().values(one=Value(1))
    counts = {"total": Count("pk")}
    if overdue is not None:
        counts["late"] = Count("pk", filter=overdue)
    return rows.annotate(
        **{
            name: Subquery(every_row.annotate(count=count).values("count"), output_field=IntegerField())
            for name, count in counts.items()
        }
    )


def work_queue(user: User, today: datetime.date, *, lines: int) -> list[WorkQueueResult]:
    """Return the work-queue sections ``user`` may see, each counted and its first ``lines`` rows read in
    one query, whatever the number of rows (the counts are subqueries the database runs once).

    Each section's rows are kept in the figure cache (``voorsprong.data_version``) until a table it reads
    is written: a logged coaching session makes only the quiet trajectories be read again."""
    sections = [section for section in work_queue_sections() if user.acts_as(*section.roles)]
    found = data_version.cached_each(
        [
            (
                ("work_queue", section.key, today.isoformat(), lines),
                partial(_section_rows, section, today, lines),
            )
            for section in sections
        ]
    )
    return [
        WorkQueueResult(
            section=section,
            count=rows[0].total if rows else 0,
            overdue=getattr(rows[0], "late", 0) if rows else 0,
            items=[section.item(row, today) for row in rows],
            full_list=section.full_list() if section.full_list else "",
            note=section.note() if section.note else "",
        )
        for section, rows in zip(sections, found, strict=True)
    ]


def _section_rows(section: WorkQueueSection, today: datetime.date, lines: int) -> list:
    overdue = section.overdue(today) if section.overdue is not None else None
    return list(_counted(section.rows(today), overdue)[:lines])


# -- the decision page ---------------------------------------------------------------------------------
def application_for_decision(pk: int) -> Application:
    """Return the application with everything the decision page names of it, the company's answers
    (evaluation, follow-up, exit questionnaire) included, in one query."""
    return _with_outcome_days(
        Application.objects.select_related(
            "company",
            "traject",
            "project",
            "capacity_period",
            "decided_by",
            "referral__consultant",
            "referral__sector_fund",
            "referral__intake_by",
            "evaluation",
            "follow_up",
            "exit_answer",
        )
    ).get(pk=pk)


@dataclass(frozen=True)
class DecisionOutcomes:
    """What the company answered about the outcomes of an approved application, for the officers."""

    status: OutcomeStatus
    intake: LearningSituation | None
    closing: LearningSituation | None
    invitations: list[Invitation]


def decision_outcomes(application: Application, today: datetime.date) -> DecisionOutcomes:
    """Return the outcomes of an application read by ``application_for_decision``: its status, its
    learning situations and its invitations, in two queries."""
    recorded = LearningSituation.objects.filter(application=application).select_related("recorded_by")
    situations = {situation.moment: situation for situation in recorded}
    prefetch_related_objects([application], "invitations")
    return DecisionOutcomes(
        status=outcome_status(application, today),
        intake=situations.get(SituationMoment.INTAKE),
        closing=situations.get(SituationMoment.CLOSING),
        invitations=sorted(application.invitations.all(), key=lambda invitation: invitation.sent_on),
    )


def latest_sme_declaration(company: Company) -> SMEDeclaration | None:
    """Return the company's latest SME declaration with its enterprises, or None."""
    return sme_declarations_of(company).first()


def size_class_basis(company: Company, declaration: SMEDeclaration | None) -> str:
    """Return what the company's size class rests on: ``unknown`` (no staff declared), ``non_profit``
    (its legal form or flag), ``declaration`` (the latest SME declaration, whose totals the company
    took) or ``figures`` (staff, turnover and balance-sheet total entered on the company)."""
    if company.is_non_profit:
        return "non_profit"
    if company.staff_headcount is None:
        return "unknown"
    if declaration is not None and declaration.size_class == company.size_class:
        return "declaration"
    return "figures"


def decision_capacity_period(application: Application, day: datetime.date) -> CapacityPeriod | None:
    """Return the capacity period the application took, or else the one its approval on ``day`` would
    take, with ``taken`` and ``free`` places; None when no period contains ``day``."""
    periods = capacity_periods_with_use()
    if application.capacity_period_id:
        return periods.filter(pk=application.capacity_period_id).first()
    return periods.filter(traject_id=application.traject_id, start__lte=day, end__gte=day).first()


# The fields whose changes the history lists; the status is shown as a move of its own.
_HISTORY_FIELDS = (
    "project_id",
    "referral_id",
    "planned_cost",
    "submitted_on",
    "decided_on",
    "decided_by_id",
    "capacity_period_id",
    "size_class_at_approval",
    "started_on",
    "ended_on",
    "reason",
)


def _history_value(record, name: str):
    """Return a history record's value, an empty text counting as no value (None before the first)."""
    value = getattr(record, name) if record is not None else None
    return None if value == "" else value


def application_history_records(application: Application) -> list[dict]:
    """Return every history record of the application, oldest first: when, who, the status it moved
    from and to (or kept), the other fields that changed, and the reason given. One query."""
    records = application.history.select_related("history_user").order_by("history_date", "history_id")
    rows, previous = [], None
    for record in records:
        changed = [
            Application._meta.get_field(name.removesuffix("_id")).verbose_name
            for name in _HISTORY_FIELDS
            if _history_value(record, name) != _history_value(previous, name)
        ]
        user = record.history_user
        moved = previous is not None and previous.status != record.status
        rows.append(
            {
                "at": record.history_date,
                "by": (user.get_full_name() or user.get_username()) if user else "",
                "from": previous.get_status_display() if moved else "",
                "to": record.get_status_display(),
                "changed": changed,
                "reason": record.history_change_reason or "",
            }
        )
        previous = record
    return rows


def stale_import_jobs():
    """Return the running import jobs started more than ``IMPORT_STALE_AFTER`` seconds ago: no import lives
    that long (its hard time limit stops it), so their worker was lost."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_AFTER)
    return ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff)
