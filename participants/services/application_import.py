"""Importing applications from a spreadsheet (CSV or XLSX), every row through the workflow services.

The first row names the columns, in English or Dutch, in any case and order:

- ``kbo_number`` / ``ondernemingsnummer`` (required): in any notation, e.g. 0403.170.701,
  BE 0403 170 701, or 403170701 as Excel keeps it without the leading zero. The company must already
  be known: the import does not create companies, whose size class needs figures a row lacks.
- ``traject`` (required): the traject's code (``leren``) or its name, in any case.
- ``project`` / ``projectnaam`` (optional): the name of one of that traject's projects.
- ``submitted_on`` / ``ingediend_op`` (optional): the day the company submitted, as 2025-03-01, as
  1/03/2025 (day first, as in Belgium; never month first) or as an Excel date cell. With a date the
  application is created and submitted on that day; without one it stays a draft. A day in the
  future is refused: the import records submissions that happened.

Other columns, such as a company name kept for readability, are ignored; empty rows are skipped.

Each row goes through create_application and submit_application, the code the API runs, so a row is
refused exactly when the API would refuse it, e.g. when the company already has an open application
for the traject, also one made by an earlier row of the same file. As in the API, eligibility (size
class, stopped companies) is checked at approval, not here. Every row is tried, each in a savepoint
so a refused row leaves the transaction usable, and the result lists every row with its row number
as the spreadsheet shows it (header = row 1). All or nothing: when any row fails, or when only
checking (dry run), the whole import is rolled back.
"""

import datetime
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.kbo import format_kbo_number, normalise_kbo_number
from participants.models import Application, Company
from participants.services.workflow import create_application, submit_application
from participants.spreadsheets import Cell, Row, SpreadsheetError, parse_date, read_rows
from trajects.models import Project, Traject
from voorsprong.models import User
from voorsprong.services import WorkflowRefusal
from voorsprong.validators import DAY_OUT_OF_RANGE, validate_day

# The header names accepted per column, lower-cased, with spaces, hyphens and dots turned into "_".
COLUMNS = {
    "kbo_number": ("kbo_number", "ondernemingsnummer", "kbo", "kbo_nummer", "kbo_nr", "enterprise_number"),
    "traject": ("traject", "traject_code", "trajectcode"),
    "project": ("project", "projectnaam", "project_name"),
    "submitted_on": ("submitted_on", "ingediend_op", "submitted", "indieningsdatum", "date_submitted"),
}
REQUIRED_COLUMNS = ("kbo_number", "traject")


@dataclass(frozen=True)
class ImportedRow:
    """One spreadsheet row: what became of it, or why it was refused (``code`` as in WorkflowRefusal)."""

    number: int
    company: str
    outcome: str = ""
    error: str = ""
    code: str = ""


@dataclass(frozen=True)
class ImportResult:
    rows: list[ImportedRow]
    saved: bool
    dry_run: bool

    @property
    def failed(self) -> list[ImportedRow]:
        return [row for row in self.rows if row.error]

    @property
    def summary(self) -> str:
        count, failed = len(self.rows), len(self.failed)
        if failed:
            return ngettext(
                "%(failed)s of %(count)s rows has an error; nothing was saved.",
                "%(failed)s of %(count)s rows have errors; nothing was saved.",
                failed,
            ) % {"failed": failed, "count": count}
        if self.dry_run:
            return ngettext(
                "Check only: the row is fine; nothing was saved.",
                "Check only: all %(count)s rows are fine; nothing was saved.",
                count,
            ) % {"count": count}
        return ngettext("%(count)s application saved.", "%(count)s applications saved.", count) % {
            "count": count
        }


def import_applications(file: IO[bytes], *, by: User, dry_run: bool = False) -> ImportResult:
    """Create (and submit) an application per row; save them all or, on any refusal, none.

    Raise SpreadsheetError when the file itself cannot be read (format, header, no rows).
    """
    rows = list(read_rows(file, columns=COLUMNS, required=REQUIRED_COLUMNS))
    with transaction.atomic():
        trajects = _trajects_by_code_and_name()
        imported = [_import_row(number, values, by, trajects) for number, values in rows]
        saved = not dry_run and not any(row.error for row in imported)
        if not saved:
            transaction.set_rollback(True)
    return ImportResult(rows=imported, saved=saved, dry_run=dry_run)


def _import_row(number: int, values: Row, by: User, trajects: dict[str, Traject]) -> ImportedRow:
    shown = str(values["kbo_number"] or "")
    try:
        # A savepoint per row: a refused row is undone alone and the next rows still see the
        # applications of the rows before, so a duplicate within the file is refused too.
        with transaction.atomic():
            company = _company(values["kbo_number"])
            shown = str(company)
            traject = _traject(values["traject"], trajects)
            project = _project(values["project"], traject)
            day = _submission_day(values["submitted_on"])
            application = create_application(company=company, traject=traject, by=by, project=project)
            if day is not None:
                application = submit_application(application, by=by, on=day)
    except WorkflowRefusal as refusal:
        return ImportedRow(number, shown, error=refusal.message, code=refusal.code)
    return ImportedRow(number, shown, outcome=_outcome(application))


def _trajects_by_code_and_name() -> dict[str, Traject]:
    trajects = {}
    for traject in Traject.objects.all():
        trajects[traject.name.lower()] = trajects[traject.code.lower()] = traject
    return trajects


def _company(value: Cell) -> Company:
    if value is None:
        raise WorkflowRefusal(_("The KBO number is missing."), "kbo_number_missing", "kbo_number")
    try:
        kbo_number = normalise_kbo_number(str(value))
    except ValidationError as error:
        raise WorkflowRefusal(error.messages[0], "invalid_kbo_number", "kbo_number") from error
    try:
        return Company.objects.get(kbo_number=kbo_number)
    except Company.DoesNotExist as error:
        raise WorkflowRefusal(
            _("No company with KBO number %(kbo_number)s is known; add the company first.")
            % {"kbo_number": format_kbo_number(kbo_number)},
            "unknown_company",
            "kbo_number",
        ) from error


def _traject(value: Cell, trajects: dict[str, Traject]) -> Traject:
    if value is None:
        raise WorkflowRefusal(_("The traject is missing."), "traject_missing", "traject")
    traject = trajects.get(str(value).lower())
    if traject is None:
        raise WorkflowRefusal(
            _("There is no traject “%(value)s”; use one of: %(codes)s.")
            % {"value": value, "codes": ", ".join(sorted({t.code for t in trajects.values()}))},
            "unknown_traject",
            "traject",
        )
    return traject


def _project(value: Cell, traject: Traject) -> Project | None:
    """Return the traject's project of that name; else one of another traject, which create_application
    refuses."""
    if value is None:
        return None
    projects = sorted(
        Project.objects.filter(name__iexact=str(value)), key=lambda p: p.traject_id != traject.pk
    )
    if not projects:
        raise WorkflowRefusal(
            _("Traject %(traject)s has no project “%(value)s”.") % {"traject": traject.name, "value": value},
            "unknown_project",
            "project",
        )
    return projects[0]


def _submission_day(value: Cell) -> datetime.date | None:
    if value is None:
        return None
    try:
        day = parse_date(value)
    except SpreadsheetError as error:
        raise WorkflowRefusal(error.message, "invalid_date", "submitted_on") from error
    try:
        validate_day(day)
    except ValidationError as error:
        raise WorkflowRefusal(error.messages[0], DAY_OUT_OF_RANGE, "submitted_on") from error
    if day > timezone.localdate():
        raise WorkflowRefusal(
            _("The submission date %(day)s lies in the future.") % {"day": f"{day:%d/%m/%Y}"},
            "invalid_date",
            "submitted_on",
        )
    return day


def _outcome(application: Application) -> str:
    if application.submitted_on is None:
        return application.get_status_display()
    # Day first, as the officers write dates in the file, whatever the language of the page.
    return _("%(status)s on %(day)s") % {
        "status": application.get_status_display(),
        "day": f"{application.submitted_on:%d/%m/%Y}",
    }
