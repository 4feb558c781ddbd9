"""A synthetic KBO open-data extract of a given number of rows, as the KBO publishes it.

Each enterprise has 15 rows over the four files (one enterprise row, two denominations, one address
and eleven activities, about the mix of the real extract), numbered upwards from ``first`` so the
files are sorted as the importer requires. The numbers start with 1, like the enterprise numbers
issued since 2023, and stay clear of the demo data's range.
"""

import random
from pathlib import Path

from participants.kbo import format_kbo_number, kbo_number_with_check_digits

ROWS_PER_ENTERPRISE = 15
# The header line of each file as the KBO publishes it (the importer reads some of these columns).
HEADERS = {
    "enterprise.csv": '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm",'
    '"JuridicalFormCAC","StartDate"',
    "denomination.csv": '"EntityNumber","Language","TypeOfDenomination","Denomination"',
    "address.csv": '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode","MunicipalityNL",'
    '"MunicipalityFR","StreetNL","StreetFR","HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
    "activity.csv": '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
}
LEGAL_FORMS = ["610", "014", "017", "706", "612", "015"]
PLACES = [
    ("9000", "Gent"),
    ("2000", "Antwerpen"),
    ("3000", "Leuven"),
    ("8000", "Brugge"),
    ("3500", "Hasselt"),
]
NACE_CODES = ["10711", "25620", "41201", "43221", "46900", "47241", "56101", "62010", "69201", "85599"]


def enterprise_number(first_eight: int) -> str:
    """Return the enterprise number of ``first_eight`` as the extract prints it: 1700.000.026."""
    return format_kbo_number(kbo_number_with_check_digits(first_eight))


def write_synthetic_extract(directory: Path, rows: int, first: int) -> int:
    """Write the four CSV files into ``directory``; return the number of enterprises."""
    enterprises = max(1, rows // ROWS_PER_ENTERPRISE)
    rng = random.Random(first)
    files = {name: (directory / name).open("w", encoding="utf-8", newline="\n") for name in HEADERS}
    try:
        for name, header in HEADERS.items():
            files[name].write(header + "\n")
        for index in range(enterprises):
            number = enterprise_number(first + index)
            zipcode, municipality = rng.choice(PLACES)
            files["enterprise.csv"].write(
                f'"{number}","AC","000","2","{rng.choice(LEGAL_FORMS)}",,01-03-2015\n'
            )
            files["denomination.csv"].write(
                f'"{number}","2","001","Onderneming {first + index}"\n"{number}","2","002","O{index}"\n'
            )
            files["address.csv"].write(
                f'"{number}","REGO",,,"{zipcode}","{municipality}","{municipality}","Kerkstraat",'
                f'"Kerkstraat","{index % 200 + 1}","","",\n'
            )
            main, *others = rng.sample(NACE_CODES, 4)
            activities = [("001", "2008", main, "MAIN"), ("006", "2008", main, "MAIN")]
            activities += [("001", "2008", code, "SECO") for code in others]
            activities += [("001", "2003", code[:4] + "1", "SECO") for code in (main, *others)]
            activities += [("001", "2025", main, "MAIN"), ("006", "2008", others[0], "SECO")]
            files["activity.csv"].writelines(
                f'"{number}","{group}","{version}","{code}","{kind}"\n'
                for group, version, code, kind in activities
            )
    finally:
        for handle in files.values():
            handle.close()
    return enterprises
