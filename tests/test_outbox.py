"""The transactional outbox (voorsprong.outbox): work queued after a commit survives a broker that is down.

Here Celery runs in-process once the broker is back (tests/test_outbox_worker.py does it with Redis and a
real worker); the broker that is down is a Redis address nobody listens on.
"""

import datetime
import socket

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import ApplicationStatus, Invitation, Questionnaire
from participants.tasks import send_decision_notification, send_questionnaire_mail
from reporting.models import ReportRequest, ReportStatus
from reporting.services import report_requests
from reporting.tasks import build_report, requeue_stale_reports
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong import outbox
from voorsprong.celery import app
from voorsprong.models import OutboxMessage
from voorsprong.roles import Role
from voorsprong.tasks import relay_outbox

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 11, 26)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    """Point Celery's publishing at a port nobody listens on, tasks no longer run in-process; undo it
    with ``broker_down.back()``, after which tasks run in-process again."""
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", f"redis://127.0.0.1:{closed_port()}/0")
    app.conf.task_always_eager = False  # tests/conftest.py puts it back

    class Broker:
        @staticmethod
        def back():
            monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
            app.conf.task_always_eager = True

    return Broker()


def make_all_due():
    OutboxMessage.objects.filter(sent_at=None).update(next_attempt_at=timezone.now())


def submitted_application():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    today = timezone.localdate()
    CapacityPeriodFactory(
        traject=traject, start=today.replace(month=1, day=1), end=today.replace(month=12, day=31)
    )
    company = CompanyFactory(name="Bakkerij Peeters BV", contact_email="an@peeters.example")
    return ApplicationFactory(company=company, traject=traject)


def test_the_wait_doubles_after_each_failure_up_to_the_maximum(settings):
    settings.OUTBOX_RETRY_DELAY, settings.OUTBOX_MAX_RETRY_DELAY = 30, 3600
    waits = [outbox.retry_delay(attempts).total_seconds() for attempts in (1, 2, 3, 4, 8, 20)]
    assert waits == [30, 60, 120, 240, 3600, 3600]


def test_with_the_broker_down_the_approval_and_the_report_answer_as_usual_and_arrive_later(
    broker_down, django_capture_on_commit_callbacks
):
    application = submitted_application()
    officer, cabinet = UserFactory(role=Role.OFFICER), UserFactory(role=Role.CABINET)

    with django_capture_on_commit_callbacks(execute=True):
        approved = client_for(officer).post(f"/api/v1/applications/{application.pk}/approve/", {}, "json")
    with django_capture_on_commit_callbacks(execute=True):
        asked = client_for(cabinet).post(
            "/api/v1/report-requests/", {"question": 244, "as_of": str(AS_OF), "format": "json"}, "json"
        )

    assert approved.status_code == 200, approved.content
    assert asked.status_code == 202 and asked.json()["status"] == "queued", asked.content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    pending = OutboxMessage.objects.filter(sent_at=None).order_by("pk")
    # The approval tried the broker; the report request, a moment later, did not wait for it again.
    assert [(m.task, m.args, m.attempts) for m in pending] == [
        ("participants.tasks.send_decision_notification", [application.pk], 1),
        ("reporting.tasks.build_report", [asked.json()["id"]], 0),
    ]
    decision_mail = pending[0]
    assert "Connection refused" in decision_mail.last_error and decision_mail.next_attempt_at > timezone.now()
    # An identical request while the first waits attaches to it; nothing is lost or doubled.
    again = client_for(cabinet).post(
        "/api/v1/report-requests/", {"question": 244, "as_of": str(AS_OF), "format": "json"}, "json"
    )
    assert again.json()["id"] == asked.json()["id"]

    # The relay tries the report's message, which is due; the decision's waits for its next attempt.
    assert relay_outbox.apply().get() == 0
    assert set(pending.values_list("attempts", flat=True)) == {1}
    # Due, the broker still down: one more failed attempt, and a longer wait.
    make_all_due()
    assert relay_outbox.apply().get() == 0
    first = OutboxMessage.objects.get(task="participants.tasks.send_decision_notification")
    assert first.attempts == 2, first.last_error
    assert first.next_attempt_at - timezone.now() > datetime.timedelta(seconds=50)
    assert mail.outbox == []

    broker_down.back()
    make_all_due()
    assert relay_outbox.apply().get() == 2
    assert relay_outbox.apply().get() == 0  # sent: never handed over again
    assert [message.to for message in mail.outbox] == [["an@peeters.example"]]
    report = ReportRequest.objects.get(pk=asked.json()["id"])
    assert report.status == ReportStatus.DONE and report.file


def test_a_decision_e_mail_delivered_twice_goes_out_once(django_capture_on_commit_callbacks):
    application = submitted_application()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(UserFactory(role=Role.OFFICER)).post(
            f"/api/v1/applications/{application.pk}/approve/", {}, "json"
        )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert send_decision_notification.apply(args=[application.pk]).get() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_not_counted_as_done(monkeypatch):
    application = submitted_application()

    def smtp_down(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", smtp_down)
        with pytest.raises(ConnectionRefusedError):
            send_decision_notification.run(application.pk)  # Celery retries it
    assert send_decision_notification.apply(args=[application.pk]).get() == 1
    assert len(mail.outbox) == 1


def test_a_questionnaire_mail_goes_out_once_per_invitation_and_reminder():
    application = CompletedApplicationFactory(company__contact_email="an@peeters.example")
    invitation = Invitation.objects.create(
        application=application, questionnaire=Questionnaire.EVALUATION, sent_on=datetime.date(2026, 6, 1)
    )
    sent = [send_questionnaire_mail.apply(args=[invitation.pk, reminder]).get() for reminder in (0, 0, 1, 1)]
    assert sent == [1, 0, 1, 0]
    assert len(mail.outbox) == 2


def test_a_report_delivered_twice_is_built_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_requests.request_report(
            question=244, as_of=AS_OF, fmt="json", by=UserFactory(role=Role.CABINET)
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    history = report.history.count()
    assert build_report.apply(args=[report.pk]).get() is None  # done: nothing to build
    assert report.history.count() == history


@pytest.fixture
def stale(settings):
    """A report whose worker was lost while it ran: running, silent for longer than REPORT_STALE_AFTER."""
    settings.REPORT_STALE_AFTER, settings.REPORT_MAX_REQUEUES = 420, 2
    report = ReportRequest.objects.create(
        kind="pq244",
        as_of=AS_OF,
        format="json",
        requested_by=UserFactory(role=Role.CABINET),
        status=ReportStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=421),
    )
    return report


def test_a_job_with_a_recent_heartbeat_is_left_running(stale):
    ReportRequest.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now())
    assert requeue_stale_reports.apply().get() == []
    stale.refresh_from_db()
    assert stale.status == ReportStatus.RUNNING


def test_a_stale_job_is_queued_again_a_few_times_then_failed_with_a_message(stale, monkeypatch):
    app.conf.task_always_eager = False  # queued, not run (tests/conftest.py puts it back)
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", f"redis://127.0.0.1:{closed_port()}/0")
    for requeues in (1, 2):
        assert requeue_stale_reports.apply().get() == [stale.pk]
        stale.refresh_from_db()
        assert (stale.status, stale.requeues) == (ReportStatus.QUEUED, requeues)
        assert OutboxMessage.objects.filter(task="reporting.tasks.build_report", args=[stale.pk]).count()
        # Its worker is lost again.
        ReportRequest.objects.filter(pk=stale.pk).update(
            status=ReportStatus.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(seconds=500)
        )
    assert requeue_stale_reports.apply().get() == []
    stale.refresh_from_db()
    assert stale.status == ReportStatus.FAILED
    assert "3 keer" in stale.error and "werkproces" in stale.error
    reasons = list(stale.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-3:] == ["requeued", "requeued", "failed"]


def test_an_identical_request_does_not_attach_to_a_stale_job_and_retry_takes_it(
    stale, django_capture_on_commit_callbacks
):
    cabinet = stale.requested_by
    fresh = report_requests.request_report(question=244, as_of=AS_OF, fmt="json", by=cabinet)
    assert fresh.pk != stale.pk and not fresh.reused
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cabinet).post(f"/api/v1/report-requests/{stale.pk}/retry/")
    assert response.status_code == 202, response.content
    stale.refresh_from_db()
    assert stale.status == ReportStatus.DONE


def test_retry_still_refuses_a_job_that_is_alive(stale):
    ReportRequest.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now())
    response = client_for(stale.requested_by).post(f"/api/v1/report-requests/{stale.pk}/retry/")
    assert response.status_code == 409 and response.json()["code"] == "not_failed"


def test_administrators_read_the_outbox_in_the_admin(client):
    OutboxMessage.objects.create(
        task="reporting.tasks.build_report",
        args=[1],
        next_attempt_at=timezone.now(),
        attempts=3,
        last_error="OperationalError: Connection refused",
    )
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/voorsprong/outboxmessage/")
    assert page.status_code == 200
    assert "Connection refused" in page.content.decode()
    message = OutboxMessage.objects.get()
    assert client.post(f"/admin/voorsprong/outboxmessage/{message.pk}/change/", {}).status_code == 403
    client.force_login(UserFactory(role=Role.OFFICER, is_staff=True))
    assert client.get("/admin/voorsprong/outboxmessage/").status_code == 403


def test_the_relay_forgets_messages_handed_over_a_week_ago(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 7
    now = timezone.now()
    for days in (8, 6):
        OutboxMessage.objects.create(
            task="voorsprong.tasks.relay_outbox",
            next_attempt_at=now,
            sent_at=now - datetime.timedelta(days=days),
        )
    unsent = OutboxMessage.objects.create(
        task="voorsprong.tasks.relay_outbox", next_attempt_at=now + datetime.timedelta(hours=1)
    )
    outbox.relay()
    kept = OutboxMessage.objects.order_by("pk")
    assert [message.sent_at is None for message in kept] == [False, True]
    assert unsent in kept
