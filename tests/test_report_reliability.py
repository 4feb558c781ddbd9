"""The report job under a real worker's troubles: running out of time, transient errors, a dying worker."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

import reporting.documents
from reporting import tasks
from reporting.models import ReportRequest, ReportStatus
from reporting.services import report_requests
from reporting.tasks import build_report
from tests.factories import UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 11, 26)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker_like():
    """Exceptions stay in the task, as in a worker, so Celery's retries run (in-process, without delay)."""
    conf = build_report.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = propagates


@pytest.fixture
def queued(django_capture_on_commit_callbacks):
    """A queued request whose job has not run yet."""
    with django_capture_on_commit_callbacks(execute=False):
        report = report_requests.request_report(
            question=244, as_of=AS_OF, fmt="json", by=UserFactory(role=Role.CABINET)
        )
    return report


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def counting(render, fail_with=()):
    """``render`` counting its calls, raising the errors of ``fail_with`` one per call first."""
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) <= len(fail_with):
            raise fail_with[len(calls) - 1]
        return render(*args, **kwargs)

    wrapped.calls = calls
    return wrapped


def test_the_task_is_redelivered_when_its_worker_dies_and_retries_transient_errors():
    assert build_report.acks_late is True
    assert build_report.reject_on_worker_lost is True
    assert set(build_report.autoretry_for) == {OSError, OperationalError}
    assert build_report.retry_backoff is True
    assert build_report.max_retries == 3
    assert build_report.soft_time_limit == tasks.SOFT_TIME_LIMIT
    assert build_report.time_limit > build_report.soft_time_limit


def test_the_settings_put_tasks_of_a_lost_worker_back(settings):
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert tasks.SOFT_TIME_LIMIT == settings.CELERY_REPORT_SOFT_TIME_LIMIT


def test_running_out_of_time_marks_the_request_failed_with_the_reason(queued, monkeypatch, media):
    def too_slow(figures, fmt, progress=None):
        progress(40, "Tables")
        raise SoftTimeLimitExceeded()  # what the worker raises when the soft time limit passes

    monkeypatch.setattr(reporting.documents, "render_report", too_slow)
    assert build_report.apply(args=[queued.pk]).get() == ReportStatus.FAILED
    queued.refresh_from_db()
    assert queued.status == ReportStatus.FAILED
    assert f"{tasks.SOFT_TIME_LIMIT} seconden" in queued.error  # Dutch, the default language
    assert queued.finished_at is not None and not queued.file
    assert stored_files(media) == []


def test_a_transient_error_is_retried_and_the_build_then_succeeds(queued, monkeypatch, worker_like):
    render = counting(reporting.documents.render_report, fail_with=[OperationalError("server closed")])
    monkeypatch.setattr(reporting.documents, "render_report", render)
    result = build_report.apply(args=[queued.pk])
    assert result.get() == ReportStatus.DONE
    assert len(render.calls) == 2
    queued.refresh_from_db()
    assert (queued.status, queued.progress, queued.error) == (ReportStatus.DONE, 100, "")
    assert queued.file


def test_a_transient_error_that_stays_fails_the_request_after_the_last_retry(
    queued, monkeypatch, worker_like
):
    render = counting(reporting.documents.render_report, fail_with=[OSError("disk full")] * 10)
    monkeypatch.setattr(reporting.documents, "render_report", render)
    assert build_report.apply(args=[queued.pk]).get() == ReportStatus.FAILED
    assert len(render.calls) == 1 + build_report.max_retries
    queued.refresh_from_db()
    assert (queued.status, queued.error) == (ReportStatus.FAILED, "OSError: disk full")


def test_other_errors_fail_at_once(queued, monkeypatch, worker_like):
    render = counting(reporting.documents.render_report, fail_with=[ValueError("bad figures")] * 10)
    monkeypatch.setattr(reporting.documents, "render_report", render)
    assert build_report.apply(args=[queued.pk]).get() == ReportStatus.FAILED
    assert len(render.calls) == 1
    queued.refresh_from_db()
    assert queued.error == "ValueError: bad figures"


def test_a_request_left_running_by_a_dead_worker_is_built_once_when_redelivered(queued, monkeypatch):
    # The worker died mid-build: the request says "running", and the broker hands the message out again.
    ReportRequest.objects.filter(pk=queued.pk).update(status=ReportStatus.RUNNING, progress=40, step="Tables")
    render = counting(reporting.documents.render_report)
    monkeypatch.setattr(reporting.documents, "render_report", render)
    assert build_report.apply(args=[queued.pk]).get() == ReportStatus.DONE
    # A duplicate delivery after that finds nothing left to build.
    assert build_report.apply(args=[queued.pk]).get() is None
    assert len(render.calls) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.progress) == (ReportStatus.DONE, 100)


def test_in_process_without_a_worker_a_transient_error_fails_at_once(queued, monkeypatch):
    # Eager tasks propagating their exceptions (no broker) would hand a retry to the web request.
    assert build_report.app.conf.task_eager_propagates
    render = counting(reporting.documents.render_report, fail_with=[OSError("disk full")] * 10)
    monkeypatch.setattr(reporting.documents, "render_report", render)
    assert build_report.apply(args=[queued.pk]).get() == ReportStatus.FAILED
    assert len(render.calls) == 1
