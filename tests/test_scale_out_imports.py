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
    alpha, beta = workers.start_alpha_and_beta(JOBS, VISIBILITY_TIMEOUT)
    ids = [queue_kbo_import(job_extract(workers.media, n, COMPANIES)).pk for n in range(1, JOBS + 1)]
    held = workers.kill_when_held(alpha, TIMEOUT)
    killed = ImportJob.objects.get(status=ImportStatus.RUNNING, built_by=workers.alpha_node)
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
    workers.assert_taken_over(jobs, killed, queued="queued")
    # The held import, killed, applied nothing.
    assert ("imported", held) not in builds[builds.index(("holding", held)) :]
    assert beta.poll() is None
