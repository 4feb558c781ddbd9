"""The reporting jobs: building a requested report, and the nightly snapshot of every question's figures.

The jobs orchestrate; every change of a request's state is a function of ``reporting.services``.
"""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting import documents, selectors
from reporting.models import RecordChannel, ReportRequest, ReportStatus
from reporting.questions import questions
from reporting.services import personal_data, report_jobs
from voorsprong.jobs import error_text

logger = logging.getLogger(__name__)

# The share of the progress bar each stage takes: the figures, the document, storing the file.
FIGURES_DONE, RENDERING_DONE = 10, 95
MAX_STEP_LENGTH = ReportRequest._meta.get_field("step").max_length
# A worker gives a build this long (settings, CELERY_REPORT_SOFT_TIME_LIMIT) before the request is marked
# failed; the hard limit, a minute later, kills a worker that does not stop by itself.
SOFT_TIME_LIMIT = int(getattr(settings, "CELERY_REPORT_SOFT_TIME_LIMIT", 300))
HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 60
# Errors that may pass by themselves (a full or unreachable disk, a dropped database connection): the
# build is tried again, later each time, before the request is marked failed.
TRANSIENT_ERRORS = (OSError, OperationalError)
MAX_RETRIES = 3


def _progress_reporter(report: ReportRequest):
    """Return the ``progress(percent, step)`` callback of the renderer: its 0-100 fits between the figures
    and storing the file. Only progress and step are written, and only when they change."""
    shown = {"progress": report.progress, "step": report.step}

    def progress(percent, step: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        value = FIGURES_DONE + (RENDERING_DONE - FIGURES_DONE) * percent // 100
        step = str(step or shown["step"])[:MAX_STEP_LENGTH]
        if (value, step) == (shown["progress"], shown["step"]):
            return
        shown.update(progress=value, step=step)
        report_jobs.save_progress(report, value, step)

    return progress


def _may_retry(task) -> bool:
    """Tell whether a transient error is raised again for Celery to retry the build: not after the last
    retry, and not in-process with exceptions propagating (without a broker), where the retry would reach
    the caller (the web request that queued the report) instead of running again."""
    if task.request.is_eager and task.app.conf.task_eager_propagates:
        return False
    return task.request.retries < task.max_retries


def _build(report: ReportRequest) -> None:
    """Compute the figures of ``report``, then hand it the file of an identical request made from the
    same figures, or render and store its own."""
    figures = selectors.report_figures(report.kind, report.as_of, report.parameters)
    fingerprint = figures["fingerprint"]
    earlier = selectors.reusable_report(report, fingerprint)
    if earlier is not None:
        report_jobs.reuse_report_file(report, earlier, fingerprint=fingerprint)
        return
    progress = _progress_reporter(report)
    progress(0, _("Writing the document"))
    # Looked up now, so a worker (or a test) may wrap documents.render_report.
    content = documents.render_report(figures, report.format, progress=progress)
    progress(100, _("Storing the file"))
    report_jobs.complete_report(report, fingerprint=fingerprint, content=content)


@shared_task(
    bind=True,
    # Acknowledged only when done, and put back when its worker dies: another worker builds the request
    # again (``report_jobs.start_report`` takes a request left "running").
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=HARD_TIME_LIMIT,
)
def build_report(self, request_id: int) -> str | None:
    """Build the report of a queued request, or reuse the file of an identical one made from the same
    figures; return the status it leaves (None when there was nothing to build, or another worker holds
    its ``build_claim``: the job may be delivered twice).

    A transient error (``TRANSIENT_ERRORS``) is raised again for Celery to retry the build, up to
    ``MAX_RETRIES`` times with a growing delay. Any other exception, the last transient one, and a build
    running out of time mark the request failed with the reason and are not raised again: a broken report
    does not come back on its own, somebody retries it (``report_requests.retry_report``)."""
    with report_jobs.build_claim(request_id) as claimed:
        if not claimed:
            logger.info("Report request %s: another worker is building it", request_id)
            return None
        return _build_claimed(self, request_id)


def _build_claimed(task, request_id: int) -> str | None:
    # The worker's node name (``-n alpha@%h``); in-process, the machine's name.
    report = report_jobs.start_report(request_id, worker=task.request.hostname or "")
    if report is None:
        logger.info("Report request %s: nothing to build", request_id)
        return None
    try:
        _build(report)
    except SoftTimeLimitExceeded:
        logger.error("Report request %s took longer than %s seconds", request_id, SOFT_TIME_LIMIT)
        report_jobs.fail_report(
            report,
            _("The report took longer than %(seconds)d seconds to build.") % {"seconds": SOFT_TIME_LIMIT},
        )
        return ReportStatus.FAILED
    except Exception as error:
        if isinstance(error, TRANSIENT_ERRORS) and _may_retry(task):
            logger.warning("Report request %s: %r, trying again", request_id, error)
            raise
        logger.exception("Report request %s failed", request_id)
        report_jobs.fail_report(report, error_text(error))
        return ReportStatus.FAILED
    return ReportStatus.DONE


# report_requests queues its jobs through this module, so the beat task imports it when run.
@shared_task
def requeue_stale_reports() -> list[int]:
    """Queue again, or fail after a few times, the report jobs whose worker was lost (beat, every minute);
    return the ids of the requests queued again."""
    from reporting.services.report_requests import requeue_stale_reports as requeue

    return requeue()


@shared_task
def take_statistics_snapshot(as_of: str | None = None) -> list[int]:
    """Store the figures of every registered question as of today (or ``as_of``, ISO), replacing a
    snapshot of the same day; return the snapshots' ids. Runs nightly."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return [report_jobs.take_snapshot(question.number, day).pk for question in questions()]


@shared_task
def purge_personal_data() -> dict:
    """Blank the personal data whose retention period ended (beat, nightly); return the counts per kind."""
    return personal_data.purge_personal_data(today=timezone.localdate(), channel=RecordChannel.BEAT)
