"""The one way the back office writes a workbook (XLSX), and the rule that keeps text from running.

:func:`write_workbook` turns sheets of rows into XLSX bytes: a bold header row that stays in view,
columns as wide as their content, numbers (``int``, ``Decimal``) as numbers with a display format
(Excel shows them in the reader's notation, 1.234,56 in Belgium; a Decimal keeps its exact value),
dates as dates (dd/mm/yyyy), ``None`` as an empty cell and the rest as text.

A spreadsheet runs a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, or a tab or carriage
return that hides one): formula or CSV injection. :func:`looks_like_formula` is the one test for it.
The workbook keeps such a text as text, marked with Excel's quote prefix so that editing the cell does
not turn it into a formula either; :func:`csv_text` is what a CSV writer writes instead, with a
leading apostrophe, the only marker a CSV has.
"""

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


def csv_text(text: str) -> str:
    """Return ``text`` for a CSV cell: a leading apostrophe keeps formula-like text from running."""
    return f"'{text}" if looks_like_formula(text) else text


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


def _set_cell(cell, value, number_format: str | None) -> str:
    """Write a value into a cell as number, date or text; return it as shown, to size the column."""
    if value is None:
        return ""
    if isinstance(value, bool):  # an int to Python, but a yes or no to the reader
        value = gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        value = value.date()  # the figures' dates are days; a time would show as 00:00
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
