"""The coaching API: sessions, completing and stopping, scoped to the promoter's own organisation."""

import datetime

import pytest
from django.utils import timezone

from participants.models import Application, CoachingSession
from tests.clients import client_for
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SESSION = {
    "date": "2025-04-01",
    "hours": "2.50",
    "kind": "intake",
    "employees_present": 6,
    "notes": "Kick-off",
}


@pytest.fixture
def promoter():
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))


@pytest.fixture
def application(promoter):
    traject = TrajectFactory(code="leren")
    project = ProjectFactory(traject=traject, organisations=[promoter.organisation])
    return ApprovedApplicationFactory(
        traject=traject, project=project, capacity_period=CapacityPeriodFactory(traject=traject)
    )


def url(application, action):
    return f"/api/v1/applications/{application.pk}/{action}/"


def saved_state(application):
    fresh = Application.objects.get(pk=application.pk)
    return fresh.status, fresh.started_on, fresh.ended_on, CoachingSession.objects.count()


def test_logging_the_first_session_starts_the_trajectory(promoter, application):
    api = client_for(promoter)
    response = api.post(url(application, "sessions"), SESSION, format="json")
    assert response.status_code == 201, response.json()
    assert {key: response.json()[key] for key in SESSION} == SESSION
    assert response.json()["logged_by"] == promoter.username
    assert api.get(f"/api/v1/applications/{application.pk}/").json()["status"] == "in_progress"
    listed = api.get(url(application, "sessions")).json()
    assert listed["count"] == 1
    assert listed["results"][0]["kind"] == "intake"


def test_the_options_request_lists_the_session_kinds(promoter, application):
    response = client_for(promoter).options(url(application, "sessions"))
    choices = response.json()["actions"]["POST"]["kind"]["choices"]
    assert [choice["value"] for choice in choices] == [
        "intake",
        "diagnosis",
        "action_plan",
        "implementation",
        "closing",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"date": "2025-03-01"}, "date"),  # before the approval on 15 March 2025
        ({"hours": "0"}, "hours"),
        ({"hours": "12.50"}, "hours"),
        ({"kind": "lunch"}, "kind"),
        ({"employees_present": -1}, "employees_present"),
        ({"date": "1 april"}, "date"),
    ],
)
def test_wrong_session_values_answer_400_and_save_nothing(promoter, application, change, field):
    before = saved_state(application)
    response = client_for(promoter).post(url(application, "sessions"), {**SESSION, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert saved_state(application) == before


def test_complete_and_stop(promoter, application):
    api = client_for(promoter)
    api.post(url(application, "sessions"), SESSION, format="json")
    before = saved_state(application)
    response = api.post(url(application, "stop"), {}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["detail", "code", "stop_reason"])
    assert saved_state(application) == before
    completed = api.post(url(application, "complete"))
    assert (completed.status_code, completed.json()["status"]) == (200, "completed")
    refused = api.post(url(application, "sessions"), SESSION, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")


def test_stopping_keeps_the_reason_code_and_text(promoter, application):
    CoachingSessionFactory(application=application)
    Application.objects.filter(pk=application.pk).update(status="in_progress", started_on="2025-04-01")
    response = client_for(promoter).post(
        url(application, "stop"),
        {"stop_reason": "bankruptcy_or_stop", "reason": "Faillissement"},
        format="json",
    )
    assert (response.json()["status"], response.json()["stop_reason"], response.json()["reason"]) == (
        "stopped",
        "bankruptcy_or_stop",
        "Faillissement",
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"stop_reason": "bankrupt"}, "invalid", "stop_reason"),
        ({"stop_reason": None}, "invalid", "stop_reason"),
        ({"stop_reason": ""}, "stop_reason_required", "stop_reason"),
        ({"stop_reason": "other"}, "reason_required", "reason"),
        ({"stop_reason": "other", "reason": "  "}, "reason_required", "reason"),
    ],
)
def test_stopping_without_a_valid_reason_code_is_refused(promoter, application, body, code, field):
    api = client_for(promoter)
    api.post(url(application, "sessions"), SESSION, format="json")
    before = saved_state(application)
    response = api.post(url(application, "stop"), body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert field in response.json()
    assert saved_state(application) == before


def test_completing_before_any_session_is_refused(promoter, application):
    before = saved_state(application)
    response = client_for(promoter).post(url(application, "complete"))
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert saved_state(application) == before


# Another organisation's promoter does not find the application; roles that may not see coaching
# sessions at all are refused outright (403), as on the model's own routes.
@pytest.mark.parametrize(
    ("role", "sessions", "actions"),
    [(Role.PROMOTER, 404, 404), (Role.CABINET, 403, 403), (Role.SECTOR_CONSULTANT, 403, 404)],
)
def test_others_are_refused_and_change_nothing(application, role, sessions, actions):
    stranger = client_for(UserFactory(role=role, organisation=OrganisationFactory()))
    before = saved_state(application)
    assert stranger.get(url(application, "sessions")).status_code == sessions
    assert stranger.post(url(application, "sessions"), SESSION, format="json").status_code == sessions
    assert stranger.post(url(application, "complete")).status_code == actions
    stop = {"stop_reason": "no_time"}
    assert stranger.post(url(application, "stop"), stop, format="json").status_code == actions
    assert saved_state(application) == before


def test_a_promoter_lists_only_its_own_applications(promoter, application):
    ApprovedApplicationFactory(traject=application.traject, capacity_period=application.capacity_period)
    body = client_for(promoter).get("/api/v1/applications/").json()
    assert [row["id"] for row in body["results"]] == [application.pk]
