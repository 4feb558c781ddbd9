"""Asking for reports: a request is queued for the job of ``reporting.tasks``, or a failed one again.

"The same request twice does not build the file twice": asking for a report returns the request already
there instead of queueing a new one when, for the same kind, parameters, as-of date and format, one is
still queued or running (whoever asked for it: the figures are aggregates, so the cabinet and officers share
their requests). Asking computes no figure; the job decides whether an earlier file can be reused
(``reporting.services.report_jobs``).

A failed request is never reused. On PostgreSQL a transaction-level advisory lock per kind makes two
simultaneous identical requests queue one job; SQLite serialises writing transactions anyway.
"""

import datetime
import zlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.kinds import ReportKind, UnknownKind, get_kind, kinds
from reporting.models import ReportRequest, ReportStatus
from reporting.questions import UnknownQuestion, get_question, questions
from reporting.selectors import stale_reports
from reporting.services import report_jobs
from reporting.tasks import build_report
from voorsprong import outbox
from voorsprong.jobs import requeue_stale
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as

# Who may ask for reports, see them and retry them (administrators may too).
REPORT_ROLES = (Role.CABINET, Role.OFFICER)
# The first key of PostgreSQL's two-key advisory lock taken while looking for an identical request (the
# second is a checksum of the kind's key); any constant no other lock of the project uses.
_ADVISORY_LOCK_CLASS = 7_301_001


def _enqueue(report: ReportRequest) -> None:
    """Queue the report's job through the outbox: written with the request, handed to the broker once
    committed, and later by the relay while the broker is down."""
    outbox.enqueue(build_report, report.pk)


def _lock_identical_requests(kind: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(kind.encode()) - 2**31  # PostgreSQL's lock keys are signed 32-bit integers
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_LOCK_CLASS, key])


def _kind(key: str | None, question: int | None) -> ReportKind:
    """Return the kind asked for by its key, or by the number of its question."""
    if key is None:
        try:
            return get_question(question).kind
        except UnknownQuestion:
            numbers = ", ".join(str(known.number) for known in questions())
            raise WorkflowRefusal(
                _("Choose one of the questions %(questions)s.") % {"questions": numbers},
                "unknown_question",
                field="question",
            ) from None
    try:
        return get_kind(key)
    except UnknownKind:
        keys = ", ".join(known.key for known in kinds())
        raise WorkflowRefusal(
            _("Choose one of the kinds of report %(kinds)s.") % {"kinds": keys}, "unknown_kind", field="kind"
        ) from None


def _check_request(kind: ReportKind, as_of, fmt) -> None:
    if fmt not in kind.formats:
        raise WorkflowRefusal(
            _("Choose one of the formats %(formats)s.") % {"formats": ", ".join(kind.formats)},
            "unknown_format",
            field="format",
        )
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        raise WorkflowRefusal(_("Give a date."), "invalid_date", field="as_of")
    if as_of > timezone.localdate():
        raise WorkflowRefusal(_("A report cannot be made as of a future date."), "future_date", field="as_of")


def request_report(
    *,
    as_of: datetime.date,
    fmt: str,
    by: User,
    kind: str | None = None,
    question: int | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> ReportRequest:
    """Return the report of the kind ``kind`` (or of the question number ``question``) with
    ``parameters`` as of ``as_of`` in ``fmt``: an identical request still queued or running, or a new
    one, queued.

    Computes no figure (the job does). The request returned has ``reused`` set when it is one already
    there. Refuse (WorkflowRefusal) a user without the cabinet or officer role, a kind or question no
    module registered, parameters the kind refuses, a format the kind is not made in and a date in the
    future.
    """
    require_role(by, *REPORT_ROLES)
    chosen = _kind(kind, question)
    _check_request(chosen, as_of, fmt)
    cleaned = chosen.clean_parameters(parameters)
    with transaction.atomic():
        _lock_identical_requests(chosen.key)
        pending = (
            ReportRequest.objects.filter(
                kind=chosen.key,
                parameters=cleaned,
                as_of=as_of,
                format=fmt,
                status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
            )
            .exclude(pk__in=stale_reports())  # its worker was lost: it may never finish
            .first()
        )
        if pending:
            pending.reused = True
            return pending
        report = save_as(
            ReportRequest(
                kind=chosen.key,
                parameters=cleaned,
                as_of=as_of,
                format=fmt,
                requested_by=by,
                heartbeat_at=timezone.now(),
            ),
            by,
            reason="requested",
        )
        report.reused = False
        _enqueue(report)
    return report


def _queue_again(report: ReportRequest, by: User | None, reason: str) -> None:
    report.status, report.progress, report.step = ReportStatus.QUEUED, 0, ""
    report.error, report.finished_at, report.heartbeat_at = "", None, timezone.now()
    save_as(report, by, reason=reason)
    _enqueue(report)


@transaction.atomic
def retry_report(report: ReportRequest, by: User) -> ReportRequest:
    """Queue a failed request again, or a running one whose worker was lost (``stale_reports``); refuse
    (409) any other."""
    require_role(by, *REPORT_ROLES)
    report = ReportRequest.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.FAILED and not stale_reports().filter(pk=report.pk).exists():
        raise WorkflowRefusal(_("Only a failed report can be tried again."), "not_failed")
    report.requeues = 0
    _queue_again(report, by, "retried")
    return report


# -- what the beat does to jobs left hanging -------------------------------------------------------
def requeue_stale_reports() -> list[int]:
    """Queue each stale request (``stale_reports``) again, up to ``REPORT_MAX_REQUEUES`` times, then mark
    it failed saying so; return the ids of the requests queued again."""
    return requeue_stale(
        stale_reports,
        max_requeues=settings.REPORT_MAX_REQUEUES,
        queue_again=lambda report: _queue_again(report, None, "requeued"),
        fail=_fail_lost,
    )


def _fail_lost(report: ReportRequest) -> None:
    report_jobs.fail_report(
        report,
        _(
            "The report's worker stopped without an answer, %(times)d times. Try again; "
            "if it happens again, tell the administrator."
        )
        % {"times": report.requeues + 1},
    )
