"""A synthetic KBO open-data extract of a given number of rows, as the KBO publishes it.

Each enterprise has 15 rows over the four files (one enterprise row, two denominations, one address
and eleven activities, about the mix of the real extract), numbered upwards from ``first`` so the
files are sorted as the importer requires. The numbers start with 1, like the enterprise numbers
issued since 2023, and stay clear of the demo data's range. The files are written by
``demo.kbo_extract``, as the demo's population is.
"""

import random
from pathlib import Path

from demo.kbo_extract import ExtractWriter, enterprise_number

ROWS_PER_ENTERPRISE = 15
LEGAL_FORMS = ["610", "014", "017", "706", "612", "015"]
PLACES = [
    ("9000", "Gent"),
    ("2000", "Antwerpen"),
    ("3000", "Leuven"),
    ("8000", "Brugge"),
    ("3500", "Hasselt"),
]
NACE_CODES = ["10711", "25620", "41201", "43221", "46900", "47241", "56101", "62010", "69201", "85599"]


def write_synthetic_extract(directory: Path, rows: int, first: int) -> int:
    """Write the four CSV files into ``directory``; return the number of enterprises."""
    enterprises = max(1, rows // ROWS_PER_ENTERPRISE)
    rng = random.Random(first)
    with ExtractWriter(directory) as extract:
        for index in range(enterprises):
            number = enterprise_number(first + index)
            zipcode, municipality = rng.choice(PLACES)
            extract.enterprise(number, juridical_form=rng.choice(LEGAL_FORMS), start_date="01-03-2015")
            extract.denomination(number, f"Onderneming {first + index}")
            extract.denomination(number, f"O{index}", kind="002")
            extract.address(
                number,
                zipcode=zipcode,
                municipality=municipality,
                street="Kerkstraat",
                house_number=str(index % 200 + 1),
            )
            main, *others = rng.sample(NACE_CODES, 4)
            activities = [("001", "2008", main, "MAIN"), ("006", "2008", main, "MAIN")]
            activities += [("001", "2008", code, "SECO") for code in others]
            activities += [("001", "2003", code[:4] + "1", "SECO") for code in (main, *others)]
            activities += [("001", "2025", main, "MAIN"), ("006", "2008", others[0], "SECO")]
            for group, version, code, kind in activities:
                extract.activity(number, code, group=group, version=version, classification=kind)
    return enterprises
