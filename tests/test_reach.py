"""The reach against the whole population: figures worked out by hand, the size tables officers upload
(and every refusal), the size-class view without a table, query counts at two sizes, the API, the
cabinet's page and the document."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from participants.models import ApplicationStatus
from participants.selectors import companies_in_any_traject
from reporting.models import SizeTable, SizeTableRow
from reporting.services.size_tables import MAX_BYTES, SizeTableRefusal, import_size_table, read_size_table
from reporting.statistics.reach import reach_cells, reach_figures, rounded
from reporting.statistics.reach_documents import RENDERERS
from reporting.statistics.reach_schema import ReachFiguresSerializer
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import CapacityPeriod
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 11, 26)
BEFORE = datetime.date(2025, 3, 15)
POSTAL = {
    "antwerpen": "2000",
    "limburg": "3500",
    "oost_vlaanderen": "9000",
    "vlaams_brabant": "3000",
    "west_vlaanderen": "8000",
    "brussel": "1000",
    "luik": "4000",
}


def approve(company, traject, on=BEFORE, size_class=None, **fields):
    extra = {"size_class_at_approval": size_class} if size_class else {}
    period, _created = CapacityPeriod.objects.get_or_create(
        traject=traject,
        start=datetime.date(2023, 1, 1),
        defaults={"end": datetime.date(2026, 12, 31), "places": 9999},
    )
    return ApprovedApplicationFactory(
        company=company,
        traject=traject,
        submitted_on=on - datetime.timedelta(days=10),
        decided_on=on,
        capacity_period=period,
        **extra,
        **fields,
    )


def companies(province, count, **fields):
    return [CompanyFactory(postal_code=POSTAL[province], **fields) for _ in range(count)]


@pytest.fixture
def trajects():
    return TrajectFactory(code="leren"), TrajectFactory(code="werk")


@pytest.fixture
def population(trajects):
    """Per province (population, reached): Antwerpen (10, 2), Limburg (5, 0), Oost-Vlaanderen (20, 4),
    Vlaams-Brabant (0, 0), West-Vlaanderen (8, 1), Brussel (7, 1): 50 enterprises, 8 reached. Around them
    what must not count, and two reached companies outside the population."""
    leren, werk = trajects
    by_province = {
        province: companies(province, size)
        for province, size in (
            ("antwerpen", 10),
            ("limburg", 5),
            ("oost_vlaanderen", 20),
            ("west_vlaanderen", 8),
            ("brussel", 7),
        )
    }
    reached = {"antwerpen": 2, "oost_vlaanderen": 4, "west_vlaanderen": 1, "brussel": 1}
    for province, count in reached.items():
        for company in by_province[province][:count]:
            approve(company, leren)
    # Approved in two trajects: still one company reached (Antwerpen's first).
    approve(by_province["antwerpen"][0], werk, on=datetime.date(2025, 6, 1))
    limburg = by_province["limburg"]
    approve(limburg[0], leren, on=AS_OF + datetime.timedelta(days=1))  # approved after the date
    ApplicationFactory(
        company=limburg[1],
        traject=leren,
        status=ApplicationStatus.REJECTED,
        decided_on=BEFORE,
        reason="Te laat",
    )
    approve(
        limburg[2],
        leren,
        status=ApplicationStatus.WITHDRAWN,
        ended_on=datetime.date(2025, 4, 1),
        reason="Gestopt",
    )
    # Reached but not in the population: stopped since, and a seat in Liège.
    approve(CompanyFactory(postal_code="9000", is_active=False), leren)
    approve(CompanyFactory(postal_code=POSTAL["luik"]), leren)
    return by_province


def cells(figures):
    return {cell["code"]: cell for cell in figures["cells"]}


# -- the figures, worked out by hand ---------------------------------------------------------------------
def test_reach_per_province_is_as_worked_out_by_hand(population):
    figures = reach_figures(AS_OF, "province")
    got = {
        code: (cell["population"], cell["reached"], cell["reach_per_1000"], cell["representation_ratio"])
        for code, cell in cells(figures).items()
    }
    assert got == {
        # reach = reached x 1000 / population; ratio = (reached / 8) / (population / 50)
        "antwerpen": (10, 2, "200.0", "1.25"),  # (2/8) / (10/50) = 0.25 / 0.2
        "limburg": (5, 0, "0.0", "0.00"),  # nobody reached: the most under-reached
        "oost_vlaanderen": (20, 4, "200.0", "1.25"),  # (4/8) / (20/50) = 0.5 / 0.4
        "vlaams_brabant": (0, 0, None, None),  # no enterprise: no reach, never 0
        "west_vlaanderen": (8, 1, "125.0", "0.78"),  # 0.125 / 0.16 = 0.78125
        "brussel": (7, 1, "142.9", "0.89"),  # 1000 / 7 = 142.857…; 0.125 / 0.14 = 0.8928…
    }
    assert list(cells(figures)) == [
        "antwerpen",
        "limburg",
        "oost_vlaanderen",
        "vlaams_brabant",
        "west_vlaanderen",
        "brussel",
    ]
    assert figures["total"] == {"population": 50, "reached": 8, "reach_per_1000": "160.0"}
    assert figures["reached_outside_population"] == 2
    # Reached in the population plus outside it: the companies in one or more trajects of question 244.
    assert figures["total"]["reached"] + 2 == companies_in_any_traject(AS_OF)


def test_an_earlier_date_counts_only_the_approvals_decided_by_then(population):
    figures = reach_figures(datetime.date(2025, 3, 14), "province")
    assert figures["total"] == {"population": 50, "reached": 0, "reach_per_1000": "0.0"}
    assert {cell["representation_ratio"] for cell in figures["cells"]} == {None}


def test_rounding_is_half_up_once_from_the_exact_counts():
    assert rounded(1000, 20000, 1) == Decimal("0.1")  # 0.05: half up, where half even would give 0.0
    assert rounded(1, 8, 2) == Decimal("0.13")  # 0.125
    assert rounded(3, 8, 2) == Decimal("0.38")  # 0.375
    assert rounded(5, 2, 0) == Decimal("3")  # 2.5
    assert rounded(1000, 7, 1) == Decimal("142.9")
    assert rounded(1, 3, 2) == Decimal("0.33")
    assert rounded(5, 0, 1) is None


def test_reach_per_nace_section_uses_the_2008_section_and_a_cell_for_no_code(trajects):
    leren, _werk = trajects
    it = companies("antwerpen", 3, nace_code="62010")  # J
    approve(it[0], leren)
    companies("antwerpen", 1, nace_code="")
    figures = reach_figures(AS_OF, "nace_section")
    by_code = cells(figures)
    assert [cell["code"] for cell in figures["cells"]][:21] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert by_code["J"]["label"].startswith("J ")
    assert (by_code["J"]["population"], by_code["J"]["reached"], by_code["J"]["reach_per_1000"]) == (
        3,
        1,
        "333.3",
    )
    assert by_code["J"]["representation_ratio"] == "1.33"  # (1/1) / (3/4)
    assert (by_code["unknown"]["population"], by_code["unknown"]["representation_ratio"]) == (1, "0.00")
    assert by_code["C"]["population"] == 0 and by_code["C"]["reach_per_1000"] is None


# -- by size class ---------------------------------------------------------------------------------------
TABLE = (
    "\ufeffsectie;grootteklasse;provincie;ondernemingen\n"
    "C;0;Antwerpen;600\n"
    "G;1-4;Oost-Vlaanderen;300\n"
    "F;10-19;Brussel;80\n"
    "C;50-99;70000;15\n"  # Limburg by its NIS code
    "C;250+;west_vlaanderen;5\n"
    "C;0;Luik;1.000\n"  # Wallonia: kept, but outside the population
)


def upload(text=TABLE, *, by, reference_date=datetime.date(2024, 12, 31), source="Statbel 2024"):
    return import_size_table(
        io.BytesIO(text.encode("utf-8")), reference_date=reference_date, source=source, by=by
    )


@pytest.fixture
def reached_by_size(trajects):
    """Reached by the class of their latest approval: micro 4, small 2, medium 1, large 1, non-profit 1."""
    leren, werk = trajects
    for size_class, count in (("micro", 4), ("small", 1), ("medium", 1), ("large", 1), ("non_profit", 1)):
        for company in companies("antwerpen", count):
            approve(company, leren, size_class=size_class)
    # Medium in leren first, small in werk later: counts once, as small.
    grown = companies("limburg", 1)[0]
    approve(grown, leren, size_class="medium", on=datetime.date(2025, 1, 10))
    approve(grown, werk, size_class="small", on=datetime.date(2025, 6, 1))


def test_without_a_table_the_size_class_view_has_no_denominator(reached_by_size):
    figures = reach_figures(AS_OF, "size_class")
    assert figures["size_table"] is None
    assert [
        (c["code"], c["population"], c["reached"], c["reach_per_1000"], c["representation_ratio"])
        for c in figures["cells"]
    ] == [
        ("micro", None, 4, None, None),
        ("small", None, 2, None, None),
        ("medium", None, 1, None, None),
        ("large", None, 1, None, None),
        ("non_profit", None, 1, None, None),
        ("unknown", None, 0, None, None),
    ]
    assert figures["total"] == {"population": None, "reached": 9, "reach_per_1000": None}


def test_with_a_table_the_size_classes_are_as_worked_out_by_hand(reached_by_size, officer):
    upload(by=officer)
    figures = reach_figures(AS_OF, "size_class")
    assert figures["size_table"]["source"] == "Statbel 2024"
    got = {
        c["code"]: (c["population"], c["reached"], c["reach_per_1000"], c["representation_ratio"])
        for c in figures["cells"]
    }
    # 1,000 enterprises in Flanders and Brussels (Liège's 1,000 left out); 8 reached with a band class.
    assert got == {
        "micro": (900, 4, "4.4", "0.56"),  # 4000 / 900 = 4.44…; (4/8) / (900/1000) = 0.5555…
        "small": (80, 2, "25.0", "3.13"),  # (2/8) / (80/1000) = 3.125: a tie, rounded up
        "medium": (15, 1, "66.7", "8.33"),
        "large": (5, 1, "200.0", "25.00"),
        "non_profit": (None, 1, None, None),  # a legal status, not a band
        "unknown": (None, 0, None, None),
    }
    assert figures["total"] == {"population": 1000, "reached": 9, "reach_per_1000": "8.0"}


def test_the_latest_upload_of_the_latest_reference_date_up_to_the_day_is_used(reached_by_size, officer):
    upload(by=officer, reference_date=datetime.date(2023, 12, 31), source="Statbel 2023")
    upload(
        "sectie,grootteklasse,provincie,ondernemingen\nC,0,Antwerpen,100\n", by=officer, source="Eerste 2024"
    )
    upload(by=officer, source="Verbeterd 2024")
    assert reach_figures(AS_OF, "size_class")["size_table"]["source"] == "Verbeterd 2024"
    assert reach_figures(datetime.date(2024, 6, 30), "size_class")["size_table"]["source"] == "Statbel 2023"
    assert reach_figures(datetime.date(2023, 6, 30), "size_class")["size_table"] is None


# -- the upload ------------------------------------------------------------------------------------------
def test_an_upload_saves_every_line_with_its_band_and_class(officer):
    table = upload(by=officer)
    rows = list(SizeTableRow.objects.filter(table=table).order_by("line"))
    assert [
        (r.line, r.nace_section, r.province, r.staff_from, r.staff_to, r.size_class, r.enterprises)
        for r in rows
    ] == [
        (2, "C", "antwerpen", 0, 0, "micro", 600),
        (3, "G", "oost_vlaanderen", 1, 4, "micro", 300),
        (4, "F", "brussel", 10, 19, "small", 80),
        (5, "C", "limburg", 50, 99, "medium", 15),
        (6, "C", "west_vlaanderen", 250, None, "large", 5),
        (7, "C", "luik", 0, 0, "micro", 1000),
    ]
    assert table.uploaded_by == officer
    assert table.history.get().history_user == officer


def test_a_comma_separated_file_without_bom_and_english_headers_is_read(officer):
    text = "Province,NACE section,Size band,Enterprises\nAntwerpen,c,1000 en meer,3\nBrussel,J,5 – 9,12\n"
    table = upload(text, by=officer)
    assert sorted(table.rows.values_list("nace_section", "staff_from", "staff_to", "enterprises")) == [
        ("C", 1000, None, 3),
        ("J", 5, 9, 12),
    ]


def refusal(text: str | bytes, officer) -> SizeTableRefusal:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with translation.override("nl"), pytest.raises(SizeTableRefusal) as caught:
        import_size_table(
            io.BytesIO(data), reference_date=datetime.date(2024, 12, 31), source="Statbel", by=officer
        )
    assert not SizeTable.objects.exists() and not SizeTableRow.objects.exists()
    return caught.value


HEADER = "sectie;grootteklasse;provincie;ondernemingen\n"


def test_wrong_columns_are_refused_saying_which_is_missing(officer):
    error = refusal("sectie;grootte;provincie;ondernemingen\nC;0;Antwerpen;1\n", officer)
    assert error.code == "invalid_columns"
    assert "grootteklasse" in error.message and "eerste rij" in error.message


@pytest.mark.parametrize("value", ["-3", "12,5", "veel", "", "1.23", "99999999"])
def test_a_bad_number_is_refused_with_its_line(officer, value):
    error = refusal(f"{HEADER}C;0;Antwerpen;4\nC;1-4;Antwerpen;{value}\n", officer)
    assert error.code == "invalid_rows"
    assert [line for line, _message in error.errors] == [3]
    assert error.errors[0][1].startswith("Regel 3:") and "aantal ondernemingen" in error.errors[0][1]
    assert error.message == "1 regel bevat een fout; er is niets opgeslagen."


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Z;0;Antwerpen;1", "onbekende NACE-sectie “Z”"),
        ("C;0;Parijs;1", "onbekende provincie “Parijs”"),
        ("C;veel;Antwerpen;1", "geen personeelsklasse"),
        ("C;9-5;Antwerpen;1", "geen personeelsklasse"),
        ("C;200-499;Antwerpen;1", "grens tussen grootteklassen"),
        ("C;5-19;Antwerpen;1", "grens tussen grootteklassen"),
    ],
)
def test_an_unknown_section_province_or_band_is_refused_with_its_line(officer, line, words):
    error = refusal(f"{HEADER}C;0;Antwerpen;4\n{line}\n", officer)
    [(number, message)] = error.errors
    assert number == 3 and message.startswith("Regel 3:") and words in message, message


def test_every_wrong_line_is_reported_at_once(officer):
    error = refusal(f"{HEADER}Z;0;Antwerpen;1\nC;0;Antwerpen;1\nC;0;Parijs;x\n", officer)
    assert [line for line, _message in error.errors] == [2, 4]
    assert "onbekende provincie" in error.errors[1][1] and "aantal ondernemingen" in error.errors[1][1]
    assert error.message == "2 regels bevatten fouten; er is niets opgeslagen."


def test_duplicate_and_overlapping_cells_are_refused(officer):
    error = refusal(
        f"{HEADER}C;1-4;Antwerpen;4\nC;1-4;Antwerpen;5\nC;0-9;Antwerpen;9\nC;1-4;Limburg;4\n", officer
    )
    assert error.errors == [
        (3, "Regel 3: dezelfde sectie, provincie en personeelsklasse als regel 2."),
        (4, "Regel 4: de personeelsklasse overlapt met die van regel 2 (zelfde sectie en provincie)."),
    ]


def test_a_file_too_large_is_refused(officer):
    line = "C;0;Antwerpen;1\n"
    error = refusal(HEADER + line * (MAX_BYTES // len(line) + 1), officer)
    assert error.code == "too_large" and "1024 kB" in error.message


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # a workbook (ZIP)
        b"%PDF-1.4\n\x00\x01\x02",
        HEADER.encode("cp1252") + "C;0;Liège;1\n".encode("cp1252"),  # not UTF-8
    ],
)
def test_a_file_that_is_not_text_is_refused(officer, content):
    error = refusal(content, officer)
    assert error.code == "not_text" and "geen tekstbestand" in error.message


def test_an_empty_file_or_one_without_rows_is_refused(officer):
    assert refusal(b"", officer).code == "invalid_columns"
    assert refusal(HEADER, officer).code == "invalid_columns"


def test_a_reference_date_in_the_future_or_no_source_is_refused(officer):
    with translation.override("nl"), pytest.raises(SizeTableRefusal) as caught:
        upload(by=officer, reference_date=datetime.date(2999, 1, 1))
    assert (caught.value.code, caught.value.field) == ("invalid_date", "reference_date")
    with pytest.raises(SizeTableRefusal) as caught:
        upload(by=officer, source="   ")
    assert (caught.value.code, caught.value.field) == ("source_required", "source")
    assert not SizeTable.objects.exists()


def test_only_officers_upload(db):
    cabinet = UserFactory(role=Role.CABINET)
    with pytest.raises(WorkflowRefusal) as caught:
        upload(by=cabinet)
    assert caught.value.code == "forbidden"
    assert not SizeTable.objects.exists()


def test_read_size_table_checks_without_saving():
    rows = read_size_table(io.BytesIO(TABLE.encode()))
    assert [row.line for row in rows] == [2, 3, 4, 5, 6, 7]
    assert not SizeTable.objects.exists()


# -- the admin page --------------------------------------------------------------------------------------
def test_an_officer_uploads_a_table_in_the_admin_and_sees_it(client, officer):
    client.force_login(officer)
    add = reverse("admin:reporting_sizetable_add")
    page = client.get(add)
    assert page.status_code == 200 and "grootteklasse" in page.content.decode()
    bad = io.BytesIO(f"{HEADER}Z;0;Antwerpen;1\nC;0;Parijs;1\n".encode())
    bad.name = "tabel.csv"
    response = client.post(add, {"reference_date": "2024-12-31", "source": "Statbel", "file": bad})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Regel 2: onbekende NACE-sectie" in text and "Regel 3: onbekende provincie" in text
    assert not SizeTable.objects.exists()
    good = io.BytesIO(TABLE.encode())
    good.name = "statbel-2024.csv"
    response = client.post(add, {"reference_date": "2024-12-31", "source": "Statbel 2024", "file": good})
    assert response.status_code == 302
    table = SizeTable.objects.get()
    assert (table.file_name, table.rows.count(), table.uploaded_by) == ("statbel-2024.csv", 6, officer)
    listing = client.get(reverse("admin:reporting_sizetable_changelist")).content.decode()
    assert "Statbel 2024" in listing and "2.000" in listing
    detail = client.get(reverse("admin:reporting_sizetable_change", args=[table.pk])).content.decode()
    assert "Antwerpen" in detail and "600" in detail


# -- query counts ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("by", "queries"), [("province", 2), ("nace_section", 2), ("size_class", 4)])
def test_the_figures_take_the_same_few_queries_at_two_sizes(
    trajects, officer, django_assert_num_queries, by, queries
):
    leren, _werk = trajects
    upload(by=officer)
    for size in (2, 25):
        for index, company in enumerate(companies("antwerpen", size, nace_code="62010")):
            if index % 2:
                approve(company, leren, size_class="small")
        with django_assert_num_queries(queries):
            reach_cells(AS_OF, by)


# -- the API ---------------------------------------------------------------------------------------------
def test_the_api_gives_the_figures_to_the_cabinet_and_officers(population, officer):
    url = "/api/v1/statistics/reach/?as_of=2025-11-26&by=province"
    for user in (UserFactory(role=Role.CABINET), officer):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response.json() == ReachFiguresSerializer(reach_figures(AS_OF, "province")).data
    body = client_for(officer).get(url).json()
    assert body["cells"][0] == {
        "code": "antwerpen",
        "label": "Antwerpen",
        "population": 10,
        "reached": 2,
        "reach_per_1000": "200.0",
        "representation_ratio": "1.25",
    }
    assert "name" not in str(body) and "kbo" not in str(body).lower()


@pytest.mark.parametrize(
    ("query", "field", "code", "words"),
    [
        ("by=province", "as_of", "invalid_date", "Geef de datum"),
        ("as_of=26/11/2025&by=province", "as_of", "invalid_date", "Geen datum"),
        ("as_of=2025-11-26", "by", "unknown_breakdown", "province|nace_section|size_class"),
        ("as_of=2025-11-26&by=gemeente", "by", "unknown_breakdown", "province|nace_section|size_class"),
    ],
)
def test_the_api_refuses_a_wrong_date_or_breakdown_in_dutch(officer, query, field, code, words):
    response = client_for(officer).get(f"/api/v1/statistics/reach/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and words in body[field][0]


def test_the_api_is_closed_to_other_roles(client):
    url = "/api/v1/statistics/reach/?as_of=2025-11-26&by=province"
    assert client.get(url).status_code == 401
    for role in (Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.FINANCE):
        assert client_for(UserFactory(role=role)).get(url).status_code == 403


# -- the cabinet's page and the document -----------------------------------------------------------------
def test_the_reports_page_shows_the_reach_with_its_chart_and_the_under_reached(client, population):
    client.force_login(UserFactory(role=Role.CABINET))
    page = client.get("/rapporten/?bereik-as_of=2025-11-26&bereik-by=province").content.decode()
    assert 'data-testid="reach-chart"' in page and "<svg" in page
    assert page.count('class="under-reached"') == 3  # Limburg, West-Vlaanderen, Brussel
    no_table = client.get("/rapporten/?bereik-as_of=2025-11-26&bereik-by=size_class").content.decode()
    assert 'data-testid="no-denominator"' in no_table and 'data-testid="reach-chart"' not in no_table
    refused = client.get("/rapporten/?bereik-as_of=gisteren&bereik-by=province")
    assert refused.status_code == 200 and 'data-testid="reach-table"' not in refused.content.decode()


def test_the_document_comes_in_every_format_from_the_same_figures(population):
    figures = reach_figures(AS_OF, "province")
    steps = []
    files = {fmt: render(figures, steps.append) for fmt, render in RENDERERS.items()}
    assert (
        files["pdf"].startswith(b"%PDF")
        and files["docx"].startswith(b"PK")
        and files["xlsx"].startswith(b"PK")
    )
    assert b"Antwerpen;10;2;200,0;1,25" in files["csv"]
    assert b'"representation_ratio": "0.78"' in files["json"]
    assert "layout" in steps and "charts" in steps


def test_the_page_makes_the_reach_shown_into_a_document_through_the_jobs(
    population, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from reporting.models import ReportRequest, ReportStatus

    settings.MEDIA_ROOT = tmp_path
    client.force_login(UserFactory(role=Role.CABINET))
    shown = client.get(reverse("reports:list"), {"bereik-as_of": "26/11/2025", "bereik-by": "province"})
    download = shown.context["reach"]["download"]
    assert (download.kind.key, download.parameters) == ("reach", {"by": "province"})
    assert 'data-testid="reach-download"' in shown.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:list"),
            {"kind": "reach", "as_of": "2025-11-26", "by": "province", "format": "pdf"},
        )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert (report.kind, report.parameters, report.format, report.status) == (
        "reach",
        {"by": "province"},
        "pdf",
        ReportStatus.DONE,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "reach", "as_of": "2025-11-26", "by": "gemeente", "format": "pdf"}, "Kies de indeling"),
        ({"kind": "reach", "as_of": "2025-11-26", "by": "province", "format": "odt"}, "kies het opnieuw"),
        ({"kind": "bogus", "as_of": "2025-11-26", "format": "pdf"}, "kies het opnieuw"),
        # A question is asked for with the question's own form, not as a kind of its own.
        ({"kind": "pq244", "as_of": "2025-11-26", "format": "pdf"}, "kies het opnieuw"),
    ],
)
def test_the_page_refuses_a_report_it_cannot_make_and_saves_nothing(client, body, message):
    from reporting.models import ReportRequest

    client.force_login(UserFactory(role=Role.CABINET))
    response = client.post(reverse("reports:list"), body, follow=True)
    assert [message in str(shown) for shown in response.context["messages"]] == [True]
    assert not ReportRequest.objects.exists()


def test_reach_per_nace_section_keeps_each_version_apart(trajects):
    leren, _werk = trajects
    old = companies("antwerpen", 2, nace_code="62010")  # J of 2008
    new = companies("antwerpen", 2, nace_code="62010", nace_version="2025")  # K of 2025
    approve(old[0], leren)
    approve(new[0], leren)
    approve(new[1], leren)

    figures = reach_figures(AS_OF, "nace_section")

    codes = [cell["code"] for cell in figures["cells"]]
    # Every section of 2025 (it has companies), then every one of 2008; none of 2003, which has none.
    assert codes[:22] == [f"2025-{letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUV"]
    assert codes[22:] == list("ABCDEFGHIJKLMNOPQRSTU")
    by_code = cells(figures)
    assert (by_code["J"]["population"], by_code["J"]["reached"]) == (2, 1)
    assert (by_code["2025-K"]["population"], by_code["2025-K"]["reached"]) == (2, 2)
    assert by_code["2025-J"]["population"] == 0
    assert (
        by_code["2025-K"]["label"].startswith("K Telecommunicatie")
        and "(NACE-BEL 2025)" in by_code["2025-K"]["label"]
    )
    assert figures["total"]["population"] == 4
