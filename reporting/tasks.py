"""The reporting jobs: building a requested report, and the nightly snapshot of the figures."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.models import ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.services import KNOWN_QUESTIONS, current_figures, report_filename

logger = logging.getLogger(__name__)

# The share of the progress bar each stage takes: the figures, the document, storing the file.
FIGURES_DONE, RENDERING_DONE = 10, 95
MAX_ERROR_LENGTH = 2000
MAX_STEP_LENGTH = ReportRequest._meta.get_field("step").max_length
# A worker gives a build this long (settings, CELERY_REPORT_SOFT_TIME_LIMIT) before the request is marked
# failed; the hard limit, a minute later, kills a worker that does not stop by itself.
SOFT_TIME_LIMIT = int(getattr(settings, "CELERY_REPORT_SOFT_TIME_LIMIT", 300))
HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 60
# Errors that may pass by themselves (a full or unreachable disk, a dropped database connection): the
# build is tried again, later each time, before the request is marked failed.
TRANSIENT_ERRORS = (OSError, OperationalError)
MAX_RETRIES = 3


def _start(request_id: int) -> ReportRequest | None:
    """Marks the request running; None when there is nothing to build (gone, already done or failed).

    A running request is built again: its message comes back only when the worker building it died.
    """
    with transaction.atomic():
        report = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
        if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return None
        report.status, report.progress, report.step = ReportStatus.RUNNING, 0, _("Computing the figures")
        report.error, report.finished_at = "", None
        report._change_reason = "running"
        report.save()
    return report


def _progress_reporter(report: ReportRequest):
    """The ``progress(percent, step)`` callback of the renderer: its 0-100 fits between the figures and
    storing the file. Only progress and step are written (no history row), and only when they change."""
    shown = {"progress": report.progress, "step": report.step}

    def progress(percent, step: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        value = FIGURES_DONE + (RENDERING_DONE - FIGURES_DONE) * percent // 100
        step = str(step or shown["step"])[:MAX_STEP_LENGTH]
        if (value, step) == (shown["progress"], shown["step"]):
            return
        shown.update(progress=value, step=step)
        report.progress, report.step = value, step
        ReportRequest.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            progress=value, step=step
        )

    return progress


def _fail(report: ReportRequest, error: Exception, message: str = "") -> None:
    message = message or (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    report.refresh_from_db()
    report.status, report.error = ReportStatus.FAILED, message[:MAX_ERROR_LENGTH]
    report.finished_at = timezone.now()
    report._change_reason = "failed"
    report.save()


def _may_retry(task) -> bool:
    """Whether a transient error is raised again for Celery to retry the build: not after the last retry,
    and not in-process with exceptions propagating (without a broker), where the retry would reach the
    caller (the web request that queued the report) instead of running again."""
    if task.request.is_eager and task.app.conf.task_eager_propagates:
        return False
    return task.request.retries < task.max_retries


@shared_task(
    bind=True,
    # Acknowledged only when done, and put back when its worker dies: another worker builds the request
    # again (``_start`` takes a request left "running").
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=HARD_TIME_LIMIT,
)
def build_report(self, request_id: int) -> str | None:
    """Builds the report of a queued request and stores its file; returns the status it leaves.

    A transient error (``TRANSIENT_ERRORS``) is raised again for Celery to retry the build, up to
    ``MAX_RETRIES`` times with a growing delay. Any other exception, the last transient one, and a build
    running out of time mark the request failed with the reason and are not raised again: a broken report
    does not come back on its own, somebody retries it (``reporting.services.retry_report``)."""
    report = _start(request_id)
    if report is None:
        logger.info("Report request %s: nothing to build", request_id)
        return None
    stored = ""
    try:
        from reporting.documents import render_report

        figures = current_figures(report.question, report.as_of)
        report.fingerprint = figures["fingerprint"]
        progress = _progress_reporter(report)
        progress(0, _("Writing the document"))
        content = render_report(figures, report.format, progress=progress)
        progress(100, _("Storing the file"))
        report.file.save(report_filename(report), ContentFile(content), save=False)
        stored = report.file.name
        report.status, report.progress, report.step = ReportStatus.DONE, 100, _("Done")
        report.finished_at = timezone.now()
        report._change_reason = "done"
        report.save()
    except SoftTimeLimitExceeded as error:
        logger.error("Report request %s took longer than %s seconds", request_id, SOFT_TIME_LIMIT)
        if stored:
            report.file.storage.delete(stored)
        _fail(
            report,
            error,
            _("The report took longer than %(seconds)d seconds to build.") % {"seconds": SOFT_TIME_LIMIT},
        )
        return ReportStatus.FAILED
    except Exception as error:
        if stored:
            report.file.storage.delete(stored)
        if isinstance(error, TRANSIENT_ERRORS) and _may_retry(self):
            logger.warning("Report request %s: %r, trying again", request_id, error)
            raise
        logger.exception("Report request %s failed", request_id)
        _fail(report, error)
        return ReportStatus.FAILED
    return ReportStatus.DONE


@shared_task
def take_statistics_snapshot(as_of: str | None = None) -> list[int]:
    """Nightly: stores the figures of every known question as of today (or ``as_of``, ISO), replacing a
    snapshot of the same day. Returns the snapshots' ids."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    taken = []
    for question in KNOWN_QUESTIONS:
        figures = current_figures(question, day)
        snapshot, _created = StatisticsSnapshot.objects.update_or_create(
            question=question,
            as_of=day,
            defaults={"figures": figures, "fingerprint": figures["fingerprint"]},
        )
        taken.append(snapshot.pk)
    return taken
