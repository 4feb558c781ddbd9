"""Reading the spreadsheets officers upload: CSV or XLSX, one header row, then one record per row.

Pure file handling, no database: the callers decide what the columns mean.

- The format is read from the content, not the file name: an XLSX file is a ZIP archive.
- CSV: UTF-8 with or without BOM; when that fails, Windows-1252, which is what Excel's plain
  "CSV" saves in Belgium. The delimiter is ``;`` (Excel with Belgian settings) or ``,``: column names
  contain neither, so the header line tells which one the file uses.
- XLSX: the first sheet, read-only; formulas give the value Excel last calculated.
- Header names are matched case-insensitively, spaces, hyphens and dots counting as ``_``
  ("KBO-nummer", "Ingediend op"). Columns the caller does not know are ignored.
- Row numbers are those the spreadsheet shows (header = row 1). Rows left wholly empty are skipped.
- Cell values are stripped text, a date (Excel date cells), or None when empty; whole numbers come
  as text without ".0", so a KBO number Excel stored as a number reads as digits.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Collection, Iterator, Mapping
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

Cell = str | datetime.date | None
Row = dict[str, Cell]

_ZIP_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; ``message`` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_rows(
    file: IO[bytes], *, columns: Mapping[str, Collection[str]], required: Collection[str]
) -> Iterator[tuple[int, Row]]:
    """Yield (row number, {column: value}) for every non-empty row below the header.

    ``columns`` maps each column the caller knows to the header names accepted for it (already in
    lower case with ``_``); every row's dict has all of them, None where the file has no such column.
    """
    data = file.read()
    if data.startswith(_OLD_EXCEL_MAGIC):
        raise SpreadsheetError(_("This is an old Excel file (.xls); save it as .xlsx or CSV and try again."))
    records = _xlsx_records(data) if data.startswith(_ZIP_MAGIC) else _csv_records(data)
    header = next(records, None)
    if header is None:
        raise SpreadsheetError(_("The file is empty."))
    positions = _positions(header, columns, required)
    found = False
    for number, cells in enumerate(records, start=2):
        if all(cell is None for cell in cells):
            continue
        found = True
        yield (
            number,
            {
                column: (cells[index] if index is not None and index < len(cells) else None)
                for column, index in positions.items()
            },
        )
    if not found:
        raise SpreadsheetError(_("The file has no rows below the header."))


def parse_date(value: Cell) -> datetime.date:
    """Parse a date as officers write it: an Excel date, 2025-03-01, or day first as 1/03/2025
    (also - or .)."""
    if isinstance(value, datetime.date):
        return value
    text = value or ""
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise SpreadsheetError(
            _("“%(value)s” is not a date; write it as 31/12/2025 or 2025-12-31.") % {"value": text}
        )
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as error:
        raise SpreadsheetError(_("“%(value)s” is not an existing date.") % {"value": text}) from error


def _header_name(cell: Cell) -> str:
    return re.sub(r"[\s.-]+", "_", str(cell or "").strip().lower()).strip("_")


def _positions(
    header: list[Cell], columns: Mapping[str, Collection[str]], required: Collection[str]
) -> dict[str, int | None]:
    names = [_header_name(cell) for cell in header]
    positions: dict[str, int | None] = {}
    for column, accepted in columns.items():
        found = [index for index, name in enumerate(names) if name in accepted]
        if len(found) > 1:
            raise SpreadsheetError(
                _("The columns %(names)s mean the same; keep one of them.")
                % {"names": ", ".join(f"“{header[index]}”" for index in found)}
            )
        positions[column] = found[0] if found else None
    missing = [column for column in required if positions[column] is None]
    if missing:
        raise SpreadsheetError(
            _("The first row must name the columns; it lacks %(columns)s.")
            % {"columns": ", ".join(" / ".join(list(columns[column])[:2]) for column in missing)}
        )
    return positions


def _csv_records(data: bytes) -> Iterator[list[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                _("The file could not be read as CSV; save it as “CSV UTF-8” and try again.")
            ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() or None for cell in record]


# What openpyxl raises on a file that is not a workbook or a damaged one; SyntaxError covers the XML
# parser's errors (a part of the archive that is not XML).
_UNREADABLE_WORKBOOK = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    IndexError,
)


def _xlsx_records(data: bytes) -> Iterator[list[Cell]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Read-only mode also yields the empty rows between filled ones, so row numbers stay right.
            # The sheet is parsed while it is read: a damaged one fails here, not when it is opened.
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                yield [_xlsx_cell(value) for value in values]
        finally:
            workbook.close()
    except _UNREADABLE_WORKBOOK as error:
        raise SpreadsheetError(_("The file could not be read as an Excel workbook (.xlsx).")) from error


def _xlsx_cell(value) -> Cell:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    return text or None
