"""The numbers of question 244 in two hand-written PostgreSQL queries: the yardstick of the benchmark.

They compute, on the same data, what ``reporting.questions.pq244.pq244_figures`` computes with the ORM.
``PQ244_SQL``: approved companies per size class, places taken per capacity period, budget per funding
source, completed applications, evaluation responses and score sums, the ranked recommendations,
referrals and intakes per sector fund, and companies in any traject. ``OUTCOMES_SQL``: the outcome
figures' counts per traject (issue 17), companies counted distinct by grouping per company first, as one
would write it by hand. Turning those counts into shares and masking the small ones is left to
``reporting.statistics.outcomes.outcomes`` on both sides, as are the text-only parts of the answer
(partners, communication actions, initiatives) to the ORM side, so the comparison favours the
hand-written side. ``numbers_from_sql`` and ``numbers_from_figures`` give both sides one shape, so the
benchmark can refuse to report a ratio between two computations that disagree.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from participants.models import (
    EVALUATION_SCORE_FIELDS,
    FOLLOW_UP_AFTER,
    OUTCOME_SCORE_FIELDS,
    ApplicationStatus,
    Barrier,
    SituationMoment,
    StopReason,
    barrier_field,
)
from participants.selectors import STAFF_COUNTS
from reporting.questions.pq244.figures import MAX_RECOMMENDATIONS, NAME_BLANKED
from reporting.statistics.outcomes import no_outcomes, outcomes
from voorsprong.money import to_cents

_SCORES = ", ".join(f"('{field}', e.{field})" for field in EVALUATION_SCORE_FIELDS)

PQ244_SQL = f"""
WITH approved AS (
    SELECT a.id, a.traject_id, a.company_id, a.capacity_period_id, a.decided_on, a.size_class_at_approval
    FROM participants_application a
    WHERE a.decided_on <= %(as_of)s
      AND a.status <> '{ApplicationStatus.REJECTED}'
      AND NOT (a.status = '{ApplicationStatus.WITHDRAWN}'
               AND a.ended_on IS NOT NULL AND a.ended_on <= %(as_of)s)
),
submitted AS (
    SELECT e.*, a.traject_id, c.name AS company_name
    FROM participants_evaluation e
    JOIN participants_application a ON a.id = e.application_id
    JOIN participants_company c ON c.id = a.company_id
    WHERE (e.submitted_at AT TIME ZONE %(time_zone)s)::date <= %(as_of)s
),
texts AS (
    SELECT traject_id, TRIM(REPLACE(recommendations, company_name, %(blanked)s)) AS text FROM submitted
),
ranked AS (
    SELECT traject_id, text,
           ROW_NUMBER() OVER (PARTITION BY traject_id ORDER BY COUNT(*) DESC, text ASC) AS rank
    FROM texts WHERE LENGTH(text) > 0
    GROUP BY traject_id, text
)
SELECT 'size', latest.traject_id, latest.size_class_at_approval, COUNT(*), NULL::numeric
    FROM (SELECT DISTINCT ON (traject_id, company_id) traject_id, size_class_at_approval
          FROM approved ORDER BY traject_id, company_id, decided_on DESC, id DESC) latest
    GROUP BY latest.traject_id, latest.size_class_at_approval
UNION ALL
SELECT 'places', p.traject_id, p.start::text, p.places,
       (SELECT COUNT(*) FROM approved a WHERE a.capacity_period_id = p.id)
    FROM trajects_capacityperiod p WHERE p.start <= %(as_of)s
UNION ALL
SELECT 'funding', b.traject_id, s.code, NULL, SUM(b.amount)
    FROM funding_budgetline b JOIN funding_fundingsource s ON s.id = b.source_id GROUP BY b.traject_id, s.code
UNION ALL
SELECT 'completed', traject_id, NULL, COUNT(*), NULL
    FROM participants_application
    WHERE status = '{ApplicationStatus.COMPLETED}' AND ended_on <= %(as_of)s GROUP BY traject_id
UNION ALL
SELECT 'responses', traject_id, NULL, COUNT(*), NULL FROM submitted GROUP BY traject_id
UNION ALL
SELECT 'score', e.traject_id, score.field, NULL, SUM(score.value)
    FROM submitted e CROSS JOIN LATERAL (VALUES {_SCORES}) AS score(field, value)
    GROUP BY e.traject_id, score.field
UNION ALL
SELECT 'recommendation', traject_id, text, rank, NULL FROM ranked WHERE rank <= {MAX_RECOMMENDATIONS}
UNION ALL
SELECT 'referrals', r.traject_id, o.name, COUNT(*), COUNT(r.intake_by_id)
    FROM participants_referral r JOIN trajects_organisation o ON o.id = r.sector_fund_id
    WHERE r.referred_on <= %(as_of)s GROUP BY r.traject_id, o.name
UNION ALL
SELECT 'any_traject', NULL, NULL, COUNT(DISTINCT company_id), NULL FROM approved
"""


def _each(template: str, names) -> str:
    return "".join(template.format(name=name) for name in names)


# Per application the facts the outcome figures count, then per company in a traject (a company counts
# once however many of its applications have a fact), then per traject. An application takes part only
# when it ended completed or stopped by then, or has a baseline (the figures of the others are all zero).
_COUNTED = ["completed", "responded", "due", "followed_up"]
_COUNTED += [f"gave_{score}" for score in OUTCOME_SCORE_FIELDS]
_COUNTED += [f"stopped_{reason}" for reason in StopReason.values]
_COMPANY_ONLY = ["paired", "staff_given", "baseline", "policy_before", "policy_after"]
_COMPANY_ONLY += [f"met_{barrier}" for barrier in Barrier.values]
_COMPANY_ONLY += [f"removed_{barrier}" for barrier in Barrier.values]
_SUMMED = [*(name for name, _given, _promoted in STAFF_COUNTS), *OUTCOME_SCORE_FIELDS]
# The staff figure of a trajectory: its evaluation's counts when they were given by then, else its own.
_STAFF = "".join(
    f"CASE WHEN e.staff_participated IS NOT NULL THEN e.{given} ELSE a.{promoted} END AS {name}, "
    for name, given, promoted in STAFF_COUNTS
)
_BARRIERS = _each(
    "intake.{name} AS intake_{name}, closing.{name} AS closing_{name}, ", map(barrier_field, Barrier.values)
)
_PAIRED = "completed AND evaluated AND baseline AND closed"
_REMOVED = _each(
    f"{_PAIRED} AND intake_barrier_{{name}} AND NOT closing_barrier_{{name}} AS removed_{{name}}, ",
    Barrier.values,
)
_TRAJECTORIES_AND_COMPANIES = _each(
    "SUM({name})::int AS {name}, COUNT(*) FILTER (WHERE {name}_company) AS {name}_companies, ", _COUNTED
)
OUTCOMES_SQL = f"""
WITH application AS (
    SELECT a.traject_id, a.company_id,
        a.status = '{ApplicationStatus.COMPLETED}' AND a.ended_on <= %(as_of)s AS completed,
        a.ended_on <= %(due_by)s AS ended_before_due,
        CASE WHEN a.status = '{ApplicationStatus.STOPPED}' AND a.ended_on <= %(as_of)s THEN a.stop_reason END
            AS stopped_for,
        e.id IS NOT NULL AS evaluated, e.staff_participated IS NOT NULL AS evaluated_staff,
        a.staff_reached IS NOT NULL AS promoted_staff, fu.id IS NOT NULL AS followed_up_by_then,
        {_STAFF}
        {_each("e.{name}, ", OUTCOME_SCORE_FIELDS)}
        intake.id IS NOT NULL AS baseline, closing.id IS NOT NULL AS closed,
        intake.has_training_policy AS policy_at_intake, closing.has_training_policy AS policy_at_closing,
        {_BARRIERS}
        a.id
    FROM participants_application a
    LEFT JOIN participants_evaluation e ON e.application_id = a.id
        AND (e.submitted_at AT TIME ZONE %(time_zone)s)::date <= %(as_of)s
    LEFT JOIN participants_followup fu ON fu.application_id = a.id
        AND (fu.submitted_at AT TIME ZONE %(time_zone)s)::date <= %(as_of)s
    LEFT JOIN participants_learningsituation intake ON intake.application_id = a.id
        AND intake.moment = '{SituationMoment.INTAKE}' AND intake.recorded_on <= %(as_of)s
    LEFT JOIN participants_learningsituation closing ON closing.application_id = a.id
        AND closing.moment = '{SituationMoment.CLOSING}' AND closing.recorded_on <= %(as_of)s
    WHERE (a.status IN ('{ApplicationStatus.COMPLETED}', '{ApplicationStatus.STOPPED}')
           AND a.ended_on <= %(as_of)s) OR intake.id IS NOT NULL
), facts AS (
    SELECT traject_id, company_id, completed, baseline,
        completed AND evaluated AS responded,
        completed AND ended_before_due AS due,
        completed AND ended_before_due AND followed_up_by_then AS followed_up,
        {_PAIRED} AS paired,
        completed AND (evaluated_staff OR promoted_staff) AS staff_given,
        {_each("completed AND evaluated AND {name} IS NOT NULL AS gave_{name}, ", OUTCOME_SCORE_FIELDS)}
        {_each("coalesce(stopped_for = '{name}', false) AS stopped_{name}, ", StopReason.values)}
        {_PAIRED} AND policy_at_intake AS policy_before, {_PAIRED} AND policy_at_closing AS policy_after,
        {_each("coalesce(intake_barrier_{name}, false) AS met_{name}, ", Barrier.values)}
        {_REMOVED}
        {_each("CASE WHEN completed THEN {name} END AS {name}, ", _SUMMED[:3])}
        {_each("CASE WHEN completed AND evaluated THEN {name} END AS {name}, ", OUTCOME_SCORE_FIELDS)}
        id
    FROM application
), per_company AS (
    SELECT traject_id,
        {_each("COUNT(*) FILTER (WHERE {name}) AS {name}, bool_or({name}) AS {name}_company, ", _COUNTED)}
        {_each("bool_or({name}) AS {name}, ", _COMPANY_ONLY)}
        {_each("SUM({name}) AS {name}, ", _SUMMED)}
        company_id
    FROM facts
    GROUP BY traject_id, company_id
)
SELECT traject_id,
    {_TRAJECTORIES_AND_COMPANIES}
    {_each("COUNT(*) FILTER (WHERE {name}) AS {name}, ", _COMPANY_ONLY)}
    {_each("SUM({name})::int AS {name}, ", _SUMMED)}
    COUNT(*) AS companies
FROM per_company
GROUP BY traject_id
"""
# The names of ``outcome_aggregates`` (what ``outcomes`` reads) that OUTCOMES_SQL calls otherwise.
_OUTCOME_NAMES = {
    "responded": "responses",
    "due": "follow_ups_due",
    "followed_up": "follow_ups",
    "staff_given": "staff_companies",
    "baseline": "baselines",
    **{f"gave_{score}": f"{score}_count" for score in OUTCOME_SCORE_FIELDS},
    **{score: f"{score}_sum" for score in OUTCOME_SCORE_FIELDS},
    **{f"gave_{score}_companies": f"{score}_companies" for score in OUTCOME_SCORE_FIELDS},
}
_OUTCOME_NAMES |= {
    f"{name}_companies": f"{_OUTCOME_NAMES[name]}_companies" for name in ("responded", "due", "followed_up")
}


def pq244_rows(as_of: datetime.date, time_zone: str) -> tuple[list[tuple], list[dict]]:
    """Return the rows of ``PQ244_SQL`` and those of ``OUTCOMES_SQL`` by column name."""
    parameters = {"as_of": as_of, "time_zone": time_zone, "blanked": NAME_BLANKED}
    with connection.cursor() as cursor:
        cursor.execute(PQ244_SQL, parameters)
        rows = cursor.fetchall()
        cursor.execute(OUTCOMES_SQL, parameters | {"due_by": as_of - FOLLOW_UP_AFTER})
        names = [_OUTCOME_NAMES.get(column.name, column.name) for column in cursor.description]
        return rows, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def numbers_from_sql(rows: tuple[list[tuple], list[dict]], traject_codes: dict[int, str]) -> dict:
    """Return the rows of ``pq244_rows`` keyed by traject code, in the shape of ``numbers_from_figures``."""
    rows, outcome_rows = rows
    found = {row["traject_id"]: outcomes(row) for row in outcome_rows}
    numbers: dict = {
        "any_traject": 0,
        "trajects": defaultdict(_empty_traject),
        "outcomes": {
            code: _outcome_numbers(found.get(traject_id) or no_outcomes())
            for traject_id, code in traject_codes.items()
        },
    }
    responses: dict[str, int] = {}
    score_sums: dict[str, dict[str, Decimal]] = defaultdict(dict)
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for figure, traject_id, key, count, amount in rows:
        if figure == "any_traject":
            numbers["any_traject"] = count
            continue
        code = traject_codes[traject_id]
        traject = numbers["trajects"][code]
        if figure == "size":
            traject["size_classes"][key] = count
        elif figure == "places":
            traject["places"][key] = (count, int(amount))
        elif figure == "funding" and amount:
            traject["funding"][key] = to_cents(amount)
        elif figure == "completed":
            traject["completed"] = count
        elif figure == "responses":
            responses[code] = count
        elif figure == "score":
            score_sums[code][key] = amount
        elif figure == "recommendation":
            ranked[code].append((count, key))
        elif figure == "referrals":
            traject["referrals"][key] = count
            traject["intakes"] += int(amount)
    for code, count in responses.items():
        traject = numbers["trajects"][code]
        traject["responses"] = count
        traject["average_scores"] = {
            field: to_cents(Decimal(score_sums[code][field]) / count) for field in EVALUATION_SCORE_FIELDS
        }
    for code, texts in ranked.items():
        numbers["trajects"][code]["recommendations"] = [text for _rank, text in sorted(texts)]
    numbers["trajects"] = {
        code: traject for code, traject in numbers["trajects"].items() if any(traject.values())
    }
    return numbers


def numbers_from_figures(figures: dict) -> dict:
    """Return the same numbers taken from ``pq244_figures``."""
    trajects = {}
    for traject in figures["trajects"]:
        evaluations = traject["evaluations"]
        numbers = _empty_traject()
        numbers["size_classes"] = {name: count for name, count in traject["size_classes"].items() if count}
        numbers["places"] = {
            period["start"]: (period["places"], period["taken"]) for period in traject["places"]
        }
        numbers["funding"] = {
            code: Decimal(amount)
            for code, amount in traject["funding"].items()
            if code != "total" and Decimal(amount)
        }
        numbers["completed"] = evaluations["completed"]
        numbers["responses"] = evaluations["responses"]
        if evaluations["responses"]:
            numbers["average_scores"] = {
                field: Decimal(evaluations["average_scores"][field]) for field in EVALUATION_SCORE_FIELDS
            }
        numbers["recommendations"] = evaluations["recommendations"]
        numbers["referrals"] = traject["referrals"]["by_sector_fund"]
        numbers["intakes"] = traject["referrals"]["intakes"]
        if any(numbers.values()):
            trajects[traject["code"]] = numbers
    return {
        "any_traject": figures["companies_in_any_traject"],
        "trajects": trajects,
        "outcomes": {
            traject["code"]: _outcome_numbers(
                traject["evaluations"] | {"stop_reasons": traject["stop_reasons"]}
            )
            for traject in figures["trajects"]
        },
    }


def _outcome_numbers(figures: dict) -> dict:
    """Return the outcome figures that question 244 shows, out of a traject's ``Outcomes`` or the
    ``evaluations`` of its figures (with its ``stop_reasons``)."""
    shown = ("response_rate", "follow_ups", "follow_up_rate", "staff_reached", "training_policy", "barriers")
    return {
        **{name: figures[name] for name in (*shown, "stop_reasons")},
        "average_scores": {score: figures["average_scores"][score] for score in OUTCOME_SCORE_FIELDS},
    }


def _empty_traject() -> dict:
    return {
        "size_classes": {},
        "places": {},
        "funding": {},
        "completed": 0,
        "responses": 0,
        "average_scores": {},
        "recommendations": [],
        "referrals": {},
        "intakes": 0,
    }
