"""The one way the back office writes a workbook (XLSX) or a CSV file, and the rule that keeps text from
running.

:func:`write_workbook` turns sheets of rows into XLSX bytes: a bold header row that stays in view,
columns as wide as their content, numbers (``int``, ``Decimal``) as numbers with a display format
(Excel shows them in the reader's notation, 1.234,56 in Belgium; a Decimal keeps its exact value),
dates as dates (dd/mm/yyyy), ``None`` as an empty cell and the rest as text.

:class:`CsvWriter` (and :func:`write_csv`, the whole file at once) write ``;``-separated lines as Excel
with Belgian settings reads them: numbers with a decimal comma, dates day first, ``None`` empty, yes or no
for a boolean, and every other value as text. Callers hand over values, never pre-formatted numbers, so
that every text cell passes the one rule below and no export can forget it.

A spreadsheet runs a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, or a tab or carriage
return that hides one): formula or CSV injection. :func:`looks_like_formula` is the one test for it.
The workbook keeps such a text as text, marked with Excel's quote prefix so that editing the cell does
not turn it into a formula either; a CSV cell gets a leading apostrophe (:func:`csv_cell`), the only
marker a CSV has.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from voorsprong.money import number

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Display formats, written the way the file format wants them ("," groups, "." separates decimals);
# Excel and LibreOffice show them in the reader's own notation.
WHOLE = "#,##0"
MONEY = "#,##0.00"
TENTHS = "0.0"
HUNDREDTHS = "0.00"
DATE = "DD/MM/YYYY"

MAX_WIDTH = 80  # characters; a longer text is cut off on screen, not in the cell
HEADER_FONT = Font(bold=True)


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet would read ``text`` as (the start of) a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_cell(value) -> str:
    """Return ``value`` as a CSV cell: a number with a decimal comma and without grouping, a date day
    first, ``None`` empty, a boolean as yes or no, anything else as text that cannot run."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int | float | Decimal):
        return str(value).replace(".", ",")
    text = str(value)
    return f"'{text}" if looks_like_formula(text) else text


class CsvWriter:
    """``csv.writer`` with ``;`` between cells and every cell through :func:`csv_cell`; ``writerow``
    returns what the file's ``write`` returned (a streamed response hands the line back)."""

    def __init__(self, file):
        self._writer = csv.writer(file, delimiter=";")

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def write_csv(header: Sequence, rows: Iterable[Iterable]) -> bytes:
    """Return the header and rows as a CSV file in UTF-8 with a byte order mark (which makes Excel read
    it as UTF-8)."""
    content = io.StringIO()
    writer = CsvWriter(content)
    writer.writerow(header)
    writer.writerows(rows)
    return content.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Column:
    """A column's header and the display format of its numbers (None: as they come)."""

    header: str
    number_format: str | None = None


@dataclass(frozen=True)
class Sheet:
    """A sheet's title (at most 31 characters, as Excel wants), its columns and its rows of values."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


def write_workbook(sheets: Iterable[Sheet]) -> bytes:
    """Return the sheets as an XLSX workbook, each with its header row frozen above its rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    worksheet = workbook.create_sheet(sheet.title)
    formats = [column.number_format for column in sheet.columns]
    widths = [len(column.header) for column in sheet.columns]
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        _set_cell(cell, column.header, None)
        cell.font = HEADER_FONT
    for row_number, row in enumerate(sheet.rows, start=2):
        if len(row) != len(formats):
            raise ValueError(
                f"Sheet {sheet.title!r}: row {row_number} has {len(row)} cells for {len(formats)} columns."
            )
        for index, (value, number_format) in enumerate(zip(row, formats, strict=True)):
            shown = _set_cell(worksheet.cell(row=row_number, column=index + 1), value, number_format)
            widths[index] = max(widths[index], min(len(shown), MAX_WIDTH))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    worksheet.freeze_panes = "A2"


def _plain(value):
    """Return a boolean as yes or no (an int to Python, but a yes or no to the reader) and a moment as
    its day (the figures' dates are days; a time would show as 00:00); any other value as it is."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _set_cell(cell, value, number_format: str | None) -> str:
    """Write a value into a cell as number, date or text; return it as shown, to size the column."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        cell.value, cell.number_format = value, number_format or DATE
        return "00/00/0000"
    if isinstance(value, int | float | Decimal):
        cell.value = value
        if number_format:
            cell.number_format = number_format
        decimals = number_format.partition(".")[2].count("0") if number_format else None
        return number(value, decimals)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters an XLSX cannot hold
    cell.value = text
    if looks_like_formula(text):
        cell.data_type = "s"  # openpyxl would write text starting with = as a formula
        cell.quotePrefix = True  # and Excel, once the cell is edited
    return text
