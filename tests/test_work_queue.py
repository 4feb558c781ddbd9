"""The officers' work queue (/werkbak/): what waits, where each line leads, who may open it, and that it
takes the same number of queries whatever the number of rows."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from funding.models import ApplicationFunding, BudgetLine, DeclarationStatus, FundingSource
from participants import services
from participants.models import APPROVED_STATUSES, Application, ApplicationStatus, Milestone
from participants.selectors import work_queue
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    DeclarationFactory,
    EvaluationFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
URL = "/werkbak/"
OFFICER_SECTIONS = [
    "applications-to-decide",
    "approved-without-promoter",
    "declarations-to-decide",
    "quiet-trajectories",
    "unanswered-evaluations",
    "budget-warnings",
    "capacity-warnings",
]
FINANCE_SECTIONS = ["declarations-to-pay", "budget-warnings"]


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


class World:
    """Two trajects: ``open`` has a roomy period everything else happens in, ``full`` a period nearly
    full. Each ``add`` puts one row in every section and one beside it that must stay out."""

    def __init__(self):
        self.traject = TrajectFactory(code="leren", name="Voorsprong in leren")
        self.period = CapacityPeriodFactory(
            traject=self.traject, start=ago(400), end=ago(-400), places=10_000
        )
        self.runner = OrganisationFactory(name="Voka")
        self.project = ProjectFactory(traject=self.traject, name="Leren Voka", organisations=[self.runner])
        self.empty_project = ProjectFactory(traject=self.traject, name="Leren zonder uitvoerder")
        self.eu = FundingSource.objects.create(code="eu", name="ESF+", is_subsidy=True)
        self.flemish = FundingSource.objects.create(code="flemish", name="Vlaanderen", is_subsidy=True)
        self.promoter = UserFactory(role=Role.PROMOTER, organisation=self.runner)
        self.rows = 0

    def application(self, status, traject=None, period=None, **fields):
        fields.setdefault("project", self.project)
        if status != ApplicationStatus.SUBMITTED:
            fields.setdefault("submitted_on", ago(300))
            fields.setdefault("decided_on", ago(290))
            fields.setdefault("capacity_period", period or self.period)
        if status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED):
            fields.setdefault("started_on", ago(280))
        return ApplicationFactory(traject=traject or self.traject, status=status, **fields)

    def add(self) -> None:
        """Add one row to every section and one that waits for nothing."""
        self.rows += 1
        n = self.rows
        S = ApplicationStatus
        # Submitted: one within the target, one long overdue.
        self.application(S.SUBMITTED, submitted_on=ago(5 + n))
        self.application(S.SUBMITTED, submitted_on=ago(100 + n))
        # Approved: without a project, with a project nobody runs (in), with a running project (out).
        self.application(S.APPROVED, project=None, decided_on=ago(20 + n))
        self.application(S.APPROVED, project=self.empty_project)
        self.application(S.APPROVED)
        # In progress: a session 61 days ago (in), a session last week (out), none since the start (in).
        quiet = self.application(S.IN_PROGRESS)
        CoachingSessionFactory(application=quiet, date=ago(61))
        busy = self.application(S.IN_PROGRESS)
        CoachingSessionFactory(application=busy, date=ago(61))
        CoachingSessionFactory(application=busy, date=ago(7))
        self.application(S.IN_PROGRESS, started_on=ago(70))
        self.application(S.IN_PROGRESS, started_on=ago(10))
        # Completed: 40 days ago without an evaluation (in), with one (out), 10 days ago (out).
        self.application(S.COMPLETED, ended_on=ago(40))
        EvaluationFactory(application=self.application(S.COMPLETED, ended_on=ago(40)))
        self.application(S.COMPLETED, ended_on=ago(10))
        # Declarations: one to decide, one to pay, one paid.
        declared = self.application(S.IN_PROGRESS, started_on=ago(10))
        for status in (DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED, DeclarationStatus.PAID):
            DeclarationFactory(
                application=declared,
                status=status,
                declared_on=ago(30 + n),
                decided_on=None if status == DeclarationStatus.SUBMITTED else ago(20),
                paid_on=ago(5) if status == DeclarationStatus.PAID else None,
                declared_by=self.promoter,
            )
        # A traject of its own per row: a budget line 95% committed (in) and one 50% (out); a period
        # 19 of 20 places taken (in), one 18 of 20 (out: exactly 90% is not more than 90%).
        traject = TrajectFactory(code=f"werk{n}", name=f"Voorsprong in werk {n}")
        full = CapacityPeriodFactory(traject=traject, start=ago(100), end=ago(-100), places=20)
        roomy = CapacityPeriodFactory(traject=traject, start=ago(-101), end=ago(-300), places=20)
        BudgetLine.objects.create(traject=traject, source=self.eu, amount=Decimal("1000.00"))
        BudgetLine.objects.create(traject=traject, source=self.flemish, amount=Decimal("1000.00"))
        for _index in range(19):
            holder = self.application(S.IN_PROGRESS, traject=traject, period=full, started_on=ago(10))
            ApplicationFunding.objects.create(application=holder, source=self.eu, amount=Decimal("50.00"))
            ApplicationFunding.objects.create(
                application=holder, source=self.flemish, amount=Decimal("25.00")
            )
        for _index in range(18):
            self.application(S.APPROVED, traject=traject, period=roomy, project=self.project)


@pytest.fixture
def world():
    world = World()
    world.add()
    return world


def sections_of(user) -> dict:
    return {result.section.key: result for result in work_queue(user, TODAY, lines=10)}


def test_each_section_lists_what_waits_and_nothing_else(world, officer):
    found = sections_of(officer)

    assert list(found) == OFFICER_SECTIONS
    assert {key: result.count for key, result in found.items()} == {
        "applications-to-decide": 2,
        "approved-without-promoter": 2,
        "declarations-to-decide": 1,
        "quiet-trajectories": 2,
        "unanswered-evaluations": 1,
        "budget-warnings": 1,
        "capacity-warnings": 1,
    }
    # Submitted applications: the oldest first, the one past the 30-day target marked late.
    submitted = found["applications-to-decide"]
    assert [item.days for item in submitted.items] == [101, 6]
    assert [item.overdue for item in submitted.items] == [True, False]
    assert submitted.overdue == 1
    assert submitted.note == "Een aanvraag die langer dan 30 dagen op een beslissing wacht, is te laat."
    assert submitted.full_list == "/admin/participants/application/?status__exact=submitted"
    # Approved without anyone to coach: the longest waiting first, each saying what is missing.
    approved = found["approved-without-promoter"].items
    assert [item.detail.rsplit(" · ", 1)[1] for item in approved] == [
        "niemand voert het project Leren zonder uitvoerder uit",
        "geen project",
    ]
    assert all(item.url.startswith("/admin/participants/application/") for item in approved)
    budget = found["budget-warnings"].items[0]
    assert budget.label == "Voorsprong in werk 1 – ESF+"
    assert budget.detail == "€ 950,00 van € 1.000,00 vastgelegd (95 %)"
    assert budget.url == "/financiering/?traject=werk1&source=eu"
    capacity = found["capacity-warnings"].items[0]
    assert capacity.detail == "19 van 20 plaatsen bezet (95 %)" and not capacity.overdue


def test_every_line_links_to_where_it_is_dealt_with(world, officer, client):
    client.force_login(officer)
    page = client.get(URL).content.decode()

    submitted = world.traject.applications.filter(status=ApplicationStatus.SUBMITTED).order_by("submitted_on")
    for application in submitted:
        assert f'href="{reverse("admin:participants_application_change", args=[application.pk])}"' in page
    quiet = world.traject.applications.filter(status=ApplicationStatus.IN_PROGRESS, started_on=ago(70)).get()
    assert f'href="{reverse("coaching:application", args=[quiet.pk])}"' in page
    assert 'href="/admin/funding/declaration/?status__exact=submitted"' in page
    assert re.search(r'href="/admin/trajects/capacityperiod/\d+/change/"', page)
    assert 'data-testid="count-applications-to-decide">2<' in page
    assert "1 te laat" in page and "101 dagen" in page


def test_the_decision_target_comes_from_the_settings(world, officer, settings):
    settings.DECISION_TARGET_DAYS = 5

    submitted = sections_of(officer)["applications-to-decide"]

    assert submitted.overdue == 2 and all(item.overdue for item in submitted.items)
    assert submitted.note == "Een aanvraag die langer dan 5 dagen op een beslissing wacht, is te laat."


def test_a_fully_committed_line_and_a_full_period_stand_out(world, officer):
    traject = world.traject
    BudgetLine.objects.create(traject=traject, source=world.eu, amount=Decimal("100.00"))
    holder = world.application(ApplicationStatus.APPROVED)
    ApplicationFunding.objects.create(application=holder, source=world.eu, amount=Decimal("100.00"))
    # A line of no amount budgets nothing: never a warning, whatever is committed.
    BudgetLine.objects.create(traject=traject, source=world.flemish, amount=Decimal("0.00"))
    ApplicationFunding.objects.create(application=holder, source=world.flemish, amount=Decimal("10.00"))
    # Every place of the roomy period taken: full, not just nearly.
    world.period.places = world.period.applications.filter(status__in=APPROVED_STATUSES).count()
    world.period.save()

    found = sections_of(officer)

    lines = {item.label: item for item in found["budget-warnings"].items}
    assert lines["Voorsprong in leren – ESF+"].overdue
    assert "Voorsprong in leren – Vlaanderen" not in lines
    periods = [
        item for item in found["capacity-warnings"].items if item.label.startswith("Voorsprong in leren")
    ]
    assert [item.overdue for item in periods] == [True]


def test_a_period_line_counts_its_own_period_only(world, officer):
    traject = TrajectFactory(code="motivatie", name="Voorsprong in motivatie")
    first = CapacityPeriodFactory(traject=traject, start=ago(300), end=ago(200), places=100)
    second = CapacityPeriodFactory(traject=traject, start=ago(199), end=ago(-100), places=100)
    BudgetLine.objects.create(
        traject=traject, source=world.eu, capacity_period=second, amount=Decimal("100.00")
    )
    for period, amount in ((first, "500.00"), (second, "80.00")):
        holder = world.application(ApplicationStatus.APPROVED, traject=traject, period=period)
        ApplicationFunding.objects.create(application=holder, source=world.eu, amount=Decimal(amount))

    labels = [item.label for item in sections_of(officer)["budget-warnings"].items]
    assert not any(label.startswith("Voorsprong in motivatie") for label in labels)

    holder = world.application(ApplicationStatus.APPROVED, traject=traject, period=second)
    ApplicationFunding.objects.create(application=holder, source=world.eu, amount=Decimal("15.00"))
    items = [item for item in sections_of(officer)["budget-warnings"].items if "motivatie" in item.label]
    assert [item.detail for item in items] == ["€ 95,00 van € 100,00 vastgelegd (95 %)"]
    assert items[0].url.endswith(f"&period={second.pk}")


def test_the_financial_service_sees_what_it_acts_on(world, finance, client):
    found = sections_of(finance)
    assert list(found) == FINANCE_SECTIONS
    assert found["declarations-to-pay"].count == 1
    [to_pay] = found["declarations-to-pay"].items
    # Waiting for payment since the approval, twenty days ago.
    assert to_pay.days == 20
    assert to_pay.detail.endswith(f"goedgekeurd op {date_format(ago(20), 'SHORT_DATE_FORMAT')}")
    assert found["declarations-to-pay"].full_list == "/admin/funding/declaration/?status__exact=approved"

    client.force_login(finance)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Goedgekeurde declaraties die op betaling wachten" in page
    assert "Aanvragen die op een beslissing wachten" not in page


def test_an_administrator_sees_every_section(world):
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    assert set(sections_of(admin)) == set(OFFICER_SECTIONS) | set(FINANCE_SECTIONS)


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.CABINET])
def test_other_roles_are_refused(role, client):
    client.force_login(UserFactory(role=role, organisation=OrganisationFactory()))
    response = client.get(URL)
    assert response.status_code == 403
    assert "U hebt geen toegang tot deze pagina" in response.content.decode()


def test_anonymous_visitors_log_in_first(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/aanmelden/")


def test_an_empty_section_says_so(officer, client):
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert page.count('data-testid="nothing"') == len(OFFICER_SECTIONS)
    assert "Geen enkele aanvraag wacht op een beslissing." in page


def test_the_page_shows_ten_lines_a_section_and_counts_the_rest(world, officer, client):
    for _row in range(11):
        world.application(ApplicationStatus.SUBMITTED, submitted_on=ago(3))
    client.force_login(officer)
    page = client.get(URL).content.decode()
    section = page[page.index('id="applications-to-decide"') : page.index('id="approved-without-promoter"')]
    assert section.count('data-testid="work-item"') == 10
    assert "Alle tonen, nog 3" in section


def test_officers_and_administrators_start_at_the_work_queue(officer, finance, client):
    for user, start in (
        (officer, "/werkbak/"),
        (UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True), "/werkbak/"),
        (finance, "/admin/funding/declaration/"),
    ):
        client.force_login(user)
        assert client.get("/").url == start


def test_the_queue_takes_the_same_queries_whatever_the_data(
    world, officer, finance, client, django_assert_num_queries
):
    """Counted with the sections computed, not taken from the figure cache."""
    counted = {}
    for user in (officer, finance):
        client.force_login(user)
        client.get(URL)  # fills the caches filled on first use (content types, translations)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counted[user.pk] = len(queries)
    # Session, user and roles, the data versions before and in the snapshot (opened and closed, with its
    # isolation level on PostgreSQL), then one query per section, one more for the budget lines (their
    # commitments, summed first) and two for the quiet trajectories' companies and trajects.
    assert counted[officer.pk] <= 11 + len(OFFICER_SECTIONS)
    assert counted[finance.pk] <= 9 + len(FINANCE_SECTIONS)

    for _more in range(5):
        world.add()
    assert sections_of(officer)["applications-to-decide"].count == 12
    assert sections_of(finance)["declarations-to-pay"].count == 6

    for user in (officer, finance):
        client.force_login(user)
        cache.clear()
        with django_assert_num_queries(counted[user.pk]):
            assert client.get(URL).status_code == 200


def test_a_logged_session_takes_its_trajectory_off_the_quiet_list_and_leaves_the_rest_cached(world, officer):
    """The sections are kept in the figure cache: the next look shows a write at once, and reads again
    only the sections whose tables it wrote."""
    assert sections_of(officer)["quiet-trajectories"].count == 2
    quiet = Application.objects.filter(status=ApplicationStatus.IN_PROGRESS, sessions__date=ago(61)).exclude(
        sessions__date=ago(7)
    )
    services.log_coaching_session(
        quiet.get(), by=world.promoter, date=TODAY, hours=Decimal("2.00"), kind=Milestone.IMPLEMENTATION
    )

    with CaptureQueriesContext(connection) as queries:
        found = sections_of(officer)

    assert found["quiet-trajectories"].count == 1
    assert found["applications-to-decide"].count == 2
    sections_read = [query for query in queries if "LIMIT 10" in query["sql"]]
    assert len(sections_read) == 1 and "participants_coachingsession" in sections_read[0]["sql"]
