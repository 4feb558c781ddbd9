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


# -- the benchmark's population ------------------------------------------------------------------------

POPULATION_FIRST = 10_000_000  # 1000.000.0xx up: clear of the demo's 12xx-15xx and the extracts above
MAX_POPULATION = 1_999_999  # below the demo population's first number
STOPPED_EVERY = 20  # after every 20th active enterprise one that stopped (not in the population)
# Per thousand enterprises, the seats: the five Flemish provinces, Brussels and Wallonia (the reach leaves
# Wallonia out, so its companies only make the table larger), each with a few (postal code, municipality).
POPULATION_SEATS = [
    (160, [("2000", "Antwerpen"), ("2800", "Mechelen"), ("2300", "Turnhout"), ("2440", "Geel")]),
    (130, [("9000", "Gent"), ("9300", "Aalst"), ("9100", "Sint-Niklaas"), ("9700", "Oudenaarde")]),
    (105, [("8000", "Brugge"), ("8500", "Kortrijk"), ("8800", "Roeselare"), ("8400", "Oostende")]),
    (95, [("3000", "Leuven"), ("1800", "Vilvoorde"), ("1500", "Halle"), ("3300", "Tienen")]),
    (75, [("3500", "Hasselt"), ("3600", "Genk"), ("3800", "Sint-Truiden"), ("3920", "Lommel")]),
    (105, [("1000", "Brussel"), ("1050", "Elsene"), ("1030", "Schaarbeek"), ("1070", "Anderlecht")]),
    (
        330,
        [("4000", "Luik"), ("5000", "Namen"), ("6000", "Charleroi"), ("7000", "Bergen"), ("1300", "Waver")],
    ),
]
# Per thousand: the NACE version of the main activity. The register gives most enterprises a 2025 code
# beside their 2008 one (the import prefers 2025); some only a 2008 one, a few stopped at 2003.
POPULATION_NACE_VERSIONS = [(600, "2025"), (370, "2008"), (30, "2003")]
# Per version, (weight, main activity) over the sections; the codes of 2003 are of its own sections.
POPULATION_NACE_CODES = {
    "2025": [
        (30, "01110"),
        (60, "10711"),
        (130, "41001"),
        (190, "46900"),
        (40, "49410"),
        (60, "56111"),
        (30, "58210"),
        (30, "62100"),
        (50, "64210"),
        (60, "68110"),
        (150, "69100"),
        (50, "81210"),
        (20, "85599"),
        (40, "86210"),
        (20, "93130"),
        (40, "96210"),
    ],
    "2008": [
        (30, "01110"),
        (60, "10711"),
        (130, "41201"),
        (190, "47241"),
        (40, "49410"),
        (60, "56101"),
        (50, "62010"),
        (50, "64200"),
        (60, "68201"),
        (150, "69201"),
        (50, "81210"),
        (20, "85599"),
        (40, "86210"),
        (20, "93130"),
        (40, "96021"),
        (10, "94991"),
    ],
    "2003": [(30, "01110"), (40, "45211"), (60, "52110"), (30, "55301"), (60, "74140"), (20, "93021")],
}
# Per thousand: (juridical form, the form to read under the WVV when it differs).
POPULATION_LEGAL_FORMS = [
    (640, "610", ""),
    (110, "015", "610"),
    (90, "014", ""),
    (35, "706", ""),
    (25, "612", ""),
    (10, "011", ""),
    (80, "017", ""),
    (10, "026", ""),
]


def population_size(active: int) -> int:
    """Return the enterprises a population of ``active`` active ones has, the stopped ones included."""
    return active + active // STOPPED_EVERY


def write_population_extract(directory: Path, active: int, first: int = POPULATION_FIRST) -> int:
    """Write a full extract of ``active`` active enterprises (and after every :data:`STOPPED_EVERY`th one
    a stopped one) numbered up from ``first`` into ``directory``, four rows each: the enterprise, its name,
    its seat and its main activity; return the number of enterprises.

    Drawn from a generator seeded once, so a smaller population is the start of a larger one. No
    meta.csv: the population has no extract number, so the extracts the benchmark imports later are
    never refused as older than it.
    """
    rng = random.Random(first)
    seats, seat_weights = [seat for _w, seat in POPULATION_SEATS], [w for w, _seat in POPULATION_SEATS]
    versions, version_weights = zip(*((v, w) for w, v in POPULATION_NACE_VERSIONS), strict=True)
    codes = {version: list(zip(*rows, strict=True)) for version, rows in POPULATION_NACE_CODES.items()}
    form_weights = [weight for weight, _form, _cac in POPULATION_LEGAL_FORMS]
    enterprises = population_size(active)
    with ExtractWriter(directory) as extract:
        for index in range(enterprises):
            first_eight = first + index
            number = enterprise_number(first_eight)
            stopped = index % (STOPPED_EVERY + 1) == STOPPED_EVERY
            _weight, form, form_cac = rng.choices(POPULATION_LEGAL_FORMS, weights=form_weights)[0]
            extract.enterprise(
                number,
                juridical_form=form,
                juridical_form_cac=form_cac,
                start_date=f"01-{rng.randint(1, 12):02d}-{rng.randint(1960, 2025)}",
                status="ST" if stopped else "AC",
            )
            extract.denomination(number, f"Onderneming {first_eight}")
            zipcode, municipality = rng.choice(rng.choices(seats, weights=seat_weights)[0])
            extract.address(
                number,
                zipcode=zipcode,
                municipality=municipality,
                street="Stationsstraat",
                house_number=str(first_eight % 250 + 1),
            )
            version = rng.choices(versions, weights=version_weights)[0]
            weights, version_codes = codes[version]
            extract.activity(number, rng.choices(version_codes, weights=weights)[0], version=version)
    return enterprises
