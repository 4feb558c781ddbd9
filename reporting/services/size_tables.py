"""Uploading an aggregate table of enterprises by NACE section, staff band and province.

The KBO publishes no staff figures, so the reach per size class (``reporting.statistics.reach``) takes its
denominators from a table a statistics office publishes (Statbel, say), which an officer uploads: a CSV
file, ``;`` or ``,`` separated, UTF-8 with or without BOM, at most :data:`MAX_BYTES`, whose first line
names the columns (in Dutch or English, any case and order; other columns are ignored):

- ``sectie`` / ``nace_section``: the letter of the NACE-BEL 2008 section, A to U;
- ``grootteklasse`` / ``size_band``: the staff band, ``0``, ``5-9``, ``1000+`` (``reporting.size_bands``,
  which also says how bands map to size classes);
- ``provincie`` / ``province``: a Belgian province or Brussels, by name (``Oost-Vlaanderen``), code
  (``oost_vlaanderen``) or NIS code (``40000``); the figures use the five Flemish provinces and Brussels;
- ``ondernemingen`` / ``enterprises``: the number of enterprises, a whole number (``1.234`` or ``1234``).

Every line is checked and every error reported with its line number (the header is line 1); the table
is saved only when no line has one: all or nothing. Two lines for the same section, province and band,
or bands of one section and province that overlap, would count enterprises twice and are refused.
"""

import datetime
import io
import re
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.geography import Province
from participants.nace import NaceSection
from participants.spreadsheets import SpreadsheetError, read_rows
from reporting.models import SizeTable, SizeTableRow
from reporting.size_bands import Band, BandError, parse_band
from voorsprong import data_version
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

MAX_BYTES = 1024 * 1024  # a full table (21 sections x 11 provinces x 15 bands) takes about 100 kB
MAX_ENTERPRISES = 10_000_000  # Belgium counts about 1.1 million enterprises

COLUMNS = {
    "nace_section": ("sectie", "nace_sectie", "nace_section", "section", "nace"),
    "size_band": ("grootteklasse", "size_band", "band", "werknemersklasse", "klasse"),
    "province": ("provincie", "province", "gewest"),
    "enterprises": ("ondernemingen", "aantal_ondernemingen", "enterprises", "aantal", "count"),
}

_PROVINCE_NAMES = {
    Province.ANTWERPEN: ("antwerpen", "antwerp", "provincie antwerpen", "10000"),
    Province.LIMBURG: ("limburg", "provincie limburg", "70000"),
    Province.OOST_VLAANDEREN: ("oost-vlaanderen", "east flanders", "provincie oost-vlaanderen", "40000"),
    Province.VLAAMS_BRABANT: ("vlaams-brabant", "flemish brabant", "provincie vlaams-brabant", "20001"),
    Province.WEST_VLAANDEREN: ("west-vlaanderen", "west flanders", "provincie west-vlaanderen", "30000"),
    Province.BRUSSEL: (
        "brussel",
        "brussels",
        "brussels hoofdstedelijk gewest",
        "brussels-hoofdstedelijk gewest",
        "brussels-capital region",
        "21000",
        "04000",
    ),
    Province.WAALS_BRABANT: ("waals-brabant", "walloon brabant", "provincie waals-brabant", "20002"),
    Province.HENEGOUWEN: ("henegouwen", "hainaut", "provincie henegouwen", "50000"),
    Province.LUIK: ("luik", "liège", "liege", "provincie luik", "60000"),
    Province.LUXEMBURG: ("luxemburg", "luxembourg", "provincie luxemburg", "80000"),
    Province.NAMEN: ("namen", "namur", "provincie namen", "90000"),
}
PROVINCES = {
    name: province
    for province, names in _PROVINCE_NAMES.items()
    for name in (province.value, province.value.replace("_", "-"), *names)
}
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:([. ])\d{3})?(?:\1\d{3})*|\d+")


class SizeTableRefusal(WorkflowRefusal):
    """The upload is refused; ``errors`` lists (line, message) for every line that is wrong, in order."""

    def __init__(self, message: str, code: str, field: str | None = "file", errors=()):
        super().__init__(message, code, field)
        self.errors: list[tuple[int, str]] = list(errors)


@dataclass(frozen=True)
class TableRow:
    line: int
    nace_section: str
    province: str
    band: Band
    enterprises: int


def read_size_table(file: IO[bytes]) -> list[TableRow]:
    """Return the checked rows of an uploaded table; refuse (SizeTableRefusal) a file that is too large,
    not text, without the columns, without rows, or with any wrong line, naming every such line."""
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SizeTableRefusal(
            _("The file is larger than %(size)s kB; a table of enterprises takes far less.")
            % {"size": MAX_BYTES // 1024},
            "too_large",
        )
    if b"\x00" in data or not _is_utf8(data):
        raise SizeTableRefusal(
            _("The file is not a text file: save the table as CSV (UTF-8), separated by ; or ,."), "not_text"
        )
    try:
        records = list(read_rows(io.BytesIO(data), columns=COLUMNS, required=tuple(COLUMNS)))
    except SpreadsheetError as error:
        raise SizeTableRefusal(error.message, "invalid_columns") from error
    rows, errors, cells = [], [], {}
    for line, values in records:
        try:
            row = _row(line, values)
        except _LineError as error:
            errors.append((line, error.message))
            continue
        errors += _overlaps(row, cells.setdefault((row.nace_section, row.province), []))
        cells[(row.nace_section, row.province)].append(row)
        rows.append(row)
    if errors:
        raise SizeTableRefusal(
            ngettext(
                "%(count)s line has an error; nothing was saved.",
                "%(count)s lines have errors; nothing was saved.",
                len(errors),
            )
            % {"count": len(errors)},
            "invalid_rows",
            errors=errors,
        )
    return rows


def check_table_details(reference_date: datetime.date, source: str) -> str:
    """Return the source with its spaces tidied; refuse a reference date in the future or no source."""
    if reference_date > timezone.localdate():
        raise SizeTableRefusal(
            _("The reference date lies in the future; give the day the counts describe."),
            "invalid_date",
            "reference_date",
        )
    source = " ".join(source.split())
    if not source:
        raise SizeTableRefusal(_("Say where the counts come from."), "source_required", "source")
    return source


@transaction.atomic
def import_size_table(
    file: IO[bytes], *, reference_date: datetime.date, source: str, by: User, file_name: str = ""
) -> SizeTable:
    """Save an uploaded table (``read_size_table`` checks it) with its reference date and source, as
    ``by`` uploaded it; the latest upload for a reference date is the one the figures use."""
    require_role(by, Role.OFFICER)
    source = check_table_details(reference_date, source)
    rows = read_size_table(file)
    table = save_as(
        SizeTable(
            reference_date=reference_date, source=source[:200], file_name=file_name[:255], uploaded_by=by
        ),
        by,
        reason=_("Uploaded"),
    )
    data_version.bump()  # the rows below are written without signals
    SizeTableRow.objects.bulk_create(
        SizeTableRow(
            table=table,
            line=row.line,
            nace_section=row.nace_section,
            province=row.province,
            staff_from=row.band.first,
            staff_to=row.band.last,
            size_class=row.band.size_class,
            enterprises=row.enterprises,
        )
        for row in rows
    )
    return table


class _LineError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _row(line: int, values: dict) -> TableRow:
    problems = []
    section = (values["nace_section"] or "").strip().upper()
    if section not in NaceSection.values:
        problems.append(
            _("unknown NACE section “%(value)s” (a letter from A to U)")
            % {"value": values["nace_section"] or ""}
        )
    province = PROVINCES.get(" ".join((values["province"] or "").lower().split()))
    if province is None:
        problems.append(
            _("unknown province “%(value)s” (e.g. Antwerpen, Oost-Vlaanderen or Brussel)")
            % {"value": values["province"] or ""}
        )
    band = None
    try:
        band = parse_band(values["size_band"] or "")
        band.size_class  # noqa: B018 - a band across a class boundary is refused here
    except BandError as error:
        problems.append(str(error))
    enterprises = _enterprises(values["enterprises"])
    if enterprises is None:
        problems.append(
            _("“%(value)s” is not a number of enterprises (a whole number, 0 or more)")
            % {"value": values["enterprises"] or ""}
        )
    if problems:
        raise _LineError(_("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
    return TableRow(line, section, province.value, band, enterprises)


def _enterprises(value) -> int | None:
    text = (value or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text.replace(".", "").replace(" ", ""))
    return number if number <= MAX_ENTERPRISES else None


def _overlaps(row: TableRow, earlier: list[TableRow]) -> list[tuple[int, str]]:
    """Return the error of ``row`` when its band meets one of an earlier line of the same section and
    province (the same band, or overlapping ones)."""
    for other in earlier:
        if row.band.overlaps(other.band):
            if row.band == other.band:
                message = _("Line %(line)s: the same section, province and band as line %(other)s.")
            else:
                message = _(
                    "Line %(line)s: the band overlaps that of line %(other)s (same section and province)."
                )
            return [(row.line, message % {"line": row.line, "other": other.line})]
    return []
