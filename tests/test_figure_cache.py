"""The figure cache cannot lie (voorsprong.data_version): a repeated request of the figures costs one
query and gives the same answer, and every kind of write that changes a figure (a service, the admin, a
bulk import, a delete, a many-to-many change) makes the next request compute afresh; a write rolled back
changes nothing."""

import datetime
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participants import services
from participants.models import Application, Company
from participants.services import import_kbo_extract
from reporting.models import SizeTable
from reporting.questions.pq244 import pq244_figures
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from tests.test_import_kbo import activity, address, denomination, enterprise, kbo, write_extract
from voorsprong import data_version
from voorsprong.models import DataVersion
from voorsprong.roles import Role

AS_OF = datetime.date(2025, 11, 26)
PQ244 = f"/api/v1/statistics/pq244/?as_of={AS_OF}"
BREAKDOWN = f"/api/v1/statistics/breakdown/?as_of={AS_OF}&by=traject&measure=approved_companies"
REACH = f"/api/v1/statistics/reach/?as_of={AS_OF}&by=province"


@pytest.fixture
def world(db):
    """A traject with one approved company in Gent, and one submitted application waiting for a decision."""
    traject = TrajectFactory(code="leren", name="Voorsprong in leren", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    ApprovedApplicationFactory(
        traject=traject, capacity_period=period, company=CompanyFactory(postal_code="9000")
    )
    waiting = ApplicationFactory(traject=traject, company=CompanyFactory(postal_code="9000"))
    return {"traject": traject, "waiting": waiting}


@pytest.fixture
def cabinet(db):
    return client_for(UserFactory(role=Role.CABINET))


def approved(client) -> int:
    """Return the approved companies of the traject in question 244's figures, as the API gives them."""
    response = client.get(PQ244)
    assert response.status_code == 200
    return next(t for t in response.json()["trajects"] if t["code"] == "leren")["approved_companies"]


def population(client) -> int:
    response = client.get(REACH)
    assert response.status_code == 200
    return response.json()["total"]["population"]


@pytest.mark.parametrize("url", [PQ244, BREAKDOWN, REACH])
def test_a_repeated_request_costs_one_query_and_gives_the_same_answer(world, cabinet, url):
    first = cabinet.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = cabinet.get(url)
    assert again.json() == first.json()
    assert len(queries) == 1, [query["sql"] for query in queries]
    assert "voorsprong_dataversion" in queries[0]["sql"]


def test_other_dates_and_parameters_are_other_entries(world, cabinet):
    province = cabinet.get(REACH).json()
    by_size = cabinet.get(REACH.replace("by=province", "by=size_class")).json()
    earlier = cabinet.get(PQ244.replace(str(AS_OF), "2024-01-01")).json()
    assert province["by"] == "province" and by_size["by"] == "size_class"
    assert earlier["as_of"] == "2024-01-01" and cabinet.get(PQ244).json()["as_of"] == str(AS_OF)


def test_an_approval_through_the_service_is_in_the_next_answer(world, cabinet):
    assert approved(cabinet) == 1
    officer = UserFactory(role=Role.OFFICER)
    services.approve_application(world["waiting"], by=officer, on=datetime.date(2025, 3, 10))
    assert approved(cabinet) == 2


def test_a_delete_is_in_the_next_answer(world, cabinet):
    assert approved(cabinet) == 1
    Application.objects.filter(status="approved").delete()  # a queryset's delete: signals per row
    assert approved(cabinet) == 0


def test_an_organisation_deleted_in_the_admin_leaves_the_partners(world, cabinet, client):
    partner = OrganisationFactory(name="Syntra Gent")
    ProjectFactory(traject=world["traject"], name="Leren in Gent").organisations.add(partner)

    def partners() -> list[str]:
        leren = next(t for t in cabinet.get(PQ244).json()["trajects"] if t["code"] == "leren")
        return [partner["name"] for partner in leren["partners"]]

    assert "Syntra Gent" in partners()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(f"/admin/trajects/organisation/{partner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert "Syntra Gent" not in partners()


def test_a_many_to_many_change_bumps_the_version(world):
    project = ProjectFactory(traject=world["traject"], name="Leren in Gent")
    organisation = OrganisationFactory()
    before = data_version.current()
    project.organisations.add(organisation)
    after_add = data_version.current()
    project.organisations.remove(organisation)
    assert before < after_add < data_version.current()


def test_the_kbo_import_in_bulk_is_in_the_next_answer(world, cabinet, tmp_path):
    before = population(cabinet)
    number = kbo(77)
    extract = write_extract(
        tmp_path,
        enterprises=[enterprise(number, form="015")],
        denominations=[denomination(number, "Bakkerij Claes")],
        addresses=[address(number, "9000", "Gent")],
        activities=[activity(number, "10711")],
    )
    import_kbo_extract(extract)
    assert Company.objects.filter(name="Bakkerij Claes").exists()
    assert population(cabinet) == before + 1


def test_a_write_of_what_no_figure_reads_keeps_the_cache(world, cabinet):
    approved(cabinet)
    UserFactory(role=Role.OFFICER)  # a user, an API token: the kernel's, not the figures'
    with CaptureQueriesContext(connection) as queries:
        approved(cabinet)
    assert len(queries) == 1


# -- the counts of long lists -------------------------------------------------------------------------
def test_the_applications_list_counts_once_and_counts_a_new_application(world):
    officer = client_for(UserFactory(role=Role.OFFICER))
    assert officer.get("/api/v1/applications/").json()["count"] == 2
    with CaptureQueriesContext(connection) as queries:
        assert officer.get("/api/v1/applications/").json()["count"] == 2
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    ApplicationFactory(traject=world["traject"])
    assert officer.get("/api/v1/applications/").json()["count"] == 3


def test_mijn_trajecten_counts_and_filters_each_user_s_own_and_follows_a_new_approval(world, client):
    """The count and the trajects to filter on are kept per user's scope: a promoter's are those of its
    organisation's projects, an officer's every approved application's."""
    organisation = OrganisationFactory(name="Syntra Gent")
    client.force_login(UserFactory(role=Role.PROMOTER, organisation=organisation))
    officer = Client()
    officer.force_login(UserFactory(role=Role.OFFICER))

    def seen(page) -> tuple[int, list[str]]:
        response = page.get("/trajecten/")
        assert response.status_code == 200
        trajects = response.context["filters"].fields["traject"].queryset
        return response.context["page"].paginator.count, [traject.code for traject in trajects]

    assert seen(client) == (0, [])
    assert seen(officer) == (1, ["leren"])
    with CaptureQueriesContext(connection) as queries:
        seen(client)
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    werk = TrajectFactory(code="werk", name="Voorsprong in werk voor iedereen")
    ApprovedApplicationFactory(
        traject=werk,
        project=ProjectFactory(traject=werk, organisations=[organisation]),
        capacity_period=CapacityPeriodFactory(traject=werk),
    )
    assert seen(client) == (1, ["werk"])
    assert seen(officer) == (2, ["leren", "werk"])


HOURS = f"/api/v1/statistics/breakdown/?as_of={AS_OF}&by=traject&measure=coaching_hours"


def hours(client) -> str:
    """Return the coaching hours of the traject in the breakdown, as the API gives them."""
    response = client.get(HOURS)
    assert response.status_code == 200
    return str(response.json())


def _cached(client, url: str) -> bool:
    """Return whether ``url`` was answered from the cache: one query, the versions."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries) == 1


def test_a_session_logged_recomputes_the_figures_of_sessions_only(world, cabinet):
    """A session writes the sessions' table alone once the trajectory runs: the breakdown of the hours reads
    it and is computed afresh; question 244 and the reach read no session and stay in the cache."""
    officer = UserFactory(role=Role.OFFICER)
    coached = Application.objects.get(status="approved")
    session = {"by": officer, "hours": Decimal("2.00"), "kind": "intake"}
    services.log_coaching_session(coached, date=datetime.date(2025, 4, 1), **session)  # starts it
    for url in (PQ244, REACH, HOURS):
        cabinet.get(url)
    before = hours(cabinet)
    coached.refresh_from_db()
    services.log_coaching_session(coached, date=datetime.date(2025, 5, 1), **session)
    assert not _cached(cabinet, HOURS)
    assert hours(cabinet) != before
    assert _cached(cabinet, PQ244) and _cached(cabinet, REACH)


def test_a_session_held_after_the_date_leaves_the_figures_as_of_it_cached(world, cabinet):
    """The first session starts the trajectory, a write to the applications too; held after the date of the
    figures, it changes none of them, which stay in the cache, while the figures of a later date count it."""
    later = "2025-12-31"
    hours_later = HOURS.replace(str(AS_OF), later)
    for url in (PQ244, REACH, HOURS, hours_later):
        cabinet.get(url)
    before = cabinet.get(hours_later).json()
    coached = Application.objects.get(status="approved")

    services.log_coaching_session(
        coached,
        by=UserFactory(role=Role.OFFICER),
        date=datetime.date(2025, 12, 1),
        hours=Decimal("2.00"),
        kind="intake",
    )

    assert Application.objects.get(pk=coached.pk).status == "in_progress"
    assert all(_cached(cabinet, url) for url in (PQ244, REACH, HOURS))
    assert not _cached(cabinet, hours_later)
    assert cabinet.get(hours_later).json() != before


def test_a_session_held_on_the_date_recomputes_the_figures_as_of_it(world, cabinet):
    for url in (PQ244, REACH, HOURS):
        cabinet.get(url)
    coached = Application.objects.get(status="approved")

    services.log_coaching_session(
        coached, by=UserFactory(role=Role.OFFICER), date=AS_OF, hours=Decimal("2.00"), kind="intake"
    )

    assert not any(_cached(cabinet, url) for url in (PQ244, REACH, HOURS))


def test_a_write_after_many_on_every_date_still_raises_the_versions_of_its_dates(db):
    """A write from a date raises the versions its dates' figures read above every earlier write's, however
    quickly they came."""
    day = datetime.date(2025, 6, 1)
    for _ in range(20):
        data_version.bump("participants_coachingsession")
    seen = {as_of: data_version._versions(as_of)["participants_coachingsession"] for as_of in (AS_OF, day)}
    with transaction.atomic(), data_version.changes_from(day):
        data_version.bump("participants_coachingsession")
    assert data_version._versions(AS_OF)["participants_coachingsession"] > seen[AS_OF]
    assert data_version._versions(datetime.date(2025, 5, 31))["participants_coachingsession"] == seen[day]


def test_a_write_to_a_table_a_figure_reads_recomputes_it(world, cabinet):
    """The application's table is read by question 244, the breakdown and the reach; the size tables only by
    the reach by size class."""
    by_size = REACH.replace("by=province", "by=size_class")
    for url in (PQ244, REACH, HOURS, by_size):
        cabinet.get(url)
    SizeTable.objects.create(
        reference_date=datetime.date(2025, 1, 1), source="Statbel", uploaded_by=UserFactory()
    )
    assert not _cached(cabinet, by_size)
    assert _cached(cabinet, PQ244) and _cached(cabinet, REACH) and _cached(cabinet, HOURS)
    ApplicationFactory(traject=world["traject"])
    assert not any(_cached(cabinet, url) for url in (PQ244, REACH, HOURS))


def test_a_write_that_names_no_table_recomputes_every_figure(world, cabinet):
    for url in (PQ244, REACH, HOURS):
        cabinet.get(url)
    data_version.bump()
    assert not any(_cached(cabinet, url) for url in (PQ244, REACH, HOURS))


def test_a_save_bumps_the_table_and_its_history(world):
    before = data_version.current()
    CompanyFactory()
    versions = dict(DataVersion.objects.values_list("area", "version"))
    assert versions["participants_company"] > before
    assert versions["participants_historicalcompany"] == versions["participants_company"]


def test_the_version_never_stays_below_the_clock(db):
    """A database restored from a backup goes on with versions it never had, so no figure cached before
    the restore is served for different data."""
    data_version.bump()
    DataVersion.objects.filter(pk=1).update(version=5)  # as if restored from an old backup
    data_version.bump()
    assert data_version.current() >= (datetime.datetime.now().timestamp() - 60) * 1_000_000


@pytest.mark.django_db(transaction=True)
def test_a_write_rolled_back_leaves_version_and_figures_and_is_never_served(world, cabinet):
    """Figures computed inside a transaction see its own writes; they are not stored, so once it is
    rolled back the cabinet still gets the committed figures, from the cache."""
    assert approved(cabinet) == 1
    officer = UserFactory(role=Role.OFFICER)
    version = data_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.approve_application(world["waiting"], by=officer, on=datetime.date(2025, 3, 10))
        inside = pq244_figures(AS_OF)
        assert next(t for t in inside["trajects"] if t["code"] == "leren")["approved_companies"] == 2
        raise RuntimeError("rolled back")
    assert data_version.current() == version
    with CaptureQueriesContext(connection) as queries:
        assert approved(cabinet) == 1
    assert len(queries) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bump_is_seen_by_others_only_when_the_writer_commits(world):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    seen = []

    def read_elsewhere():
        try:
            seen.append(data_version.current())
        finally:
            connection.close()

    def elsewhere() -> int:
        thread = threading.Thread(target=read_elsewhere)
        thread.start()
        thread.join()
        return seen.pop()

    before = data_version.current()
    officer = UserFactory(role=Role.OFFICER)
    with transaction.atomic():
        services.approve_application(world["waiting"], by=officer, on=datetime.date(2025, 3, 10))
        assert data_version.current() > before  # the writer sees its own bump ...
        assert elsewhere() == before  # ... nobody else does before the commit
    assert elsewhere() == data_version.current() > before


# -- every write the signals do not see bumps ---------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
# A write without signals: a queryset's update (``.filter(...).update(``), a bulk write.
BULK_WRITE = re.compile(r"\)\s*\.update\(|\.bulk_(create|update)\(|bulk_(create|update)_with_history\(")
APPS = ("trajects", "participants", "funding", "reporting", "demo", "bench")
# Files with such writes that need no bump, with the reason.
NO_BUMP_NEEDED = {
    "participants/services/questionnaires.py": "the reminders sent, which no figure reads",
    "reporting/services/report_jobs.py": "a report request's state, not what figures are computed from",
}


def test_every_module_writing_without_signals_bumps_the_data_version():
    missing, writing = [], []
    # The apps whose models figures are computed from, and the tools above them that write to them.
    paths = [path for app in APPS for path in sorted((ROOT / app).glob("**/*.py"))]
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if not BULK_WRITE.search(text):
            continue
        writing.append(relative)
        if relative not in NO_BUMP_NEEDED and "data_version.bump()" not in text:
            missing.append(relative)
    assert {"participants/services/kbo_import.py", "demo/synthetic.py"} <= set(writing)  # the walk sees them
    assert missing == [], "bulk writes without voorsprong.data_version.bump()"


# -- figures computed once at a time ------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_arriving_while_figures_are_computed_wait_for_them_instead_of_computing_them_again():
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    started, release = threading.Event(), threading.Event()
    answers, computed = {}, []

    def slowly() -> str:
        computed.append("first")
        started.set()
        release.wait(5)
        return "figures"

    def again() -> str:
        computed.append("second")
        return "figures again"

    def request(name: str, compute) -> None:
        try:
            answers[name] = data_version.cached(("computed once",), compute)
        finally:
            connection.close()

    first = threading.Thread(target=request, args=("first", slowly))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=request, args=("second", again))
    second.start()
    second.join(0.3)
    assert second.is_alive(), "the second request waits while the first computes"
    release.set()
    first.join(5)
    second.join(5)

    assert answers == {"first": "figures", "second": "figures"}
    assert computed == ["first"]


def test_figures_that_failed_to_compute_are_computed_by_the_next_request_without_waiting(db, monkeypatch):
    def failing():
        raise RuntimeError("the database went away")

    def no_waiting(seconds):
        raise AssertionError("the next request waited for a computation that had failed")

    with pytest.raises(RuntimeError):
        data_version.cached(("failed once",), failing)
    monkeypatch.setattr(data_version.time, "sleep", no_waiting)

    assert data_version.cached(("failed once",), lambda: "figures") == "figures"
