"""The officers' bulk actions go through the workflow services and report per application."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from funding.models import BudgetLine, BudgetOverride, BudgetOverrideStatus, FundingRule, FundingSource
from funding.services import request_budget_override
from participants import services
from participants.models import ApplicationStatus
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:participants_application_changelist")


@pytest.fixture
def traject():
    traject = TrajectFactory(code="leren")
    today = datetime.date.today()
    CapacityPeriodFactory(
        traject=traject, start=today.replace(month=1, day=1), end=today.replace(month=12, day=31), places=1
    )
    return traject


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approve_selected_approves_what_the_rules_allow_and_says_why_not_for_the_rest(
    client, officer, traject
):
    first = ApplicationFactory(traject=traject, company=CompanyFactory(name="Eerste BV"))
    second = ApplicationFactory(traject=traject, company=CompanyFactory(name="Tweede BV"))
    large = ApplicationFactory(traject=traject, company=CompanyFactory(name="Groot NV", staff_headcount=900))
    client.force_login(officer)
    response = client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [first.pk, second.pk, large.pk]},
        follow=True,
    )
    statuses = {}
    for application in (first, second, large):
        application.refresh_from_db()
        statuses[application.company.name] = application.status
    assert sorted(statuses.values()) == [
        ApplicationStatus.APPROVED,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SUBMITTED,
    ]
    assert statuses["Groot NV"] == ApplicationStatus.SUBMITTED
    messages = shown(response)
    assert len(messages) == 3
    assert any("Groot NV" in message and "grootteklasse" in message for message in messages)
    assert any("plaatsen" in message for message in messages)  # the second SME found no free place
    assert any(message.endswith(": goedgekeurd") for message in messages)


def test_reject_selected_asks_for_a_reason_first(client, officer, traject):
    application = ApplicationFactory(traject=traject)
    client.force_login(officer)
    response = client.post(CHANGELIST, {"action": "reject_selected", "_selected_action": [application.pk]})
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [application.pk], "reason": "Onvolledig dossier"},
    )
    application.refresh_from_db()
    assert (application.status, application.reason) == (ApplicationStatus.REJECTED, "Onvolledig dossier")
    assert application.history.first().history_user.username == officer.username


def test_reverting_to_an_earlier_version_cannot_bypass_the_workflow(client, officer, traject):
    application = ApplicationFactory(traject=traject)
    submitted_version = application.history.get()
    services.approve_application(application, by=officer)
    client.force_login(officer)
    url = reverse(
        "admin:participants_application_simple_history", args=[application.pk, submitted_version.history_id]
    )
    assert client.post(url, {"company": application.company_id, "traject": traject.pk}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_approving_over_an_exhausted_budget_asks_a_reason_and_waits_for_a_second_officer(
    client, officer, traject
):
    eu = FundingSource.objects.create(code="eu", name="ESF+", is_subsidy=True)
    BudgetLine.objects.create(traject=traject, source=eu, amount=Decimal("100.00"))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("5000.00"))
    application = ApplicationFactory(traject=traject)
    client.force_login(officer)
    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [application.pk]}, follow=True
    )
    assert any("100,00" in message for message in shown(response))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    action = {"action": "approve_selected_over_budget", "_selected_action": [application.pk]}
    assert client.post(CHANGELIST, action).status_code == 200  # the reason form
    requested = client.post(CHANGELIST, {**action, "reason": "Bijkrediet toegezegd"}, follow=True)
    assert any("wacht op" in message for message in shown(requested))
    application.refresh_from_db()
    assert (application.status, application.funding.count()) == (ApplicationStatus.SUBMITTED, 0)
    override = BudgetOverride.objects.get(application=application)
    assert (override.status, override.requested_by, override.reason) == (
        BudgetOverrideStatus.PENDING,
        officer,
        "Bijkrediet toegezegd",
    )

    overrides = reverse("admin:funding_budgetoverride_changelist")
    sign_off = {"action": "sign_off_selected", "_selected_action": [override.pk]}
    alone = client.post(overrides, sign_off, follow=True)
    assert any("andere dossierbehandelaar" in message for message in shown(alone))
    assert BudgetOverride.objects.get(pk=override.pk).status == BudgetOverrideStatus.PENDING
    client.force_login(UserFactory(role=Role.OFFICER, is_staff=True))
    client.post(overrides, sign_off)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert "Bijkrediet toegezegd" in application.history.first().history_change_reason


def test_a_second_officer_refuses_an_approval_over_the_budget_with_a_reason(client, officer, traject):
    eu = FundingSource.objects.create(code="eu", name="ESF+", is_subsidy=True)
    BudgetLine.objects.create(traject=traject, source=eu, amount=Decimal("100.00"))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("5000.00"))
    application = ApplicationFactory(traject=traject)
    override = request_budget_override(application, by=officer, reason="Bijkrediet toegezegd")
    client.force_login(UserFactory(role=Role.OFFICER, is_staff=True))
    overrides = reverse("admin:funding_budgetoverride_changelist")
    refuse = {"action": "refuse_selected", "_selected_action": [override.pk]}
    assert "reason" in client.post(overrides, refuse).context["form"].fields
    client.post(overrides, {**refuse, "reason": "Geen bijkrediet in zicht"})
    override.refresh_from_db()
    assert (override.status, override.refusal_reason) == (
        BudgetOverrideStatus.REFUSED,
        "Geen bijkrediet in zicht",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
