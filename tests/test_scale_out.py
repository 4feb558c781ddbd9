"""Report jobs spread over two workers, which stand for two machines, one of them killed halfway.

Two real ``celery worker`` processes, ``alpha`` and ``beta`` (``tests.workers.WorkerProcesses``), read one
queue on Redis and write to the test's PostgreSQL database and one media folder, as the containers of
several machines share one database, broker and media storage (README, "Scaling out"). Fifty distinct
report requests are queued; once half of the builds have started, alpha holds the build it takes and the
test kills alpha's whole process group (SIGKILL) there. Its message, unacknowledged, comes back through
Redis' visibility timeout (short here) to beta.

"Built" means a completed build: a document rendered, stored and its request marked done. A build killed
before that does not count; the job's next attempt is then its only build.

Skipped like tests/test_worker_death.py without a broker (a failure with REQUIRE_WORKER=1) and on SQLite.
"""

import datetime
import json
from collections import Counter

import pytest

from reporting.models import ReportRequest, ReportStatus
from reporting.services import report_requests
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from tests.workers import wait_for
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

JOBS = 50
LAST_DAY = datetime.date(2025, 11, 26)
# Seconds an unacknowledged message waits before a live worker hands it out again: well above one build
# (a fraction of a second) and the test's reaction to the hold, so no running build is handed out twice.
VISIBILITY_TIMEOUT = 5
TIMEOUT = 120


def _queue_reports() -> list[ReportRequest]:
    """Queue JOBS question-244 reports in JSON (the cheapest to build), one per day up to LAST_DAY."""
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    ApprovedApplicationFactory(traject=traject, capacity_period=period, decided_on=datetime.date(2025, 3, 1))
    cabinet = UserFactory(role=Role.CABINET)
    reports = [
        report_requests.request_report(
            question=244, as_of=LAST_DAY - datetime.timedelta(days=day), fmt="json", by=cabinet
        )
        for day in range(JOBS)
    ]
    assert not any(report.reused for report in reports)
    return reports


def _all_finished(ids: list[int]) -> bool:
    return not ReportRequest.objects.filter(
        pk__in=ids, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).exists()


def test_fifty_reports_on_two_workers_one_killed_halfway_are_all_built_once(workers):
    alpha, beta = workers.start_alpha_and_beta(JOBS, VISIBILITY_TIMEOUT)
    ids = [report.pk for report in _queue_reports()]
    held = workers.kill_when_held(alpha, TIMEOUT)
    killed = ReportRequest.objects.get(status=ReportStatus.RUNNING, built_by=workers.alpha_node)
    assert 0 < ReportRequest.objects.filter(pk__in=ids, status=ReportStatus.DONE).count() < JOBS

    wait_for(lambda: _all_finished(ids), f"all {JOBS} reports to finish", timeout=TIMEOUT)

    reports = list(ReportRequest.objects.filter(pk__in=ids))
    assert Counter(report.status for report in reports) == {ReportStatus.DONE: JOBS}, workers.logs()
    # Each built exactly once: one "done" in its history, one document rendered for it, one file stored
    # (a second build of the same request would store a second file beside the first).
    for report in reports:
        reasons = list(report.history.values_list("history_change_reason", flat=True))
        assert reasons.count("done") == 1 and "reused" not in reasons, (report.as_of, reasons)
    builds = workers.builds()
    assert [word for word, _pid in builds].count("rendered") == JOBS, builds
    assert [word for word, _pid in builds].count("started") == JOBS + 1  # the killed attempt
    files = sorted(path.relative_to(workers.media).as_posix() for path in workers.media.rglob("*.json"))
    assert files == sorted(report.file.name for report in reports)
    for report in reports:
        stored = json.loads((workers.media / report.file.name).read_bytes())
        assert (stored["as_of"], stored["fingerprint"]) == (report.as_of.isoformat(), report.fingerprint)

    # Both workers built reports; the killed one's job was taken up again, and built, by the other.
    workers.assert_taken_over(reports, killed, queued="requested")
    # The held build, killed, rendered nothing.
    assert ("rendered", held) not in builds[builds.index(("holding", held)) :]
    assert beta.poll() is None
