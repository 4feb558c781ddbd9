"""The budget monitor: the summary per traject and source, its API, page and spreadsheet, the nightly mail."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import ApplicationFunding, BudgetLine, Declaration, DeclarationShare, FundingSource
from funding.models import DeclarationStatus as DS
from funding.selectors import budget_summary, budgets_at_risk
from funding.tasks import check_budgets
from participants.models import ApplicationStatus as S
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 7, 15)  # the burn-rate window is January to June 2026


@pytest.fixture
def sources():
    return {
        code: FundingSource.objects.create(code=code, name=name, is_subsidy=code != "own_promoter")
        for code, name in (("eu", "ESF+"), ("flemish", "Vlaanderen"), ("own_promoter", "Promotoren"))
    }


def line(traject, source, amount, period=None) -> BudgetLine:
    return BudgetLine.objects.create(traject=traject, source=source, capacity_period=period, amount=amount)


def approved(traject, period, funding: dict, **kwargs):
    application = ApprovedApplicationFactory(traject=traject, capacity_period=period, **kwargs)
    for source, amount in funding.items():
        ApplicationFunding.objects.create(application=application, source=source, amount=Decimal(amount))
    return application


def declare(application, status, shares: dict, decided_on=None) -> Declaration:
    declaration = Declaration.objects.create(
        application=application,
        period_start=datetime.date(2025, 12, 1),
        period_end=datetime.date(2025, 12, 31),
        amount=sum((Decimal(amount) for amount in shares.values()), Decimal(0)),
        status=status,
        declared_by=UserFactory(),
        declared_on=datetime.date(2025, 12, 31),
        decided_on=decided_on,
        reason="Geen bewijsstukken" if status == DS.REJECTED else "",
        paid_on=decided_on + datetime.timedelta(days=20) if status == DS.PAID else None,
    )
    for source, amount in shares.items():
        DeclarationShare.objects.create(declaration=declaration, source=source, amount=Decimal(amount))
    return declaration


@pytest.fixture
def leren(sources):
    """Budget EU 40,000 and Flemish 50,000 + 10,000 for 2026; two applications hold money, a withdrawn
    and a submitted one do not; declarations in every status."""
    eu, flemish = sources["eu"], sources["flemish"]
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2024, 1, 1))
    CapacityPeriodFactory(traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    line(traject, eu, Decimal("40000.00"))
    line(traject, flemish, Decimal("50000.00"))
    line(traject, flemish, Decimal("10000.00"), period)
    first = approved(traject, period, {eu: "1000.00", flemish: "1500.00"})
    second = approved(
        traject,
        period,
        {eu: "2000.50", flemish: "3000.75"},
        status=S.IN_PROGRESS,
        started_on=datetime.date(2025, 4, 1),
    )
    approved(
        traject,
        period,
        {eu: "5000.00", flemish: "7500.00"},
        status=S.WITHDRAWN,
        ended_on=datetime.date(2025, 5, 1),
        reason="Bedrijf stopt",
    )
    submitted = ApplicationFactory(traject=traject)
    ApplicationFunding.objects.create(application=submitted, source=eu, amount=Decimal("999.00"))
    declare(first, DS.SUBMITTED, {eu: "100.00", flemish: "150.00"})
    declare(first, DS.APPROVED, {eu: "200.00", flemish: "300.00"}, datetime.date(2026, 3, 10))
    declare(second, DS.REJECTED, {eu: "400.00", flemish: "600.00"}, datetime.date(2026, 3, 10))
    declare(second, DS.PAID, {eu: "800.00", flemish: "1200.00"}, datetime.date(2026, 2, 10))
    declare(
        second, DS.APPROVED, {eu: "60.00", flemish: "90.00"}, datetime.date(2025, 12, 20)
    )  # before the window
    return traject


@pytest.fixture
def werk(sources):
    """EU budgeted per period only: the 2026 line's period ends before the traject's last period."""
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2025, 1, 1))
    first = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    second = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30)
    )
    CapacityPeriodFactory(traject=traject, start=datetime.date(2026, 7, 1), end=datetime.date(2027, 12, 31))
    line(traject, sources["eu"], Decimal("8000.00"), first)
    line(traject, sources["eu"], Decimal("2000.00"), second)
    approved(traject, second, {sources["eu"]: "1900.00"})
    return traject


def row_of(rows, traject, source) -> dict:
    (found,) = (row for row in rows if row["traject"] == traject and row["source"] == source)
    return found


# -- the summary ------------------------------------------------------------------------------------
def test_the_summary_per_traject_and_source(leren):
    rows = budget_summary(as_of=AS_OF)
    assert [(row["traject"], row["source"]) for row in rows] == [("leren", "eu"), ("leren", "flemish")]
    eu, flemish = rows
    assert eu == {
        "traject": "leren",
        "traject_name": "Voorsprong in leren",
        "source": "eu",
        "source_name": "ESF+",
        "own_contribution": False,
        "budget": Decimal("40000.00"),
        "committed": Decimal("3000.50"),  # not the withdrawn nor the submitted application
        "declared": Decimal("1160.00"),  # all but the rejected declaration
        "approved": Decimal("1060.00"),  # approved and paid
        "paid": Decimal("800.00"),
        "remaining": Decimal("36999.50"),
        "share": Decimal("40.0"),
        "burn_rate": Decimal("166.67"),  # 1,000 approved in January-June, over 6 months
        "months_left": Decimal("233.6"),  # (40,000 - 1,060) / 166.67
        "period_end": datetime.date(2026, 12, 31),  # a traject-wide line: the traject's last period
        "runs_out_on": AS_OF + datetime.timedelta(days=7111),
        "low_remaining": False,
        "runs_out_early": False,
    }
    assert (flemish["budget"], flemish["committed"], flemish["remaining"]) == (
        Decimal("60000.00"),
        Decimal("4500.75"),
        Decimal("55499.25"),
    )
    assert (flemish["declared"], flemish["approved"], flemish["paid"]) == (
        Decimal("1740.00"),
        Decimal("1590.00"),
        Decimal("1200.00"),
    )
    assert (flemish["share"], flemish["burn_rate"]) == (Decimal("60.0"), Decimal("250.00"))
    assert str(eu["budget"]) == "40000.00" and str(eu["share"]) == "40.0"


def test_a_source_budgeted_per_period_ends_with_its_lines_periods(werk):
    (row,) = budget_summary(as_of=AS_OF)
    assert (row["budget"], row["committed"], row["remaining"]) == (
        Decimal("10000.00"),
        Decimal("1900.00"),
        Decimal("8100.00"),
    )
    assert row["period_end"] == datetime.date(2026, 6, 30)
    assert row["burn_rate"] == Decimal("0.00") and row["months_left"] is None


def test_less_than_a_tenth_remaining_is_flagged(sources):
    traject = TrajectFactory(code="motivatie")
    period = CapacityPeriodFactory(traject=traject)
    line(traject, sources["eu"], Decimal("1000.00"))
    approved(traject, period, {sources["eu"]: "900.01"})
    (row,) = budget_summary(as_of=AS_OF)
    assert row["remaining"] == Decimal("99.99") and row["low_remaining"]


def test_a_young_traject_burns_over_the_months_it_ran(sources):
    traject = TrajectFactory(code="motivatie", start_date=datetime.date(2026, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2026, 5, 1), end=datetime.date(2026, 12, 31)
    )
    line(traject, sources["eu"], Decimal("3000.00"))
    application = approved(traject, period, {sources["eu"]: "2000.00"})
    declare(application, DS.APPROVED, {sources["eu"]: "1000.00"}, datetime.date(2026, 6, 10))
    (row,) = budget_summary(as_of=AS_OF)
    assert row["burn_rate"] == Decimal("500.00")  # May and June, not six months
    assert row["months_left"] == Decimal("4.0")
    assert row["runs_out_on"] == AS_OF + datetime.timedelta(days=121)
    assert row["runs_out_early"]  # before 31 December


def test_the_filters(leren, werk, sources):
    assert {row["traject"] for row in budget_summary(traject_code="werk", as_of=AS_OF)} == {"werk"}
    rows = budget_summary(source_code="eu", as_of=AS_OF)
    assert [(row["traject"], row["source"]) for row in rows] == [("leren", "eu"), ("werk", "eu")]
    assert row_of(rows, "leren", "eu")["share"] == Decimal("40.0")  # still of the whole traject budget
    period_2026 = leren.capacity_periods.get(start=datetime.date(2026, 1, 1))
    rows = budget_summary(period=period_2026.pk, as_of=AS_OF)
    assert [(row["traject"], row["source"]) for row in rows] == [("leren", "eu"), ("leren", "flemish")]
    flemish = row_of(rows, "leren", "flemish")
    assert (flemish["budget"], flemish["committed"], flemish["share"]) == (
        Decimal("10000.00"),
        Decimal("4500.75"),
        Decimal("100.0"),
    )
    assert row_of(rows, "leren", "eu")["budget"] == Decimal("0.00")
    assert budget_summary(traject_code="onbekend", as_of=AS_OF) == []


def test_the_number_of_queries_does_not_grow_with_the_data(leren, sources):
    period = leren.capacity_periods.get(start=datetime.date(2026, 1, 1))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            budget_summary(as_of=AS_OF)
        return len(captured)

    few = queries()
    for _ in range(15):
        application = approved(leren, period, {sources["eu"]: "10.00", sources["flemish"]: "15.00"})
        declare(
            application,
            DS.PAID,
            {sources["eu"]: "1.00", sources["flemish"]: "1.50"},
            datetime.date(2026, 4, 1),
        )
    other = TrajectFactory(code="werk")
    line(other, sources["own_promoter"], Decimal("500.00"))
    assert queries() == few <= 5
    assert len(budget_summary(as_of=AS_OF)) == 3


# -- the API ----------------------------------------------------------------------------------------


def test_the_api_gives_amounts_as_strings_with_two_decimals(leren, officer):
    response = client_for(officer).get(
        "/api/v1/funding/summary/", {"traject": "leren", "as_of": "2026-07-15"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-07-15"
    eu = row_of(body["rows"], "leren", "eu")
    assert {
        name: eu[name] for name in ("budget", "committed", "declared", "approved", "paid", "remaining")
    } == {
        "budget": "40000.00",
        "committed": "3000.50",
        "declared": "1160.00",
        "approved": "1060.00",
        "paid": "800.00",
        "remaining": "36999.50",
    }
    assert (eu["share"], eu["burn_rate"], eu["months_left"], eu["period_end"]) == (
        "40.0",
        "166.67",
        "233.6",
        "2026-12-31",
    )
    assert row_of(body["rows"], "leren", "flemish")["share"] == "60.0"


def test_the_api_filters_by_source_and_refuses_a_wrong_filter(leren, officer):
    api = client_for(officer)
    rows = api.get("/api/v1/funding/summary/", {"source": "flemish"}).json()["rows"]
    assert [row["source"] for row in rows] == ["flemish"]
    response = api.get("/api/v1/funding/summary/", {"as_of": "gisteren", "traject": "onbekend"})
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "as_of", "traject"}


def test_the_cabinet_reads_the_summary_but_not_a_promoter_nor_a_stranger(leren):
    assert client_for(UserFactory(role=Role.CABINET)).get("/api/v1/funding/summary/").status_code == 200
    assert client_for(UserFactory(role=Role.PROMOTER)).get("/api/v1/funding/summary/").status_code == 403
    assert APIClient().get("/api/v1/funding/summary/").status_code == 401


# -- the page and the spreadsheet -------------------------------------------------------------------
def test_the_page_shows_the_figures_and_the_chart(leren, werk, client, officer):
    client.force_login(officer)
    response = client.get("/financiering/", {"as_of": "2026-07-15"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="budget-row"') == 3
    chart = page[page.index('data-testid="budget-chart"') : page.index("</figure>")]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in chart and 'role="img"' in chart
    assert "<title>Budget, vastgelegd, goedgekeurd en betaald</title>" in chart
    # Each traject and source labelled, each amount written beside its bar in Belgian notation.
    assert chart.count(">Voorsprong in leren</text>") == 2 and chart.count(">Voorsprong in werk</text>") == 1
    # Whole euros beside the bars (3,000.50 and 4,500.75 round up); the table keeps the cents.
    for amount in ("40.000", "3.001", "1.060", "800", "60.000", "4.501", "10.000", "1.900"):
        assert f">{amount}</text>" in chart, amount
    assert "36.999,50" in page  # the EU remaining, written the Belgian way
    assert ">3.000,50</td>" in page and ">800,00</td>" in page  # amounts always with their cents
    assert '<progress value="36999.50" max="40000.00">' in page
    assert 'href="/financiering/export/?as_of=2026-07-15"' in page
    assert 'href="/admin/"' in page


def test_the_page_filters_by_traject(leren, werk, client, officer):
    client.force_login(officer)
    page = client.get("/financiering/", {"traject": "werk"}).content.decode()
    assert page.count('data-testid="budget-row"') == 1 and 'data-traject="werk"' in page


def test_only_officers_and_administrators_see_the_page(leren, client):
    assert client.get("/financiering/").status_code == 302  # to the login page
    client.force_login(UserFactory(role=Role.PROMOTER))
    assert client.get("/financiering/").status_code == 403
    assert client.get("/financiering/export/").status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get("/financiering/").status_code == 200


def test_the_spreadsheet_has_the_same_numbers(leren, werk, client, officer):
    client.force_login(officer)
    response = client.get("/financiering/export/", {"as_of": "2026-07-15"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "2026-07-15.xlsx" in response["Content-Disposition"]
    (sheet,) = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
    header, *cells = list(sheet.iter_rows())
    assert len(header) == 13 and len(cells) == 3
    rows = budget_summary(as_of=AS_OF)
    columns = ("budget", "share", "committed", "declared", "approved", "paid", "remaining", "burn_rate")
    for row, found in zip(rows, cells, strict=True):
        assert (found[0].value, found[1].value) == (row["traject_name"], row["source_name"])
        assert [cell.value for cell in found[2:10]] == [float(row[name]) for name in columns]
        assert isinstance(found[2].value, int | float) and found[2].number_format == "#,##0.00"
    assert cells[0][11].value.date() == datetime.date(2026, 12, 31)


# -- the nightly check ------------------------------------------------------------------------------
@pytest.fixture
def officers():
    UserFactory(role=Role.OFFICER, email="an@vlaanderen.example")
    UserFactory(role=Role.OFFICER, email="gone@vlaanderen.example", is_active=False)
    UserFactory(role=Role.OFFICER, email="")
    UserFactory(role=Role.PROMOTER, email="promotor@example.com")


def running_traject(sources, budget: str, committed: str, approved_last_month: str):
    """A traject whose capacity period ends a year from now, with some money approved last month."""
    today = timezone.localdate()
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2024, 1, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=today - datetime.timedelta(days=300), end=today + datetime.timedelta(days=730)
    )
    line(traject, sources["eu"], Decimal(budget))
    application = approved(traject, period, {sources["eu"]: committed})
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    declare(application, DS.APPROVED, {sources["eu"]: approved_last_month}, last_month)
    return traject


def test_the_nightly_check_mails_the_officers_a_budget_almost_spent(sources, officers):
    running_traject(sources, budget="10000.00", committed="9500.00", approved_last_month="100.00")
    assert check_budgets.delay().get() == 1
    (message,) = mail.outbox
    assert message.to == ["an@vlaanderen.example"]
    assert "Voorsprong in leren – ESF+" in message.body and "500,00" in message.body


def test_the_nightly_check_mails_a_budget_running_out_before_its_period_ends(sources, officers):
    # 6,000 approved in the last six months: 1,000 a month, the other 6,000 gone in six months.
    running_traject(sources, budget="12000.00", committed="1000.00", approved_last_month="6000.00")
    assert check_budgets() == 1
    (message,) = mail.outbox
    assert "Voorsprong in leren" in message.body


def test_the_nightly_check_sends_nothing_when_all_is_fine(sources, officers):
    running_traject(sources, budget="100000.00", committed="20000.00", approved_last_month="1000.00")
    assert check_budgets() == 0
    assert mail.outbox == []


def test_the_check_runs_nightly():
    schedule = settings.CELERY_BEAT_SCHEDULE["check-budgets-nightly"]
    assert schedule["task"] == check_budgets.name == "funding.tasks.check_budgets"
    assert schedule["schedule"].hour == {2} and schedule["schedule"].minute == {0}


# -- the companies' own contributions, invalid filters, the words ------------------------------------
@pytest.fixture
def motivatie(sources):
    """A subsidy budget and the companies' own means on top, committed by an approval without a line."""
    own = FundingSource.objects.create(
        code="own_company", name="Eigen inbreng ondernemingen", is_subsidy=False
    )
    traject = TrajectFactory(
        code="motivatie", name="Voorsprong in motivatie", start_date=datetime.date(2025, 1, 1)
    )
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2027, 8, 31)
    )
    line(traject, sources["eu"], Decimal("4000.00"))
    approved(traject, period, {sources["eu"]: "1000.00", own: "227.85"})
    return traject


def test_the_companies_own_contributions_are_no_budget_with_a_negative_remaining(motivatie):
    eu, own = budget_summary(as_of=AS_OF)
    assert (eu["own_contribution"], eu["budget"], eu["remaining"]) == (
        False,
        Decimal("4000.00"),
        Decimal("3000.00"),
    )
    assert own["own_contribution"] is True and own["committed"] == Decimal("227.85")
    assert (own["budget"], own["remaining"], own["share"], own["months_left"]) == (None, None, None, None)
    assert not own["low_remaining"] and not own["runs_out_early"]
    assert budgets_at_risk(AS_OF) == []  # an own contribution never alarms the officers


def test_the_page_shows_own_contributions_as_such(motivatie, client, officer):
    client.force_login(officer)
    page = client.get("/financiering/", {"as_of": "15/07/2026"}).content.decode()
    row = page[page.index('data-source="own_company"') :]
    row = row[: row.index("</tr>")]
    assert "eigen inbreng bovenop de subsidie" in row and ">227,85</td>" in row
    assert "-227,85" not in page and 'data-testid="low"' not in page and "<progress" not in row
    assert "De eigen inbreng van de ondernemingen is wat goedgekeurde aanvragen bovenop de subsidie" in page
    chart = page[page.index('data-testid="budget-chart"') : page.index("</figure>")]
    assert "Eigen inbreng ondernemingen (geen budget)" in chart
    assert "Budget 0" not in chart  # no budget bar for it, not even an empty one


def test_the_api_gives_own_contributions_without_budget(motivatie, officer):
    rows = client_for(officer).get("/api/v1/funding/summary/", {"as_of": "2026-07-15"}).json()["rows"]
    own = row_of(rows, "motivatie", "own_company")
    assert (own["own_contribution"], own["budget"], own["committed"], own["remaining"]) == (
        True,
        None,
        "227.85",
        None,
    )


@pytest.mark.parametrize("as_of", ["31/02/2026", "gisteren", "2026-13-01"])
def test_an_invalid_date_shows_the_error_and_no_figures(leren, client, officer, as_of):
    client.force_login(officer)
    response = client.get("/financiering/", {"as_of": as_of})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Voer een geldige datum in." in page
    assert "Verbeter de filters hierboven" in page
    assert 'data-testid="budget-row"' not in page and "budget-chart" not in page and "Stand op" not in page
    assert 'value="' + as_of + '"' in page  # what the user typed stays, to correct it
    assert client.get("/financiering/export/", {"as_of": as_of}).status_code == 400


def test_the_date_filter_takes_the_belgian_and_the_iso_notation(leren, client, officer):
    client.force_login(officer)
    for as_of in ("15/07/2026", "2026-07-15"):
        page = client.get("/financiering/", {"as_of": as_of}).content.decode()
        assert "Stand op 15 juli 2026." in page, as_of
    page = client.get("/financiering/").content.decode()
    assert 'placeholder="dd/mm/jjjj"' in page


def test_the_shares_of_declarations_are_not_called_stock(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Declaratiedelen per financieringsbron" in page
    assert "andelen" not in page  # "Aandelen in declaraties": shares as in stock
