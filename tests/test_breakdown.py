"""The breakdown ("Eigen overzicht"): its figures in a small world worked out by hand, its API and its
refusals, its reports through the report jobs and the cabinet's page, and a constant number of queries.

The world, as of 30 June 2025 (``AS_OF``):

- leren: c1 (Gent, NACE 62010 = J, PC 200, micro) approved 10/02/2025 in project P1 (service provider
  A), completed 31/05/2025; c2 (Antwerpen, NACE 41101 = F, PC 124, small) approved 05/11/2024 (completed
  31/01/2025, a place of the 2024 period) and again 15/04/2025 in P1; c3 rejected.
- werk: c2 approved 20/05/2025 in P2 (promoter B with union U), referred by sector fund F; c3 (Gent, no
  NACE code, no joint committee) approved 05/03/2025 in P2 without a place, withdrawn 15/07/2025 (after
  the date: it counts); c4 (Brugge, NACE 10110 = C, PC 118) approved 10/01/2025 and withdrawn 01/02/2025
  (it does not count), approved again 01/06/2025 in P2; c1 approved on 10/07/2025 (after the date).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingSourceCode
from participants.models import ApplicationStatus, Company
from reporting.models import ReportRequest, ReportStatus
from reporting.questions.pq244 import pq244_figures
from reporting.statistics.breakdown import MEASURES, BreakdownError, breakdown
from tests.clients import client_for
from tests.demo_data import SMALL_POPULATION, demo_data
from tests.factories import (
    ApplicationFactory,
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    CoachingSessionFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from tests.test_documents import docx_text, flat, pdf_text, xlsx_values
from trajects.models import CapacityPeriod, OrganisationKind
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 6, 30)
URL = "/api/v1/statistics/breakdown/"
REQUESTS = "/api/v1/report-requests/"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def build_world(suffix: str = "") -> dict:
    """Create the world of the module's documentation (``suffix`` names a second copy apart)."""
    leren = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=day("2023-05-01"))
    werk = TrajectFactory(
        code="werk",
        name="Voorsprong in werk voor iedereen",
        start_date=day("2024-01-01"),
        allowed_size_classes=["micro", "small", "medium", "large", "non_profit", "unknown"],
    )
    periods = {
        f"{traject.code}{year}": CapacityPeriod.objects.get_or_create(
            traject=traject, start=day(f"{year}-01-01"), defaults={"end": day(f"{year}-12-31"), "places": 90}
        )[0]
        for traject, year in ((leren, 2024), (leren, 2025), (werk, 2025))
    }
    provider = OrganisationFactory(name=f"Dienstverlener A{suffix}", kind=OrganisationKind.SERVICE_PROVIDER)
    promoter = OrganisationFactory(name=f"Promotor B{suffix}", kind=OrganisationKind.PROMOTER)
    union = OrganisationFactory(name=f"Vakbond U{suffix}", kind=OrganisationKind.UNION)
    fund = OrganisationFactory(name=f"Sectorfonds F{suffix}", kind=OrganisationKind.SECTOR_FUND)
    p1 = ProjectFactory(traject=leren, name=f"P1{suffix}", organisations=[provider])
    p2 = ProjectFactory(traject=werk, name=f"P2{suffix}", organisations=[promoter, union])

    c1 = CompanyFactory(
        postal_code="9000",
        nace_code="62010",
        joint_committee="200",
        staff_headcount=5,
        turnover=Decimal("500000.00"),
        balance_sheet_total=Decimal("300000.00"),
    )
    c2 = CompanyFactory(
        postal_code="2000", municipality="Antwerpen", nace_code="41101", joint_committee="124"
    )
    c3 = CompanyFactory(postal_code="9000", nace_code="", joint_committee="")
    c4 = CompanyFactory(postal_code="8000", municipality="Brugge", nace_code="10110", joint_committee="118")

    def approved(company, traject, decided, **fields):
        fields.setdefault("capacity_period", periods[f"{traject.code}{decided[:4]}"])
        return ApprovedApplicationFactory(
            company=company, traject=traject, decided_on=day(decided), submitted_on=day(decided), **fields
        )

    completed = {"status": ApplicationStatus.COMPLETED}
    approved(
        c2,
        leren,
        "2024-11-05",
        project=p1,
        **completed,
        started_on=day("2024-12-01"),
        ended_on=day("2025-01-31"),
    )
    a1 = approved(
        c1,
        leren,
        "2025-02-10",
        project=p1,
        **completed,
        started_on=day("2025-03-01"),
        ended_on=day("2025-05-31"),
    )
    a2 = approved(
        c2,
        leren,
        "2025-04-15",
        project=p1,
        status=ApplicationStatus.IN_PROGRESS,
        started_on=day("2025-05-01"),
    )
    a3 = approved(
        c2,
        werk,
        "2025-05-20",
        project=p2,
        referral=ReferralFactory(sector_fund=fund, company=c2, traject=werk),
    )
    approved(
        c3,
        werk,
        "2025-03-05",
        project=p2,
        capacity_period=None,
        status=ApplicationStatus.WITHDRAWN,
        ended_on=day("2025-07-15"),
        reason="Op vraag",
    )
    a5 = approved(
        c4, werk, "2025-01-10", status=ApplicationStatus.WITHDRAWN, ended_on=day("2025-02-01"), reason="x"
    )
    approved(c4, werk, "2025-06-01", project=p2)
    a7 = approved(c1, werk, "2025-07-10", project=p2)
    ApplicationFactory(
        company=c3,
        traject=leren,
        status=ApplicationStatus.REJECTED,
        decided_on=day("2025-03-01"),
        reason="Geen KMO",
    )

    for application, date, hours in (
        (a1, "2025-03-01", "3.50"),
        (a1, "2025-04-01", "2.00"),
        (a2, "2025-05-01", "1.25"),
        (a2, "2025-07-05", "4.00"),  # after the date
        (a3, "2025-06-10", "2.00"),
    ):
        CoachingSessionFactory(application=application, date=day(date), hours=Decimal(hours))
    for application, code, amount in (
        (a1, "eu", "400.00"),
        (a1, "flemish", "600.00"),
        (a3, "eu", "1000.00"),
        (a3, "flemish", "1000.00"),
        (a3, "own_promoter", "300.00"),
        (a5, "eu", "999.00"),  # withdrawn before the date
        (a7, "eu", "500.00"),  # approved after the date
    ):
        ApplicationFundingFactory(application=application, source__code=code, amount=Decimal(amount))
    return {"provider": provider, "promoter": promoter, "fund": fund, "p1": p1, "p2": p2}


@pytest.fixture
def world():
    return build_world()


def cells(figures) -> dict:
    """Return the rows as {(label, ...): values}."""
    labels = [
        {item["value"]: item["label"] for item in dimension["values"]} for dimension in figures["dimensions"]
    ]
    return {
        tuple(labels[index][key] for index, key in enumerate(row["keys"])): row["values"]
        for row in figures["rows"]
    }


# -- the figures, worked out by hand -----------------------------------------------------------------------
def test_approved_companies_by_traject_and_province(world):
    figures = breakdown(AS_OF, ["traject", "province"], "approved_companies")
    assert cells(figures) == {
        ("Voorsprong in leren", "Antwerpen"): [1],
        ("Voorsprong in leren", "Oost-Vlaanderen"): [1],
        ("Voorsprong in werk voor iedereen", "Antwerpen"): [1],
        ("Voorsprong in werk voor iedereen", "Oost-Vlaanderen"): [1],
        ("Voorsprong in werk voor iedereen", "West-Vlaanderen"): [1],
    }
    # c2 is in both trajects: four companies, five cells.
    assert figures["total"] == [4]
    assert figures["columns"] == [{"key": "companies", "label": "Goedgekeurde bedrijven", "unit": "count"}]
    assert [dimension["label"] for dimension in figures["dimensions"]] == ["Traject", "Provincie"]


def test_a_company_counts_by_its_latest_approval_in_a_traject(world):
    by_quarter = breakdown(AS_OF, ["decision_quarter"], "approved_companies")
    # Q1: c1 (leren) and c3 (werk); Q2: c2 (latest in leren and in werk) and c4 (its second approval).
    assert cells(by_quarter) == {("K1 2025",): [2], ("K2 2025",): [2]}
    assert [row["keys"] for row in by_quarter["rows"]] == [["2025-Q1"], ["2025-Q2"]]


def test_beside_the_traject_a_dimension_of_the_approval_still_takes_the_latest(world):
    # By traject alone c2's two approvals in leren are one cell; by quarter beside it only its latest
    # (Q2 2025) counts, never its first (Q4 2024).
    assert cells(breakdown(AS_OF, ["traject"], "approved_companies"))[("Voorsprong in leren",)] == [2]
    figures = breakdown(AS_OF, ["traject", "decision_quarter"], "approved_companies")
    rows = [(*row["keys"], *row["values"]) for row in figures["rows"]]
    assert rows == [
        ("leren", "2025-Q1", 1),
        ("leren", "2025-Q2", 1),
        ("werk", "2025-Q1", 1),
        ("werk", "2025-Q2", 2),
    ]
    assert figures["total"] == [4]


def test_promoters_leave_the_unions_out_and_projects_name_themselves(world):
    assert cells(breakdown(AS_OF, ["promoter"], "approved_companies")) == {
        ("Dienstverlener A",): [2],
        ("Promotor B",): [3],
    }
    figures = breakdown(AS_OF, ["project", "sector_fund"], "applications_approved")
    assert cells(figures) == {
        ("P1", "Niet doorverwezen"): [3],
        ("P2", "Sectorfonds F"): [1],
        ("P2", "Niet doorverwezen"): [2],
    }
    assert figures["dimensions"][0]["values"][0]["value"] == str(world["p1"].pk)


def test_company_dimensions_name_what_is_missing(world):
    figures = breakdown(AS_OF, ["nace_section", "joint_committee"], "approved_companies")
    assert cells(figures) == {
        ("C – Industrie", "PC 118"): [1],
        ("F – Bouwnijverheid", "PC 124"): [1],
        ("J – Informatie en communicatie", "PC 200"): [1],
        ("Geen NACE-code", "Geen paritair comité"): [1],
    }
    size = breakdown(AS_OF, ["size_class"], "approved_companies")
    assert cells(size) == {("Micro-onderneming",): [1], ("Kleine onderneming",): [3]}


def test_applications_places_and_completions(world):
    assert cells(breakdown(AS_OF, ["traject"], "applications_approved")) == {
        ("Voorsprong in leren",): [3],
        ("Voorsprong in werk voor iedereen",): [3],
    }
    # c3's withdrawn approval in werk holds no place.
    places = breakdown(AS_OF, ["traject"], "places_taken")
    assert (cells(places), places["total"]) == (
        {("Voorsprong in leren",): [3], ("Voorsprong in werk voor iedereen",): [2]},
        [5],
    )
    completed = breakdown(AS_OF, ["decision_year"], "trajectories_completed")
    assert (cells(completed), completed["total"]) == ({("2024",): [1], ("2025",): [1]}, [2])


def test_hours_and_money_are_summed_to_the_cent(world):
    hours = breakdown(AS_OF, ["promoter"], "coaching_hours")
    assert (cells(hours), hours["total"]) == (
        {("Dienstverlener A",): ["6.75"], ("Promotor B",): ["2.00"]},
        ["8.75"],
    )
    money = breakdown(AS_OF, ["traject"], "amount_committed")
    assert [column["key"] for column in money["columns"]] == [*FundingSourceCode.values, "total"]
    assert cells(money) == {
        ("Voorsprong in leren",): ["400.00", "600.00", "0.00", "0.00", "1000.00"],
        ("Voorsprong in werk voor iedereen",): ["1000.00", "1000.00", "300.00", "0.00", "2300.00"],
    }
    assert money["total"] == ["1400.00", "1600.00", "300.00", "0.00", "3300.00"]


def test_an_earlier_date_counts_less(world):
    figures = breakdown(day("2025-01-31"), ["traject"], "approved_companies")
    # c2's first approval (leren) and c4's approval of 10 January, withdrawn only on 1 February.
    assert cells(figures) == {("Voorsprong in leren",): [1], ("Voorsprong in werk voor iedereen",): [1]}
    assert breakdown(day("2024-01-01"), ["traject"], "approved_companies")["rows"] == []


@pytest.mark.parametrize(
    ("by", "measure", "code"),
    [
        ([], "approved_companies", "no_dimension"),
        (["region"], "approved_companies", "unknown_dimension"),
        (["traject", "traject"], "approved_companies", "duplicate_dimension"),
        (["traject", "province", "project", "promoter"], "approved_companies", "too_many_dimensions"),
        (["traject"], "turnover", "unknown_measure"),
    ],
)
def test_the_function_refuses_what_does_not_exist(by, measure, code):
    with pytest.raises(BreakdownError) as refused:
        breakdown(AS_OF, by, measure)
    assert refused.value.code == code


# -- constant queries ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("measure", list(MEASURES))
def test_one_query_whatever_the_volume(measure, django_assert_num_queries):
    build_world()
    by = ["promoter", "decision_quarter", "nace_section"]
    with django_assert_num_queries(1):
        small = breakdown(AS_OF, by, measure)
    for copy in range(1, 4):
        build_world(suffix=f" {copy}")  # the trajects are shared, the rest is new
    with django_assert_num_queries(1):
        large = breakdown(AS_OF, by, measure)
    assert len(large["rows"]) > len(small["rows"])


# -- the API ------------------------------------------------------------------------------------------------
def test_the_cabinet_gets_the_breakdown_through_the_api(world):
    client = client_for(UserFactory(role=Role.CABINET))
    response = client.get(
        URL, {"as_of": "2025-06-30", "by": "traject,province", "measure": "approved_companies"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["as_of"], body["by"], body["total"]) == (
        "breakdown",
        "2025-06-30",
        ["traject", "province"],
        [4],
    )
    assert body["rows"][0] == {"keys": ["leren", "antwerpen"], "values": [1]}
    assert len(body["fingerprint"]) == 64
    money = client.get(URL, {"as_of": "2025-06-30", "by": "traject", "measure": "amount_committed"}).json()
    assert money["total"][-1] == "3300.00"


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"by": "traject", "measure": "approved_companies"}, "as_of", "invalid_date"),
        ({"as_of": "30/06/2025", "by": "traject", "measure": "approved_companies"}, "as_of", "invalid_date"),
        ({"as_of": "2099-01-01", "by": "traject", "measure": "approved_companies"}, "as_of", "future_date"),
        ({"as_of": "2025-06-30", "measure": "approved_companies"}, "by", "invalid"),
        ({"as_of": "2025-06-30", "by": ",", "measure": "approved_companies"}, "by", "no_dimension"),
        (
            {"as_of": "2025-06-30", "by": "traject,regio", "measure": "approved_companies"},
            "by",
            "unknown_dimension",
        ),
        (
            {"as_of": "2025-06-30", "by": "traject,traject", "measure": "places_taken"},
            "by",
            "duplicate_dimension",
        ),
        (
            {"as_of": "2025-06-30", "by": "traject,province,project,promoter", "measure": "places_taken"},
            "by",
            "too_many_dimensions",
        ),
        ({"as_of": "2025-06-30", "by": "traject", "measure": "omzet"}, "measure", "unknown_measure"),
        ({"as_of": "2025-06-30", "by": "traject"}, "measure", "invalid"),
    ],
)
def test_the_api_refuses_in_dutch_with_a_code(world, query, field, code):
    response = client_for(UserFactory(role=Role.OFFICER)).get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == (code, "De invoer is niet geldig: zie de meldingen per veld.")
    assert body[field] and all(message.strip() for message in body[field])


def test_the_api_names_the_dimensions_in_its_refusal(world):
    body = (
        client_for(UserFactory(role=Role.CABINET))
        .get(URL, {"as_of": "2025-06-30", "by": "regio", "measure": "approved_companies"})
        .json()
    )
    assert body["by"] == [
        "Onbekende indeling regio: kies uit traject, size_class, province, nace_section, joint_committee, "
        "sector_fund, project, promoter, decision_year, decision_quarter."
    ]


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.FINANCE])
def test_other_roles_are_refused(world, role):
    response = client_for(UserFactory(role=role)).get(
        URL, {"as_of": "2025-06-30", "by": "traject", "measure": "approved_companies"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


# -- reports through the report jobs ------------------------------------------------------------------------
def test_a_breakdown_report_is_asked_for_built_and_downloaded(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(UserFactory(role=Role.CABINET))
    body = {
        "kind": "breakdown",
        "parameters": {"by": ["traject", "province"], "measure": "approved_companies"},
        "as_of": "2025-06-30",
        "format": "xlsx",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUESTS, body, format="json")
    assert response.status_code == 202, response.json()
    report = client.get(f"{REQUESTS}{response.json()['id']}/").json()
    assert (report["kind"], report["question"], report["status"]) == ("breakdown", None, "done")
    assert report["parameters"] == {"by": ["traject", "province"], "measure": "approved_companies"}
    download = client.get(report["download_url"])
    assert (
        f'filename="breakdown-2025-06-30-{report["fingerprint"][:8]}.xlsx"' in download["Content-Disposition"]
    )
    sheets = xlsx_values(b"".join(download.streaming_content))
    assert sheets["Overzicht"][0] == ("Traject", "Provincie", "Goedgekeurde bedrijven")
    assert sheets["Overzicht"][1] == ("Voorsprong in leren", "Antwerpen", 1)
    assert sheets["Overzicht"][-1] == ("Totaal", None, 4)

    # The same parameters, comma-separated: the same request, made from the same figures, reuses the file.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            REQUESTS,
            {**body, "parameters": {"measure": "approved_companies", "by": "traject,province"}},
            format="json",
        )
    second = ReportRequest.objects.get(pk=again.json()["id"])
    first = ReportRequest.objects.get(pk=report["id"])
    assert second.pk != first.pk and second.file.name == first.file.name
    assert second.parameters == first.parameters


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_documents_show_the_table_with_the_fingerprint_in_the_footer(world, fmt):
    from reporting.documents import render_report
    from reporting.selectors import report_figures

    figures = report_figures("breakdown", AS_OF, {"by": ["promoter"], "measure": "coaching_hours"})
    content = render_report(figures, fmt)
    text = flat(pdf_text(content) if fmt == "pdf" else docx_text(content))
    assert "Begeleidingsuren per promotor of dienstverlener" in text
    assert "Dienstverlener A 6,75" in text and "Totaal 8,75" in text
    assert figures["fingerprint"] in text


@pytest.mark.parametrize(
    ("parameters", "field", "code"),
    [
        ({"by": ["traject"], "measure": "omzet"}, "measure", "unknown_measure"),
        ({"by": ["gemeente"], "measure": "places_taken"}, "by", "unknown_dimension"),
        ({"by": 7, "measure": "places_taken"}, "by", "invalid"),
        (None, "by", "invalid"),
    ],
)
def test_a_breakdown_report_with_wrong_parameters_is_refused(world, parameters, field, code):
    body = {"kind": "breakdown", "as_of": "2025-06-30", "format": "pdf"}
    if parameters is not None:
        body["parameters"] = parameters
    response = client_for(UserFactory(role=Role.CABINET)).post(REQUESTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()[field]
    assert not ReportRequest.objects.exists()


def test_a_question_takes_no_parameters_and_an_unknown_kind_is_refused(world):
    client = client_for(UserFactory(role=Role.CABINET))
    response = client.post(
        REQUESTS,
        {"kind": "pq244", "parameters": {"by": ["traject"]}, "as_of": "2025-06-30", "format": "pdf"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "no_parameters")
    response = client.post(
        REQUESTS, {"kind": "bereik", "as_of": "2025-06-30", "format": "pdf"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "unknown_kind")
    assert response.json()["kind"] == ["Kies een van de soorten rapport pq244, breakdown, esf, reach."]
    assert not ReportRequest.objects.exists()


# -- the cabinet's page -------------------------------------------------------------------------------------
def test_the_page_shows_the_overview_and_downloads_it_through_the_jobs(
    world, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(role=Role.CABINET))
    query = {"as_of": "2025-06-30", "dimension_1": "promoter", "dimension_2": "", "measure": "coaching_hours"}
    response = client.get(reverse("reports:list"), query)
    overview = response.context["overview"]
    assert overview["title"] == "Begeleidingsuren per promotor of dienstverlener"
    assert overview["table"]["rows"] == [
        ["Dienstverlener A", "6,75"],
        ["Promotor B", "2,00"],
        ["Totaal", "8,75"],
    ]
    text = response.content.decode()
    assert 'data-testid="overview-chart"' in text and "<svg" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:list"),
            {
                "kind": "breakdown",
                "as_of": "2025-06-30",
                "by": "promoter",
                "measure": "coaching_hours",
                "format": "pdf",
            },
        )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert (report.kind, report.parameters, report.format, report.status) == (
        "breakdown",
        {"by": ["promoter"], "measure": "coaching_hours"},
        "pdf",
        ReportStatus.DONE,
    )
    listed = client.get(reverse("reports:list")).content.decode()
    assert "Begeleidingsuren – promotor of dienstverlener" in listed


def test_the_page_refuses_a_repeated_dimension_and_a_future_date(world, client):
    client.force_login(UserFactory(role=Role.OFFICER))
    query = {
        "as_of": "2099-01-01",
        "dimension_1": "traject",
        "dimension_2": "traject",
        "measure": "places_taken",
    }
    form = client.get(reverse("reports:list"), query).context["overview"]["form"]
    assert form.errors["as_of"] and form.errors["dimension_2"]
    response = client.post(
        reverse("reports:list"),
        {
            "kind": "breakdown",
            "as_of": "2025-06-30",
            "by": "regio",
            "measure": "places_taken",
            "format": "pdf",
        },
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Onbekende indeling regio: kies uit traject, size_class, province, nace_section, joint_committee, "
        "sector_fund, project, promoter, decision_year, decision_quarter."
    ]
    assert not ReportRequest.objects.exists()


# -- reconciliation with question 244 on the demo data -------------------------------------------------------
@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with demo_data(django_db_blocker, *SMALL_POPULATION):
        yield


def by_traject(figures) -> dict[str, list]:
    return {row["keys"][0]: row["values"] for row in figures["rows"]}


@pytest.mark.usefixtures("demo")
class TestTotalsEqualQuestion244:
    """Before the answer's date, on it, and with the later approvals, completions and evaluations."""

    @pytest.mark.parametrize("as_of", [day("2024-06-30"), day("2025-11-26"), day("2026-11-01")])
    def test_at_three_dates(self, as_of, db):
        answer = pq244_figures(as_of)
        trajects = {traject["code"]: traject for traject in answer["trajects"]}

        companies = breakdown(as_of, ["traject"], "approved_companies")
        assert companies["total"] == [answer["companies_in_any_traject"]]
        assert {code: values[0] for code, values in by_traject(companies).items()} == {
            code: traject["approved_companies"]
            for code, traject in trajects.items()
            if traject["approved_companies"]
        }

        sizes = breakdown(as_of, ["traject", "size_class"], "approved_companies")
        found = {(row["keys"][0], row["keys"][1]): row["values"][0] for row in sizes["rows"]}
        assert found == {
            (code, size_class): count
            for code, traject in trajects.items()
            for size_class, count in traject["size_classes"].items()
            if count
        }

        places = breakdown(as_of, ["traject"], "places_taken")
        assert {code: values[0] for code, values in by_traject(places).items()} == {
            code: sum(period["taken"] for period in traject["places"])
            for code, traject in trajects.items()
            if any(period["taken"] for period in traject["places"])
        }

        completed = breakdown(as_of, ["traject"], "trajectories_completed")
        assert {code: values[0] for code, values in by_traject(completed).items()} == {
            code: traject["evaluations"]["completed"]
            for code, traject in trajects.items()
            if traject["evaluations"]["completed"]
        }

        # Any other dimension splits the same totals.
        for dimension in ("province", "nace_section", "promoter", "decision_quarter"):
            split = breakdown(as_of, [dimension], "places_taken")
            assert sum(row["values"][0] for row in split["rows"]) == places["total"][0]
            assert breakdown(as_of, [dimension], "approved_companies")["total"] == companies["total"]


def test_sections_of_different_nace_versions_are_never_added_up(world):
    # c4 moves to the 2025 coding: its 62010 is section K there, not J as c1's 62010 of 2008.
    Company.objects.filter(nace_code="10110").update(nace_code="62010", nace_version="2025")

    figures = breakdown(AS_OF, ["nace_section"], "approved_companies")

    assert cells(figures) == {
        (
            "K – Telecommunicatie, computerprogrammering, consultancy, computerinfrastructuur en andere "
            "informatiediensten (NACE-BEL 2025)",
        ): [1],
        ("F – Bouwnijverheid",): [1],
        ("J – Informatie en communicatie",): [1],
        ("Geen NACE-code",): [1],
    }
    # The newest version first, then the sections by letter, the missing code last.
    assert [item["value"] for item in figures["dimensions"][0]["values"]] == ["2025-K", "F", "J", ""]
