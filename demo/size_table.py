"""A sample table of enterprises per NACE section, staff band and province, for the reach per size class.

Statistics offices publish such tables; the demo makes one that fits its own population (the active
companies with a seat in Flanders or Brussels that ``seed_demo`` wrote), so that every reach stays
below 1,000 per 1,000 and the ratios are plausible. Per province and section, each company whose size
is declared counts in the bands of its class (a non-profit in the class of its staff: the table counts
staff, not legal forms); the companies as the KBO import leaves them (size unknown) are spread over the
classes as enterprises are in Flanders, nearly all micro. Each class is split over its bands in fixed
shares. The table is written as the CSV an officer would upload and loaded through the import service.
"""

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count

from participants.nace import NaceVersion, nace_section_expression
from reporting.models import SizeTable
from reporting.services.size_tables import import_size_table
from reporting.statistics.reach import population
from trajects.size_classes import SizeClass, classify
from voorsprong.models import User

REFERENCE_DATE = datetime.date(2024, 12, 31)
SOURCE = "Demotabel naar het model van Statbel (fictieve aantallen)"
FILE_NAME = "ondernemingen-per-grootteklasse-demo.csv"

# How enterprises of unknown size spread over the classes: nearly all of Flanders' are micro.
UNKNOWN_SPREAD = {SizeClass.MICRO: 955, SizeClass.SMALL: 36, SizeClass.MEDIUM: 7, SizeClass.LARGE: 2}
# Each class's bands and the share of its enterprises in each.
BANDS = {
    SizeClass.MICRO: {"0": 60, "1-4": 30, "5-9": 10},
    SizeClass.SMALL: {"10-19": 65, "20-49": 35},
    SizeClass.MEDIUM: {"50-99": 60, "100-249": 40},
    SizeClass.LARGE: {"250-499": 55, "500-999": 25, "1000+": 20},
}


def load_size_table(by: User) -> SizeTable | None:
    """Upload the sample table as ``by`` unless it is there already; None when it was, or when there is no
    population to describe."""
    if SizeTable.objects.filter(reference_date=REFERENCE_DATE, source=SOURCE).exists():
        return None
    text = size_table_csv()
    if text.count("\n") < 2:
        return None
    return import_size_table(
        io.BytesIO(text.encode("utf-8")),
        reference_date=REFERENCE_DATE,
        source=SOURCE,
        by=by,
        file_name=FILE_NAME,
    )


def size_table_csv() -> str:
    """Return the sample table as CSV (``;``), a line per section, province and band with enterprises."""
    classes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    groups = (
        population()
        # A size table has the sections of NACE-BEL 2008 (reporting.models.SizeTableRow).
        .filter(nace_version=NaceVersion.NACE_2008)
        .annotate(section=nace_section_expression())
        .exclude(section="")
        .values("province", "section", "size_class", "staff_headcount")
        .annotate(companies=Count("pk"))
        .order_by()
    )
    for group in groups:
        cell = classes[(group["section"], group["province"])]
        size_class = group["size_class"]
        if size_class == SizeClass.NON_PROFIT:
            size_class = classify(
                is_non_profit=False,
                staff_headcount=group["staff_headcount"],
                turnover=None,
                balance_sheet_total=None,
            )
        if size_class == SizeClass.UNKNOWN:
            cell.update(_split(group["companies"], UNKNOWN_SPREAD))
        else:
            cell[size_class] += group["companies"]
    lines = ["sectie;grootteklasse;provincie;ondernemingen"]
    for (section, province), counts in sorted(classes.items()):
        for size_class, bands in BANDS.items():
            for band, enterprises in _split(counts[size_class], bands).items():
                if enterprises:
                    lines.append(f"{section};{band};{province};{enterprises}")
    return "\n".join(lines) + "\n"


def _split(total: int, shares: dict) -> dict:
    """Return ``total`` split over the keys of ``shares`` in proportion, whole numbers adding up to it (the
    largest remainders get the rest)."""
    weight = sum(shares.values())
    exact = {key: Decimal(total * share) / weight for key, share in shares.items()}
    parts = {key: int(value) for key, value in exact.items()}
    rest = total - sum(parts.values())
    for key in sorted(exact, key=lambda key: exact[key] - parts[key], reverse=True)[:rest]:
        parts[key] += 1
    return parts
