"""The aid register: the aid granted in a period, for the central de-minimis register.

One function builds the rows (:func:`register_rows`), which the officers' download in the admin and
``manage.py aid_register`` write as CSV (``;``-separated, UTF-8 with BOM, as Excel with Belgian settings
reads it) or XLSX. Text a spreadsheet would run as a formula (a company named ``=1+1``) stays text.
"""

import datetime

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.selectors import aid_register_lines
from participants.kbo import format_kbo_number
from voorsprong.spreadsheets import DATE, MONEY, Column, Sheet, write_csv, write_workbook

ID = "0"  # an application's number, without thousands separator
# (header, display format of its numbers and dates in the workbook)
COLUMNS = (
    (gettext_lazy("KBO number"), None),
    (gettext_lazy("Beneficiary"), None),
    (gettext_lazy("Aid amount (EUR)"), MONEY),
    (gettext_lazy("Granted on"), DATE),
    (gettext_lazy("Aid basis"), None),
    (gettext_lazy("Regulation"), None),
    (gettext_lazy("Granting authority"), None),
    (gettext_lazy("Traject"), None),
    (gettext_lazy("Application"), ID),
    (gettext_lazy("Cancelled on"), DATE),
)
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def register_rows(start: datetime.date, end: datetime.date) -> list[list]:
    """Return one row per aid line granted from ``start`` up to and including ``end``, in the order of
    ``COLUMNS``: amounts as Decimal, dates as dates, a cancelled line with the day of its cancellation."""
    return [
        [
            format_kbo_number(line.company.kbo_number),
            line.company.name,
            line.amount,
            line.granted_on,
            line.get_basis_display(),
            line.legal_basis,
            line.grantor,
            line.application.traject.name,
            line.application_id,
            line.cancelled_on,
        ]
        for line in aid_register_lines(start, end)
    ]


def _headers() -> list[str]:
    return [str(header) for header, _format in COLUMNS]


def register_csv(rows: list[list]) -> bytes:
    return write_csv(_headers(), rows)


def register_xlsx(rows: list[list]) -> bytes:
    """Return the rows as a workbook, through the project's one XLSX writer (numbers and dates typed,
    formula-like text kept as text)."""
    columns = [Column(str(header), number_format) for header, number_format in COLUMNS]
    return write_workbook([Sheet(_("Aid register"), columns, rows)])


def register_file(start: datetime.date, end: datetime.date, file_format: str) -> tuple[bytes, str]:
    """Return the register of the period as ``file_format`` (csv or xlsx), with its file name."""
    rows = register_rows(start, end)
    content = register_csv(rows) if file_format == "csv" else register_xlsx(rows)
    return content, f"{slugify(_('Aid register'))}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.{file_format}"
