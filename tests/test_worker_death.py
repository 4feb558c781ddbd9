"""A report job whose worker dies (SIGKILL) while building it is picked up again and finishes once.

Real ``celery worker`` processes (prefork, one child) on Redis and the test's PostgreSQL database,
started from ``tests.killable_worker``, whose report rendering holds the first attempt until the test
kills it. Each test sends its job to a queue of its own, so nothing else on the broker interferes.

* The pool child dies: the worker sees the child lost and, the task being acknowledged late with
  ``reject_on_worker_lost``, puts the message back; its next child builds the report.
* The whole worker dies (its process group, as when a container or machine goes): the message stays
  unacknowledged in Redis; a second worker, started with ``CELERY_VISIBILITY_TIMEOUT=1``, gives it back
  to the queue when it starts and builds the report.

Skipped like tests/test_report_worker.py without a broker (a failure with REQUIRE_WORKER=1), and on
SQLite, whose test database another process cannot open.
"""

import datetime
import json
import os
import signal
import time

import pytest

from reporting.models import ReportRequest, ReportStatus
from reporting.questions.pq244 import pq244_figures
from reporting.services import report_requests
from reporting.tasks import requeue_stale_reports
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from tests.workers import WorkerProcesses, wait_for
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2025, 11, 26)


@pytest.fixture
def workers(workers):
    """The worker processes of ``tests.workers``, holding the first build (over all of them) until it is
    killed."""
    workers.env["HOLD_ATTEMPTS"] = "1"
    return workers


def _request_report() -> ReportRequest:
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    ApprovedApplicationFactory(traject=traject, capacity_period=period, decided_on=datetime.date(2025, 3, 1))
    return report_requests.request_report(
        question=244, as_of=AS_OF, fmt="json", by=UserFactory(role=Role.CABINET)
    )


def _finished(report: ReportRequest) -> ReportRequest | None:
    report.refresh_from_db()
    return report if report.status in (ReportStatus.DONE, ReportStatus.FAILED) else None


def _assert_built_once(
    report: ReportRequest,
    workers: WorkerProcesses,
    first_pid: int,
    reasons=("requested", "running", "running", "done"),
) -> None:
    assert report.status == ReportStatus.DONE, (report.error, workers.logs())
    builds = workers.builds()
    # Two attempts, in two processes; only the second rendered the document.
    started = [pid for word, pid in builds if word == "started"]
    assert len(started) == 2 and started[0] == first_pid and started[1] != first_pid, builds
    assert [word for word, _pid in builds].count("rendered") == 1, builds
    # One file, the one the request names, with today's figures.
    files = [path for path in workers.media.rglob("*") if path.is_file()]
    assert [path.relative_to(workers.media).as_posix() for path in files] == [report.file.name]
    figures = pq244_figures(AS_OF)
    assert (report.progress, report.fingerprint) == (100, figures["fingerprint"])
    assert json.loads(files[0].read_bytes())["fingerprint"] == figures["fingerprint"]
    history = report.history.order_by("history_date").values_list("history_change_reason", flat=True)
    assert list(history) == list(reasons)
    # Nothing of the job is left on the broker to come back: not queued, not unacknowledged.
    assert workers.redis.llen(workers.queue) == 0
    unacked = [json.loads(entry) for entry in workers.redis.hvals("unacked")]
    assert not [entry for entry in unacked if entry[2] == workers.queue]


def test_a_job_whose_pool_process_is_killed_is_built_again_once(workers):
    worker = workers.start()
    report = _request_report()
    pid = wait_for(
        lambda: next((pid for word, pid in workers.builds() if word == "started"), None), "a build"
    )
    assert pid != worker.pid
    os.kill(pid, signal.SIGKILL)

    report = wait_for(lambda: _finished(report), "the report to be built again")
    _assert_built_once(report, workers, pid)
    assert worker.poll() is None  # the worker itself lived on


def test_a_job_whose_worker_is_killed_is_built_once_by_another_worker(workers):
    first = workers.start()
    report = _request_report()
    pid = wait_for(
        lambda: next((pid for word, pid in workers.builds() if word == "started"), None), "a build"
    )
    workers.kill(first)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING
    # The message waits, unacknowledged, for a worker that gives it back once it is this old.
    time.sleep(1.5)

    workers.start(CELERY_VISIBILITY_TIMEOUT="1")
    report = wait_for(lambda: _finished(report), "another worker to build the report")
    _assert_built_once(report, workers, pid)


def test_a_job_whose_worker_is_killed_is_requeued_by_the_beat_and_built_once(workers, settings):
    """The whole worker dies and its message stays unacknowledged (the visibility timeout is long): the
    beat's stale-job check queues the request again, through the outbox, for a new worker."""
    settings.REPORT_STALE_AFTER = 0  # the heartbeat of the dead job is at once older than this
    first = workers.start()
    report = _request_report()
    pid = wait_for(
        lambda: next((pid for word, pid in workers.builds() if word == "started"), None), "a build"
    )
    workers.kill(first)
    workers.start()
    assert requeue_stale_reports.apply().get() == [report.pk]
    report = wait_for(lambda: _finished(report), "the new worker to build the report")
    # The dead worker's message is still unacknowledged in Redis: given back later, it finds the report done.
    workers.redis.delete("unacked", "unacked_index")
    _assert_built_once(report, workers, pid, ("requested", "running", "requeued", "running", "done"))
