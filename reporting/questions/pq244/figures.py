"""Every figure of question 244 as it stood on a date: their types, how they are computed, what changed.

As of a date means by the dates of decisions, sessions and submissions, never by today's status: an
application approved after ``as_of`` does not count, one approved before and withdrawn after it
still does (``participants.selectors.approved_as_of``).

The figures are computed in the database, one grouped query per figure across all trajects, so the
number of queries stays the same whatever the number of companies, applications or evaluations.

Choices made here (the reference is the minister's answer of 26 November 2025):

- trajects: every traject, ordered by start date, also one that had not started yet on ``as_of``
  (its figures are then zero), so that two dates always compare traject by traject;
- places: the capacity periods that had started on ``as_of`` (``start <= as_of``); a later period
  was not open yet and is left out. ``taken`` counts the applications that counted as approved on
  ``as_of`` and hold a place of the period;
- size-class shares: in percent of the traject's approved companies, one decimal, rounded half up;
  ``null`` while a traject has no approved company;
- funding: the budget lines per funding source (the programme's budget, which has no date); the
  companies' own means are their budget line when there is one, else "0.00" — what approved
  companies committed on top (the 15% in motivatie) is a commitment, not a budget, and is not added
  to the total, which stays the answer's 11,000,000.00; that share is ``own_company_share``, in percent
  of a coaching's cost, from the traject's funding rule as it is now (like the budget, it has no date);
- partners: the projects in the order they were registered (the answer's order), each with its
  organisations, service providers and promoters first; the partnerships by name; ``partners`` lists
  every organisation once, by kind, then in the order of the projects;
- evaluations: the number and average scores of ``participants.selectors.evaluation_scores`` (two
  decimals, half up from exact sums), ``null`` without responses; recommendations are the distinct
  non-empty texts, the most frequent first, at most 20 per traject, with the evaluating company's
  name blanked out;
- outcomes (issue 17): the evaluations' ``response_rate``, ``follow_ups`` and ``follow_up_rate``,
  ``staff_reached``, ``training_policy``, ``barriers``, the scores for learning transfer and motivation,
  and the traject's ``stop_reasons``, as ``reporting.statistics.outcomes`` computes and masks them (a
  figure resting on one to four companies is ``"< 5"``); ``completed`` is its count of trajectories
  completed by then. The figures above them are not masked, so the answer of 26 November 2025 stays;
- free texts people wrote (recommendations, campaigns and their actions, initiatives) without e-mail
  addresses, so none reaches the API, a snapshot or a document;
- communication actions: the channel as its code (the figures do not depend on the language); an action
  dated after ``as_of`` is listed when it was announced by then (``announced_on``), so the answer can say
  what is coming;
- statements: what officers keep next to the figures (``reporting.selectors.statements_as_of``).
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TypedDict

from django.db import connection
from django.db.models import Count, F, Q, Sum, TextField, Value, Window
from django.db.models.functions import Cast, Length, Replace, RowNumber, Trim
from django.utils.translation import gettext as _

from funding.models import BudgetLine, FundingRule, FundingSourceCode
from participants.models import EVALUATION_SCORE_FIELDS, Referral
from participants.selectors import (
    approved_as_of,
    companies_in_any_traject,
    evaluation_scores,
    evaluations_submitted_as_of,
    latest_approvals_as_of,
)
from reporting.models import Initiative
from reporting.questions import Change
from reporting.selectors import statements_as_of, without_e_mail_addresses
from reporting.statistics.outcomes import (
    BarrierChange,
    FollowUps,
    Outcomes,
    StaffReached,
    TrainingPolicy,
    is_masked,
    no_outcomes,
    outcomes_by_traject,
    percentage,
)
from trajects.models import (
    CapacityPeriod,
    CommunicationAction,
    OrganisationKind,
    Partnership,
    Project,
    Traject,
)
from trajects.size_classes import SizeClass
from voorsprong.money import ZERO, to_cents, to_tenths

NUMBER = 244
MAX_RECOMMENDATIONS = 20
# Put in the place of a company's name in its own recommendation.
NAME_BLANKED = "…"

SIZE_CLASSES = [
    SizeClass.MICRO,
    SizeClass.SMALL,
    SizeClass.MEDIUM,
    SizeClass.LARGE,
    SizeClass.NON_PROFIT,
    SizeClass.UNKNOWN,
]
SME = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)
FUNDING_KEYS = [
    FundingSourceCode.EU,
    FundingSourceCode.FLEMISH,
    FundingSourceCode.OWN_PROMOTER,
    FundingSourceCode.OWN_COMPANY,
]
# Partners are listed service providers first, then promoters, unions, sector funds and others.
PARTNER_KIND_ORDER = {kind: position for position, kind in enumerate(OrganisationKind.values)}


# -- the figures' types (documented field by field in ``schema.py``) ------------------------------------
class SizeClassCounts(TypedDict):
    micro: int
    small: int
    medium: int
    large: int
    non_profit: int
    unknown: int


class SizeClassShares(TypedDict):
    sme: str | None
    non_profit: str | None
    large: str | None
    unknown: str | None


class PeriodPlaces(TypedDict):
    start: str
    end: str
    places: int
    taken: int


class Funding(TypedDict):
    total: str
    eu: str
    flemish: str
    own_promoter: str
    own_company: str


class Partner(TypedDict):
    name: str
    kind: str


class ProjectFigures(TypedDict):
    name: str
    partnership: str | None
    organisations: list[Partner]


class AverageScores(TypedDict):
    usefulness: str | None
    coach_quality: str | None
    learning_culture_effect: str | None
    would_recommend: str | None
    learning_transfer: str | None  # or "< 5"
    motivation: str | None  # or "< 5"


class Evaluations(TypedDict):
    completed: int
    responses: int
    response_rate: str | None
    follow_ups: FollowUps
    follow_up_rate: str | None
    average_scores: AverageScores
    staff_reached: StaffReached
    training_policy: TrainingPolicy
    barriers: dict[str, BarrierChange]
    recommendations: list[str]


class Action(TypedDict):
    date: str
    campaign: str
    channel: str
    description: str


class Referrals(TypedDict):
    total: int
    intakes: int
    by_sector_fund: dict[str, int]
    intakes_by_sector_fund: dict[str, int]


class TrajectFigures(TypedDict):
    code: str
    name: str
    start_date: str
    approved_companies: int
    size_classes: SizeClassCounts
    size_class_shares: SizeClassShares
    places: list[PeriodPlaces]
    funding: Funding
    own_company_share: str | None
    partners: list[Partner]
    projects: list[ProjectFigures]
    partnerships: list[str]
    evaluations: Evaluations
    stop_reasons: dict[str, int | str]
    communication_actions: list[Action]
    referrals: Referrals


class InitiativeFigures(TypedDict):
    title: str
    text: str


class Statement(TypedDict):
    answer: int
    traject: str | None
    text: str


class Figures(TypedDict):
    """What :func:`figures_as_of` computes."""

    trajects: list[TrajectFigures]
    companies_in_any_traject: int
    initiatives: list[InitiativeFigures]
    statements: list[Statement]


class PQ244Figures(Figures):
    """The figures with their envelope, as the API, the snapshots and the renderers have them."""

    question: int
    as_of: str
    fingerprint: str


def _amount(value: Decimal | None) -> str:
    return str(to_cents(value))


# -- one grouped query per figure ------------------------------------------------------------------
def _size_classes(as_of) -> dict[int, dict[str, int]]:
    """Return the approved companies per traject and size class.

    The class is the one the approval rested on, frozen on the application, so a company that grows later
    does not rewrite the figures of an earlier date. A company approved more than once in a traject counts
    once, by its latest approval up to ``as_of``, so the classes add up to the traject's approved companies.
    """
    latest = latest_approvals_as_of(as_of).values("traject_id", "size_class_at_approval").order_by()
    sql, params = latest.query.sql_with_params()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        # The ORM cannot group the rows of a query filtered on a window; the outer query only counts them.
        counting = "SELECT traject_id, size_class_at_approval, COUNT(*) FROM ({}) latest GROUP BY 1, 2"
        cursor.execute(counting.format(sql), params)
        for traject_id, size_class, companies in cursor.fetchall():
            counts[traject_id][size_class] = companies
    return counts


def _places(as_of) -> dict[int, list[PeriodPlaces]]:
    taken = dict(
        approved_as_of(as_of)
        .filter(capacity_period__isnull=False)
        .values("capacity_period_id")
        .annotate(taken=Count("pk"))
        .order_by()
        .values_list("capacity_period_id", "taken")
    )
    places: dict[int, list[PeriodPlaces]] = defaultdict(list)
    periods = CapacityPeriod.objects.filter(start__lte=as_of).order_by("traject_id", "start")
    for period in periods.values("pk", "traject_id", "start", "end", "places"):
        places[period["traject_id"]].append(
            {
                "start": period["start"].isoformat(),
                "end": period["end"].isoformat(),
                "places": period["places"],
                "taken": taken.get(period["pk"], 0),
            }
        )
    return places


def _no_funding() -> Funding:
    return {"total": _amount(ZERO), **{code: _amount(ZERO) for code in FUNDING_KEYS}}


def _funding() -> dict[int, Funding]:
    amounts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = BudgetLine.objects.values("traject_id", "source__code").annotate(amount=Sum("amount")).order_by()
    for row in rows:
        amounts[row["traject_id"]][row["source__code"]] = row["amount"]
    return {
        traject_id: {
            "total": _amount(sum(by_source.values(), ZERO)),
            **{code: _amount(by_source.get(code)) for code in FUNDING_KEYS},
        }
        for traject_id, by_source in amounts.items()
    }


def _by_kind(organisations: list[Partner]) -> list[Partner]:
    """Return ``organisations`` by kind (service providers first), keeping their order within a kind."""
    return sorted(organisations, key=lambda partner: PARTNER_KIND_ORDER.get(partner["kind"], 99))


def _projects() -> dict[int, list[ProjectFigures]]:
    """Return each traject's projects in the order they were registered, with their organisations."""
    found: dict[int, dict[int, ProjectFigures]] = defaultdict(dict)
    rows = Project.objects.values_list(
        "traject_id",
        "pk",
        "name",
        "partnership__name",
        "organisations__name",
        "organisations__kind",
    ).order_by("traject_id", "pk", "organisations__name")
    for traject_id, project_id, name, partnership, organisation, kind in rows:
        project = found[traject_id].setdefault(
            project_id, {"name": name, "partnership": partnership, "organisations": []}
        )
        if organisation is not None:
            project["organisations"].append({"name": organisation, "kind": kind})
    return {
        traject_id: [
            {**project, "organisations": _by_kind(project["organisations"])} for project in projects.values()
        ]
        for traject_id, projects in found.items()
    }


def _partnerships() -> dict[int, list[tuple[str, list[Partner]]]]:
    """Return each traject's partnerships by name, with their organisations."""
    found: dict[int, dict[str, list[Partner]]] = defaultdict(dict)
    rows = Partnership.objects.values_list(
        "traject_id", "name", "organisations__name", "organisations__kind"
    ).order_by("traject_id", "name", "organisations__name")
    for traject_id, name, organisation, kind in rows:
        members = found[traject_id].setdefault(name, [])
        if organisation is not None:
            members.append({"name": organisation, "kind": kind})
    return {traject_id: list(partnerships.items()) for traject_id, partnerships in found.items()}


def _partners(projects: list[ProjectFigures], partnerships: list[tuple[str, list[Partner]]]) -> list[Partner]:
    """Return the organisations of a traject's projects and partnerships, each once: by kind, then in the
    order of the projects (an organisation only in a partnership after those)."""
    seen: dict[str, Partner] = {}
    for organisations in [project["organisations"] for project in projects] + [
        members for _name, members in partnerships
    ]:
        for partner in organisations:
            seen.setdefault(partner["name"], partner)
    return _by_kind(list(seen.values()))


def _own_company_shares() -> dict[int, str]:
    """Return the companies' own means per coaching in percent of its cost, per traject with a rule."""
    return {
        traject_id: str(to_tenths(surcharge * 100))
        for traject_id, surcharge in FundingRule.objects.values_list("traject_id", "company_surcharge")
    }


def _recommendations(as_of) -> dict[int, list[str]]:
    """Return the distinct recommendation texts per traject, most frequent first, at most 20 each."""
    texts = (
        evaluations_submitted_as_of(as_of)
        .annotate(
            text=Trim(
                Replace(
                    "recommendations",
                    Cast("application__company__name", TextField()),
                    Value(NAME_BLANKED, output_field=TextField()),
                )
            )
        )
        .annotate(text_length=Length("text"))
        .filter(text_length__gt=0)
        .values("application__traject_id", "text")
        .annotate(given=Count("pk"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("application__traject_id"),
                order_by=[F("given").desc(), F("text").asc()],
            )
        )
        .filter(rank__lte=MAX_RECOMMENDATIONS)
        .order_by("application__traject_id", "rank")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for row in texts:
        text = without_e_mail_addresses(row["text"])
        if text not in found[row["application__traject_id"]]:  # two texts may differ by an address only
            found[row["application__traject_id"]].append(text)
    return found


def _communication_actions(as_of) -> dict[int, list[Action]]:
    actions: dict[int, list[Action]] = defaultdict(list)
    known = Q(communicationaction__date__lte=as_of) | Q(communicationaction__announced_on__lte=as_of)
    rows = (
        CommunicationAction.trajects.through.objects.filter(known)
        .values(
            "traject_id",
            "communicationaction__date",
            "communicationaction__campaign",
            "communicationaction__channel",
            "communicationaction__description",
        )
        .order_by("traject_id", "communicationaction__date", "communicationaction_id")
    )
    for row in rows:
        actions[row["traject_id"]].append(
            {
                "date": row["communicationaction__date"].isoformat(),
                "campaign": without_e_mail_addresses(row["communicationaction__campaign"]),
                "channel": row["communicationaction__channel"],
                "description": without_e_mail_addresses(row["communicationaction__description"]),
            }
        )
    return actions


def _no_referrals() -> Referrals:
    return {"total": 0, "intakes": 0, "by_sector_fund": {}, "intakes_by_sector_fund": {}}


def _referrals(as_of) -> dict[int, Referrals]:
    found: dict[int, Referrals] = {}
    rows = (
        Referral.objects.filter(referred_on__lte=as_of)
        .values("traject_id", "sector_fund__name")
        .annotate(referrals=Count("pk"), intakes=Count("pk", filter=Q(intake_by__isnull=False)))
        .order_by("traject_id", "sector_fund__name")
    )
    for row in rows:
        figures = found.setdefault(row["traject_id"], _no_referrals())
        figures["total"] += row["referrals"]
        figures["intakes"] += row["intakes"]
        figures["by_sector_fund"][row["sector_fund__name"]] = row["referrals"]
        figures["intakes_by_sector_fund"][row["sector_fund__name"]] = row["intakes"]
    return found


def _initiatives() -> list[InitiativeFigures]:
    return [
        {"title": without_e_mail_addresses(title), "text": without_e_mail_addresses(text)}
        for title, text in Initiative.objects.filter(is_active=True)
        .order_by("position", "pk")
        .values_list("title", "text")
    ]


# -- the figures -----------------------------------------------------------------------------------
def _evaluations(outcomes: Outcomes, scores: dict | None, recommendations: list[str]) -> Evaluations:
    averages = (scores or {}).get("average_scores", {})
    return {
        "completed": outcomes["completed"],
        "responses": scores["responses"] if scores else 0,
        "response_rate": outcomes["response_rate"],
        "follow_ups": outcomes["follow_ups"],
        "follow_up_rate": outcomes["follow_up_rate"],
        "average_scores": {
            **{
                field: None if averages.get(field) is None else str(averages[field])
                for field in EVALUATION_SCORE_FIELDS
            },
            **outcomes["average_scores"],
        },
        "staff_reached": outcomes["staff_reached"],
        "training_policy": outcomes["training_policy"],
        "barriers": outcomes["barriers"],
        "recommendations": recommendations,
    }


def _traject_figures(traject: dict, found: dict) -> TrajectFigures:
    traject_id = traject["pk"]
    sizes = found["sizes"].get(traject_id, {})
    size_classes = {size_class.value: sizes.get(size_class, 0) for size_class in SIZE_CLASSES}
    companies = sum(size_classes.values())
    sme = sum(size_classes[size_class] for size_class in SME)
    projects = found["projects"].get(traject_id, [])
    partnerships = found["partnerships"].get(traject_id, [])
    outcomes = found["outcomes"].get(traject_id) or no_outcomes()
    return {
        "code": traject["code"],
        "name": traject["name"],
        "start_date": traject["start_date"].isoformat(),
        "approved_companies": companies,
        "size_classes": size_classes,
        "size_class_shares": {
            "sme": percentage(sme, companies),
            "non_profit": percentage(size_classes[SizeClass.NON_PROFIT], companies),
            "large": percentage(size_classes[SizeClass.LARGE], companies),
            "unknown": percentage(size_classes[SizeClass.UNKNOWN], companies),
        },
        "places": found["places"].get(traject_id, []),
        "funding": found["funding"].get(traject_id) or _no_funding(),
        "own_company_share": found["own_company_shares"].get(traject_id),
        "partners": _partners(projects, partnerships),
        "projects": projects,
        "partnerships": [name for name, _members in partnerships],
        "evaluations": _evaluations(
            outcomes, found["scores"].get(traject["code"]), found["recommendations"].get(traject_id, [])
        ),
        "stop_reasons": outcomes["stop_reasons"],
        "communication_actions": found["actions"].get(traject_id, []),
        "referrals": found["referrals"].get(traject_id) or _no_referrals(),
    }


def figures_as_of(as_of: datetime.date) -> Figures:
    """Return the figures of question 244 as of ``as_of``; see the module's documentation for the choices."""
    trajects = list(Traject.objects.order_by("start_date", "code").values("pk", "code", "name", "start_date"))
    found = {
        "sizes": _size_classes(as_of),
        "places": _places(as_of),
        "funding": _funding(),
        "own_company_shares": _own_company_shares(),
        "projects": _projects(),
        "partnerships": _partnerships(),
        "outcomes": outcomes_by_traject(as_of),
        "scores": evaluation_scores(as_of),
        "recommendations": _recommendations(as_of),
        "actions": _communication_actions(as_of),
        "referrals": _referrals(as_of),
    }
    return {
        "trajects": [_traject_figures(traject, found) for traject in trajects],
        "companies_in_any_traject": companies_in_any_traject(as_of),
        "initiatives": _initiatives(),
        "statements": statements_as_of(NUMBER, as_of),
    }


# -- comparing two dates ---------------------------------------------------------------------------
def _comparable(traject: TrajectFigures) -> dict[str, int | None]:
    """Return the traject's figures to compare; None for one that cannot be: masked (``"< 5"``), or not
    in figures kept from before it existed (a snapshot)."""
    evaluations = traject["evaluations"]
    follow_ups = evaluations.get("follow_ups", {}).get("received")
    return {
        "approved_companies": traject["approved_companies"],
        **{f"size_classes.{name}": count for name, count in traject["size_classes"].items()},
        "places_taken": sum(period["taken"] for period in traject["places"]),
        "evaluations.completed": evaluations["completed"],
        "evaluations.responses": evaluations["responses"],
        "evaluations.follow_ups.received": None if is_masked(follow_ups) else follow_ups,
        "referrals.total": traject["referrals"]["total"],
    }


def _label(figure: str) -> str:
    labels = {
        "approved_companies": _("approved companies"),
        "places_taken": _("places taken"),
        "evaluations.completed": _("trajectories completed"),
        "evaluations.responses": _("evaluations received"),
        "evaluations.follow_ups.received": _("follow-ups received"),
        "referrals.total": _("referrals"),
    }
    size_class = figure.removeprefix("size_classes.")
    if size_class != figure and size_class in SizeClass.values:
        return _("approved companies: %(size_class)s") % {"size_class": SizeClass(size_class).label.lower()}
    return labels.get(figure, figure)


def changes(old: PQ244Figures, new: PQ244Figures) -> list[Change]:
    """Return what changed between two sets of figures, per traject: the figures that differ only.

    Compared: approved companies, each size class, places taken (over the periods shown), trajectories
    completed, evaluation responses, follow-ups received and referrals. A traject missing on one side
    counts as zero there; a figure masked on either side (``"< 5"``: saying by how much it changed would
    unmask it) or missing from older figures is not compared. Rows come in the order of the newer
    figures' trajects, then the figures in a fixed order.
    """
    names = {traject["code"]: traject["name"] for traject in (*old["trajects"], *new["trajects"])}
    before = {traject["code"]: _comparable(traject) for traject in old["trajects"]}
    after = {traject["code"]: _comparable(traject) for traject in new["trajects"]}
    codes = list(after) + [code for code in before if code not in after]
    rows: list[Change] = []
    for code in codes:
        old_figures, new_figures = before.get(code, {}), after.get(code, {})
        for figure in list(new_figures) + [name for name in old_figures if name not in new_figures]:
            was = old_figures.get(figure) if code in before else 0
            now = new_figures.get(figure) if code in after else 0
            if was is not None and now is not None and was != now:
                rows.append(
                    {
                        "group": code,
                        "group_name": names[code],
                        "figure": figure,
                        "label": _label(figure),
                        "before": was,
                        "after": now,
                        "difference": now - was,
                    }
                )
    return rows
