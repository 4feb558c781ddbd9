import time

import pytest
from django.core.cache import cache
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(client, settings):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    expected_broker = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["broker"] == expected_broker


def test_health_answers_503_when_the_broker_cannot_be_reached(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Port 9 (discard) on the loopback: nothing listens there, so the connection is refused.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_health_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.parametrize(
    "broker",
    [
        "redis://127.0.0.1:9/0",  # nothing listens: refused at once
        "redis://10.255.255.1:6379/0",  # not routable: packets are dropped, only the timeout ends it
    ],
    ids=["closed-port", "non-routable"],
)
def test_health_answers_within_a_second_when_the_broker_is_down(client, settings, broker):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker
    cache.clear()
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 1
    assert (response.status_code, response.json()["broker"]) == (503, "unavailable")
    # Asked again at once, the answer is the one kept: no second wait on the broker.
    started = time.monotonic()
    assert client.get("/health/").json()["broker"] == "unavailable"
    assert time.monotonic() - started < 0.2
