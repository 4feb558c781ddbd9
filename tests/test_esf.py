"""The ESF+ monitoring figures: the approved companies per size class of question 244, each company once."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from participants.models import ApplicationStatus, LegalForm
from participants.selectors import companies_in_any_traject
from reporting.questions.pq244 import pq244_figures
from reporting.statistics.esf import RENDERERS, ESFReportSerializer, esf_figures, esf_report
from tests.clients import client_for
from tests.demo_data import demo_data
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)
URL = "/api/v1/statistics/esf/"


def operation(figures: dict, code: str) -> dict:
    return next(operation for operation in figures["operations"] if operation["code"] == code)


def assert_equal_to_question_244(day: datetime.date) -> dict:
    """Assert that the ESF+ figures of ``day`` count what question 244 counts: per traject the approved
    companies per size class, and the companies in any traject; return the ESF+ figures."""
    esf, pq244 = esf_figures(day), pq244_figures(day)
    assert [operation["code"] for operation in esf["operations"]] == [t["code"] for t in pq244["trajects"]]
    for traject in pq244["trajects"]:
        found = operation(esf, traject["code"])
        assert found["entities"] == traject["size_classes"], (day, traject["code"])
        assert found["total"] == traject["approved_companies"]
        sizes = traject["size_classes"]
        assert found["smes"] == sizes["micro"] + sizes["small"] + sizes["medium"]
    assert (
        esf["all_operations"]["total"] == pq244["companies_in_any_traject"] == companies_in_any_traject(day)
    )
    return esf


# -- a small world, worked out by hand --------------------------------------------------------------------
def company(size: str):
    figures = {
        "micro": {
            "staff_headcount": 5,
            "turnover": Decimal("1000000"),
            "balance_sheet_total": Decimal("900000"),
        },
        "small": {},  # the factory's company has 20 staff
        "medium": {"staff_headcount": 100, "turnover": Decimal("20000000"), "balance_sheet_total": None},
        "large": {"staff_headcount": 400, "turnover": Decimal("90000000"), "balance_sheet_total": None},
        "non_profit": {"legal_form": LegalForm.VZW, "is_non_profit": True},
        "unknown": {"staff_headcount": None},
    }[size]
    made = CompanyFactory(**figures)
    assert made.size_class == size
    return made


@pytest.fixture
def world(db):
    """Leren (SMEs) and werk (everyone), with the companies the tests below count by hand."""
    leren = CapacityPeriodFactory(
        traject=TrajectFactory(
            code="leren", name="Voorsprong in leren", start_date=datetime.date(2023, 5, 1)
        ),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        places=50,
    )
    werk = CapacityPeriodFactory(
        traject=TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2024, 1, 1)),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2026, 12, 31),
        places=50,
    )

    def approve(period, on, who, **fields):
        return ApprovedApplicationFactory(
            traject=period.traject,
            capacity_period=period,
            company=who,
            submitted_on=on - datetime.timedelta(days=5),
            decided_on=on,
            **fields,
        )

    grown = company("small")  # approved in leren as micro, later again as small: counts once, as small
    approve(
        leren,
        datetime.date(2025, 1, 10),
        grown,
        size_class_at_approval="micro",
        status=ApplicationStatus.COMPLETED,
        started_on=datetime.date(2025, 1, 20),
        ended_on=datetime.date(2025, 5, 1),
    )
    approve(leren, datetime.date(2025, 6, 1), grown)
    approve(leren, datetime.date(2025, 2, 1), company("micro"))
    both = company("small")  # in both operations; in werk it had grown to medium
    approve(leren, datetime.date(2025, 3, 1), both)
    approve(werk, datetime.date(2025, 5, 1), both, size_class_at_approval="medium")
    for size in ("medium", "large", "non_profit", "unknown"):
        approve(werk, datetime.date(2025, 4, 1), company(size))
    approve(  # withdrawn after the date: still counts on it
        leren,
        datetime.date(2025, 3, 1),
        company("small"),
        status=ApplicationStatus.WITHDRAWN,
        ended_on=datetime.date(2025, 12, 10),
        reason="Geen tijd meer.",
    )
    approve(leren, datetime.date(2025, 12, 1), company("small"))  # after the date
    approve(
        werk, datetime.date(2025, 3, 1), company("micro"), status=ApplicationStatus.REJECTED, reason="Nee."
    )
    return {"leren": leren, "werk": werk, "approve": approve}


def test_each_operation_counts_its_companies_once_by_their_latest_approval(world):
    figures = esf_figures(AS_OF)

    assert operation(figures, "leren") == {
        "code": "leren",
        "name": "Voorsprong in leren",
        "start_date": "2023-05-01",
        "smes": 4,
        "entities": {"micro": 1, "small": 3, "medium": 0, "large": 0, "non_profit": 0, "unknown": 0},
        "total": 4,
    }
    assert operation(figures, "werk") == {
        "code": "werk",
        "name": "Voorsprong in werk",
        "start_date": "2024-01-01",
        "smes": 2,
        "entities": {"micro": 0, "small": 0, "medium": 2, "large": 1, "non_profit": 1, "unknown": 1},
        "total": 5,
    }
    # The company in both operations counts in each, and once together, as its latest approval had it.
    assert figures["all_operations"] == {
        "smes": 5,
        "entities": {"micro": 1, "small": 2, "medium": 2, "large": 1, "non_profit": 1, "unknown": 1},
        "total": 8,
    }


def test_the_figures_are_cumulative_up_to_the_date(world):
    assert esf_figures(datetime.date(2025, 1, 9))["all_operations"]["total"] == 0
    # Before it grew, the company approved twice in leren counted as a micro-enterprise.
    early = esf_figures(datetime.date(2025, 2, 1))
    assert operation(early, "leren")["entities"]["micro"] == 2
    assert operation(early, "leren")["entities"]["small"] == 0
    # After 10 December the withdrawn company no longer counts; the one approved on 1 December does.
    late = operation(esf_figures(datetime.date(2025, 12, 31)), "leren")
    assert (late["total"], late["entities"]["small"]) == (4, 3)


@pytest.mark.parametrize(
    "day", [datetime.date(2025, 2, 1), datetime.date(2025, 4, 1), AS_OF, datetime.date(2025, 12, 31)]
)
def test_the_counts_equal_the_approved_companies_of_question_244(world, day):
    assert_equal_to_question_244(day)


def test_the_figures_take_three_queries_whatever_the_volume(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        esf_figures(AS_OF)
    for index in range(30):
        size = ["micro", "small", "medium", "large", "non_profit", "unknown"][index % 6]
        world["approve"](world["werk"], datetime.date(2025, 6, 1), company(size))
        world["approve"](world["werk"], datetime.date(2025, 7, 1), company(size))
    with django_assert_num_queries(3):
        figures = esf_figures(AS_OF)
    assert operation(figures, "werk")["total"] == 5 + 60


def test_without_any_approval_every_operation_reads_zero(world):
    figures = esf_figures(datetime.date(2024, 12, 31))
    assert [operation["total"] for operation in figures["operations"]] == [0, 0]
    assert figures["all_operations"]["entities"] == dict.fromkeys(
        ["micro", "small", "medium", "large", "non_profit", "unknown"], 0
    )


# -- the API ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CABINET, Role.OFFICER])
def test_the_cabinet_and_officers_get_the_figures_with_their_fingerprint(world, role):
    response = client_for(UserFactory(role=role)).get(URL, {"as_of": "2025-11-26"})
    assert response.status_code == 200
    body = response.json()
    assert body == esf_report(AS_OF)
    assert list(body) == ["kind", "as_of", "operations", "all_operations", "fingerprint"]
    assert body["as_of"] == "2025-11-26" and len(body["fingerprint"]) == 64
    # Nothing in the figures names a company.
    assert "Onderneming" not in json.dumps(body)


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.FINANCE])
def test_other_roles_do_not(world, role):
    response = client_for(UserFactory(role=role)).get(URL, {"as_of": "2025-11-26"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_anonymous_users_do_not(world):
    assert APIClient().get(URL, {"as_of": "2025-11-26"}).status_code == 401


@pytest.mark.parametrize("query", [{}, {"as_of": ""}, {"as_of": "26/11/2025"}, {"as_of": "2025-02-30"}])
def test_as_of_is_required_and_must_be_a_date_said_in_dutch(world, query):
    response = client_for(UserFactory(role=Role.CABINET)).get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == ["detail", "code", "as_of"]
    assert response.json()["code"] == "invalid_date"
    assert response.json()["as_of"][0] in (
        "Geef de datum van de cijfers: as_of=YYYY-MM-DD.",
        "Geen datum: geef ze als YYYY-MM-DD.",
    )


# -- the files --------------------------------------------------------------------------------------------
def render(fmt: str, report: dict) -> bytes:
    steps = []
    content = RENDERERS[fmt](report, steps.append)
    assert steps == ["layout"]
    return content


def test_the_json_file_holds_the_figures_as_documented(world):
    report = esf_report(AS_OF)
    assert ESFReportSerializer(report).data == report  # the serializer documents every field
    assert json.loads(render("json", report)) == report


def test_the_workbook_has_dutch_labels_and_a_row_per_operation(world):
    with translation.override("en"):  # whoever asks, the workbook is Dutch
        content = render("xlsx", esf_report(AS_OF))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["ESF+-monitoring", "Indicatoren"]
    about = [[cell.value for cell in row] for row in workbook["ESF+-monitoring"].iter_rows()]
    assert about[0] == ["Gegeven", "Waarde"]
    assert about[1] == ["Cijfers op", datetime.datetime(2025, 11, 26)]
    assert about[2][0] == "Telwijze" and "elke onderneming één keer per operatie" in about[2][1]
    assert about[3][0] == "Vingerafdruk van de gegevens" and len(about[3][1]) == 64
    rows = [[cell.value for cell in row] for row in workbook["Indicatoren"].iter_rows()]
    assert rows[0] == [
        "Operatie",
        "Traject",
        "Startdatum",
        "EECO19 Ondersteunde micro-, kleine en middelgrote ondernemingen (met inbegrip van coöperatieve "
        "en sociale ondernemingen)",
        "Micro-ondernemingen",
        "Kleine ondernemingen",
        "Middelgrote ondernemingen",
        "Grote ondernemingen",
        "Non-profitorganisaties",
        "Grootte niet verklaard",
        "Ondersteunde entiteiten in totaal",
    ]
    assert rows[1:] == [
        ["leren", "Voorsprong in leren", datetime.datetime(2023, 5, 1), 4, 1, 3, 0, 0, 0, 0, 4],
        ["werk", "Voorsprong in werk", datetime.datetime(2024, 1, 1), 2, 0, 0, 2, 1, 1, 1, 5],
        [None, "Alle operaties samen (elke onderneming één keer)", None, 5, 1, 2, 2, 1, 1, 1, 8],
    ]
    # Counts are numbers, shown whole.
    assert workbook["Indicatoren"]["D2"].number_format == "#,##0"


def test_a_traject_name_that_looks_like_a_formula_stays_text(world):
    TrajectFactory(
        code="vals", name='=HYPERLINK("http://example.org","klik")', start_date=datetime.date(2025, 1, 1)
    )
    workbook = load_workbook(io.BytesIO(render("xlsx", esf_report(AS_OF))))
    cell = next(row[1] for row in workbook["Indicatoren"].iter_rows(min_row=2) if row[0].value == "vals")
    assert cell.value == '=HYPERLINK("http://example.org","klik")'
    assert cell.data_type == "s" and cell.quotePrefix


# -- the demo data ----------------------------------------------------------------------------------------
@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    # A small population: the ESF+ figures have no applications.
    with demo_data(django_db_blocker, "--population", "100"):
        yield


@pytest.mark.usefixtures("demo", "db")
class TestTheDemoData:
    def test_the_ministers_date(self):
        figures = assert_equal_to_question_244(AS_OF)
        assert [(o["code"], o["total"]) for o in figures["operations"]] == [
            ("leren", 151),
            ("werk", 988),
            ("motivatie", 20),
        ]
        # Answer 2: leren and motivatie hold SMEs only; werk 608 SMEs, 242 non-profits, 138 large companies.
        assert operation(figures, "leren")["smes"] == 151
        assert operation(figures, "motivatie")["smes"] == 20
        werk = operation(figures, "werk")
        assert (werk["smes"], werk["entities"]["non_profit"], werk["entities"]["large"]) == (608, 242, 138)

    @pytest.mark.parametrize("day", [datetime.date(2024, 6, 30), datetime.date(2026, 11, 1)])
    def test_other_dates(self, day):
        assert_equal_to_question_244(day)


def test_the_cabinet_asks_for_the_esf_export_on_its_page(
    world, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from reporting.models import ReportRequest, ReportStatus

    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(role=Role.CABINET))
    page = client.get(reverse("reports:list")).content.decode()
    assert 'data-testid="esf-download"' in page and "ESF+-monitoring" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:list"), {"kind": "esf", "as_of": "26/11/2025", "format": "xlsx"})
    report = ReportRequest.objects.get()
    assert (report.kind, report.as_of, report.format, report.status) == (
        "esf",
        AS_OF,
        "xlsx",
        ReportStatus.DONE,
    )
    workbook = load_workbook(report.file.path)
    cells = {str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert any("EECO19" in cell for cell in cells)
