"""The reach monitor and the breakdowns in hand-written PostgreSQL: the yardstick over the population.

Each view of ``reporting.statistics.reach`` (per ``by``) and each dimension of
``reporting.statistics.breakdown`` (with the measure ``approved_companies``) is one query here, written
from the rules in those modules' documentation rather than from their ORM expressions: the latest
approval per company and traject is a ``DISTINCT ON`` instead of a window, a NACE section is a join on
division ranges instead of a ``CASE``, a breakdown's total is a grouping set of the same query. The
``*_numbers`` functions give the ORM's figures and these rows one shape, the counts a user reads, so
the benchmark can refuse to report a ratio between two computations that disagree.
"""

import datetime

from django.db import connection

from participants.models import ApplicationStatus
from participants.nace import SECTIONS, section_key
from reporting.statistics.reach import POPULATION_PROVINCES, UNKNOWN
from trajects.models import OrganisationKind


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


# Per version and division (01 to 99), its section's key: a division in a gap belongs to the next section.
_DIVISIONS = [
    f"('{version}', '{division:02d}', '{section_key(version, letter)}')"
    for version, sections in SECTIONS.items()
    for division in range(1, 100)
    for letter in [next(letter for last, letter, _label in sections if division <= int(last))]
]
# A company's section key: none without a code of two valid digits (00 is no division) or a known version.
_SECTION_JOIN = f"""
LEFT JOIN (VALUES {", ".join(_DIVISIONS)}) AS s(version, division, key)
       ON s.version = c.nace_version AND s.division = left(c.nace_code, 2)"""

_APPROVED = f"""
approved AS (
    SELECT a.*
    FROM participants_application a
    WHERE a.decided_on <= %(as_of)s
      AND a.status <> '{ApplicationStatus.REJECTED}'
      AND NOT (a.status = '{ApplicationStatus.WITHDRAWN}' AND a.ended_on IS NOT NULL
               AND a.ended_on <= %(as_of)s)
)"""

_POPULATION = f"c.is_active AND c.province IN ({_quoted(POPULATION_PROVINCES)})"

# Per company of the population: reached or not; beside the cells, the companies approved in any traject.
_COMPANY_REACH = """
WITH {approved},
reached AS (SELECT DISTINCT company_id FROM approved),
cells AS (
    SELECT {key} AS key, count(*) AS population, count(r.company_id) AS reached
    FROM participants_company c
    LEFT JOIN reached r ON r.company_id = c.id{join}
    WHERE {population}
    GROUP BY 1
)
SELECT cells.key, cells.population, cells.reached, (SELECT count(*) FROM reached) AS any_traject
FROM (SELECT 1) AS one LEFT JOIN cells ON true
"""

REACH_SQL = {
    "province": _COMPANY_REACH.format(approved=_APPROVED, key="c.province", join="", population=_POPULATION),
    "nace_section": _COMPANY_REACH.format(
        approved=_APPROVED, key="s.key", join=_SECTION_JOIN, population=_POPULATION
    ),
    # The population from the size table in force; the reached by the class of their latest approval.
    "size_class": f"""
WITH {_APPROVED},
latest AS (
    SELECT DISTINCT ON (company_id) company_id, size_class_at_approval
    FROM approved
    ORDER BY company_id, decided_on DESC, id DESC
),
size_table AS (
    SELECT id FROM reporting_sizetable WHERE reference_date <= %(as_of)s
    ORDER BY reference_date DESC, id DESC LIMIT 1
),
enterprises AS (
    SELECT band.size_class, sum(band.enterprises) AS enterprises
    FROM reporting_sizetablerow band JOIN size_table t ON t.id = band.table_id
    WHERE band.province IN ({_quoted(POPULATION_PROVINCES)})
    GROUP BY band.size_class
),
reached AS (
    SELECT l.size_class_at_approval AS size_class, count(*) AS reached
    FROM latest l JOIN participants_company c ON c.id = l.company_id
    WHERE {_POPULATION}
    GROUP BY 1
),
cells AS (
    SELECT coalesce(r.size_class, e.size_class) AS key, e.enterprises AS population,
           coalesce(r.reached, 0) AS reached
    FROM reached r FULL JOIN enterprises e ON e.size_class = r.size_class
)
SELECT cells.key, cells.population, cells.reached, (SELECT count(*) FROM latest) AS any_traject
FROM (SELECT 1) AS one LEFT JOIN cells ON true
""",
}

_PROMOTER_KINDS = _quoted((OrganisationKind.SERVICE_PROVIDER, OrganisationKind.PROMOTER))
# Per dimension of the breakdown: the joins it needs beyond the application (``l``) and the value it
# groups by, as the API gives it ("" for a value the data do not have).
_DIMENSIONS = {
    "traject": ("JOIN trajects_traject t ON t.id = l.traject_id", "t.code"),
    "size_class": ("", "coalesce(l.size_class_at_approval, '')"),
    "province": ("JOIN participants_company c ON c.id = l.company_id", "coalesce(c.province, '')"),
    "nace_section": (
        "JOIN participants_company c ON c.id = l.company_id" + _SECTION_JOIN,
        "coalesce(s.key, '')",
    ),
    "joint_committee": (
        "JOIN participants_company c ON c.id = l.company_id",
        "coalesce(c.joint_committee, '')",
    ),
    "sector_fund": (
        "LEFT JOIN participants_referral referral ON referral.id = l.referral_id",
        "coalesce(referral.sector_fund_id::text, '')",
    ),
    "project": ("", "coalesce(l.project_id::text, '')"),
    # The first by name of the project's service providers and promoters.
    "promoter": (
        f"""LEFT JOIN LATERAL (
    SELECT o.id FROM trajects_project_organisations po
    JOIN trajects_organisation o ON o.id = po.organisation_id
    WHERE po.project_id = l.project_id AND o.kind IN ({_PROMOTER_KINDS})
    ORDER BY o.name, o.id LIMIT 1
) promoter ON true""",
        "coalesce(promoter.id::text, '')",
    ),
    "decision_year": ("", "extract(year FROM l.decided_on)::int::text"),
    "decision_quarter": (
        "",
        "extract(year FROM l.decided_on)::int || '-Q' || extract(quarter FROM l.decided_on)::int",
    ),
}

# The companies approved as of the date per value of the dimension (each once per value), and in the
# grouping set () the companies approved in any of them, each once: the total.
BREAKDOWN_SQL = {
    dimension: f"""
WITH {_APPROVED},
latest AS (
    SELECT DISTINCT ON (company_id, traject_id) *
    FROM approved
    ORDER BY company_id, traject_id, decided_on DESC, id DESC
)
SELECT grouping({value}) = 1 AS is_total, {value} AS key, count(DISTINCT l.company_id) AS companies
FROM latest l
{joins}
GROUP BY GROUPING SETS (({value}), ())
"""
    for dimension, (joins, value) in _DIMENSIONS.items()
}


def _rows(query: str, as_of: datetime.date) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, {"as_of": as_of})
        return cursor.fetchall()


def reach_rows(by: str, as_of: datetime.date) -> list[tuple]:
    """Return the rows of the hand-written reach ``by``: (key, population, reached, companies in any
    traject)."""
    return _rows(REACH_SQL[by], as_of)


def breakdown_rows(dimension: str, as_of: datetime.date) -> list[tuple]:
    """Return the rows of the hand-written breakdown of the approved companies by ``dimension``: (is the
    total, key, companies)."""
    return _rows(BREAKDOWN_SQL[dimension], as_of)


def reach_numbers_from_sql(rows: list[tuple]) -> dict:
    """Return the counts of the hand-written reach: per cell with any (population, reached), and the
    companies reached outside the population."""
    cells = {
        key or UNKNOWN: (population or 0, reached)
        for key, population, reached, _any in rows
        if reached is not None and (population or reached)
    }
    reached_in_population = sum(reached for _population, reached in cells.values())
    return {"cells": cells, "reached_outside_population": rows[0][3] - reached_in_population}


def reach_numbers_from_figures(figures: dict) -> dict:
    """Return the counts of the reach's figures (``reach_cells``) in the shape of
    :func:`reach_numbers_from_sql`."""
    return {
        "cells": {
            cell["code"]: (cell["population"] or 0, cell["reached"])
            for cell in figures["cells"]
            if cell["population"] or cell["reached"]
        },
        "reached_outside_population": figures["reached_outside_population"],
    }


def breakdown_numbers_from_sql(rows: list[tuple]) -> dict:
    """Return the companies of the hand-written breakdown: per value, and the total."""
    return {
        "cells": {key: companies for is_total, key, companies in rows if not is_total},
        "total": next((companies for is_total, _key, companies in rows if is_total), 0),
    }


def breakdown_numbers_from_figures(figures: dict) -> dict:
    """Return the companies of a one-dimension breakdown's figures (``breakdown``) in the shape of
    :func:`breakdown_numbers_from_sql`."""
    return {
        "cells": {row["keys"][0]: row["values"][0] for row in figures["rows"]},
        "total": figures["total"][0],
    }
