"""The benchmark's report jobs on two workers (bench/scale_out.py), run against real worker processes on
Redis and the test's PostgreSQL database, as ``bench`` runs them against its data set.

Skipped like tests/test_scale_out.py without a broker (a failure with REQUIRE_WORKER=1) and on SQLite.
"""

import datetime
import os
from collections import Counter

import pytest
import redis

from bench.scale_out import measure_scale_out
from reporting.models import ReportRequest, ReportStatus
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from tests.workers import broker_url, database_url
from voorsprong.celery import app
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

JOBS = 20


def test_the_measure_builds_every_report_once_on_two_workers_with_one_killed_halfway():
    broker, url = broker_url(), database_url()
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2023, 5, 1))
    period = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
    )
    ApprovedApplicationFactory(traject=traject, capacity_period=period, decided_on=datetime.date(2025, 3, 1))
    UserFactory(role=Role.CABINET)
    eager, variable = app.conf.task_always_eager, os.environ.get("CELERY_BROKER_URL")

    outcome = measure_scale_out(url, broker, jobs=JOBS)

    [figure] = outcome.figures
    assert figure.met and not figure.timing, figure.value
    assert f"{JOBS} of {JOBS} done" in figure.value and "0 built twice" in figure.value
    reports = list(ReportRequest.objects.all())
    assert Counter(report.status for report in reports) == {ReportStatus.DONE: JOBS}
    assert len({report.as_of for report in reports}) == JOBS
    assert {report.built_by.split("-")[0] for report in reports} == {"alpha", "beta"}
    for report in reports:
        reasons = list(report.history.values_list("history_change_reason", flat=True))
        assert reasons.count("done") + reasons.count("reused") == 1, (report.as_of, reasons)
    # This process queues its tasks as before, and nothing of the benchmark's queue is left on the broker:
    # not the queue, not a job handed out and never acknowledged (which would come back later).
    assert (app.conf.task_always_eager, os.environ.get("CELERY_BROKER_URL")) == (eager, variable)
    client = redis.Redis.from_url(broker)
    try:
        assert not client.keys("*bench-*")
        assert not [entry for entry in client.hvals("unacked") if b'"bench-' in entry]
    finally:
        client.close()
