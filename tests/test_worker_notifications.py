"""Decision e-mails sent through Redis by a real Celery worker, as in production (``tests.workers``)."""

import datetime
import threading
import time

import pytest
from django.core import mail

from participants import services
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SEND_TIMEOUT = 30


def test_an_approval_e_mails_its_decision_once_through_the_worker(worker):
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31))
    company = CompanyFactory(name="Bakkerij Peeters BV", contact_email="an@peeters.example")
    application = ApplicationFactory(company=company, traject=traject)
    officer = UserFactory(role=Role.OFFICER)

    services.approve_application(application, by=officer, on=datetime.date(2025, 3, 1))

    deadline = time.monotonic() + SEND_TIMEOUT
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # a second e-mail, were one queued, would have arrived by now
    [message] = mail.outbox
    assert message.to == ["an@peeters.example"]
    assert "Bakkerij Peeters BV" in message.body
    sent_in = worker.ran_in_threads["participants.tasks.send_decision_notification"]
    assert sent_in and threading.get_ident() not in sent_in
