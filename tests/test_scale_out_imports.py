"""KBO import jobs spread over two workers, which stand for two machines, one of them killed halfway.

As tests/test_scale_out.py does for reports: two real ``celery worker`` processes, ``alpha`` and ``beta``
(``tests.workers.WorkerProcesses``), read one queue on Redis, the test's PostgreSQL database and one media
folder, where the extracts are. Distinct full extracts are queued as ``import_kbo --queue`` queues them;
once half of the imports have started, alpha holds the one it takes and the test kills alpha's whole
process group (SIGKILL) there. Its message, unacknowledged, comes back through Redis' visibility timeout
to beta.

"Applied" means an import whose transaction committed, with its job marked done and its ``KboImport``
record: applying the same extract again would change no company (the import is idempotent) but would
record a second import, so the records and the jobs' histories, not the companies, show each was applied
once. Skipped without a broker (a failure with REQUIRE_WORKER=1) and on SQLite.
"""

import json
import socket
from collections import Counter

import pytest

from participants.models import Company, ImportJob, ImportStatus, KboImport
from participants.services.import_jobs import queue_kbo_import
from tests.test_import_jobs import job_extract
from tests.workers import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

JOBS = 12
COMPANIES = 3  # per extract
# Seconds an unacknowledged message waits before a live worker hands it out again: well above one import
# of a small extract and the test's reaction to the hold, so no running import is handed out twice.
VISIBILITY_TIMEOUT = 5
TIMEOUT = 120


def _all_finished(ids: list[int]) -> bool:
    return not ImportJob.objects.filter(
        pk__in=ids, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).exists()


def test_import_jobs_on_two_workers_one_killed_halfway_are_all_applied_once(workers, settings):
    settings.MEDIA_ROOT = workers.media  # where the workers read the extracts: the shared storage
    host = socket.gethostname()
    alpha_name, beta_name = f"alpha-{workers.queue}", f"beta-{workers.queue}"
    alpha = workers.start(
        alpha_name, HOLD_FROM=str(JOBS // 2), CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    beta = workers.start(beta_name, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    wait_for(lambda: workers.ready(alpha) and workers.ready(beta), "both workers to be ready", timeout=60)
    ids = [queue_kbo_import(job_extract(workers.media, n, COMPANIES)).pk for n in range(1, JOBS + 1)]

    held = wait_for(
        lambda: next((pid for word, pid in workers.builds() if word == "holding"), None),
        "alpha to take a job once half of them had started",
        timeout=TIMEOUT,
    )
    workers.kill(alpha)
    killed = ImportJob.objects.get(status=ImportStatus.RUNNING, built_by=f"{alpha_name}@{host}")
    assert 0 < ImportJob.objects.filter(pk__in=ids, status=ImportStatus.DONE).count() < JOBS

    wait_for(lambda: _all_finished(ids), f"all {JOBS} imports to finish", timeout=TIMEOUT)

    jobs = list(ImportJob.objects.filter(pk__in=ids).select_related("kbo_import"))
    assert Counter(job.status for job in jobs) == {ImportStatus.DONE: JOBS}, workers.logs()
    # Each applied exactly once: one "done" in its history, one import recorded for it and none beside,
    # one applied extract per job in the workers' log.
    for job in jobs:
        reasons = list(job.history.values_list("history_change_reason", flat=True))
        assert reasons.count("done") == 1, (job.source, reasons)
        assert (job.kbo_import.created, job.kbo_import.updated) == (COMPANIES, 0)
    assert KboImport.objects.count() == JOBS
    builds = workers.builds()
    assert [word for word, _pid in builds].count("imported") == JOBS, builds
    assert [word for word, _pid in builds].count("started") == JOBS + 1  # the killed attempt
    assert Company.objects.count() == JOBS * COMPANIES

    # Both workers applied imports; the killed one's job was taken up again, and applied, by the other.
    built_by = Counter(job.built_by for job in jobs)
    assert set(built_by) == {f"{alpha_name}@{host}", f"{beta_name}@{host}"}, built_by
    killed.refresh_from_db()
    attempts = killed.history.order_by("history_date").values_list("history_change_reason", "built_by")
    assert list(attempts) == [
        ("queued", ""),
        ("running", f"{alpha_name}@{host}"),
        ("running", f"{beta_name}@{host}"),
        ("done", f"{beta_name}@{host}"),
    ]
    # The held import, killed, applied nothing.
    assert ("imported", held) not in builds[builds.index(("holding", held)) :]
    # Nothing is left on the broker to come back: not queued, not unacknowledged.
    assert workers.redis.llen(workers.queue) == 0
    unacked = [json.loads(entry) for entry in workers.redis.hvals("unacked")]
    assert not [entry for entry in unacked if entry[2] == workers.queue]
    assert beta.poll() is None
