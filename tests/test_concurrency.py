"""An officer and a promoter changing the same application at once, and promoters logging the same
session twice: on PostgreSQL, with real concurrent transactions (each thread its own connection).

Every race runs ``ROUNDS`` times, each time on a fresh application, its two (or more) requests released
together by a barrier. Whatever order the database picks, nobody gets a 500, a request either succeeds or
gets a 409 with the workflow's code, the final row holds every change that succeeded (no lost update)
and each has its history row.

The API has no PATCH for applications: what an officer may still change by hand (project, referral,
planned cost) is changed in the admin, so that race sends the officer's edit through the admin's change
form and the promoter's session through the API.
"""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants.models import Application, ApplicationStatus, CoachingSession
from tests.clients import client_for
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.models import IdempotentRequest
from voorsprong.roles import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12
SESSION = {"date": "2025-04-01", "hours": "2.50", "kind": "intake", "employees_present": 3, "notes": "Start"}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency tests need PostgreSQL (SQLite serialises writers anyway)")


@pytest.fixture
def cast():
    """Return an officer, two promoters of one organisation, two projects it runs in one traject."""
    organisation = OrganisationFactory(name="Voka")
    traject = TrajectFactory(code="leren")
    return {
        "officer": UserFactory(role=Role.OFFICER, is_staff=True),
        "promoter": UserFactory(role=Role.PROMOTER, organisation=organisation),
        "colleague": UserFactory(role=Role.PROMOTER, organisation=organisation),
        "traject": traject,
        "period": CapacityPeriodFactory(traject=traject, places=100),
        "projects": [ProjectFactory(traject=traject, organisations=[organisation]) for _ in range(2)],
    }


def approved(cast, **fields):
    return ApprovedApplicationFactory(
        traject=cast["traject"], project=cast["projects"][0], capacity_period=cast["period"], **fields
    )


def race(*requests):
    """Run the callables at the same moment, each in its own thread and database connection; return
    their results in order (an exception's repr when one raised)."""
    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            results[index] = request()
        except Exception as error:  # shown by the assertions on the results
            results[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def api_post(user, url, body, key=None):
    """Return a request for ``race`` that POSTs as ``user``; it returns (status, JSON body, replayed)."""

    def send():
        api = client_for(user)
        api.raise_request_exception = False
        headers = {"Idempotency-Key": key} if key else {}
        response = api.post(url, body, format="json", headers=headers)
        return response.status_code, response.json(), response.has_header("Idempotent-Replayed")

    return send


def sessions_url(application):
    return f"/api/v1/applications/{application.pk}/sessions/"


def action_url(application, action):
    return f"/api/v1/applications/{application.pk}/{action}/"


def refused_with(result, code="invalid_transition"):
    status, body, _replayed = result
    return status == 409 and body.get("code") == code and body.get("detail")


def history_of(application):
    """Return (user, status, project) of each history row, oldest first."""
    return [
        (row.history_user, row.status, row.project_id)
        for row in Application.history.filter(id=application.pk).order_by("history_date", "history_id")
    ]


# -- officer and promoter on the same application --------------------------------------------------
def test_an_officer_editing_the_application_while_the_promoter_starts_it_loses_nothing(cast):
    officer, promoter, second = cast["officer"], cast["promoter"], cast["projects"][1]
    for _ in range(ROUNDS):
        application = approved(cast)
        before = len(history_of(application))

        def edit(application=application):
            client = Client(raise_request_exception=False)
            client.force_login(officer)
            response = client.post(
                reverse("admin:participants_application_change", args=[application.pk]),
                {"project": second.pk, "referral": "", "planned_cost": "", "_save": "Save"},
            )
            return response.status_code, response.get("Location", "")

        edited, logged = race(edit, api_post(promoter, sessions_url(application), SESSION))

        assert edited == (302, reverse("admin:participants_application_changelist")), edited
        assert logged[0] == 201, logged
        application.refresh_from_db()
        # Both changes are in the row: the officer's project and the promoter's start.
        assert (application.project, application.status, application.started_on) == (
            second,
            ApplicationStatus.IN_PROGRESS,
            datetime.date(2025, 4, 1),
        )
        assert application.sessions.count() == 1
        new_rows = history_of(application)[before:]
        assert len(new_rows) == 2
        by = {user: (status, project) for user, status, project in new_rows}
        assert by[promoter][0] == ApplicationStatus.IN_PROGRESS
        assert by[officer][1] == second.pk
        # The later row carries both changes.
        assert new_rows[-1][1:] == (ApplicationStatus.IN_PROGRESS, second.pk)


def test_an_officer_withdrawing_while_the_promoter_starts_the_coaching_one_wins_cleanly(cast):
    officer, promoter = cast["officer"], cast["promoter"]
    winners = Counter()
    for _ in range(ROUNDS):
        application = approved(cast)
        before = len(history_of(application))
        withdrawn, logged = race(
            api_post(officer, action_url(application, "withdraw"), {"reason": "Op vraag van het bedrijf"}),
            api_post(promoter, sessions_url(application), SESSION),
        )
        application.refresh_from_db()
        new_rows = history_of(application)[before:]
        if withdrawn[0] == 200:
            # Withdrawn first: a withdrawn trajectory cannot be coached.
            assert refused_with(logged), logged
            assert (application.status, application.ended_on, application.started_on) == (
                ApplicationStatus.WITHDRAWN,
                timezone.localdate(),
                None,
            )
            assert application.reason == "Op vraag van het bedrijf"
            assert application.sessions.count() == 0
            assert new_rows == [(officer, ApplicationStatus.WITHDRAWN, application.project_id)]
            winners["withdraw"] += 1
        else:
            # Coached first: a trajectory in progress is stopped, not withdrawn.
            assert refused_with(withdrawn), withdrawn
            assert logged[0] == 201, logged
            assert (application.status, application.started_on, application.ended_on) == (
                ApplicationStatus.IN_PROGRESS,
                datetime.date(2025, 4, 1),
                None,
            )
            assert application.sessions.count() == 1
            assert new_rows == [(promoter, ApplicationStatus.IN_PROGRESS, application.project_id)]
            winners["session"] += 1
    assert sum(winners.values()) == ROUNDS


def test_an_officer_stopping_while_the_promoter_logs_an_earlier_session_loses_nothing(cast):
    officer, promoter = cast["officer"], cast["promoter"]
    winners = Counter()
    for _ in range(ROUNDS):
        application = approved(
            cast, status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 10)
        )
        before = len(history_of(application))
        stopped, logged = race(
            api_post(
                officer,
                action_url(application, "stop"),
                {"stop_reason": "reorganisation", "reason": "Bedrijf herstructureert"},
            ),
            # Held before the start on record: the session moves the start back.
            api_post(promoter, sessions_url(application), SESSION),
        )
        assert stopped[0] == 200, stopped
        application.refresh_from_db()
        assert (application.status, application.reason, application.ended_on) == (
            ApplicationStatus.STOPPED,
            "Bedrijf herstructureert",
            timezone.localdate(),
        )
        new_rows = history_of(application)[before:]
        if logged[0] == 201:
            # Logged first, then stopped: the stop kept the start the session moved back.
            assert application.started_on == datetime.date(2025, 4, 1)
            assert application.sessions.count() == 1
            assert [user for user, _status, _project in new_rows] == [promoter, officer]
            winners["both"] += 1
        else:
            # Stopped first: a stopped trajectory takes no more sessions.
            assert refused_with(logged), logged
            assert application.started_on == datetime.date(2025, 4, 10)
            assert application.sessions.count() == 0
            assert [user for user, _status, _project in new_rows] == [officer]
            winners["stop"] += 1
        assert new_rows[-1][1] == ApplicationStatus.STOPPED
    assert sum(winners.values()) == ROUNDS


def test_an_officer_and_a_promoter_logging_sessions_at_once_both_count(cast):
    officer, promoter = cast["officer"], cast["promoter"]
    for _ in range(ROUNDS):
        application = approved(cast)
        before = len(history_of(application))
        by_officer, by_promoter = race(
            api_post(officer, sessions_url(application), {**SESSION, "date": "2025-04-03"}),
            api_post(promoter, sessions_url(application), SESSION),
        )
        assert (by_officer[0], by_promoter[0]) == (201, 201), (by_officer, by_promoter)
        application.refresh_from_db()
        # Whichever came second, the start is the earlier session's date, and it started once.
        assert (application.status, application.started_on) == (
            ApplicationStatus.IN_PROGRESS,
            datetime.date(2025, 4, 1),
        )
        assert sorted(application.sessions.values_list("logged_by__username", flat=True)) == sorted(
            [officer.username, promoter.username]
        )
        # Promoter first: one row (the start). Officer first: the start, then the promoter's earlier
        # session moving it back.
        statuses = [status for _user, status, _project in history_of(application)[before:]]
        assert statuses in (
            [ApplicationStatus.IN_PROGRESS],
            [ApplicationStatus.IN_PROGRESS, ApplicationStatus.IN_PROGRESS],
        )


# -- two promoters, the same session ----------------------------------------------------------------
def test_retries_with_one_key_log_one_session_per_promoter(cast):
    """Keys are per user (voorsprong.idempotency): each promoter's retries are executed once and replay
    the first answer; the colleague's request with the same key is another request."""
    promoter, colleague = cast["promoter"], cast["colleague"]
    for round_number in range(ROUNDS):
        application = approved(cast)
        key = f"session-{round_number}"
        url = sessions_url(application)
        results = race(
            api_post(promoter, url, SESSION, key),
            api_post(promoter, url, SESSION, key),
            api_post(colleague, url, SESSION, key),
            api_post(colleague, url, SESSION, key),
        )
        assert [status for status, _body, _replayed in results] == [201] * 4, results
        mine, theirs = results[:2], results[2:]
        for pair in (mine, theirs):
            assert pair[0][1] == pair[1][1]  # the same body, the same session id
            assert sorted(replayed for _status, _body, replayed in pair) == [False, True]
        assert mine[0][1]["id"] != theirs[0][1]["id"]
        assert application.sessions.count() == 2
        assert IdempotentRequest.objects.filter(key=key).count() == 2
        application.refresh_from_db()
        assert (application.status, application.started_on) == (
            ApplicationStatus.IN_PROGRESS,
            datetime.date(2025, 4, 1),
        )
        # Started once: one approved → in progress row.
        assert [status for _user, status, _project in history_of(application)].count(
            ApplicationStatus.IN_PROGRESS
        ) == 1


def test_two_promoters_logging_the_same_session_without_a_key_log_two(cast):
    """A coaching session has no natural key (two sessions of the same kind on the same day happen), so
    the database keeps both; the trajectory starts once."""
    promoter, colleague = cast["promoter"], cast["colleague"]
    for _ in range(ROUNDS):
        application = approved(cast)
        url = sessions_url(application)
        results = race(api_post(promoter, url, SESSION), api_post(colleague, url, SESSION))
        assert [status for status, _body, _replayed in results] == [201, 201], results
        assert not any(replayed for _status, _body, replayed in results)
        assert application.sessions.count() == 2
        application.refresh_from_db()
        assert (application.status, application.started_on) == (
            ApplicationStatus.IN_PROGRESS,
            datetime.date(2025, 4, 1),
        )
        assert [status for _user, status, _project in history_of(application)].count(
            ApplicationStatus.IN_PROGRESS
        ) == 1
    assert not IdempotentRequest.objects.exists()
    assert CoachingSession.objects.count() == 2 * ROUNDS
