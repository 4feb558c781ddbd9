"""The numbers of question 244 in one hand-written PostgreSQL query: the yardstick of the benchmark.

It computes, on the same data, what ``reporting.questions.pq244.pq244_figures`` computes with the ORM:
approved companies per size class, places taken per capacity period, budget per funding source,
completed applications, evaluation responses and score sums, the ranked recommendations, referrals
and intakes per sector fund, and companies in any traject. The text-only parts of the answer
(partners, communication actions, initiatives) are left to the ORM side, so the comparison favours
this query. ``numbers_from_sql`` and ``numbers_from_figures`` give both sides one shape, so the
benchmark can refuse to report a ratio between two computations that disagree.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from participants.models import EVALUATION_SCORE_FIELDS, ApplicationStatus
from reporting.questions.pq244.figures import MAX_RECOMMENDATIONS, NAME_BLANKED
from voorsprong.money import to_cents

_SCORES = ", ".join(f"('{field}', e.{field})" for field in EVALUATION_SCORE_FIELDS)

PQ244_SQL = f"""
WITH approved AS (
    SELECT a.traject_id, a.company_id, a.capacity_period_id
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
SELECT 'size', a.traject_id, c.size_class, COUNT(DISTINCT a.company_id), NULL::numeric
    FROM approved a JOIN participants_company c ON c.id = a.company_id GROUP BY a.traject_id, c.size_class
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


def pq244_rows(as_of: datetime.date, time_zone: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(PQ244_SQL, {"as_of": as_of, "time_zone": time_zone, "blanked": NAME_BLANKED})
        return cursor.fetchall()


def numbers_from_sql(rows: list[tuple], traject_codes: dict[int, str]) -> dict:
    """Return the rows of ``PQ244_SQL`` keyed by traject code, in the shape of ``numbers_from_figures``."""
    numbers: dict = {"any_traject": 0, "trajects": defaultdict(_empty_traject)}
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
                field: Decimal(score) for field, score in evaluations["average_scores"].items()
            }
        numbers["recommendations"] = evaluations["recommendations"]
        numbers["referrals"] = traject["referrals"]["by_sector_fund"]
        numbers["intakes"] = traject["referrals"]["intakes"]
        if any(numbers.values()):
            trajects[traject["code"]] = numbers
    return {"any_traject": figures["companies_in_any_traject"], "trajects": trajects}


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
