"""Decision e-mails: in Dutch, to the company contact and the project's promoters, only once committed."""

import datetime

import pytest
from django.core import mail

from participants import services
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(traject=traject, places=1)
    voka = OrganisationFactory(name="Voka")
    UserFactory(role=Role.PROMOTER, organisation=voka, email="coach@voka.example")
    UserFactory(role=Role.PROMOTER, organisation=voka, email="")  # no address, no mail
    UserFactory(role=Role.OFFICER, organisation=voka, email="officer@voka.example")  # not a promoter
    UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(), email="other@elders.example")
    company = CompanyFactory(
        name="Bakkerij Peeters BV", contact_name="An Peeters", contact_email="an@peeters.example"
    )
    project = ProjectFactory(traject=traject, name="Leerkracht Limburg", organisations=[voka])
    return ApplicationFactory(company=company, traject=traject, project=project)


def test_an_approval_mails_the_company_and_the_promoter_in_dutch(
    application, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    [message] = mail.outbox
    assert message.to == ["an@peeters.example", "coach@voka.example"]
    assert message.subject == "Uw aanvraag voor Voorsprong in leren is goedgekeurd"
    assert "Beste An Peeters" in message.body
    assert "10 maart 2025" in message.body
    assert "Leerkracht Limburg" in message.body


def test_a_rejection_mails_the_reason(application, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_application(
            application, by=officer, reason="Dossier onvolledig", on=datetime.date(2025, 3, 10)
        )
    [message] = mail.outbox
    assert message.subject == "Uw aanvraag voor Voorsprong in leren is niet goedgekeurd"
    assert "Dossier onvolledig" in message.body


def test_nothing_is_sent_before_the_commit_or_when_refused(
    application, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    assert mail.outbox == []  # the decision is not committed yet
    assert len(callbacks) == 1
    second = ApplicationFactory(traject=application.traject, project=application.project)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowRefusal):
        services.approve_application(second, by=officer, on=datetime.date(2025, 3, 10))  # no free place left
    assert mail.outbox == []


def test_without_any_address_nothing_is_sent(officer, django_capture_on_commit_callbacks):
    traject = TrajectFactory()
    CapacityPeriodFactory(traject=traject)
    application = ApplicationFactory(traject=traject, company=CompanyFactory(contact_email=""))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    assert mail.outbox == []
