"""A report built by a real Celery worker over Redis, the way production builds it (``tests.workers``)."""

import datetime
import json
import threading
import time
from pathlib import Path

import pytest

from reporting.models import ReportRequest, ReportStatus
from reporting.questions.pq244 import pq244_figures
from reporting.services import report_requests
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2025, 11, 26)
BUILD_TIMEOUT = 60


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

    report = report_requests.request_report(question=244, as_of=AS_OF, fmt="json", by=cabinet)
    assert report.reused is False
    report = _wait_until_finished(report)

    assert report.status == ReportStatus.DONE, report.error
    # Built by the worker's thread, through Redis, not in this one.
    built_in = worker.ran_in_threads["reporting.tasks.build_report"]
    assert built_in and threading.get_ident() not in built_in
    figures = pq244_figures(AS_OF)
    assert (report.progress, report.fingerprint) == (100, figures["fingerprint"])
    assert report.file.name.endswith(f"pq244-2025-11-26-{figures['fingerprint'][:8]}.json")
    with report.file.open("rb") as stored:
        content = json.loads(stored.read())
    assert content["fingerprint"] == figures["fingerprint"]
    assert content["trajects"][0]["approved_companies"] == 1
    # The same request again: a new request, which the worker marks done with the same file, made once.
    again = report_requests.request_report(question=244, as_of=AS_OF, fmt="json", by=cabinet)
    assert (again.pk != report.pk, again.reused) == (True, False)
    again = _wait_until_finished(again)
    assert (again.status, again.file.name) == ("done", report.file.name)
    assert again.fingerprint == report.fingerprint
    assert again.history.latest("history_id").history_change_reason == "reused"
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert [path.relative_to(settings.MEDIA_ROOT).as_posix() for path in stored] == [report.file.name]
