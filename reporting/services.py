"""Report requests: asked for by the cabinet and officers, built by a Celery job (``reporting.tasks``).

"The same request twice does not build the file twice": asking for a report returns the request already
there instead of queueing a new one when, for the same question, as-of date and format,

- one is still queued or running (whoever asked for it: the figures are aggregates, so the cabinet and
  officers share their requests), or
- one is done and its file was built from figures with the fingerprint of today's figures for that date.
  Figures of a past date can still change (a decision registered late), which is why the fingerprint and
  not the date alone decides whether the file is still right.

A failed request is never reused: asking again queues a new one, and ``retry_report`` queues the failed one
again. On PostgreSQL a transaction-level advisory lock per question makes two simultaneous identical
requests queue one job; SQLite serialises writing transactions anyway.
"""

import datetime
from functools import partial

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.models import ReportFormat, ReportRequest, ReportStatus
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

# The parliamentary questions a report can answer.
KNOWN_QUESTIONS = (244,)
# Who may ask for reports, see them and retry them (administrators may too).
REPORT_ROLES = (Role.CABINET, Role.OFFICER)
# The first key of PostgreSQL's two-key advisory lock taken while looking for an identical request.
_ADVISORY_LOCK_CLASS = 244_001


def current_figures(question: int, as_of: datetime.date) -> dict:
    """The figures of ``question`` as of ``as_of``, computed now (JSON-ready, with their "fingerprint")."""
    # Imported here: the statistics import the models of every app.
    from reporting.statistics import pq244_figures

    if question not in KNOWN_QUESTIONS:
        raise WorkflowRefusal(
            _("Only parliamentary question 244 can be answered."), "unknown_question", field="question"
        )
    return pq244_figures(as_of)


def report_filename(report: ReportRequest) -> str:
    """The file's name, as stored and as downloaded: ``pq244-2025-11-26-1a2b3c4d.pdf``."""
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


def _check_request(question, as_of, fmt) -> None:
    if question not in KNOWN_QUESTIONS:
        raise WorkflowRefusal(
            _("Only parliamentary question 244 can be answered."), "unknown_question", field="question"
        )
    if fmt not in ReportFormat.values:
        raise WorkflowRefusal(
            _("Choose one of the formats %(formats)s.") % {"formats": ", ".join(ReportFormat.values)},
            "unknown_format",
            field="format",
        )
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        raise WorkflowRefusal(_("Give a date."), "invalid_date", field="as_of")
    if as_of > timezone.localdate():
        raise WorkflowRefusal(_("A report cannot be made as of a future date."), "future_date", field="as_of")


def request_report(*, question: int, as_of: datetime.date, fmt: str, by: User) -> ReportRequest:
    """The report of ``question`` as of ``as_of`` in ``fmt``: an identical one still valid, or a new one.

    The request returned has ``reused`` set when it is an identical one already there.
    Refuses (WorkflowRefusal) a user without the cabinet or officer role, an unknown question or
    format and a date in the future.
    """
    require_role(by, *REPORT_ROLES)
    _check_request(question, as_of, fmt)
    fingerprint = current_figures(question, as_of)["fingerprint"]
    with transaction.atomic():
        _lock_identical_requests(question)
        identical = ReportRequest.objects.filter(question=question, as_of=as_of, format=fmt)
        pending = identical.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).first()
        if pending:
            pending.reused = True
            return pending
        built = identical.filter(status=ReportStatus.DONE, fingerprint=fingerprint).order_by("-finished_at")
        if done := built.first():
            done.reused = True
            return done
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
    """Queues a failed request again; anything else is refused (409)."""
    require_role(by, *REPORT_ROLES)
    report = ReportRequest.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.FAILED:
        raise WorkflowRefusal(_("Only a failed report can be tried again."), "not_failed")
    report.status, report.progress, report.step = ReportStatus.QUEUED, 0, ""
    report.error, report.finished_at = "", None
    save_as(report, by, reason="retried")
    _enqueue(report)
    return report
