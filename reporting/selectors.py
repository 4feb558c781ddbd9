"""Reads of the reporting app: a report kind's figures as of a date, the snapshots, reports to reuse.

What every kind's figures share is here, once: the envelope (``question`` or ``kind``, ``as_of``,
``fingerprint``), the fingerprint itself, and blanking e-mail addresses out of free texts people wrote.
The as-of rules of the figures themselves (by decision, session and submission dates) are the
participants' selectors (``approved_as_of``, ``evaluations_submitted_as_of``).
"""

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from reporting.kinds import get_kind
from reporting.models import AnswerStatement, ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.questions import get_question
from voorsprong import data_version

E_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
E_MAIL_REMOVED = "[e-mailadres verwijderd]"


def without_e_mail_addresses(text: str) -> str:
    """Return a free text with every e-mail address in it blanked out."""
    return E_MAIL.sub(E_MAIL_REMOVED, text or "")


def fingerprint(figures: Mapping[str, Any]) -> str:
    """Return the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of ``figures`` without
    their own fingerprint."""
    data = {key: value for key, value in figures.items() if key != "fingerprint"}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_figures(
    key: str, as_of: datetime.date, parameters: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the figures of the report kind ``key`` as of ``as_of`` with ``parameters`` (as the kind's
    ``clean_parameters`` gives them), JSON-ready: ``kind`` (a question: ``question``) and ``as_of`` first,
    then the kind's own figures, then their ``fingerprint``.

    Served from the figure cache while no write that can change them has committed since they were
    computed (``voorsprong.data_version.cached``); every caller (the API, the pages, the report jobs,
    ``manage.py report``) gets them through here.

    Raises UnknownKind for a key no module registered.
    """
    kind = get_kind(key)
    parameters = parameters or {}

    def compute() -> dict[str, Any]:
        figures = {**kind.envelope(), "as_of": as_of.isoformat(), **kind.figures(as_of, parameters)}
        figures["fingerprint"] = fingerprint(figures)
        return figures

    return data_version.cached(("report_figures", key, as_of.isoformat(), parameters), compute, as_of=as_of)


def question_figures(number: int, as_of: datetime.date) -> dict[str, Any]:
    """Return the figures of question ``number`` as of ``as_of``, computed now, JSON-ready: ``question``
    and ``as_of`` first, then the question's own figures, then their ``fingerprint``.

    Raises UnknownQuestion for a number no module registered.
    """
    return report_figures(get_question(number).key, as_of)


def figures_on(number: int, day: datetime.date) -> tuple[dict[str, Any], bool]:
    """Return the figures of question ``number`` on ``day`` and whether they come from its snapshot.

    A past day's snapshot shows the figures as they were known that night; today, and a day without a
    snapshot, are computed now.
    """
    if day < timezone.localdate():
        snapshot = StatisticsSnapshot.objects.filter(question=number, as_of=day).first()
        if snapshot:
            return snapshot.figures, True
    return question_figures(number, day), False


def snapshot_dates(number: int, limit: int) -> list[datetime.date]:
    """Return the days of the latest ``limit`` snapshots of question ``number``, latest first."""
    snapshots = StatisticsSnapshot.objects.filter(question=number).order_by("-as_of")
    return list(snapshots.values_list("as_of", flat=True)[:limit])


def recent_reports(limit: int) -> list[ReportRequest]:
    """Return the latest ``limit`` report requests, whoever asked for them, latest first."""
    reports = ReportRequest.objects.select_related("requested_by").order_by("-created_at", "-pk")
    return list(reports[:limit])


def stale_reports():
    """Return the running requests whose job gave no sign of life for ``REPORT_STALE_AFTER`` seconds: no
    build lives that long (its hard time limit stops it), so their worker was lost."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALE_AFTER)
    return ReportRequest.objects.filter(status=ReportStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None)
    )


def reusable_report(report: ReportRequest, fingerprint: str) -> ReportRequest | None:
    """Return a done request identical to ``report`` (kind, parameters, date and format) whose file was
    made from figures with ``fingerprint`` and is still stored; None when there is none."""
    done = (
        ReportRequest.objects.filter(
            kind=report.kind,
            parameters=report.parameters,
            as_of=report.as_of,
            format=report.format,
            fingerprint=fingerprint,
            status=ReportStatus.DONE,
        )
        .exclude(pk=report.pk)
        .exclude(file="")
        .order_by("-finished_at", "-pk")
    )
    seen = set()
    for earlier in done.iterator():
        if earlier.file.name not in seen and earlier.file.storage.exists(earlier.file.name):
            return earlier
        seen.add(earlier.file.name)
    return None


def statements_as_of(number: int, as_of: datetime.date) -> list[dict[str, Any]]:
    """Return the statements of question ``number`` that hold on ``as_of``: per answer and traject the
    latest from that day or before, unless its text is empty (it ended the one before). Each as
    ``{"answer", "traject"`` (the traject's code, None for the answer as a whole) ``, "text"}``, by answer,
    the answer's own first, then by traject; e-mail addresses blanked out."""
    rows = (
        AnswerStatement.objects.filter(question=number, valid_from__lte=as_of)
        .order_by("answer", F("traject__start_date").asc(nulls_first=True), "traject__code", "-valid_from")
        .values_list("answer", "traject__code", "text")
    )
    holding: dict[tuple, str] = {}
    for answer, traject, text in rows:
        holding.setdefault((answer, traject), text)  # the latest comes first
    return [
        {"answer": answer, "traject": traject, "text": without_e_mail_addresses(text)}
        for (answer, traject), text in holding.items()
        if text
    ]
