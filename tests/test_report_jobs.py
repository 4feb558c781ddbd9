"""Report jobs (in-process Celery): asking, building, downloading, the same request twice, failing and
retrying; the API's status codes; the nightly snapshot; the cabinet's page and its comparison."""

import datetime
import json
import re
import socket

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import reporting.documents
from reporting.models import ReportRequest, ReportStatus, StatisticsSnapshot
from reporting.questions.pq244 import pq244_figures
from reporting.services import report_requests
from reporting.tasks import _progress_reporter, build_report, take_statistics_snapshot
from tests.clients import client_for
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 11, 26)
URL = "/api/v1/report-requests/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def period(db):
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", start_date=datetime.date(2023, 5, 1))
    start, end = datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)
    return CapacityPeriodFactory(traject=traject, start=start, end=end, places=20)


def approve(period, decided_on):
    submitted_on = datetime.date(2025, 1, 2)
    return ApprovedApplicationFactory(
        traject=period.traject, capacity_period=period, submitted_on=submitted_on, decided_on=decided_on
    )


@pytest.fixture
def cabinet(db):
    return UserFactory(role=Role.CABINET)


@pytest.fixture
def built(django_capture_on_commit_callbacks):
    """Asks for a report and runs its job, as the commit would."""

    def ask(by, fmt="json", as_of=AS_OF, question=244):
        with django_capture_on_commit_callbacks(execute=True):
            report = report_requests.request_report(question=question, as_of=as_of, fmt=fmt, by=by)
        report.refresh_from_db()
        return report

    return ask


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# -- building ----------------------------------------------------------------------------------------
def test_a_report_is_built_with_its_file_and_fingerprint(period, cabinet, built, media):
    approve(period, datetime.date(2025, 3, 1))
    report = built(cabinet)
    figures = pq244_figures(AS_OF)
    assert (report.status, report.progress, report.error) == (ReportStatus.DONE, 100, "")
    assert report.fingerprint == figures["fingerprint"]
    assert report.finished_at is not None
    assert re.fullmatch(
        rf"reports/\d{{4}}/\d{{2}}/pq244-2025-11-26-{figures['fingerprint'][:8]}\.json", report.file.name
    )
    assert json.loads(report.file.read())["fingerprint"] == figures["fingerprint"]
    assert [path.name for path in stored_files(media)] == [
        f"pq244-2025-11-26-{figures['fingerprint'][:8]}.json"
    ]
    # Requested, running, done: progress itself leaves no history rows.
    assert [row.status for row in report.history.order_by("history_id")] == ["queued", "running", "done"]
    # Built in-process: by this machine (a worker's node name otherwise, tests/test_scale_out.py).
    assert report.built_by == socket.gethostname()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx", "csv", "json"])
def test_every_format_downloads_with_its_content_type_and_name(period, cabinet, built, fmt):
    from reporting.documents import CONTENT_TYPES, FILE_EXTENSIONS

    report = built(cabinet, fmt=fmt)
    assert report.status == ReportStatus.DONE, report.error
    response = client_for(cabinet).get(f"{URL}{report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt].split(";")[0]
    name = f"pq244-2025-11-26-{report.fingerprint[:8]}.{FILE_EXTENSIONS[fmt].lstrip('.')}"
    assert f'filename="{name}"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    report.file.open("rb")
    assert b"".join(response.streaming_content) == report.file.read()


def test_the_progress_callback_writes_progress_and_step_only(
    period, cabinet, django_capture_on_commit_callbacks
):
    report = report_requests.request_report(question=244, as_of=AS_OF, fmt="pdf", by=cabinet)
    ReportRequest.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    report.refresh_from_db()
    history = report.history.count()
    progress = _progress_reporter(report)
    progress(50, "Tabellen")
    assert ReportRequest.objects.values_list("progress", "step").get(pk=report.pk) == (52, "Tabellen")
    progress(100, "")  # no step: the last one stays
    progress(250, "x" * 300)  # out of range, too long: kept within the model's bounds
    assert ReportRequest.objects.values_list("progress", "step").get(pk=report.pk) == (95, "x" * 200)
    assert report.history.count() == history


# -- the same request twice --------------------------------------------------------------------------
@pytest.fixture
def renders(monkeypatch):
    """The documents the jobs render, counted: (format, fingerprint) per rendering."""
    made = []
    render_report = reporting.documents.render_report

    def counted(figures, fmt, progress=None):
        made.append((fmt, figures["fingerprint"]))
        return render_report(figures, fmt, progress=progress)

    monkeypatch.setattr(reporting.documents, "render_report", counted)
    return made


def test_the_same_request_once_done_is_done_again_with_the_same_file_rendered_once(
    period, cabinet, built, media, renders
):
    first = built(cabinet)
    second = built(UserFactory(role=Role.OFFICER))
    assert second.pk != first.pk and second.reused is False
    assert (second.status, second.progress, second.error) == (ReportStatus.DONE, 100, "")
    assert (second.file.name, second.fingerprint) == (first.file.name, first.fingerprint)
    assert renders == [("json", first.fingerprint)]
    assert len(stored_files(media)) == 1
    assert [(row.status, row.history_change_reason) for row in second.history.order_by("history_id")] == [
        ("queued", "requested"),
        ("running", "running"),
        ("done", "reused"),
    ]
    response = client_for(cabinet).get(f"{URL}{second.pk}/download/")
    assert json.loads(b"".join(response.streaming_content))["fingerprint"] == first.fingerprint
    # Another format, another date: another file.
    assert built(cabinet, fmt="csv").file.name != first.file.name
    assert built(cabinet, as_of=datetime.date(2025, 11, 25)).file.name != first.file.name
    assert [fmt for fmt, _fingerprint in renders] == ["json", "csv", "json"]


def test_a_file_that_is_gone_is_made_again(period, cabinet, built, media, renders):
    first = built(cabinet)
    first.file.storage.delete(first.file.name)
    second = built(cabinet)
    assert second.status == ReportStatus.DONE
    assert len(renders) == 2
    assert [path.name for path in stored_files(media)] == [second.file.name.rsplit("/", 1)[1]]


def test_a_report_post_issues_no_statistics_query(period, cabinet, django_capture_on_commit_callbacks):
    """Asking validates and queues; the figures are the job's (which does not run here)."""
    for day in (1, 2, 3):
        approve(period, datetime.date(2025, 3, day))
    client = client_for(cabinet)
    with (
        django_capture_on_commit_callbacks(execute=False) as jobs,
        CaptureQueriesContext(connection) as asked,
    ):
        response = client.post(URL, {"question": 244, "as_of": "2025-11-26", "format": "pdf"}, format="json")
    assert response.status_code == 202
    assert len(jobs) == 1
    tables = {
        "participants_",
        "funding_",
        "trajects_",
        "reporting_initiative",
        "reporting_statisticssnapshot",
    }
    statistics = [query["sql"] for query in asked if any(table in query["sql"] for table in tables)]
    assert statistics == []
    assert any("reporting_reportrequest" in query["sql"] for query in asked)


def test_a_request_still_queued_is_returned_too(period, cabinet):
    # Without the commit callbacks nothing runs: the first request stays queued.
    first = report_requests.request_report(question=244, as_of=AS_OF, fmt="pdf", by=cabinet)
    second = report_requests.request_report(question=244, as_of=AS_OF, fmt="pdf", by=cabinet)
    assert (first.status, second.pk, second.reused) == (ReportStatus.QUEUED, first.pk, True)


def test_changed_figures_build_a_new_file(period, cabinet, built, media):
    first = built(cabinet)
    approve(period, datetime.date(2025, 3, 1))  # decided before the date: the figures of 26 November change
    second = built(cabinet)
    assert second.pk != first.pk and second.fingerprint != first.fingerprint
    assert len(stored_files(media)) == 2


# -- refusals, failures and retries ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": 245, "as_of": "2025-11-26", "format": "pdf"}, "question"),
        ({"question": 244, "as_of": "2025-11-26", "format": "odt"}, "format"),
        ({"question": 244, "as_of": "2099-01-01", "format": "pdf"}, "as_of"),
        ({"question": 244, "as_of": "26/11/2025", "format": "pdf"}, "as_of"),
    ],
)
def test_unknown_questions_formats_and_dates_are_refused(period, cabinet, body, field):
    response = client_for(cabinet).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReportRequest.objects.exists()


def test_the_service_refuses_others_than_the_cabinet_and_officers(period):
    with pytest.raises(WorkflowRefusal) as refused:
        report_requests.request_report(
            question=244, as_of=AS_OF, fmt="pdf", by=UserFactory(role=Role.PROMOTER)
        )
    assert refused.value.code == "forbidden"


def test_a_failing_build_is_marked_failed_with_the_reason_and_can_be_retried(
    period, cabinet, built, settings, tmp_path, media, django_capture_on_commit_callbacks
):
    # The file store is unusable: a file stands where its directory should be.
    blocker = tmp_path / "blocked"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    report = built(cabinet, fmt="csv")
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith(("NotADirectoryError", "FileExistsError"))
    assert not report.file and report.finished_at is not None
    # Asked for again, a failed report is not handed back: a new one is queued (and fails the same way).
    again = built(cabinet, fmt="csv")
    assert again.pk != report.pk and again.status == ReportStatus.FAILED

    settings.MEDIA_ROOT = media
    client = client_for(cabinet)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{report.pk}/retry/")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    report.refresh_from_db()
    assert (report.status, report.progress, report.error) == (ReportStatus.DONE, 100, "")
    assert client.get(f"{URL}{report.pk}/").json()["download_url"].endswith(f"{URL}{report.pk}/download/")
    # Only a failed report is retried.
    assert client.post(f"{URL}{report.pk}/retry/").status_code == 409


def test_a_job_for_a_request_done_or_gone_does_nothing(period, cabinet, built):
    report = built(cabinet)
    assert build_report(report.pk) is None
    assert build_report(10_000) is None
    assert ReportRequest.objects.get().history.count() == 3


# -- the API -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CABINET, Role.OFFICER])
def test_the_api_accepts_a_request_and_reports_its_progress(period, role, django_capture_on_commit_callbacks):
    client = client_for(UserFactory(role=role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"question": 244, "as_of": "2025-11-26", "format": "json"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert {key: body[key] for key in ("status", "progress", "step", "download_url")} == {
        "status": "queued",
        "progress": 0,
        "step": "",
        "download_url": None,
    }
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    response = client.get(f"{URL}{body['id']}/")
    assert response.status_code == 200
    done = response.json()
    assert (done["status"], done["progress"], done["error"]) == ("done", 100, "")
    assert done["fingerprint"] == pq244_figures(AS_OF)["fingerprint"]
    assert client.get(done["download_url"]).status_code == 200
    # Without an as-of date: today.
    response = client.post(URL, {"question": 244, "format": "csv"}, format="json")
    assert response.json()["as_of"] == timezone.localdate().isoformat()


def test_the_list_is_paginated_and_shared_by_the_cabinet_and_officers(period, cabinet, built):
    built(cabinet)
    response = client_for(UserFactory(role=Role.OFFICER)).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["requested_by"] == cabinet.username


def test_a_download_before_the_report_is_done_is_a_conflict(period, cabinet):
    report = report_requests.request_report(question=244, as_of=AS_OF, fmt="pdf", by=cabinet)
    response = client_for(cabinet).get(f"{URL}{report.pk}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"


def test_a_client_asking_for_the_files_type_gets_the_file(period, cabinet, built):
    report = built(cabinet, fmt="pdf")
    response = client_for(cabinet).get(f"{URL}{report.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT])
def test_promoters_and_consultants_get_403(period, cabinet, built, role):
    report = built(cabinet)
    client = client_for(UserFactory(role=role))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{report.pk}/").status_code == 403
    assert client.get(f"{URL}{report.pk}/download/").status_code == 403
    assert client.post(URL, {"question": 244, "format": "pdf"}, format="json").status_code == 403
    assert client.post(f"{URL}{report.pk}/retry/").status_code == 403


def test_anonymous_visitors_get_401(period, cabinet, built):
    report = built(cabinet)
    client = APIClient()
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}{report.pk}/download/").status_code == 401
    assert client.post(URL, {"question": 244, "format": "pdf"}, format="json").status_code == 401


# -- the nightly snapshot ----------------------------------------------------------------------------
def test_the_snapshot_stores_todays_figures_once_a_day(period):
    [pk] = take_statistics_snapshot()
    snapshot = StatisticsSnapshot.objects.get(pk=pk)
    today = timezone.localdate()
    assert (snapshot.question, snapshot.as_of) == (244, today)
    assert snapshot.figures == pq244_figures(today)
    assert snapshot.fingerprint == snapshot.figures["fingerprint"]
    approve(period, datetime.date(2025, 3, 1))
    assert take_statistics_snapshot() == [pk]
    snapshot.refresh_from_db()
    assert snapshot.figures["trajects"][0]["approved_companies"] == 1
    assert StatisticsSnapshot.objects.count() == 1


def test_the_snapshot_runs_nightly():
    entry = next(
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "reporting.tasks.take_statistics_snapshot"
    )
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {0})


# -- the cabinet's page ------------------------------------------------------------------------------
@pytest.fixture
def page(client, cabinet):
    client.force_login(cabinet)
    return client


def test_the_cabinet_lands_on_the_reports_page_after_logging_in(client, db):
    UserFactory(username="kabinet", role=Role.CABINET)
    response = client.post(
        reverse("login"), {"username": "kabinet", "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("reports:list")
    assert response.status_code == 200


def test_the_page_asks_for_a_report_and_lists_it(period, page, cabinet, django_capture_on_commit_callbacks):
    response = page.get(reverse("reports:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in text  # the date defaults to today
    assert '<tr data-testid="report"' not in text
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            reverse("reports:list"), {"question": "244", "as_of": "2025-11-26", "format": "json"}
        )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert (report.status, report.requested_by) == (ReportStatus.DONE, cabinet)
    text = page.get(reverse("reports:list")).content.decode()
    assert f'href="{URL}{report.pk}/download/"' in text
    assert "26/11/2025" in text
    # The same report again: a new request, done with the file already made.
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            reverse("reports:list"), {"question": "244", "as_of": "2025-11-26", "format": "json"}, follow=True
        )
    again = ReportRequest.objects.exclude(pk=report.pk).get()
    assert (again.status, again.file.name) == (ReportStatus.DONE, report.file.name)
    assert len(response.context["messages"]) == 1


def test_the_page_offers_the_registered_questions(page):
    form = page.get(reverse("reports:list")).context["form"]
    assert form.fields["question"].choices == [(244, "Vraag 244 – de Voorsprongtrajecten")]


def test_the_page_shows_progress_while_running_and_retry_when_failed(period, page, cabinet):
    queued = report_requests.request_report(question=244, as_of=AS_OF, fmt="pdf", by=cabinet)
    ReportRequest.objects.filter(pk=queued.pk).update(
        status=ReportStatus.RUNNING, progress=40, step="Tabellen"
    )
    failed = report_requests.request_report(question=244, as_of=AS_OF, fmt="csv", by=cabinet)
    ReportRequest.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, error="OSError: disk full")
    text = page.get(reverse("reports:list")).content.decode()
    assert '<progress value="40" max="100"' in text and "Tabellen" in text
    assert f'data-url="{URL}{queued.pk}/"' in text
    assert "setTimeout(poll, 1000)" in text
    assert "OSError: disk full" in text
    assert reverse("reports:retry", args=[failed.pk]) in text
    assert page.post(reverse("reports:retry", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert failed.status == ReportStatus.QUEUED


def test_the_page_refuses_a_future_date_on_the_form(period, page):
    response = page.post(reverse("reports:list"), {"question": "244", "as_of": "2099-01-01", "format": "pdf"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]
    assert not ReportRequest.objects.exists()


def test_the_comparison_shows_what_changed_since_a_snapshot(period, page):
    approve(period, datetime.date(2025, 3, 1))
    take_statistics_snapshot(as_of="2025-11-26")
    approve(period, datetime.date(2025, 12, 1))
    approve(period, datetime.date(2025, 2, 1))  # registered late: not in the snapshot, in today's figures
    # Without a choice, the latest snapshot before today is compared with today.
    response = page.get(reverse("reports:list"))
    comparison = response.context["comparison"]
    assert (comparison["since"], comparison["until"]) == (datetime.date(2025, 11, 26), timezone.localdate())
    assert comparison["since_from_snapshot"] is True
    rows = {row["figure"]: row["difference"] for row in comparison["rows"]}
    assert rows["approved_companies"] == 2
    text = response.content.decode()
    assert 'data-figure="approved_companies" data-difference="2"' in text
    assert "<strong>+2</strong>" in text and "Voorsprong in werk" in text
    # Two chosen dates: 26 November from its snapshot, 31 December computed now.
    response = page.get(reverse("reports:list"), {"since": "2025-11-26", "until": "2025-12-31"})
    rows = {row["figure"]: row["difference"] for row in response.context["comparison"]["rows"]}
    assert rows["approved_companies"] == 2
    # The other way round is refused.
    response = page.get(reverse("reports:list"), {"since": "2025-12-31", "until": "2025-11-26"})
    assert response.context["comparison"]["form"].errors["since"]


def test_without_snapshots_the_page_asks_for_a_date(period, page):
    response = page.get(reverse("reports:list"))
    assert response.status_code == 200
    assert response.context["comparison"].get("rows") is None


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT])
def test_others_get_403_on_the_page(client, db, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("reports:list")).status_code == 403


def test_officers_and_administrators_may_use_the_page(client, officer):
    client.force_login(officer)
    assert client.get(reverse("reports:list")).status_code == 200
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(reverse("reports:list")).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
