"""The promoters' portal: scoping, filters, the sessions, closing, and who gets in."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from participants.kbo import format_kbo_number
from participants.models import Application, ApplicationStatus, CoachingSession, StopReason
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
LIST = "/trajecten/"
SESSION = {"date": "2025-04-01", "hours": "2.50", "kind": "intake", "employees_present": "4", "notes": ""}
CONFIRMED = {"confirm": "on"}
# The promoter's count of the employees reached, asked when completing.
STAFF = {"staff_reached": "12", "staff_reached_low_skilled": "3", "staff_reached_aged_55_plus": "2"}
COMPLETED = {**CONFIRMED, "outcome": "completed", **STAFF}
UNKNOWN_CHOICE = "Select a valid choice. %s is not one of the available choices."


def detail(application):
    return f"/trajecten/{application.pk}/"


def log_url(application):
    return f"/trajecten/{application.pk}/sessies/"


def close_url(application):
    return f"/trajecten/{application.pk}/afsluiten/"


@pytest.fixture(autouse=True)
def _english():
    # English pages, so the assertions do not depend on the Dutch catalogue being filled in. The pages
    # are Dutch whatever the browser asks for, so the test switches the language itself.
    with translation.override("en"):
        yield


@pytest.fixture
def dutch():
    """Speak Dutch, as the portal does for every visitor, in the tests about its Dutch messages."""
    with translation.override("nl-be"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def saved_state(application):
    fresh = Application.objects.get(pk=application.pk)
    return fresh.status, fresh.started_on, fresh.ended_on, fresh.reason, CoachingSession.objects.count()


@pytest.fixture
def traject():
    traject = TrajectFactory(code="leren", name="Voorsprong Leren")
    CapacityPeriodFactory(traject=traject)
    return traject


@pytest.fixture
def promoter():
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))


@pytest.fixture
def project(traject, promoter):
    return ProjectFactory(traject=traject, organisations=[promoter.organisation])


def coached(project, **fields):
    """Create an application of ``project`` that was approved on 15/03/2025."""
    return ApprovedApplicationFactory(
        traject=project.traject,
        project=project,
        capacity_period=project.traject.capacity_periods.get(),
        **fields,
    )


@pytest.fixture
def application(project):
    return coached(project, company=CompanyFactory(name="Bakkerij Peeters BV"))


@pytest.fixture
def in_progress(project):
    application = coached(project, status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 1))
    CoachingSessionFactory(application=application, date=datetime.date(2025, 4, 1), kind="intake")
    return application


@pytest.fixture
def stranger():
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo"))


def listed(response) -> list[int]:
    return [application.pk for application in response.context["page"]]


# -- the list ------------------------------------------------------------------------------------
def test_the_list_shows_only_the_approved_applications_of_the_own_organisation(
    application, project, promoter, stranger
):
    other_project = ProjectFactory(traject=project.traject, organisations=[stranger.organisation])
    coached(other_project)
    ApplicationFactory(traject=project.traject, project=project)  # submitted: nothing to coach yet
    response = client_for(promoter).get(LIST)
    assert response.status_code == 200
    assert listed(response) == [application.pk]
    assert "Bakkerij Peeters BV" in response.text


def test_the_list_counts_sessions_hours_and_milestones(application, promoter):
    for day, kind, hours in [(1, "intake", "2.00"), (2, "intake", "1.50"), (3, "diagnosis", "3.00")]:
        CoachingSessionFactory(
            application=application, date=datetime.date(2025, 4, day), kind=kind, hours=hours
        )
    response = client_for(promoter).get(LIST)
    [row] = response.context["page"]
    assert (row.session_count, row.total_hours, row.milestones_reached) == (3, Decimal("6.5"), 2)
    assert '<progress value="2" max="5">' in response.text
    assert "2/5" in response.text


def test_the_list_filters_on_traject_and_status(application, in_progress, project, promoter):
    other_traject = TrajectFactory(code="werk")
    CapacityPeriodFactory(traject=other_traject)
    elsewhere = coached(ProjectFactory(traject=other_traject, organisations=[promoter.organisation]))
    client = client_for(promoter)
    assert set(listed(client.get(LIST))) == {application.pk, in_progress.pk, elsewhere.pk}
    assert listed(client.get(LIST, {"traject": other_traject.pk})) == [elsewhere.pk]
    assert listed(client.get(LIST, {"status": ApplicationStatus.IN_PROGRESS})) == [in_progress.pk]
    assert listed(
        client.get(LIST, {"traject": project.traject.pk, "status": ApplicationStatus.APPROVED})
    ) == [application.pk]


def test_the_traject_filter_offers_only_the_own_trajects(application, promoter, stranger):
    foreign = TrajectFactory(code="elders")
    CapacityPeriodFactory(traject=foreign)
    coached(ProjectFactory(traject=foreign, organisations=[stranger.organisation]))
    choices = client_for(promoter).get(LIST).context["filters"].fields["traject"].queryset
    assert list(choices) == [application.traject]


@pytest.mark.parametrize("notation", ["name", "plain", "dotted", "BE", "without zero"])
def test_the_search_finds_a_company_by_name_or_kbo_number_in_any_notation(
    application, in_progress, promoter, notation
):
    kbo = application.company.kbo_number
    term = {
        "name": "peeters",
        "plain": kbo,
        "dotted": format_kbo_number(kbo),
        "BE": f"BE {format_kbo_number(kbo)}",
        "without zero": kbo.lstrip("0"),
    }[notation]
    assert listed(client_for(promoter).get(LIST, {"search": term})) == [application.pk]


def test_the_list_pages_keep_the_filters(project, promoter, monkeypatch):
    monkeypatch.setattr("participants.views.coaching.PAGE_SIZE", 2)
    for _ in range(3):
        coached(project)
    response = client_for(promoter).get(LIST, {"status": ApplicationStatus.APPROVED})
    assert len(listed(response)) == 2
    assert "?status=approved&amp;page=2" in response.text
    assert len(listed(client_for(promoter).get(LIST, {"status": ApplicationStatus.APPROVED, "page": 2}))) == 1


def _list_queries(promoter) -> int:
    client = client_for(promoter)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_does_the_same_number_of_queries_for_2_and_20_applications(project, promoter):
    def add(count):
        for _ in range(count):
            CoachingSessionFactory(application=coached(project), kind="intake")

    add(2)
    few = _list_queries(promoter)
    add(18)
    assert _list_queries(promoter) == few


# -- the application page ------------------------------------------------------------------------
def test_the_page_shows_the_timeline_milestones_and_totals(in_progress, promoter):
    CoachingSessionFactory(
        application=in_progress,
        date=datetime.date(2025, 5, 2),
        kind="diagnosis",
        hours="3.00",
        notes="Interviews",
    )
    response = client_for(promoter).get(detail(in_progress))
    assert response.status_code == 200
    assert [session.kind for session in response.context["sessions"]] == ["intake", "diagnosis"]
    assert [m["reached"] for m in response.context["milestones"]] == [True, True, False, False, False]
    assert "2/5" in response.text
    assert "5 hours in total" in response.text
    assert "Interviews" in response.text
    # In progress: both logging and closing are offered.
    assert 'id="log-session"' in response.text
    assert 'id="stop"' in response.text


def test_closing_is_offered_only_while_in_progress(application, promoter):
    response = client_for(promoter).get(detail(application))
    assert 'id="log-session"' in response.text
    assert 'id="stop"' not in response.text


def test_another_organisation_gets_404_and_changes_nothing(in_progress, stranger):
    client, before = client_for(stranger), saved_state(in_progress)
    assert client.get(detail(in_progress)).status_code == 404
    assert client.post(log_url(in_progress), SESSION).status_code == 404
    assert client.get(close_url(in_progress)).status_code == 404
    assert client.post(close_url(in_progress), COMPLETED).status_code == 404
    stop = {**CONFIRMED, "outcome": "stopped", "stop_reason": "no_time"}
    assert client.post(close_url(in_progress), stop).status_code == 404
    assert saved_state(in_progress) == before


def test_a_withdrawn_application_is_not_part_of_the_portal(project, promoter):
    withdrawn = coached(
        project, status=ApplicationStatus.WITHDRAWN, ended_on=datetime.date(2025, 4, 1), reason="Op vraag"
    )
    client = client_for(promoter)
    assert client.get(detail(withdrawn)).status_code == 404
    assert client.post(log_url(withdrawn), SESSION).status_code == 404


# -- logging a session ---------------------------------------------------------------------------
def test_the_first_session_starts_the_trajectory_and_moves_the_progress(application, promoter):
    client = client_for(promoter)
    assert "0/5" in client.get(detail(application)).text
    response = client.post(log_url(application), SESSION)
    assert response.status_code == 302
    assert response["Location"] == detail(application)
    application.refresh_from_db()
    assert (application.status, application.started_on) == (
        ApplicationStatus.IN_PROGRESS,
        datetime.date(2025, 4, 1),
    )
    session = application.sessions.get()
    assert (str(session.hours), session.employees_present, session.logged_by) == ("2.50", 4, promoter)
    page = client.get(detail(application))
    assert "The session is logged." in page.text
    assert "1/5" in page.text
    assert page.context["application"].status == ApplicationStatus.IN_PROGRESS


def test_the_form_suggests_today_and_the_next_milestone(in_progress, promoter):
    form = client_for(promoter).get(detail(in_progress)).context["session_form"]
    assert form["date"].value() == timezone.localdate()
    assert form["kind"].value() == "diagnosis"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date": "2099-01-01"}, "date", "A session cannot be logged for a date in the future."),
        ({"date": "2025-03-14"}, "date", "A session cannot take place before the approval on"),
        ({"hours": "0"}, "hours", "A session lasts more than 0 and at most 12 hours."),
        ({"hours": "12.5"}, "hours", "A session lasts more than 0 and at most 12 hours."),
        ({"hours": ""}, "hours", "This field is required."),
    ],
)
def test_a_refused_session_shows_why_at_the_field_and_saves_nothing(
    application, promoter, change, field, message
):
    before = saved_state(application)
    response = client_for(promoter).post(log_url(application), {**SESSION, **change})
    assert response.status_code == 200
    errors = response.context["session_form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message in response.text
    assert saved_state(application) == before


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        (
            ApplicationStatus.COMPLETED,
            {"started_on": datetime.date(2025, 4, 1), "ended_on": datetime.date(2025, 6, 1)},
        ),
        (
            ApplicationStatus.STOPPED,
            {
                "started_on": datetime.date(2025, 4, 1),
                "ended_on": datetime.date(2025, 6, 1),
                "stop_reason": StopReason.NO_TIME,
            },
        ),
    ],
)
def test_no_session_on_a_closed_application(project, promoter, status, fields):
    closed = coached(project, status=status, **fields)
    before = saved_state(closed)
    response = client_for(promoter).post(log_url(closed), SESSION)
    assert response.status_code == 200
    assert f"An application that is {closed.get_status_display().lower()} cannot be coached." in response.text
    assert 'id="log-session"' not in response.text
    assert saved_state(closed) == before


def test_every_error_of_the_session_form_shows_at_once_in_dutch(application, promoter, dutch):
    """The service's refusals (a date in the future, 0 hours) come together with the fields' own errors."""
    before = saved_state(application)
    client = Client()  # the browser's language is not asked: the portal speaks Dutch
    client.force_login(promoter)
    response = client.post(
        log_url(application), {**SESSION, "date": "2099-01-01", "hours": "0", "employees_present": "-3"}
    )
    assert response.status_code == 200
    assert response.context["session_form"].errors == {
        "date": ["Een sessie kan niet geregistreerd worden voor een datum in de toekomst."],
        "hours": ["Een sessie duurt meer dan 0 en hoogstens 12 uur."],
        "employees_present": ["Zorg ervoor dat deze waarde minstens 0 is."],
    }
    assert "Verbeter de velden die in het rood gemarkeerd zijn." in response.text
    # The browser's own checks would show one English bubble at a time: the page does it instead.
    assert 'id="log-session" novalidate' in response.text
    assert saved_state(application) == before


def test_a_missing_field_does_not_hide_the_refusal_of_another(application, promoter):
    response = client_for(promoter).post(log_url(application), {**SESSION, "date": "2025-03-14", "hours": ""})
    errors = response.context["session_form"].errors
    assert errors["hours"] == ["This field is required."]
    assert errors["date"][0].startswith("A session cannot take place before the approval on")


# -- closing -------------------------------------------------------------------------------------
def test_the_promoter_marks_the_trajectory_completed(in_progress, promoter):
    client = client_for(promoter)
    response = client.post(close_url(in_progress), COMPLETED)
    assert response.status_code == 302
    in_progress.refresh_from_db()
    assert (in_progress.status, in_progress.ended_on) == (ApplicationStatus.COMPLETED, timezone.localdate())
    staff = (
        in_progress.staff_reached,
        in_progress.staff_reached_low_skilled,
        in_progress.staff_reached_aged_55_plus,
    )
    assert staff == (12, 3, 2)
    page = client.get(detail(in_progress)).text
    assert "The trajectory is marked as completed." in page
    assert "12, of whom 3 low-skilled and 2 aged 55 or over" in page


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"stop_reason": ""}, {"stop_reason": ["Choose why the trajectory stops."]}),
        ({"stop_reason": "bankrupt"}, {"stop_reason": [UNKNOWN_CHOICE % "bankrupt"]}),
        (
            {"stop_reason": "other", "reason": "  "},
            {"reason": ["Describe the other reason why the trajectory stops."]},
        ),
    ],
)
def test_stopping_needs_a_reason_code_and_other_its_text(in_progress, promoter, fields, errors):
    before = saved_state(in_progress)
    response = client_for(promoter).post(
        close_url(in_progress), {**CONFIRMED, "outcome": "stopped", **fields}
    )
    assert response.status_code == 200
    assert response.context["close_form"].errors == errors
    assert next(iter(errors.values()))[0] in response.text
    assert saved_state(in_progress) == before


def test_completing_needs_no_stop_reason(in_progress, promoter):
    response = client_for(promoter).post(close_url(in_progress), COMPLETED)
    assert response.status_code == 302
    in_progress.refresh_from_db()
    assert (in_progress.status, in_progress.stop_reason) == (ApplicationStatus.COMPLETED, "")


def test_the_closing_page_offers_every_stop_reason(in_progress, promoter, dutch):
    response = dutch_client(promoter).get(close_url(in_progress), {"outcome": "stopped"})
    select = response.text.split('name="stop_reason"', 1)[1].split("</select>", 1)[0]
    for label in ("Administratieve last", "Geen tijd", "Reorganisatie", "Doel al bereikt", "Andere"):
        assert label in select
    assert len(re.findall(r"<option value=\"[a-z_]+\"", select)) == len(StopReason.values)


@pytest.mark.parametrize(("code", "text"), [("no_time", ""), ("other", "Bedrijf herstructureert")])
def test_the_promoter_stops_the_trajectory_with_a_reason(in_progress, promoter, code, text):
    response = client_for(promoter).post(
        close_url(in_progress), {**CONFIRMED, "outcome": "stopped", "stop_reason": code, "reason": text}
    )
    assert response.status_code == 302
    in_progress.refresh_from_db()
    assert (in_progress.status, in_progress.stop_reason, in_progress.reason) == (
        ApplicationStatus.STOPPED,
        code,
        text,
    )


def test_an_application_not_yet_started_cannot_be_closed(application, promoter):
    before = saved_state(application)
    response = client_for(promoter).post(close_url(application), COMPLETED)
    assert response.status_code == 200
    assert "An application that is approved cannot be completed." in response.text
    assert saved_state(application) == before


def dutch_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_closing_asks_for_confirmation_and_says_how_many_milestones_are_reached(in_progress, promoter, dutch):
    CoachingSessionFactory(application=in_progress, date=datetime.date(2025, 5, 2), kind="diagnosis")
    CoachingSessionFactory(application=in_progress, date=datetime.date(2025, 6, 2), kind="action_plan")
    client, before = dutch_client(promoter), saved_state(in_progress)
    page = client.get(detail(in_progress))
    # The page's buttons only open the confirmation.
    assert f'<form method="get" action="{close_url(in_progress)}" id="complete">' in page.text

    response = client.get(close_url(in_progress), {"outcome": "completed"})
    assert response.status_code == 200
    assert "3 van de 5 mijlpalen bereikt" in response.text
    assert "Nog niet elke mijlpaal is bereikt." in response.text
    assert response.context["close_form"]["outcome"].value() == "completed"
    assert saved_state(in_progress) == before


def test_closing_without_the_confirmation_changes_nothing(in_progress, promoter, dutch):
    before = saved_state(in_progress)
    response = dutch_client(promoter).post(close_url(in_progress), {"outcome": "completed", **STAFF})
    assert response.status_code == 200
    assert response.context["close_form"].errors == {
        "confirm": ["Vink het vakje aan om de afsluiting van het traject te bevestigen."]
    }
    assert "1 van de 5 mijlpalen bereikt" in response.text
    assert saved_state(in_progress) == before


def test_the_confirmation_lists_every_error_at_once(in_progress, promoter, dutch):
    response = dutch_client(promoter).post(
        close_url(in_progress), {"outcome": "stopped", "stop_reason": "other"}
    )
    assert set(response.context["close_form"].errors) == {"reason", "confirm"}
    response = dutch_client(promoter).post(close_url(in_progress), {"outcome": "stopped"})
    assert set(response.context["close_form"].errors) == {"stop_reason", "confirm"}
    assert "Kies waarom het traject stopt." in response.text


def test_the_confirmation_of_a_trajectory_not_in_progress_leads_back_to_its_page(application, promoter):
    response = client_for(promoter).get(close_url(application))
    assert response.status_code == 302
    assert response["Location"] == detail(application)


# -- who gets in ---------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_the_login_page(application):
    client = Client()
    for response in (
        client.get(LIST),
        client.get(detail(application)),
        client.post(log_url(application), SESSION),
        client.post(close_url(application), {"outcome": "completed"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/aanmelden/?next=/trajecten/")
    assert application.sessions.count() == 0


@pytest.mark.parametrize("role", [Role.CABINET, Role.SECTOR_CONSULTANT])
def test_other_roles_are_refused(application, role):
    client = client_for(UserFactory(role=role))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(application)).status_code == 403
    assert client.post(log_url(application), SESSION).status_code == 403
    assert application.sessions.count() == 0


def test_officers_see_every_organisations_applications(application, stranger, officer):
    elsewhere = coached(ProjectFactory(traject=application.traject, organisations=[stranger.organisation]))
    assert set(listed(client_for(officer).get(LIST))) == {application.pk, elsewhere.pk}


def test_a_promoter_starts_on_mijn_trajecten(promoter):
    response = client_for(promoter).get("/")
    assert response["Location"] == LIST
