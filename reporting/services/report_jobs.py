"""What the report job does to its request and to the snapshots: every change of their state.

A request goes queued → running → done or failed (``report_requests.retry_report`` queues a failed one
again); the functions here and there are the only ones that move it. The job computes the figures and
their fingerprint, and when an identical request (same kind, parameters, date and format) is done from figures
with that fingerprint and its file is still stored, it marks its own request done with that file instead
of making it again. Figures of a past date can still change (a decision registered late), which is why the
fingerprint and not the date alone decides whether a file is still right.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.documents import FILE_EXTENSIONS
from reporting.models import ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.selectors import question_figures
from voorsprong.jobs import advisory_claim
from voorsprong.services import save_as

MAX_ERROR_LENGTH = 2000
# The first key of the advisory lock a build holds on its request (the second is the request's id); the
# requests' own lock class (report_requests) is 7_301_001.
_BUILD_LOCK_CLASS = 7_301_002


def report_filename(report: ReportRequest) -> str:
    """Return the file's name, as stored and as downloaded: ``pq244-2025-11-26-1a2b3c4d.pdf``,
    ``breakdown-2025-11-26-5e6f7a8b.xlsx``."""
    extension = FILE_EXTENSIONS.get(report.format, report.format).lstrip(".")
    return f"{report.kind}-{report.as_of:%Y-%m-%d}-{report.fingerprint[:8]}.{extension}"


def build_claim(request_id: int):
    """Return the claim (``voorsprong.jobs.advisory_claim``) a build holds on its request: a second
    delivery of a job still being built finds it taken and leaves the request."""
    return advisory_claim(_BUILD_LOCK_CLASS, request_id)


def start_report(request_id: int, *, worker: str = "") -> ReportRequest | None:
    """Mark the request running, built by ``worker`` (the Celery node name), and return it; None when there
    is nothing to build (gone, done, failed).

    A running request is started again: the caller holds its ``build_claim``, so the job building it
    before died (or its request was re-queued as stale).
    """
    with transaction.atomic():
        report = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
        if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return None
        report.status, report.progress, report.step = ReportStatus.RUNNING, 0, _("Computing the figures")
        report.error, report.finished_at, report.heartbeat_at = "", None, timezone.now()
        report.built_by = worker[: ReportRequest._meta.get_field("built_by").max_length]
        save_as(report, None, reason="running")
    return report


def save_progress(report: ReportRequest, progress: int, step: str) -> None:
    """Write the progress (0-100) and step of a running request, with its heartbeat; progress leaves no
    history row."""
    report.progress, report.step, report.heartbeat_at = progress, step, timezone.now()
    ReportRequest.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
        progress=progress, step=step, heartbeat_at=report.heartbeat_at
    )


def _done(report: ReportRequest, reason: str) -> ReportRequest:
    report.status, report.progress, report.step = ReportStatus.DONE, 100, _("Done")
    report.error, report.finished_at = "", timezone.now()
    return save_as(report, None, reason=reason)


def complete_report(report: ReportRequest, *, fingerprint: str, content: bytes) -> ReportRequest:
    """Store ``content`` as the file of the running ``report``, made from figures with ``fingerprint``,
    and mark it done; the file is removed again when the request cannot be marked."""
    report.fingerprint = fingerprint
    report.file.save(report_filename(report), ContentFile(content), save=False)
    try:
        return _done(report, reason="done")
    except BaseException:  # a time limit too: no file without a request naming it
        report.file.storage.delete(report.file.name)
        raise


def reuse_report_file(report: ReportRequest, earlier: ReportRequest, *, fingerprint: str) -> ReportRequest:
    """Mark the running ``report`` done with the file of ``earlier``, an identical request made from
    figures with the same ``fingerprint`` (``reporting.selectors.reusable_report``)."""
    report.fingerprint, report.file = fingerprint, earlier.file.name
    return _done(report, reason="reused")


def fail_report(report: ReportRequest, error: str) -> ReportRequest:
    """Mark ``report`` failed, saying why (``error``, cut to a length the page can show)."""
    report.refresh_from_db()
    report.status, report.error = ReportStatus.FAILED, error[:MAX_ERROR_LENGTH]
    report.finished_at = timezone.now()
    return save_as(report, None, reason="failed")


# -- snapshots -------------------------------------------------------------------------------------
def take_snapshot(question: int, as_of: datetime.date) -> StatisticsSnapshot:
    """Store the figures of ``question`` as of ``as_of``, computed now, replacing a snapshot of that day."""
    figures = question_figures(question, as_of)
    snapshot, _created = StatisticsSnapshot.objects.update_or_create(
        question=question,
        as_of=as_of,
        defaults={"figures": figures, "fingerprint": figures["fingerprint"]},
    )
    return snapshot
