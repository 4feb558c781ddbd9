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
import shutil
from pathlib import Path

from demo.kbo_extract import (
    HEADERS,
    ExtractWriter,
    enterprise_number,
    extract_line,
    write_deletes,
    write_meta,
)

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


# -- The national extract ----------------------------------------------------------------------------
# Lines of the published open data per 1.9 million enterprises: 1.6 million establishment units, 3.2
# million denominations, 2.9 million addresses and 36 million activities (enterprises' and establishment
# units' both); a national extract of ``enterprises`` has them in proportion.
NATIONAL_ENTERPRISES = 1_900_000
# 0200.000.0xx up, as the register's oldest numbers: clear of the population below and the demo's.
NATIONAL_FIRST = 2_000_000
_PER_ENTERPRISE = {"establishments": 16 / 19, "denominations": 32 / 19, "activities": 360 / 19}
# Of the activities, the enterprises' own lines: the establishment units have the rest.
_ENTERPRISE_ACTIVITIES = 12
NATIONAL_PLACES = [  # postal code, municipality in Dutch, in French, name language (2 Dutch, 1 French)
    ("9000", "Gent", "Gand", "2"),
    ("2000", "Antwerpen", "Anvers", "2"),
    ("3000", "Leuven", "Louvain", "2"),
    ("8000", "Brugge", "Bruges", "2"),
    ("3500", "Hasselt", "Hasselt", "2"),
    ("1800", "Vilvoorde", "Vilvorde", "2"),
    ("1000", "Brussel", "Bruxelles", "1"),
    ("1050", "Elsene", "Ixelles", "1"),
    ("4000", "Luik", "Liège", "1"),
    ("5000", "Namen", "Namur", "1"),
    ("6000", "Charleroi", "Charleroi", "1"),
    ("1300", "Waver", "Wavre", "1"),
]
_BRUSSELS = ("1000", "1050")
# (JuridicalForm, JuridicalFormCAC): companies that did not yet adapt their articles give the WVV form.
NATIONAL_LEGAL_FORMS = [
    ("610", ""),
    ("015", "610"),
    ("014", ""),
    ("017", ""),
    ("706", ""),
    ("612", ""),
    ("011", ""),
    ("026", ""),
    ("124", ""),
    ("030", ""),  # a foreign entity: any form the programme does not tell apart
]
_CHUNK_ENTERPRISES = 20_000


def _place(index: int) -> tuple[str, str, str, str]:
    # By pairs, so that a third being natural persons does not tie them to some places.
    return NATIONAL_PLACES[index // 2 % len(NATIONAL_PLACES)]


def _spread(total: int, count: int, index: int) -> int:
    """Return how many of ``total`` items the ``index``-th of ``count`` entities gets, spread evenly."""
    return (index + 1) * total // count - index * total // count


def _activity_lines(main: str, others: list[str], *, with_2025: bool, employer: bool) -> list[str]:
    """Return the activity lines (without the number) of an entity, the main activity first in every
    nomenclature the register has for it, then secondary ones; a caller takes as many as it needs."""
    lines = [("001", "2025", main, "MAIN")] if with_2025 else []
    lines += [("001", "2008", main, "MAIN"), ("001", "2003", main[:4] + "1", "MAIN")]
    if employer:
        lines.append(("006", "2008", main, "MAIN"))
    for code in others:
        lines += [("001", "2025", code, "SECO"), ("001", "2008", code, "SECO"), ("003", "2003", code, "SECO")]
    return [extract_line(*line) for line in lines]


def write_national_extract(directory: Path, enterprises: int, first: int = NATIONAL_FIRST) -> dict[str, int]:
    """Write a full extract of ``enterprises`` in the published layout, at the real proportions, into
    ``directory``: enterprise.csv, establishment.csv, denomination.csv, address.csv, activity.csv and
    meta.csv. Return the lines written per file.

    A third of the enterprises are natural persons (no address in the open data), one in 25 has stopped,
    some have a struck-off or foreign seat or no NACE-BEL 2025 code; names are in the language of the
    region, both languages in Brussels. Each file lists the enterprises, then the establishment units,
    sorted by number as published, so the streaming reader can read it too.
    """
    establishments = round(enterprises * _PER_ENTERPRISE["establishments"])
    # A legal name each, a second one in Brussels, an abbreviation for one in ten: the units have the rest.
    brussels = sum(1 for index in range(enterprises) if _place(index)[0] in _BRUSSELS)
    enterprise_names = enterprises + brussels + (enterprises + 9) // 10
    establishment_names = max(0, round(enterprises * _PER_ENTERPRISE["denominations"]) - enterprise_names)
    establishment_activities = (
        round(enterprises * _PER_ENTERPRISE["activities"]) - enterprises * _ENTERPRISE_ACTIVITIES
    )
    templates = {
        (main, with_2025, employer): _activity_lines(
            main, [code for code in NACE_CODES if code != main], with_2025=with_2025, employer=employer
        )
        for main in NACE_CODES
        for with_2025 in (True, False)
        for employer in (True, False)
    }
    counts = dict.fromkeys(
        ("enterprise.csv", "establishment.csv", "denomination.csv", "address.csv", "activity.csv"), 0
    )
    headers = {**HEADERS, "establishment.csv": '"EstablishmentNumber","StartDate","EnterpriseNumber"'}
    files = {name: (directory / name).open("w", encoding="utf-8", newline="\n") for name in counts}
    # The establishment units' lines come after every enterprise's: kept aside until the enterprises end.
    side_files = ("denomination.csv", "address.csv", "activity.csv")
    later = {
        name: (directory / f"{name}.units").open("w+", encoding="utf-8", newline="\n") for name in side_files
    }
    try:
        for name, handle in files.items():
            handle.write(headers[name] + "\n")
        unit = 0  # establishment units so far
        for start in range(0, enterprises, _CHUNK_ENTERPRISES):
            lines = {name: [] for name in counts}
            units = {name: [] for name in counts}
            for index in range(start, min(start + _CHUNK_ENTERPRISES, enterprises)):
                number = enterprise_number(first + index)
                prefix = f'"{number}",'
                zipcode, dutch, french, language = _place(index)
                natural_person = index % 3 == 0
                form, cac = (
                    ("", "") if natural_person else NATIONAL_LEGAL_FORMS[index % len(NATIONAL_LEGAL_FORMS)]
                )
                status = "ST" if index % 25 == 7 else "AC"
                start_date = f"{index % 28 + 1:02d}-{index % 12 + 1:02d}-{1950 + index % 75}"
                lines["enterprise.csv"].append(
                    prefix
                    + extract_line(status, "000", "1" if natural_person else "2", form, cac, start_date)
                )
                name = f"Onderneming {first + index}"
                lines["denomination.csv"].append(prefix + extract_line(language, "001", name))
                if zipcode in _BRUSSELS:
                    other = "2" if language == "1" else "1"
                    lines["denomination.csv"].append(
                        prefix + extract_line(other, "001", f"Entreprise {first + index}")
                    )
                if index % 10 == 0:
                    lines["denomination.csv"].append(prefix + extract_line("0", "002", f"O{index % 10_000}"))
                if not natural_person:
                    if index % 20 == 1:
                        lines["address.csv"].append(
                            prefix
                            + extract_line(
                                "REGO",
                                "",
                                "",
                                "9000",
                                "Gent",
                                "Gand",
                                "Oude baan",
                                "",
                                "1",
                                "",
                                "",
                                "01-01-2019",
                            )
                        )
                    if index % 50 == 2:
                        seat = (
                            "REGO",
                            "Nederland",
                            "Pays-Bas",
                            "4811",
                            "Breda",
                            "Breda",
                            "Markt",
                            "",
                            "3",
                            "",
                            "",
                            "",
                        )
                    else:
                        seat = (
                            "REGO",
                            "",
                            "",
                            zipcode,
                            dutch,
                            french,
                            "Kerkstraat",
                            "",
                            str(index % 200 + 1),
                            "",
                            "",
                            "",
                        )
                    lines["address.csv"].append(prefix + extract_line(*seat))
                main = NACE_CODES[index % len(NACE_CODES)]
                template = templates[(main, index % 7 != 0, index % 4 == 0)]
                lines["activity.csv"] += [prefix + line for line in template[:_ENTERPRISE_ACTIVITIES]]
                for _unit in range(_spread(establishments, enterprises, index)):
                    digits = f"{2_000_000_000 + unit}"
                    unit_prefix = f'"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}",'
                    units["establishment.csv"].append(unit_prefix + extract_line(start_date, number))
                    units["address.csv"].append(
                        unit_prefix
                        + extract_line(
                            "BAET", "", "", zipcode, dutch, french, "Marktplein", "", "2", "", "", ""
                        )
                    )
                    for _name in range(_spread(establishment_names, establishments, unit)):
                        units["denomination.csv"].append(
                            unit_prefix + extract_line(language, "003", f"{name} vestiging")
                        )
                    activities = _spread(establishment_activities, establishments, unit)
                    units["activity.csv"] += [unit_prefix + line for line in template[:activities]]
                    unit += 1
            # Establishment units are numbered from 2.000.000.000 in the enterprises' order: already sorted.
            for name, chunk in lines.items():
                files[name].writelines(chunk)
                # establishment.csv has the units only, in order already.
                later.get(name, files[name]).writelines(units[name])
                counts[name] += len(chunk) + len(units[name])
        for name, handle in later.items():
            handle.seek(0)
            shutil.copyfileobj(handle, files[name], 1 << 20)
    finally:
        for handle in (*files.values(), *later.values()):
            handle.close()
        for name in side_files:
            (directory / f"{name}.units").unlink(missing_ok=True)
    write_meta(directory, extract_type="full", number=FULL_EXTRACT_NUMBER)
    return counts


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
