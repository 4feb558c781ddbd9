"""Importing applications from a spreadsheet: every row through the workflow services, all or nothing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from openpyxl import Workbook

from participants import services
from participants.kbo import format_kbo_number
from participants.models import Application, ApplicationStatus
from participants.spreadsheets import SpreadsheetError, parse_date
from tests.factories import ApplicationFactory, CompanyFactory, ProjectFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The messages are checked in their English source, whatever the Dutch catalogue says.
    with translation.override("en"):
        yield


@pytest.fixture
def leren():
    return TrajectFactory(code="leren", name="Voorsprong leren")


@pytest.fixture
def werk():
    return TrajectFactory(code="werk", name="Voorsprong werk")


def write_csv(tmp_path, text, *, bom=True, encoding="utf-8"):
    path = tmp_path / "aanvragen.csv"
    path.write_bytes(("\ufeff" if bom else "").encode(encoding) + text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "aanvragen.xlsx"
    workbook.save(path)
    return path


def run_import(path, by, **kwargs):
    with path.open("rb") as file:
        return services.import_applications(file, by=by, **kwargs)


def errors(result):
    return {row.number: row.code for row in result.rows if row.error}


# -- good files ----------------------------------------------------------------------------------
def test_a_csv_with_semicolons_and_bom_creates_drafts_and_submitted_applications(tmp_path, officer, leren):
    bakker, smid = CompanyFactory(name="Bakkerij Peeters BV"), CompanyFactory(name="Smederij Claes NV")
    project = ProjectFactory(traject=leren, name="Leren in Gent")
    path = write_csv(
        tmp_path,
        "Ondernemingsnummer;Traject;Projectnaam;Ingediend op;Naam\n"
        f"BE {format_kbo_number(bakker.kbo_number)};LEREN;leren in gent;1/03/2025;Bakkerij\n"
        f"{smid.kbo_number};Voorsprong leren;;;\n",
    )

    result = run_import(path, officer)

    assert result.saved
    assert errors(result) == {}
    assert [(row.number, row.company) for row in result.rows] == [(2, str(bakker)), (3, str(smid))]
    assert [row.outcome for row in result.rows] == ["Submitted on 01/03/2025", "Draft"]
    submitted = Application.objects.get(company=bakker)
    assert (submitted.status, submitted.submitted_on, submitted.project) == (
        ApplicationStatus.SUBMITTED,
        datetime.date(2025, 3, 1),
        project,
    )
    draft = Application.objects.get(company=smid)
    assert (draft.status, draft.submitted_on, draft.project, draft.traject) == (
        ApplicationStatus.DRAFT,
        None,
        None,
        leren,
    )
    assert {record.history_user for record in submitted.history.all()} == {officer}
    assert result.summary == "2 applications saved."


def test_an_xlsx_with_english_headers_excel_dates_and_numbers(tmp_path, officer, leren):
    first, second = CompanyFactory(kbo_number="0403170701"), CompanyFactory()
    path = write_xlsx(
        tmp_path,
        [
            ["KBO number", "Traject", "Project", "Submitted on", "Company"],
            # Excel keeps a KBO number typed as a number without its leading zero.
            [int(first.kbo_number), "leren", None, datetime.datetime(2025, 2, 14), "ignored"],
            [None, None, None, None, None],
            [format_kbo_number(second.kbo_number), "leren", None, "2025-02-15", None],
        ],
    )

    result = run_import(path, officer)

    assert result.saved
    assert [(row.number, row.error) for row in result.rows] == [(2, ""), (4, "")]
    assert Application.objects.get(company=first).submitted_on == datetime.date(2025, 2, 14)
    assert Application.objects.get(company=second).submitted_on == datetime.date(2025, 2, 15)


def test_a_comma_separated_csv_saved_by_old_excel_in_windows_1252(tmp_path, officer, leren):
    company = CompanyFactory()
    ProjectFactory(traject=leren, name="Opleiding café")
    path = write_csv(
        tmp_path,
        f"kbo_number,traject,project\r\n{company.kbo_number},leren,Opleiding café\r\n",
        bom=False,
        encoding="cp1252",
    )

    result = run_import(path, officer)

    assert result.saved
    assert Application.objects.get(company=company).project.name == "Opleiding café"


def test_a_dry_run_checks_every_row_and_saves_nothing(tmp_path, officer, leren):
    companies = CompanyFactory.create_batch(2)
    path = write_csv(
        tmp_path,
        "kbo_number;traject;submitted_on\n"
        + "".join(f"{company.kbo_number};leren;2025-03-01\n" for company in companies),
    )

    result = run_import(path, officer, dry_run=True)

    assert not result.saved
    assert [row.outcome for row in result.rows] == ["Submitted on 01/03/2025"] * 2
    assert not Application.objects.exists()
    assert not Application.history.exists()
    assert result.summary == "Check only: all 2 rows are fine; nothing was saved."


# -- refused rows --------------------------------------------------------------------------------
def test_one_bad_row_among_good_ones_saves_nothing_and_lists_every_error(tmp_path, officer, leren, werk):
    good, second, open_one = CompanyFactory(), CompanyFactory(), CompanyFactory(name="Drukkerij Open BV")
    existing = ApplicationFactory(company=open_one, traject=leren)
    ProjectFactory(traject=werk, name="Werkplekleren")
    unknown_kbo = "0403.170.701"  # valid, but no company has it
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    path = write_csv(
        tmp_path,
        "kbo_number;traject;project;submitted_on\n"
        f"{good.kbo_number};leren;;2025-03-01\n"  # 2: fine
        f"{unknown_kbo};leren;;\n"  # 3
        f"{second.kbo_number};onbekend;;\n"  # 4
        f"{second.kbo_number};leren;Werkplekleren;\n"  # 5: a project of werk
        f"{good.kbo_number};leren;;\n"  # 6: the same as row 2
        f"{open_one.kbo_number};leren;;\n"  # 7: already open in the database
        f"{second.kbo_number};leren;;31/02/2025\n"  # 8
        f"{second.kbo_number};leren;;{tomorrow:%d/%m/%Y}\n"  # 9
        f"0403.170.702;leren;;\n"  # 10: wrong check digits
        f";leren;;\n"  # 11
        f"{second.kbo_number};;;\n"  # 12
        f"{second.kbo_number};leren;Bestaat niet;\n"  # 13
        f"{second.kbo_number};werk;;2025-03-02\n",  # 14: fine
    )

    result = run_import(path, officer)

    assert not result.saved
    assert errors(result) == {
        3: "unknown_company",
        4: "unknown_traject",
        5: "invalid_project",
        6: "duplicate_application",
        7: "duplicate_application",
        8: "invalid_date",
        9: "invalid_date",
        10: "invalid_kbo_number",
        11: "kbo_number_missing",
        12: "traject_missing",
        13: "unknown_project",
    }
    by_number = {row.number: row for row in result.rows}
    assert not by_number[2].error and not by_number[14].error
    assert by_number[3].error == "No company with KBO number 0403.170.701 is known; add the company first."
    assert by_number[4].error == "There is no traject “onbekend”; use one of: leren, werk."
    assert by_number[5].error == "The project belongs to another traject."
    assert by_number[6].error == f"{good.name} already has an open application for Voorsprong leren."
    assert by_number[7].error == "Drukkerij Open BV already has an open application for Voorsprong leren."
    assert by_number[8].error == "“31/02/2025” is not an existing date."
    assert by_number[9].error == f"The submission date {tomorrow:%d/%m/%Y} lies in the future."
    assert by_number[10].error == "0403.170.702 is not a valid KBO number: the check digits do not match"
    assert by_number[13].error == "Traject Voorsprong leren has no project “Bestaat niet”."
    # A row refused after its company was found names the company, not just the number.
    assert by_number[7].company == str(open_one)
    assert by_number[3].company == unknown_kbo
    assert result.summary == "11 of 13 rows have errors; nothing was saved."
    assert list(Application.objects.all()) == [existing]
    assert Application.history.count() == 1  # the factory's, nothing of the import


def test_a_user_the_workflow_does_not_allow_is_refused_on_every_row(tmp_path, leren):
    promoter = UserFactory(role=Role.PROMOTER)
    company = CompanyFactory()
    path = write_csv(tmp_path, f"kbo_number;traject;submitted_on\n{company.kbo_number};leren;2025-03-01\n")

    result = run_import(path, promoter)

    assert errors(result) == {2: "forbidden"}
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbfkbo_number;traject\n", "The file has no rows below the header."),
        (
            b"kbo_number;project\n0403170701;x\n",
            "The first row must name the columns; it lacks traject / traject_code.",
        ),
        (b"kbo;ondernemingsnummer;traject\n1;2;3\n", "The columns “kbo”, “ondernemingsnummer” mean the same"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "This is an old Excel file (.xls)"),
        (b"PK\x03\x04broken", "could not be read as an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(officer, content, message):
    with pytest.raises(SpreadsheetError) as refusal:
        services.import_applications(io.BytesIO(content), by=officer)
    assert message in refusal.value.message


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2025-03-01", datetime.date(2025, 3, 1)),
        ("01/03/2025", datetime.date(2025, 3, 1)),
        ("1/3/2025", datetime.date(2025, 3, 1)),
        ("1-3-2025", datetime.date(2025, 3, 1)),
        ("1.3.2025", datetime.date(2025, 3, 1)),
        (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)),
    ],
)
def test_dates_as_officers_write_them(written, day):
    assert parse_date(written) == day


@pytest.mark.parametrize("written", ["03/01/25", "2025/03/01", "1 maart 2025", "45717", "13/13/2025"])
def test_dates_that_are_refused(written):
    with pytest.raises(SpreadsheetError):
        parse_date(written)


# -- the command ---------------------------------------------------------------------------------
def command(*args, **options):
    out = io.StringIO()
    call_command("import_applications", *args, stdout=out, **options)
    return out.getvalue()


def test_the_command_prints_every_row_and_saves(tmp_path, officer, leren):
    company = CompanyFactory(name="Bakkerij Peeters BV")
    path = write_csv(tmp_path, f"kbo_number;traject\n{company.kbo_number};leren\n")

    output = command(str(path), user=officer.username)

    assert f"Row 2: {company}: Draft" in output
    assert output.rstrip().endswith("1 application saved.")
    assert Application.objects.filter(company=company, status=ApplicationStatus.DRAFT).exists()


def test_the_command_dry_run_saves_nothing(tmp_path, officer, leren):
    company = CompanyFactory()
    path = write_csv(tmp_path, f"kbo_number;traject\n{company.kbo_number};leren\n")

    output = command(str(path), "--dry-run", user=officer.username)

    assert "Check only: the row is fine; nothing was saved." in output
    assert not Application.objects.exists()


def test_the_command_fails_with_every_error_listed_when_a_row_is_refused(tmp_path, officer, leren):
    company = CompanyFactory()
    path = write_csv(
        tmp_path, f"kbo_number;traject\n{company.kbo_number};leren\n{company.kbo_number};leren\n"
    )
    out = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_applications", str(path), user=officer.username, stdout=out)

    assert failure.value.returncode == 1  # the exit status of manage.py
    assert str(failure.value) == "1 of 2 rows has an error; nothing was saved."
    assert "Row 2:" in out.getvalue()
    assert f"Row 3: {company}: {company.name} already has an open application" in out.getvalue()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("nobody", "There is no user “nobody”."),
        ("promoter", "promoter may not add applications."),
    ],
)
def test_the_command_needs_an_officer(tmp_path, leren, user, message):
    UserFactory(username="promoter", role=Role.PROMOTER)
    path = write_csv(tmp_path, f"kbo_number;traject\n{CompanyFactory().kbo_number};leren\n")
    with pytest.raises(CommandError, match=message):
        command(str(path), user=user)
    assert not Application.objects.exists()


def test_the_command_refuses_to_run_without_a_user(tmp_path):
    with pytest.raises(CommandError, match="--user"):
        command(str(tmp_path / "aanvragen.csv"))


def test_the_command_says_when_the_file_cannot_be_read(tmp_path, officer):
    with pytest.raises(CommandError, match="cannot be opened"):
        command(str(tmp_path / "missing.csv"), user=officer.username)
    path = write_csv(tmp_path, "naam;traject\nx;leren\n")
    with pytest.raises(CommandError, match="The first row must name the columns"):
        command(str(path), user=officer.username)
