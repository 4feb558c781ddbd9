"""The broker down while an approval and a report request are made, then back: a real Celery worker on
Redis (``tests.workers``) sends the decision e-mail once and builds the report once, however often the
relay runs."""

import time

import pytest
from django.core import mail

from reporting.models import ReportRequest, ReportStatus
from tests.clients import client_for
from tests.factories import UserFactory
from tests.test_outbox import AS_OF, closed_port, submitted_application
from voorsprong.models import OutboxMessage
from voorsprong.roles import Role
from voorsprong.tasks import relay_outbox

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
TIMEOUT = 30


def test_work_queued_while_the_broker_is_down_is_done_once_when_it_is_back(worker, monkeypatch):
    application = submitted_application()
    officer, cabinet = UserFactory(role=Role.OFFICER), UserFactory(role=Role.CABINET)

    with monkeypatch.context() as down:
        down.setenv("CELERY_BROKER_WRITE_URL", f"redis://127.0.0.1:{closed_port()}/0")
        approved = client_for(officer).post(f"/api/v1/applications/{application.pk}/approve/", {}, "json")
        asked = client_for(cabinet).post(
            "/api/v1/report-requests/", {"question": 244, "as_of": str(AS_OF), "format": "json"}, "json"
        )
    assert approved.status_code == 200, approved.content
    assert (asked.status_code, asked.json()["status"]) == (202, "queued")
    # The approval tried the broker once; the report request after it left its message to the relay.
    pending = OutboxMessage.objects.filter(sent_at=None).order_by("pk")
    assert list(pending.values_list("attempts", flat=True)) == [1, 0]

    OutboxMessage.objects.update(next_attempt_at=OutboxMessage.objects.latest("pk").created_at)
    assert relay_outbox.apply().get() == 2
    # Delivered a second time (a relay that died before marking them sent): nothing is done twice.
    OutboxMessage.objects.update(sent_at=None)
    assert relay_outbox.apply().get() == 2

    report = ReportRequest.objects.get(pk=asked.json()["id"])
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and (len(mail.outbox) < 1 or report.status != ReportStatus.DONE):
        time.sleep(0.2)
        report.refresh_from_db()
    time.sleep(1)  # a second e-mail or build, were one coming, would be there by now
    report.refresh_from_db()
    assert [message.to for message in mail.outbox] == [["an@peeters.example"]]
    assert report.status == ReportStatus.DONE
    reasons = report.history.order_by("history_date").values_list("history_change_reason", flat=True)
    assert list(reasons) == ["requested", "running", "done"]
