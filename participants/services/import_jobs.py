"""KBO imports as jobs of whichever Celery worker is free: queued, run once, put back when a worker dies.

A job goes queued → running → done or failed. It is queued through the outbox in the caller's transaction
(``voorsprong.outbox``), and its files are read from the shared media storage, so a worker on any
machine can run it. Applying the import and marking the job done are one transaction: a worker killed
halfway leaves nothing applied and the job running, for the next delivery (or the beat's
``requeue_stale_imports``) to run it again. The job's advisory claim (``voorsprong.jobs``) keeps a second
delivery away while the first still runs; its status keeps a finished job from running again.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import ImportJob, ImportStatus, KboExtractType
from participants.selectors import stale_import_jobs
from participants.services import kbo_import
from participants.services.kbo_import import KboImportRefused, KboImportStopped
from participants.tasks import run_import_job
from voorsprong import outbox
from voorsprong.jobs import advisory_claim, requeue_stale
from voorsprong.services import save_as

MAX_ERROR_LENGTH = 2000
# The first key of the advisory lock a run holds on its job (the second is the job's id); reporting's
# locks are 7_301_001 and 7_301_002.
_RUN_LOCK_CLASS = 7_302_001


def media_path(directory: Path) -> str:
    """Return ``directory`` relative to the media storage; KboImportRefused when it is outside it, where
    the workers of other machines could not read it."""
    media = Path(settings.MEDIA_ROOT).resolve()
    folder = directory.resolve()
    if not folder.is_dir() or not folder.is_relative_to(media) or folder == media:
        message = _("Put the extract's folder in the shared media storage (%(media)s) to queue it.")
        raise KboImportRefused(message % {"media": media})
    return folder.relative_to(media).as_posix()


@transaction.atomic
def queue_kbo_import(directory: Path, *, update: bool = False) -> ImportJob:
    """Queue the import of the full extract (or, with ``update``, the update) in ``directory``, a folder of
    the media storage, for a worker; return the job. Its files are checked when the job runs."""
    extract_type = KboExtractType.UPDATE if update else KboExtractType.FULL
    job = ImportJob(extract_type=extract_type, source=media_path(directory), heartbeat_at=timezone.now())
    save_as(job, None, reason="queued")
    outbox.enqueue(run_import_job, job.pk)
    return job


def run_claim(job_id: int):
    """Return the claim a run holds on its job (``voorsprong.jobs.advisory_claim``)."""
    return advisory_claim(_RUN_LOCK_CLASS, job_id)


def start_import(job_id: int, *, worker: str = "") -> ImportJob | None:
    """Mark the job running, run by ``worker`` (the Celery node name), and return it; None when there is
    nothing to run (gone, done, failed). A running job is started again: the caller holds its
    ``run_claim``, so the run before it died."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return None
        job.status, job.error, job.heartbeat_at = ImportStatus.RUNNING, "", timezone.now()
        job.built_by = worker[: ImportJob._meta.get_field("built_by").max_length]
        save_as(job, None, reason="running")
    return job


def apply_import(job: ImportJob) -> ImportJob:
    """Apply the running job's import and mark it done with the import's record, in one transaction; mark
    it failed, saying why, when the import is refused or stops (then nothing of it is kept)."""
    directory = Path(settings.MEDIA_ROOT) / job.source
    try:
        with transaction.atomic():
            # Looked up now, so a worker (or a test) may wrap the import functions.
            if job.extract_type == KboExtractType.UPDATE:
                result = kbo_import.import_kbo_update(directory)
            else:
                result = kbo_import.import_kbo_extract(directory)
            job.kbo_import, job.status = result.record, ImportStatus.DONE
            job.finished_at = timezone.now()
            save_as(job, None, reason="done")
    except (KboImportRefused, KboImportStopped) as problem:
        return fail_import(job, problem.message)
    return job


def fail_import(job: ImportJob, error: str) -> ImportJob:
    """Mark ``job`` failed, saying why (``error``, cut to a length the admin can show)."""
    job.refresh_from_db()
    job.status, job.error, job.finished_at = ImportStatus.FAILED, error[:MAX_ERROR_LENGTH], timezone.now()
    return save_as(job, None, reason="failed")


def requeue_stale_imports() -> list[int]:
    """Queue each stale job (``stale_import_jobs``) again, up to ``IMPORT_MAX_REQUEUES`` times, then mark
    it failed saying so; return the ids of the jobs queued again."""
    return requeue_stale(
        stale_import_jobs,
        max_requeues=settings.IMPORT_MAX_REQUEUES,
        queue_again=_queue_again,
        fail=_fail_lost,
    )


def _fail_lost(job: ImportJob) -> None:
    message = _("The import's worker stopped without an answer, %(times)d times.")
    fail_import(job, message % {"times": job.requeues + 1})


def _queue_again(job: ImportJob) -> None:
    job.status, job.heartbeat_at = ImportStatus.QUEUED, timezone.now()
    save_as(job, None, reason="requeued")
    outbox.enqueue(run_import_job, job.pk)
