"""Writing synthetic KBO open-data extracts, shaped as FOD Economie publishes them.

The importer (``participants.kbo_extract``) reads four CSV files sorted by entity number; this writes
them, for the demo's population of enterprises and the benchmark's extract. The caller gives the
enterprises in ascending number order, as the importer requires.
"""

from pathlib import Path

from participants.kbo import format_kbo_number, kbo_number_with_check_digits

# The header line of each file as the KBO publishes it (the importer reads some of these columns).
HEADERS = {
    "enterprise.csv": '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm",'
    '"JuridicalFormCAC","StartDate"',
    "denomination.csv": '"EntityNumber","Language","TypeOfDenomination","Denomination"',
    "address.csv": '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode","MunicipalityNL",'
    '"MunicipalityFR","StreetNL","StreetFR","HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
    "activity.csv": '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
}


def enterprise_number(first_eight: int) -> str:
    """Return the enterprise number of ``first_eight`` as the extract prints it: 1700.000.026."""
    return format_kbo_number(kbo_number_with_check_digits(first_eight))


def extract_line(*values: str) -> str:
    """Return a CSV line as the extract has them: every value quoted, an empty one left empty."""
    return ",".join('"{}"'.format(value.replace('"', '""')) if value else "" for value in values) + "\n"


def write_meta(directory: Path, *, extract_type: str, number: int, snapshot_date: str = "01-01-2026") -> None:
    """Write meta.csv as the KBO publishes it: ``extract_type`` full or update; the date as dd-mm-yyyy."""
    lines = [
        ("Variable", "Value"),
        ("SnapshotDate", snapshot_date),
        ("ExtractTimestamp", f"{snapshot_date} 06:00:00"),
        ("ExtractType", extract_type),
        ("ExtractNumber", str(number)),
        ("Version", "1.0.0"),
    ]
    (directory / "meta.csv").write_text("".join(extract_line(*line) for line in lines), encoding="utf-8")


def write_deletes(directory: Path, numbers_per_file: dict[str, list[str]]) -> None:
    """Write the update's delete files: per extract file (enterprise.csv, ...) the entity numbers, sorted."""
    for name, numbers in numbers_per_file.items():
        column = HEADERS[name].split(",")[0]
        text = column + "\n" + "".join(extract_line(number) for number in sorted(numbers))
        (directory / name.replace(".csv", "_delete.csv")).write_text(text, encoding="utf-8")


class ExtractWriter:
    """The four files of an extract in ``directory``, written line by line (use it as a context manager).

    With ``insert=True`` they are an update's insert files (enterprise_insert.csv, ...), in the same layout.
    """

    def __init__(self, directory: Path, *, insert: bool = False):
        self._files = {}
        try:
            for name, header in HEADERS.items():
                file_name = name.replace(".csv", "_insert.csv") if insert else name
                self._files[name] = (directory / file_name).open("w", encoding="utf-8", newline="\n")
                self._files[name].write(header + "\n")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def __enter__(self) -> "ExtractWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def enterprise(
        self,
        number: str,
        *,
        juridical_form: str,
        start_date: str,
        status: str = "AC",
        type_of_enterprise: str = "2",
        juridical_form_cac: str = "",
    ) -> None:
        """Write the enterprise's line; ``start_date`` as dd-mm-yyyy, ``type_of_enterprise`` 2 for a legal
        person, ``juridical_form_cac`` the form to read under the WVV when it differs."""
        self._files["enterprise.csv"].write(
            extract_line(
                number, status, "000", type_of_enterprise, juridical_form, juridical_form_cac, start_date
            )
        )

    def denomination(self, number: str, name: str, *, language: str = "2", kind: str = "001") -> None:
        """Write a name: ``kind`` 001 the legal name, 002 an abbreviation; ``language`` 2 Dutch, 1 French."""
        self._files["denomination.csv"].write(extract_line(number, language, kind, name))

    def address(
        self, number: str, *, zipcode: str, municipality: str, street: str, house_number: str
    ) -> None:
        """Write the registered office (in Belgium, not struck off)."""
        self._files["address.csv"].write(
            # Box, extra information and the day it was struck off stay empty.
            extract_line(
                number,
                "REGO",
                "",
                "",
                zipcode,
                municipality,
                municipality,
                street,
                street,
                house_number,
                "",
                "",
                "",
            )
        )

    def activity(
        self,
        number: str,
        nace_code: str,
        *,
        group: str = "001",
        version: str = "2008",
        classification: str = "MAIN",
    ) -> None:
        """Write an activity: ``group`` 001 for VAT, 006 for social security; MAIN or SECO."""
        self._files["activity.csv"].write(extract_line(number, group, version, nace_code, classification))
