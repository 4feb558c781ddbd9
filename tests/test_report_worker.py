"""A report built by a real Celery worker over Redis, the way production builds it.

Skipped without CELERY_BROKER_URL (the newcomer's run, Celery in-process). CI sets REQUIRE_WORKER=1 in
its "Celery worker with Redis" pass, which turns the skip, and a broker that does not answer, into a
failure. The worker runs in a thread of the test's process against a transactional test database
(PostgreSQL in CI), so it sees what the test commits.
"""

import datetime
import json
import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

from reporting import services
from reporting.models import ReportRequest, ReportStatus
from reporting.questions.pq244 import pq244_figures
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2025, 11, 26)
BUILD_TIMEOUT = 60


def _broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    required = os.environ.get("REQUIRE_WORKER") == "1"
    if not url or url.startswith("memory://"):
        if required:
            pytest.fail("REQUIRE_WORKER=1 but CELERY_BROKER_URL names no broker")
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"REQUIRE_WORKER=1 but the broker does not answer: {error}")
        pytest.skip(f"the broker does not answer: {error}")
    return url


@pytest.fixture
def worker(settings, tmp_path):
    """A Celery worker of the project's app in a thread, with tasks no longer run in-process."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_prerun

    from voorsprong.celery import app

    url = _broker_url()
    assert app.conf.broker_url == url, "the Celery app must point at the broker of CELERY_BROKER_URL"
    settings.MEDIA_ROOT = tmp_path / "media"

    app.ran_in_threads = []

    def note_thread(sender=None, **kwargs):
        if sender is not None and sender.name == "reporting.tasks.build_report":
            app.ran_in_threads.append(threading.get_ident())

    def close_connections(**kwargs):
        # The worker thread's connections would outlive the test and keep the test database from being
        # dropped.
        connections.close_all()

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # tests/conftest.py runs tasks in-process otherwise
    task_prerun.connect(note_thread, weak=False)
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield app
    finally:
        task_prerun.disconnect(note_thread)
        task_postrun.disconnect(close_connections)
        app.conf.task_always_eager = eager


def _wait_until_finished(report: ReportRequest) -> ReportRequest:
    deadline = time.monotonic() + BUILD_TIMEOUT
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report
        time.sleep(0.2)
    pytest.fail(f"the worker did not finish the report in {BUILD_TIMEOUT}s: {report.status}, {report.step}")


def test_a_real_worker_builds_a_json_report(worker, settings):
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    ApprovedApplicationFactory(traject=traject, capacity_period=period, decided_on=datetime.date(2025, 3, 1))
    cabinet = UserFactory(role=Role.CABINET)

    report = services.request_report(question=244, as_of=AS_OF, fmt="json", by=cabinet)
    assert report.reused is False
    report = _wait_until_finished(report)

    assert report.status == ReportStatus.DONE, report.error
    # Built by the worker's thread, through Redis, not in this one.
    assert worker.ran_in_threads and threading.get_ident() not in worker.ran_in_threads
    figures = pq244_figures(AS_OF)
    assert (report.progress, report.fingerprint) == (100, figures["fingerprint"])
    assert report.file.name.endswith(f"pq244-2025-11-26-{figures['fingerprint'][:8]}.json")
    with report.file.open("rb") as stored:
        content = json.loads(stored.read())
    assert content["fingerprint"] == figures["fingerprint"]
    assert content["trajects"][0]["approved_companies"] == 1
    # The same request again: a new request, which the worker marks done with the same file, made once.
    again = services.request_report(question=244, as_of=AS_OF, fmt="json", by=cabinet)
    assert (again.pk != report.pk, again.reused) == (True, False)
    again = _wait_until_finished(again)
    assert (again.status, again.file.name) == ("done", report.file.name)
    assert again.fingerprint == report.fingerprint
    assert again.history.latest("history_id").history_change_reason == "reused"
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert [path.relative_to(settings.MEDIA_ROOT).as_posix() for path in stored] == [report.file.name]
