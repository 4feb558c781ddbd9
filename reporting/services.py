"""Report requests and snapshots: every change of their state, asked for by the cabinet and officers or
made by the jobs of ``reporting.tasks``.

A request goes queued → running → done or failed; a failed one is queued again by ``retry_report``. The
functions below are the only ones that move it.

"The same request twice does not build the file twice":

- asking for a report returns the request already there instead of queueing a new one when, for the
  same question, as-of date and format, one is still queued or running (whoever asked for it: the
  figures are aggregates, so the cabinet and officers share their requests). Asking computes no figure;
- the job computes the figures and their fingerprint, and when an identical request (same question,
  date and format) is done from figures with that fingerprint and its file is still stored, it marks
  its own request done with that file instead of making it again. Figures of a past date can still
  change (a decision registered late), which is why the fingerprint and not the date alone decides
  whether a file is still right.

A failed request is never reused. On PostgreSQL a transaction-level advisory lock per question makes two
simultaneous identical requests queue one job; SQLite serialises writing transactions anyway.
"""

import datetime
from functools import partial

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.models import ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.questions import UnknownQuestion, get_question, questions
from reporting.selectors import question_figures
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

# Who may ask for reports, see them and retry them (administrators may too).
REPORT_ROLES = (Role.CABINET, Role.OFFICER)
# The first key of PostgreSQL's two-key advisory lock taken while looking for an identical request (the
# second is the question's number); any constant no other lock of the project uses.
_ADVISORY_LOCK_CLASS = 7_301_001
MAX_ERROR_LENGTH = 2000


def report_filename(report: ReportRequest) -> str:
    """Return the file's name, as stored and as downloaded: ``pq244-2025-11-26-1a2b3c4d.pdf``."""
    from reporting.documents import FILE_EXTENSIONS

    extension = FILE_EXTENSIONS.get(report.format, report.format).lstrip(".")
    return f"pq{report.question}-{report.as_of:%Y-%m-%d}-{report.fingerprint[:8]}.{extension}"


def _enqueue(report: ReportRequest) -> None:
    # Imported here: the tasks module imports this one.
    from reporting.tasks import build_report

    transaction.on_commit(partial(build_report.delay, report.pk))


def _lock_identical_requests(question: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_LOCK_CLASS, question])


def _check_request(number, as_of, fmt) -> None:
    try:
        question = get_question(number)
    except UnknownQuestion:
        numbers = ", ".join(str(known.number) for known in questions())
        raise WorkflowRefusal(
            _("Choose one of the questions %(questions)s.") % {"questions": numbers},
            "unknown_question",
            field="question",
        ) from None
    if fmt not in question.formats:
        raise WorkflowRefusal(
            _("Choose one of the formats %(formats)s.") % {"formats": ", ".join(question.formats)},
            "unknown_format",
            field="format",
        )
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        raise WorkflowRefusal(_("Give a date."), "invalid_date", field="as_of")
    if as_of > timezone.localdate():
        raise WorkflowRefusal(_("A report cannot be made as of a future date."), "future_date", field="as_of")


def request_report(*, question: int, as_of: datetime.date, fmt: str, by: User) -> ReportRequest:
    """Return the report of ``question`` as of ``as_of`` in ``fmt``: an identical request still queued or
    running, or a new one, queued.

    Computes no figure (the job does). The request returned has ``reused`` set when it is one already
    there. Refuse (WorkflowRefusal) a user without the cabinet or officer role, a question no module
    registered, a format the question is not made in and a date in the future.
    """
    require_role(by, *REPORT_ROLES)
    _check_request(question, as_of, fmt)
    with transaction.atomic():
        _lock_identical_requests(question)
        pending = ReportRequest.objects.filter(
            question=question,
            as_of=as_of,
            format=fmt,
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
        ).first()
        if pending:
            pending.reused = True
            return pending
        report = save_as(
            ReportRequest(question=question, as_of=as_of, format=fmt, requested_by=by),
            by,
            reason="requested",
        )
        report.reused = False
        _enqueue(report)
    return report


@transaction.atomic
def retry_report(report: ReportRequest, by: User) -> ReportRequest:
    """Queue a failed request again; refuse (409) any other."""
    require_role(by, *REPORT_ROLES)
    report = ReportRequest.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.FAILED:
        raise WorkflowRefusal(_("Only a failed report can be tried again."), "not_failed")
    report.status, report.progress, report.step = ReportStatus.QUEUED, 0, ""
    report.error, report.finished_at = "", None
    save_as(report, by, reason="retried")
    _enqueue(report)
    return report


# -- what the job does to its request --------------------------------------------------------------
def start_report(request_id: int) -> ReportRequest | None:
    """Mark the request running and return it; None when there is nothing to build (gone, done, failed).

    A running request is started again: its job comes back only when the worker building it died.
    """
    with transaction.atomic():
        report = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
        if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return None
        report.status, report.progress, report.step = ReportStatus.RUNNING, 0, _("Computing the figures")
        report.error, report.finished_at = "", None
        save_as(report, None, reason="running")
    return report


def save_progress(report: ReportRequest, progress: int, step: str) -> None:
    """Write the progress (0-100) and step of a running request; progress leaves no history row."""
    report.progress, report.step = progress, step
    ReportRequest.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
        progress=progress, step=step
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
