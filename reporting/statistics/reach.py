"""The reach of the Voorsprong trajects against the whole population of enterprises, as of a date.

**The population** is the active enterprises with a seat in the five Flemish provinces or Brussels, as the
KBO import keeps them (``participants.Company``: ``is_active``, ``province``). **Reached** is a company of
that population approved in any traject as of the date: it has an application that counted as approved
then (``participants.selectors.latest_approvals_as_of``, the definition question 244 uses). Companies
reached that are not in the population (stopped since, a seat elsewhere or unknown) are counted apart, so
the total reached plus those equals the companies in one or more trajects of question 244.

Per cell of ``by`` (``province``, ``nace_section``, or ``size_class``):

- ``population``: the enterprises of the cell;
- ``reached``: the companies reached of the cell;
- ``reach_per_1000``: reached per 1,000 enterprises of the cell, ``reached x 1000 / population``;
- ``representation_ratio``: the cell's share among the companies reached divided by its share in the
  population, ``(reached / total reached) / (population / total population)``; 1 is represented as in
  the population, below 1 under-reached, above 1 over-reached.

Both are computed exactly from the counts and rounded once, half up (a tie goes away from zero, as the
minister's figures are rounded): the reach per 1,000 to one decimal, the ratio to two. Without a
population (or nobody reached at all) a figure is null, never 0.

**By NACE section** the section is the one of the company's NACE code in the code's own version
(``participants.nace``): ``J`` of NACE-BEL 2008, ``2025-K`` of 2025, ``2003-I`` of 2003, so versions are
never added up under one letter. The sections of 2008 are always listed, those of another version when
any company has a code of it (the newest version first); companies without a valid code make a cell
``unknown`` when there are any.

**By size class** the KBO has no staff, so the population comes from the aggregate table officers upload
(``reporting.services.size_tables``): the latest upload of the latest reference date on or before the
date, its rows of the five Flemish provinces and Brussels, per size class of their staff band
(``reporting.size_bands``). A reached company counts by the size class its latest approval as of the date
rested on (``size_class_at_approval``, as question 244 counts). Non-profit is a legal status, not a band,
and ``unknown`` has no band either: those reached companies get cells of their own, in the total reached
but without a population, and the ratios of the four classes compare shares among the companies reached
that have one of them. Without a table for the date the view has no denominator: ``size_table`` is null
and every population, reach and ratio too, while the companies reached are still counted.

No company is named: the figures are counts only. Queries: two by province or NACE section, four by
size class, whatever the number of companies.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Left
from django.utils.translation import gettext as _

from participants.geography import Province
from participants.models import Company
from participants.nace import (
    VERSIONS,
    NaceVersion,
    nace_section,
    section_key,
    section_keys,
    section_letter,
    section_name,
    section_version,
)
from participants.selectors import approvals_without_a_later_one, approved_as_of, companies_in_any_traject
from reporting.models import SizeTable, SizeTableRow
from reporting.selectors import report_figures
from reporting.size_bands import SIZE_CLASSES_WITH_BANDS
from trajects.size_classes import SizeClass

BY = ("province", "nace_section", "size_class")
POPULATION_PROVINCES = (
    Province.ANTWERPEN,
    Province.LIMBURG,
    Province.OOST_VLAANDEREN,
    Province.VLAAMS_BRABANT,
    Province.WEST_VLAANDEREN,
    Province.BRUSSEL,
)
UNKNOWN = "unknown"
# Reached companies whose size class has no staff band: shown, but without a population.
CLASSES_WITHOUT_BAND = (SizeClass.NON_PROFIT, SizeClass.UNKNOWN)
REACH_PLACES, RATIO_PLACES = 1, 2


def population() -> QuerySet[Company]:
    """Return the population: the active enterprises with a seat in Flanders or Brussels."""
    return Company.objects.filter(is_active=True, province__in=POPULATION_PROVINCES)


def rounded(numerator: int, denominator: int, places: int) -> Decimal | None:
    """Return ``numerator / denominator`` rounded half up to ``places`` decimals, exactly (integer
    arithmetic, no binary fraction on the way); None when the denominator is 0."""
    if not denominator:
        return None
    quotient, remainder = divmod(numerator * 10**places, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return Decimal(quotient).scaleb(-places)


def size_table_as_of(as_of: datetime.date) -> SizeTable | None:
    """Return the size table in force on ``as_of``: the latest upload of the latest reference date on or
    before it; None when there is none."""
    return SizeTable.objects.filter(reference_date__lte=as_of).order_by("-reference_date", "-pk").first()


def reach_figures(as_of: datetime.date, by: str) -> dict[str, Any]:
    """Return the reach as of ``as_of`` per cell of ``by`` (one of :data:`BY`), with the totals, JSON-ready
    (counts as numbers, reach and ratios as decimal strings, ``"62.5"``, as question 244's shares), in the
    envelope of every report kind: ``kind`` and ``as_of`` first, the fingerprint of the figures last."""
    return report_figures("reach", as_of, {"by": by})


def reach_cells(as_of: datetime.date, by: str) -> dict[str, Any]:
    """Return the reach's own figures as of ``as_of`` per cell of ``by``: the report kind's figures."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}.")
    table = None
    if by == "size_class":
        table = size_table_as_of(as_of)
        cells = _size_class_cells(as_of, table)
    else:
        cells = _company_cells(as_of, by)
    return {
        "by": by,
        "size_table": _table_summary(table) if by == "size_class" and table else None,
        **_with_figures(cells),
        "reached_outside_population": companies_in_any_traject(as_of) - sum(c["reached"] for c in cells),
    }


# -- the cells -------------------------------------------------------------------------------------------
def _company_cells(as_of: datetime.date, by: str) -> list[dict]:
    """Return the cells of a view whose population is the KBO's companies: one grouped query over the
    population counts each cell's enterprises and, of them, the companies reached (one pass over the
    population, which is the size of the register)."""
    # The companies of latest_approvals_as_of (reached), without its window: the same companies, cheaper.
    reached_ids = approved_as_of(as_of).values("company_id")
    # By NACE section the database groups by version and division, a few hundred groups, and the sections
    # follow from those here: cheaper than reading every code of the register through the sections' CASE.
    keys = ["province"] if by == "province" else ["nace_version", "division"]
    rows = (
        population()
        .annotate(division=Left("nace_code", 2))
        .values(*keys)
        .annotate(population=Count("pk"), reached=Count("pk", filter=Q(pk__in=reached_ids)))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        if by == "province":
            code = row["province"]
        else:
            letter = nace_section(row["division"], row["nace_version"]) if row["nace_version"] else None
            code = section_key(row["nace_version"], letter) if letter else UNKNOWN
        cell = counts.setdefault(code, {"population": 0, "reached": 0})
        cell["population"] += row["population"]
        cell["reached"] += row["reached"]
    if by == "province":
        codes = [(province.value, str(province.label)) for province in POPULATION_PROVINCES]
    else:
        # Every section of NACE-BEL 2008, and of another version every section once it has a company.
        versions = {section_version(key) for key in counts if key != UNKNOWN} | {NaceVersion.NACE_2008}
        codes = [
            (key, f"{section_letter(key)} {section_name(key)}")
            for version in VERSIONS
            if version in versions
            for key in section_keys(version)
        ]
        if UNKNOWN in counts:
            codes.append((UNKNOWN, _("No valid NACE code")))
    return [
        {
            "code": code,
            "label": label,
            "population": counts.get(code, {}).get("population", 0),
            "reached": counts.get(code, {}).get("reached", 0),
        }
        for code, label in codes
    ]


def _size_class_cells(as_of: datetime.date, table: SizeTable | None) -> list[dict]:
    """Return the cells by size class: the population from ``table`` (None without one), the companies
    reached by the size class of their latest approval as of ``as_of``."""
    # Per company its newest approval as of the date: the latest of its latest approvals per traject.
    newest = approvals_without_a_later_one(as_of, per_traject=False)
    counts = {
        row["size_class_at_approval"]: row["count"]
        for row in newest.filter(company__in=population())
        .values("size_class_at_approval")
        .annotate(count=Count("pk"))
        .order_by()
    }
    enterprises = {}
    if table is not None:
        rows = SizeTableRow.objects.filter(table=table, province__in=POPULATION_PROVINCES)
        enterprises = {
            row["size_class"]: row["enterprises"]
            for row in rows.values("size_class").annotate(enterprises=Sum("enterprises")).order_by()
        }
    return [
        {
            "code": size_class.value,
            "label": str(size_class.label),
            "population": enterprises.get(size_class, 0)
            if table and size_class in SIZE_CLASSES_WITH_BANDS
            else None,
            "reached": counts.get(size_class.value, 0),
        }
        for size_class in (*SIZE_CLASSES_WITH_BANDS, *CLASSES_WITHOUT_BAND)
    ]


def _with_figures(cells: list[dict]) -> dict:
    """Return the cells with their reach and ratio, and the totals; the shares compare the cells that have
    a population."""
    counted = [cell for cell in cells if cell["population"] is not None]
    total_population = sum(cell["population"] for cell in counted) if counted else None
    reached_counted = sum(cell["reached"] for cell in counted)
    for cell in cells:
        if cell["population"] is None:
            cell["reach_per_1000"] = cell["representation_ratio"] = None
            continue
        cell["reach_per_1000"] = _text(rounded(cell["reached"] * 1000, cell["population"], REACH_PLACES))
        # (reached / reached_counted) / (population / total_population), as one exact fraction.
        cell["representation_ratio"] = _text(
            rounded(cell["reached"] * total_population, reached_counted * cell["population"], RATIO_PLACES)
        )
    total_reached = sum(cell["reached"] for cell in cells)
    return {
        "cells": cells,
        "total": {
            "population": total_population,
            "reached": total_reached,
            "reach_per_1000": _text(rounded(reached_counted * 1000, total_population or 0, REACH_PLACES)),
        },
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _table_summary(table: SizeTable) -> dict:
    return {
        "reference_date": table.reference_date.isoformat(),
        "source": table.source,
        "uploaded_at": table.uploaded_at.date().isoformat(),
    }
