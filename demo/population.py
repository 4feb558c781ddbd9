"""A synthetic population of active enterprises with a seat in Flanders or Brussels, for the reach.

The reach compares the companies the programmes reach with all companies that exist, as the KBO
extract has them. The demo writes such a population as a KBO extract (``demo.kbo_extract``) and imports
it with the import officers use (``participants.services.import_kbo_extract``), so it holds what an
import holds: name, legal form, non-profit or not, founding date, seat (postal code, so province) and
main activity in NACE-BEL 2008, and no staff figures (size class ``unknown``, non-profits aside).

The proportions are rounded from the published counts of active VAT-liable enterprises and employers
in Flanders and Brussels: the shares of the provinces and Brussels, of the NACE sections (no
agriculture in Brussels), of the legal forms, and about one in eleven a non-profit. Only legal persons
are written: the open data gives no seat for a natural person, so the reach could not place one.

The enterprises are numbered from 1200.000.0xx up (fictitious: beyond the numbers issued so far, below
the demo companies' 15xx.xxx.xxx) and drawn from a generator seeded once, so a smaller population is
the start of a larger one and a second run finds the population there and changes nothing.
"""

import datetime
import random
import tempfile
from pathlib import Path

from faker import Faker

from demo.kbo_extract import ExtractWriter, enterprise_number
from participants.geography import Province
from participants.kbo import kbo_number_with_check_digits
from participants.models import Company
from participants.services import KboImportResult, import_kbo_extract

PER_SCALE = 20_000  # enterprises per unit of ``--scale``
FIRST = 12_000_000  # the first eight digits of the first enterprise number
MAX_POPULATION = 3_000_000  # up to 1499.999.9xx
IMPORT_BATCH_SIZE = 5_000
SEED = "voorsprong-demo-population"
LAST_YEAR = 2025  # the youngest enterprises were founded in the year of question 244

# Per thousand enterprises.
PROVINCE_SHARES = {
    Province.ANTWERPEN: 240,
    Province.OOST_VLAANDEREN: 195,
    Province.WEST_VLAANDEREN: 160,
    Province.VLAAMS_BRABANT: 145,
    Province.LIMBURG: 110,
    Province.BRUSSEL: 150,
}
# (postal code, municipality, weight) of the seats in each province.
PLACES = {
    Province.ANTWERPEN: [
        ("2000", "Antwerpen", 20),
        ("2018", "Antwerpen", 8),
        ("2800", "Mechelen", 8),
        ("2300", "Turnhout", 5),
        ("2440", "Geel", 4),
        ("2500", "Lier", 4),
        ("2900", "Schoten", 3),
        ("2930", "Brasschaat", 4),
        ("2400", "Mol", 3),
        ("2640", "Mortsel", 2),
    ],
    Province.OOST_VLAANDEREN: [
        ("9000", "Gent", 20),
        ("9300", "Aalst", 7),
        ("9100", "Sint-Niklaas", 7),
        ("9200", "Dendermonde", 4),
        ("9160", "Lokeren", 4),
        ("9400", "Ninove", 3),
        ("9700", "Oudenaarde", 3),
        ("9900", "Eeklo", 2),
    ],
    Province.WEST_VLAANDEREN: [
        ("8000", "Brugge", 10),
        ("8500", "Kortrijk", 8),
        ("8800", "Roeselare", 6),
        ("8400", "Oostende", 6),
        ("8900", "Ieper", 3),
        ("8870", "Izegem", 3),
        ("8700", "Tielt", 2),
        ("8600", "Diksmuide", 2),
    ],
    Province.VLAAMS_BRABANT: [
        ("3000", "Leuven", 10),
        ("1800", "Vilvoorde", 5),
        ("1930", "Zaventem", 4),
        ("1700", "Dilbeek", 4),
        ("1500", "Halle", 4),
        ("3200", "Aarschot", 3),
        ("3300", "Tienen", 3),
        ("3290", "Diest", 2),
    ],
    Province.LIMBURG: [
        ("3500", "Hasselt", 9),
        ("3600", "Genk", 7),
        ("3800", "Sint-Truiden", 4),
        ("3580", "Beringen", 3),
        ("3920", "Lommel", 3),
        ("3630", "Maasmechelen", 3),
        ("3700", "Tongeren", 3),
        ("3900", "Pelt", 2),
    ],
    Province.BRUSSEL: [
        ("1000", "Brussel", 12),
        ("1050", "Elsene", 6),
        ("1030", "Schaarbeek", 5),
        ("1070", "Anderlecht", 5),
        ("1180", "Ukkel", 4),
        ("1060", "Sint-Gillis", 3),
        ("1080", "Sint-Jans-Molenbeek", 3),
        ("1200", "Sint-Lambrechts-Woluwe", 3),
    ],
}
STREETS = [
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Nieuwstraat",
    "Molenstraat",
    "Industrieweg",
    "Markt",
]

# Enterprises per thousand that are non-profits (vzw, ivzw, foundations).
NON_PROFIT_SHARE = 90
# Per NACE section of a company (not a non-profit): (per thousand, word in the name, NACE-BEL 2008 codes).
COMPANY_SECTIONS = {
    "A": (35, "Agri", ["01110", "01130", "01410", "01461", "01500", "01610"]),
    "B": (1, "Groeve", ["08120"]),
    "C": (65, "Productie", ["10711", "16230", "22220", "25620", "28290", "31091", "33120"]),
    "D": (8, "Energie", ["35111", "35140"]),
    "E": (4, "Recyclage", ["38110", "38212", "39000"]),
    "F": (135, "Bouw", ["41101", "41201", "42110", "43211", "43221", "43320", "43341", "43991"]),
    "G": (190, "Handel", ["45111", "45201", "46390", "46711", "46900", "47111", "47190", "47241", "47711"]),
    "H": (35, "Transport", ["49320", "49410", "52290", "53200"]),
    "I": (60, "Horeca", ["55100", "56101", "56210", "56301"]),
    "J": (50, "Digital", ["58290", "59111", "62010", "62020", "63110"]),
    "K": (55, "Holding", ["64200", "64190", "66220"]),
    "L": (60, "Vastgoed", ["68100", "68201", "68203", "68311"]),
    "M": (145, "Consult", ["69101", "69201", "70220", "71111", "71121", "73110", "74101", "75000"]),
    "N": (45, "Services", ["77110", "78100", "81210", "81300", "82990"]),
    "P": (15, "Academie", ["85320", "85510", "85599"]),
    "Q": (45, "Zorgpraktijk", ["86210", "86220", "86905"]),
    "R": (15, "Events", ["90011", "93130", "93199"]),
    "S": (37, "Kapsalon", ["95230", "96021", "96040"]),
}
# Per NACE section of a non-profit.
NON_PROFIT_SECTIONS = {
    "S": (450, "Vereniging", ["94110", "94991", "94992"]),
    "Q": (200, "Zorg", ["87301", "88101", "88991"]),
    "P": (130, "Vorming", ["85510", "85599"]),
    "R": (180, "Sport en Cultuur", ["90012", "93120", "93199"]),
    "N": (40, "Dienstencentrum", ["82990"]),
}
# Per thousand of each kind: (KBO juridical form, the form to read under the WVV when it differs, suffix).
COMPANY_FORMS = [
    (700, "610", "", "BV"),  # besloten vennootschap
    (120, "015", "610", "BV"),  # a BVBA that did not yet adapt its articles: read as BV
    (100, "014", "", "NV"),
    (40, "706", "", "CV"),
    (5, "008", "706", "CV"),  # a CVBA, read as CV
    (25, "612", "", "CommV"),
    (10, "011", "", "VOF"),
]
NON_PROFIT_FORMS = [
    (900, "017", "", "vzw"),
    (30, "125", "", "ivzw"),
    (60, "026", "", "Stichting"),  # private stichting
    (10, "029", "", "Stichting"),  # stichting van openbaar nut
]


def default_size(scale: int) -> int:
    """Return the population ``seed_demo --scale`` writes when not told how many: 20,000 per unit."""
    return min(PER_SCALE * scale, MAX_POPULATION)


def population_kbo_number(index: int) -> str:
    """Return the ten digits of the population's enterprise number ``index`` (from 0)."""
    return kbo_number_with_check_digits(FIRST + index)


def write_population_extract(directory: Path, size: int) -> None:
    """Write the extract of the first ``size`` enterprises of the population into ``directory``."""
    rng = random.Random(SEED)
    fake = Faker("nl_BE")
    fake.seed_instance(SEED)
    provinces, province_weights = list(PROVINCE_SHARES), list(PROVINCE_SHARES.values())
    places = {province: ([p[:2] for p in rows], [p[2] for p in rows]) for province, rows in PLACES.items()}
    tables = {
        False: (COMPANY_SECTIONS, COMPANY_FORMS),
        True: (NON_PROFIT_SECTIONS, NON_PROFIT_FORMS),
    }
    with ExtractWriter(directory) as extract:
        for index in range(size):
            number = enterprise_number(FIRST + index)
            province = rng.choices(provinces, weights=province_weights)[0]
            candidates, weights = places[province]
            zipcode, municipality = rng.choices(candidates, weights=weights)[0]
            non_profit = rng.randrange(1000) < NON_PROFIT_SHARE
            sections, forms = tables[non_profit]
            section_letters = [
                letter for letter in sections if not (letter == "A" and province == Province.BRUSSEL)
            ]
            letter = rng.choices(section_letters, weights=[sections[s][0] for s in section_letters])[0]
            _share, word, codes = sections[letter]
            _weight, form, form_cac, suffix = rng.choices(forms, weights=[f[0] for f in forms])[0]
            surname = fake.last_name()
            name = f"{word} {surname} {suffix}" if non_profit else f"{surname} {word} {suffix}"
            founded = datetime.date(
                max(1950, LAST_YEAR - int(rng.expovariate(1 / 12))), rng.randint(1, 12), rng.randint(1, 28)
            )
            extract.enterprise(
                number, juridical_form=form, juridical_form_cac=form_cac, start_date=f"{founded:%d-%m-%Y}"
            )
            extract.denomination(number, name)
            extract.address(
                number,
                zipcode=zipcode,
                municipality=municipality,
                street=rng.choice(STREETS),
                house_number=str(rng.randint(1, 250)),
            )
            # A non-profit without VAT is known by its activity as an employer (social security).
            extract.activity(number, rng.choice(codes), group="006" if non_profit else "001")


def load_population(size: int) -> KboImportResult | None:
    """Import the first ``size`` enterprises of the population through the KBO import; return its result,
    or None when they are there already (the last of them exists: the import writes in number order)."""
    if size <= 0 or Company.objects.filter(kbo_number=population_kbo_number(size - 1)).exists():
        return None
    with tempfile.TemporaryDirectory() as directory:
        write_population_extract(Path(directory), size)
        return import_kbo_extract(Path(directory), batch_size=IMPORT_BATCH_SIZE)
