"""Reading the KBO open-data extract of FOD Economie, one record per enterprise, without the database.

The extract holds one CSV file per kind of fact; enterprise.csv has one line per enterprise, the
others any number of lines per entity. All are sorted by entity number, so they are merged in a
single pass (a merge-join keyed by enterprise number) and a multi-gigabyte extract never has to fit
in memory. A file that is out of order is refused rather than joined wrongly.

Layout and codes after the KBO "Cookbook Open Data" and the extract's own code.csv.
"""

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

ENTERPRISE_FILE = "enterprise.csv"
DENOMINATION_FILE = "denomination.csv"
ADDRESS_FILE = "address.csv"
ACTIVITY_FILE = "activity.csv"

# Enterprises are printed as 0403.170.701; establishment units (2.000.000.339) and branches
# (9.000.006.626) share the other files and are left out by this pattern.
_ENTERPRISE_NUMBER = re.compile(r"[01]\d{3}\.\d{3}\.\d{3}")

_LEGAL_NAME = "001"  # TypeOfDenomination; 002 is an abbreviation, 003 a commercial name
# Language codes: 2 Dutch, 1 French, 3 German, 4 English, 0 not recorded.
_NAME_LANGUAGE_PREFERENCE = ("2", "1", "3", "4", "0")

_REGISTERED_OFFICE = "REGO"  # TypeOfAddress "Zetel"

_MAIN_ACTIVITY = "MAIN"  # Classification; SECO and ANCI are secondary and auxiliary
# Company.nace_code holds NACE-BEL 2008; the 2003 and 2025 codings are a different nomenclature.
_NACE_VERSION = "2008"
# ActivityGroup: 001 activities declared for VAT, 006 for social security (RSZ), 003 other activities
# registered in the KBO. The VAT activity describes the business best; RSZ covers employers without
# VAT (most non-profits). Any other group only when none of these has a main activity.
_ACTIVITY_GROUP_PREFERENCE = ("001", "006", "003")


def is_printed_enterprise_number(number: str) -> bool:
    """Return whether ``number`` is written as the extract prints enterprise numbers: 0403.170.701."""
    return bool(_ENTERPRISE_NUMBER.fullmatch(number))


class KboExtractError(Exception):
    """The extract cannot be read safely: a file or column is missing, or a file is not sorted."""


@dataclass(frozen=True, slots=True)
class KboEnterprise:
    """What the extract says about one enterprise, still in KBO terms."""

    number: str  # as printed in the extract: 0403.170.701
    status: str  # "AC" active
    type_of_enterprise: str  # "1" natural person, "2" legal person
    juridical_form: str  # the form to read under the WVV when the KBO gives one, else the registered one
    start_date: str  # dd-mm-yyyy
    name: str  # the legal name, "" when the extract has none
    postal_code: str  # of the registered office in Belgium; "" when abroad, struck off or not published
    municipality: str
    nace_code: str  # main activity in NACE-BEL 2008, "" when none


_COLUMNS = {
    ENTERPRISE_FILE: (
        "EnterpriseNumber",
        "Status",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ),
    DENOMINATION_FILE: ("EntityNumber", "Language", "TypeOfDenomination", "Denomination"),
    ADDRESS_FILE: (
        "EntityNumber",
        "TypeOfAddress",
        "CountryNL",
        "Zipcode",
        "MunicipalityNL",
        "MunicipalityFR",
        "DateStrikingOff",
    ),
    ACTIVITY_FILE: ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
}


class _SortedCsv:
    """The enterprise rows of one extract file in order; refuses the file as soon as a row is out of order."""

    def __init__(self, directory: Path, file_name: str, number_column: str):
        path = directory / file_name
        try:
            self._file = path.open(newline="", encoding="utf-8-sig")
        except FileNotFoundError as error:
            raise KboExtractError(
                _("%(file)s is missing in %(directory)s.") % {"file": file_name, "directory": directory}
            ) from error
        self._reader = csv.DictReader(self._file)
        self._file_name = file_name
        with self._unreadable_as_error():
            fieldnames = self._reader.fieldnames
        missing = [column for column in _COLUMNS[file_name] if column not in (fieldnames or ())]
        if missing:
            self._file.close()
            raise KboExtractError(
                _("%(file)s lacks the column(s) %(columns)s.")
                % {"file": file_name, "columns": ", ".join(missing)}
            )
        self._number_column = number_column
        self._previous: tuple[str, int] | None = None

    def close(self) -> None:
        self._file.close()

    @contextmanager
    def _unreadable_as_error(self):
        """Stop the import with the file and line on bytes that are not UTF-8, or not CSV at all."""
        try:
            yield
        except (UnicodeDecodeError, csv.Error) as error:
            self._file.close()
            raise KboExtractError(
                _("%(file)s cannot be read as CSV text in UTF-8 near line %(line)d.")
                % {"file": self._file_name, "line": self._reader.line_num}
            ) from error

    def __iter__(self) -> Iterator[tuple[str | None, dict[str, str]]]:
        """Yield (key, row) for every enterprise row; the key is the ten digits, which sort like the number.

        In enterprise.csv a number not printed as an enterprise number comes with key None, so the
        import can report it; the other files also hold establishment units and branches, left out.
        """
        with self._unreadable_as_error():
            for row in self._reader:
                number = row[self._number_column] or ""
                if not is_printed_enterprise_number(number):
                    if self._file_name == ENTERPRISE_FILE:
                        yield None, row
                    continue
                key = number.replace(".", "")
                self._check_order(key, number)
                yield key, row

    def _check_order(self, key: str, number: str) -> None:
        line = self._reader.line_num
        if self._previous is not None:
            previous_key, previous_line = self._previous
            # enterprise.csv has one line per enterprise, so there a repeated number is out of order too.
            repeated = key == previous_key and self._file_name == ENTERPRISE_FILE
            if key < previous_key or repeated:
                raise KboExtractError(
                    _(
                        "%(file)s is not sorted by entity number: %(number)s on line %(line)d comes after "
                        "%(previous)s on line %(previous_line)d."
                    )
                    % {
                        "file": self._file_name,
                        "number": number,
                        "line": line,
                        "previous": _dotted(previous_key),
                        "previous_line": previous_line,
                    }
                )
        self._previous = (key, line)


class _RowsPerEnterprise:
    """Hands out the rows of one side file enterprise by enterprise, in step with enterprise.csv."""

    def __init__(self, rows: _SortedCsv):
        self._rows = iter(rows)
        self._pending = next(self._rows, None)

    def take(self, key: str) -> list[dict[str, str]]:
        """Return the rows of enterprise ``key``; rows of numbers before it (not in enterprise.csv) are
        dropped."""
        taken = []
        while self._pending is not None and self._pending[0] <= key:
            if self._pending[0] == key:
                taken.append(self._pending[1])
            self._pending = next(self._rows, None)
        return taken


def read_kbo_extract(directory: Path) -> Iterator[KboEnterprise]:
    """Yield every enterprise of the extract in ``directory``, in the order of enterprise.csv."""
    files = []
    try:
        for file_name, number_column in (
            (ENTERPRISE_FILE, "EnterpriseNumber"),
            (DENOMINATION_FILE, "EntityNumber"),
            (ADDRESS_FILE, "EntityNumber"),
            (ACTIVITY_FILE, "EntityNumber"),
        ):
            files.append(_SortedCsv(directory, file_name, number_column))
        enterprises, *others = files
        denominations, addresses, activities = (_RowsPerEnterprise(rows) for rows in others)
        for key, row in enterprises:
            if key is None:  # a malformed number: nothing to join, the import skips it with the reason
                yield KboEnterprise(
                    number=row["EnterpriseNumber"] or "",
                    status=row["Status"] or "",
                    type_of_enterprise=row["TypeOfEnterprise"] or "",
                    juridical_form=row["JuridicalFormCAC"] or row["JuridicalForm"] or "",
                    start_date=row["StartDate"] or "",
                    name="",
                    postal_code="",
                    municipality="",
                    nace_code="",
                )
                continue
            yield KboEnterprise(
                number=row["EnterpriseNumber"],
                status=row["Status"],
                type_of_enterprise=row["TypeOfEnterprise"],
                juridical_form=row["JuridicalFormCAC"] or row["JuridicalForm"],
                start_date=row["StartDate"],
                name=_legal_name(denominations.take(key)),
                **_registered_office(addresses.take(key)),
                nace_code=_main_activity(activities.take(key)),
            )
    finally:
        for rows in files:
            rows.close()


def _dotted(key: str) -> str:
    return f"{key[:4]}.{key[4:7]}.{key[7:]}"


def _legal_name(rows: list[dict[str, str]]) -> str:
    names = {row["Language"]: row["Denomination"] for row in rows if row["TypeOfDenomination"] == _LEGAL_NAME}
    return next((names[language] for language in _NAME_LANGUAGE_PREFERENCE if names.get(language)), "")


def _registered_office(rows: list[dict[str, str]]) -> dict[str, str]:
    """Return the postal code and municipality of the seat; natural persons have none in the open data."""
    for row in rows:
        # A struck-off seat is no longer valid; an address abroad has no Belgian postal code.
        if row["TypeOfAddress"] == _REGISTERED_OFFICE and not row["DateStrikingOff"] and not row["CountryNL"]:
            return {
                "postal_code": row["Zipcode"],
                "municipality": row["MunicipalityNL"] or row["MunicipalityFR"],
            }
    return {"postal_code": "", "municipality": ""}


def _main_activity(rows: list[dict[str, str]]) -> str:
    def preference(row: dict[str, str]) -> tuple[int, str, str]:
        group = row["ActivityGroup"]
        rank = _ACTIVITY_GROUP_PREFERENCE.index(group) if group in _ACTIVITY_GROUP_PREFERENCE else 99
        # Then the lowest group and code, so the choice never depends on the order of the lines.
        return rank, group, row["NaceCode"]

    main = [
        row for row in rows if row["Classification"] == _MAIN_ACTIVITY and row["NaceVersion"] == _NACE_VERSION
    ]
    return min(main, key=preference)["NaceCode"] if main else ""
