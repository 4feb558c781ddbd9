"""A synthetic KBO open-data extract of a given number of rows, as the KBO publishes it, and its updates.

Each enterprise has 15 rows over the four files (one enterprise row, two denominations, one address
and eleven activities, about the mix of the real extract), numbered upwards from ``first`` so the
files are sorted as the importer requires. The numbers start with 1, like the enterprise numbers
issued since 2023, and stay clear of the demo data's range. The files are written by
``demo.kbo_extract``, as the demo's population is.

An update (``write_synthetic_update``) touches a share of the extract's enterprises, as the register's
update files do: of every four touched, one is removed from the register, one renamed, one moves to
another main activity, and one new enterprise is added after the extract's last.
"""

import random
from pathlib import Path

from demo.kbo_extract import ExtractWriter, enterprise_number, write_deletes, write_meta

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
FULL_EXTRACT_NUMBER = 140
MOVED_TO = "96021"  # the main activity an update gives: none of the extract has it, so each one changes


def write_synthetic_extract(
    directory: Path, rows: int, first: int, *, number: int = FULL_EXTRACT_NUMBER
) -> int:
    """Write the four CSV files and meta.csv (a full extract numbered ``number``) into ``directory``;
    return the number of enterprises."""
    enterprises = max(1, rows // ROWS_PER_ENTERPRISE)
    rng = random.Random(first)
    with ExtractWriter(directory) as extract:
        for index in range(enterprises):
            _write_enterprise(extract, rng, first + index, f"Onderneming {first + index}")
    write_meta(directory, extract_type="full", number=number)
    return enterprises


def write_synthetic_update(
    directory: Path, enterprises: int, first: int, share: float, *, number: int = FULL_EXTRACT_NUMBER + 1
) -> dict[str, int]:
    """Write an update (numbered ``number``) of the extract of ``enterprises`` from ``first`` that touches
    ``share`` of them; return how many it removes, renames, moves to another activity and adds."""
    touched = max(4, round(enterprises * share))
    rng = random.Random(first + number)
    chosen = sorted(rng.sample(range(first, first + enterprises), min(touched, enterprises)))
    removed, renamed, moved = chosen[0::3], chosen[1::3], chosen[2::3]
    added = list(range(first + enterprises, first + enterprises + max(1, touched // 4)))
    numbers = {first_eight: enterprise_number(first_eight) for first_eight in (*chosen, *added)}
    write_deletes(
        directory,
        {
            "enterprise.csv": [numbers[n] for n in removed],
            "denomination.csv": [numbers[n] for n in renamed],
            "address.csv": [],
            "activity.csv": [numbers[n] for n in moved],
        },
    )
    with ExtractWriter(directory, insert=True) as update:
        for first_eight in sorted((*renamed, *moved, *added)):
            number_text = numbers[first_eight]
            if first_eight in added:
                _write_enterprise(update, rng, first_eight, f"Nieuwe onderneming {first_eight}")
            elif first_eight in renamed:
                update.denomination(number_text, f"Onderneming {first_eight} (nieuwe naam)")
            else:
                update.activity(number_text, MOVED_TO, version="2025")
    write_meta(directory, extract_type="update", number=number)
    return {"removed": len(removed), "renamed": len(renamed), "moved": len(moved), "added": len(added)}


def _write_enterprise(extract: ExtractWriter, rng: random.Random, first_eight: int, name: str) -> None:
    number = enterprise_number(first_eight)
    zipcode, municipality = rng.choice(PLACES)
    extract.enterprise(number, juridical_form=rng.choice(LEGAL_FORMS), start_date="01-03-2015")
    extract.denomination(number, name)
    extract.denomination(number, f"O{first_eight % 10_000}", kind="002")
    extract.address(
        number,
        zipcode=zipcode,
        municipality=municipality,
        street="Kerkstraat",
        house_number=str(first_eight % 200 + 1),
    )
    main, *others = rng.sample(NACE_CODES, 4)
    activities = [("001", "2008", main, "MAIN"), ("006", "2008", main, "MAIN")]
    activities += [("001", "2008", code, "SECO") for code in others]
    activities += [("001", "2003", code[:4] + "1", "SECO") for code in (main, *others)]
    activities += [("001", "2025", main, "MAIN"), ("006", "2008", others[0], "SECO")]
    for group, version, code, kind in activities:
        extract.activity(number, code, group=group, version=version, classification=kind)
