"""Every figure of parliamentary question 244 as it stood on a date, in one JSON-ready dict.

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
  to the total, which stays the answer's 11,000,000.00;
- evaluations: average scores with two decimals, rounded half up from exact sums (so SQLite and
  PostgreSQL agree), ``null`` without responses; recommendations are the distinct non-empty texts,
  the most frequent first, at most 20 per traject, with the evaluating company's name blanked out;
- communication actions: the channel as its code (the figures do not depend on the language);
- the fingerprint: SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the figures
  without the fingerprint.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, TextField, Value, Window
from django.db.models.functions import Cast, Length, Replace, RowNumber, Trim

from funding.models import BudgetLine, FundingSourceCode
from participants.models import EVALUATION_SCORE_FIELDS, Application, ApplicationStatus, Evaluation, Referral
from participants.selectors import approved_as_of, companies_in_any_traject
from reporting.models import Initiative
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

QUESTION = 244
MAX_RECOMMENDATIONS = 20
# Put in the place of a company's name in its own recommendation.
NAME_BLANKED = "…"

SIZE_CLASSES = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE, SizeClass.NON_PROFIT]
SME = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)
FUNDING_KEYS = [
    FundingSourceCode.EU,
    FundingSourceCode.FLEMISH,
    FundingSourceCode.OWN_PROMOTER,
    FundingSourceCode.OWN_COMPANY,
]
# Partners are listed service providers first, then promoters, unions, sector funds and others.
PARTNER_KIND_ORDER = {kind: position for position, kind in enumerate(OrganisationKind.values)}


def _amount(value: Decimal | None) -> str:
    return str(to_cents(value))


def _share(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str(to_tenths(Decimal(part * 100) / whole))


def _average(total: int | None, count: int) -> str | None:
    if not count or total is None:
        return None
    return str(to_cents(Decimal(total) / count))


def fingerprint(figures: dict) -> str:
    """SHA-256 of the canonical JSON of ``figures`` without their own fingerprint."""
    data = {key: value for key, value in figures.items() if key != "fingerprint"}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- one grouped query per figure ------------------------------------------------------------------


def _size_classes(as_of) -> dict[int, dict[str, int]]:
    """Distinct approved companies per traject and size class (a company has one size class, so
    the classes add up to the traject's approved companies)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        approved_as_of(as_of)
        .values("traject_id", "company__size_class")
        .annotate(companies=Count("company", distinct=True))
        .order_by()
    )
    for row in rows:
        counts[row["traject_id"]][row["company__size_class"]] = row["companies"]
    return counts


def _places(as_of) -> dict[int, list[dict]]:
    taken = dict(
        approved_as_of(as_of)
        .filter(capacity_period__isnull=False)
        .values("capacity_period_id")
        .annotate(taken=Count("pk"))
        .order_by()
        .values_list("capacity_period_id", "taken")
    )
    places: dict[int, list[dict]] = defaultdict(list)
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


def _funding() -> dict[int, dict[str, str]]:
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


def _partners() -> dict[int, list[dict]]:
    """The organisations of each traject's projects and partnerships, each once."""
    found: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for through, owner in (
        (Project.organisations.through, "project"),
        (Partnership.organisations.through, "partnership"),
    ):
        rows = through.objects.values_list(f"{owner}__traject_id", "organisation__name", "organisation__kind")
        for traject_id, name, kind in rows.distinct().order_by():
            found[traject_id].add((name, kind))
    return {
        traject_id: [
            {"name": name, "kind": kind}
            for name, kind in sorted(pairs, key=lambda pair: (PARTNER_KIND_ORDER.get(pair[1], 99), pair[0]))
        ]
        for traject_id, pairs in found.items()
    }


def _completed(as_of) -> dict[int, int]:
    return dict(
        Application.objects.filter(status=ApplicationStatus.COMPLETED, ended_on__lte=as_of)
        .values("traject_id")
        .annotate(completed=Count("pk"))
        .order_by()
        .values_list("traject_id", "completed")
    )


def _evaluations_submitted(as_of):
    return Evaluation.objects.filter(submitted_at__date__lte=as_of)


def _evaluation_scores(as_of) -> dict[int, dict]:
    sums = {f"{field}_sum": Sum(field) for field in EVALUATION_SCORE_FIELDS}
    rows = (
        _evaluations_submitted(as_of)
        .values("application__traject_id")
        .annotate(responses=Count("pk"), **sums)
        .order_by()
    )
    return {
        row["application__traject_id"]: {
            "responses": row["responses"],
            "average_scores": {
                field: _average(row[f"{field}_sum"], row["responses"]) for field in EVALUATION_SCORE_FIELDS
            },
        }
        for row in rows
    }


def _recommendations(as_of) -> dict[int, list[str]]:
    """The distinct recommendation texts per traject, most frequent first, at most 20 each."""
    texts = (
        _evaluations_submitted(as_of)
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
        found[row["application__traject_id"]].append(row["text"])
    return found


def _communication_actions(as_of) -> dict[int, list[dict]]:
    actions: dict[int, list[dict]] = defaultdict(list)
    rows = (
        CommunicationAction.trajects.through.objects.filter(communicationaction__date__lte=as_of)
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
                "campaign": row["communicationaction__campaign"],
                "channel": row["communicationaction__channel"],
                "description": row["communicationaction__description"],
            }
        )
    return actions


def _referrals(as_of) -> dict[int, dict]:
    found: dict[int, dict] = {}
    rows = (
        Referral.objects.filter(referred_on__lte=as_of)
        .values("traject_id", "sector_fund__name")
        .annotate(referrals=Count("pk"), intakes=Count("pk", filter=Q(intake_by__isnull=False)))
        .order_by("traject_id", "sector_fund__name")
    )
    for row in rows:
        figures = found.setdefault(row["traject_id"], {"total": 0, "intakes": 0, "by_sector_fund": {}})
        figures["total"] += row["referrals"]
        figures["intakes"] += row["intakes"]
        figures["by_sector_fund"][row["sector_fund__name"]] = row["referrals"]
    return found


def _initiatives() -> list[dict]:
    return list(Initiative.objects.filter(is_active=True).order_by("position", "pk").values("title", "text"))


# -- the figures -------------------------------------------------------------------------------------


def _traject_figures(traject: dict, found: dict) -> dict:
    traject_id = traject["pk"]
    sizes = found["sizes"].get(traject_id, {})
    size_classes = {size_class.value: sizes.get(size_class, 0) for size_class in SIZE_CLASSES}
    companies = sum(size_classes.values())
    sme = sum(size_classes[size_class] for size_class in SME)
    scores = found["scores"].get(traject_id, {})
    return {
        "code": traject["code"],
        "name": traject["name"],
        "start_date": traject["start_date"].isoformat(),
        "approved_companies": companies,
        "size_classes": size_classes,
        "size_class_shares": {
            "sme": _share(sme, companies),
            "non_profit": _share(size_classes[SizeClass.NON_PROFIT], companies),
            "large": _share(size_classes[SizeClass.LARGE], companies),
        },
        "places": found["places"].get(traject_id, []),
        "funding": found["funding"].get(
            traject_id, {"total": _amount(ZERO), **{code: _amount(ZERO) for code in FUNDING_KEYS}}
        ),
        "partners": found["partners"].get(traject_id, []),
        "evaluations": {
            "completed": found["completed"].get(traject_id, 0),
            "responses": scores.get("responses", 0),
            "average_scores": scores.get("average_scores", dict.fromkeys(EVALUATION_SCORE_FIELDS)),
            "recommendations": found["recommendations"].get(traject_id, []),
        },
        "communication_actions": found["actions"].get(traject_id, []),
        "referrals": found["referrals"].get(traject_id, {"total": 0, "intakes": 0, "by_sector_fund": {}}),
    }


def pq244_figures(as_of: datetime.date) -> dict:
    """The figures of question 244 as of ``as_of``; see the module's documentation for the choices."""
    trajects = list(Traject.objects.order_by("start_date", "code").values("pk", "code", "name", "start_date"))
    found = {
        "sizes": _size_classes(as_of),
        "places": _places(as_of),
        "funding": _funding(),
        "partners": _partners(),
        "completed": _completed(as_of),
        "scores": _evaluation_scores(as_of),
        "recommendations": _recommendations(as_of),
        "actions": _communication_actions(as_of),
        "referrals": _referrals(as_of),
    }
    figures = {
        "question": QUESTION,
        "as_of": as_of.isoformat(),
        "trajects": [_traject_figures(traject, found) for traject in trajects],
        "companies_in_any_traject": companies_in_any_traject(as_of),
        "initiatives": _initiatives(),
    }
    figures["fingerprint"] = fingerprint(figures)
    return figures


# -- comparing two dates -----------------------------------------------------------------------------


def _comparable(traject: dict) -> dict[str, int]:
    return {
        "approved_companies": traject["approved_companies"],
        **{f"size_classes.{name}": count for name, count in traject["size_classes"].items()},
        "places_taken": sum(period["taken"] for period in traject["places"]),
        "evaluations.responses": traject["evaluations"]["responses"],
        "referrals.total": traject["referrals"]["total"],
    }


def figures_changes(old: dict, new: dict) -> list[dict]:
    """What changed between two sets of figures, per traject: the figures that differ only.

    Compared: approved companies, each size class, places taken (over the periods shown), evaluation
    responses and referrals. A traject missing on one side counts as zero there. Rows come in the
    order of the newer figures' trajects, then the figures in a fixed order.
    """
    before = {traject["code"]: _comparable(traject) for traject in old.get("trajects", [])}
    after = {traject["code"]: _comparable(traject) for traject in new.get("trajects", [])}
    codes = list(after) + [code for code in before if code not in after]
    rows = []
    for code in codes:
        old_figures, new_figures = before.get(code, {}), after.get(code, {})
        names = list(new_figures) + [name for name in old_figures if name not in new_figures]
        for name in names:
            was, now = old_figures.get(name, 0), new_figures.get(name, 0)
            if was != now:
                rows.append(
                    {"traject": code, "figure": name, "before": was, "after": now, "difference": now - was}
                )
    return rows
