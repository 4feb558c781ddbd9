"""``Idempotency-Key`` on the API's POSTs: a retry answers what the first request answered, once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from participants.models import CoachingSession
from tests.clients import client_for
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.idempotency import IDEMPOTENCY_KEY_TTL
from voorsprong.models import IdempotentRequest
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

SESSION = {
    "date": "2025-04-01",
    "hours": "2.50",
    "kind": "intake",
    "employees_present": 6,
    "notes": "Kick-off",
}


@pytest.fixture
def promoter(db):
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))


@pytest.fixture
def application(promoter):
    traject = TrajectFactory(code="leren")
    project = ProjectFactory(traject=traject, organisations=[promoter.organisation])
    return ApprovedApplicationFactory(
        traject=traject, project=project, capacity_period=CapacityPeriodFactory(traject=traject)
    )


def sessions_url(application):
    return f"/api/v1/applications/{application.pk}/sessions/"


def post(api, application, body=SESSION, key=None, action="sessions"):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/applications/{application.pk}/{action}/", body, format="json", headers=headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_logs_one_session_and_answers_the_same(promoter, application):
    api = client_for(promoter)
    first = post(api, application, key="abc-1")
    second = post(api, application, key="abc-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert CoachingSession.objects.count() == 1
    record = IdempotentRequest.objects.get()
    assert (record.user, record.key, record.method, record.path) == (
        promoter,
        "abc-1",
        "POST",
        sessions_url(application),
    )
    assert (record.response_status, record.response_body) == (201, first.json())


@pytest.mark.django_db
def test_without_a_key_every_post_counts(promoter, application):
    api = client_for(promoter)
    assert post(api, application).status_code == 201
    assert post(api, application).status_code == 201
    assert CoachingSession.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_and_changes_nothing(promoter, application):
    api = client_for(promoter)
    post(api, application, key="abc-1")
    response = post(api, application, {**SESSION, "hours": "3.00"}, key="abc-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "detail" in response.json()
    assert [str(hours) for hours in CoachingSession.objects.values_list("hours", flat=True)] == ["2.50"]
    # Another path with the same key is another request too.
    assert post(api, application, {}, key="abc-1", action="complete").status_code == 422
    assert CoachingSession.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(promoter, application):
    colleague = UserFactory(role=Role.PROMOTER, organisation=promoter.organisation)
    assert post(client_for(promoter), application, key="same").status_code == 201
    other = post(client_for(colleague), application, key="same")
    assert other.status_code == 201
    assert not other.has_header("Idempotent-Replayed")
    assert CoachingSession.objects.count() == 2
    assert IdempotentRequest.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_replays_its_refusal(promoter, application):
    api = client_for(promoter)
    first = post(api, application, {}, key="complete-1", action="complete")
    assert (first.status_code, first.json()["code"]) == (409, "invalid_transition")
    post(api, application)  # the trajectory starts: completing would now be allowed
    again = post(api, application, {}, key="complete-1", action="complete")
    assert (again.status_code, again.json()) == (409, first.json())
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_token_authenticated_retry_is_replayed(promoter, application):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(promoter)[1]}")
    first, second = post(api, application, key="tok"), post(api, application, key="tok")
    assert (first.status_code, second.status_code, second.json()) == (201, 201, first.json())
    assert CoachingSession.objects.count() == 1


@pytest.mark.django_db
def test_an_anonymous_post_is_left_to_the_view(application):
    response = post(APIClient(), application, key="anon")
    assert response.status_code in (401, 403)
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_an_expired_key_counts_as_new(promoter, application):
    api = client_for(promoter)
    post(api, application, key="old")
    IdempotentRequest.objects.update(created_at=timezone.now() - IDEMPOTENCY_KEY_TTL - datetime.timedelta(1))
    response = post(api, application, key="old")
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert CoachingSession.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_server_error_keeps_no_key(promoter, application, monkeypatch):
    from participants import services

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "log_coaching_session", broken)
    api = client_for(promoter)
    api.raise_request_exception = False
    assert post(api, application, key="retry-me").status_code == 500
    assert not IdempotentRequest.objects.exists()
    monkeypatch.undo()
    assert post(api, application, key="retry-me").status_code == 201
    assert CoachingSession.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_log_one_session():
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises writers anyway)")
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))
    traject = TrajectFactory(code="leren")
    project = ProjectFactory(traject=traject, organisations=[promoter.organisation])
    application = ApprovedApplicationFactory(
        traject=traject, project=project, capacity_period=CapacityPeriodFactory(traject=traject)
    )
    threads_count = 4
    outcomes, barrier = [], threading.Barrier(threads_count)

    def send():
        try:
            api = client_for(promoter)
            api.raise_request_exception = False
            barrier.wait()
            response = post(api, application, key="race")
            outcomes.append((response.status_code, response.json()))
        except Exception as error:  # anything else is a failure the assertion below shows
            outcomes.append((repr(error), None))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _body in outcomes] == [201] * threads_count
    assert len({body["id"] for _status, body in outcomes}) == 1
    assert CoachingSession.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
