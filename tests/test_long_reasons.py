"""Reasons of any ordinary length: up to 2,000 characters are kept whole, in the row and in its history
row, through every action that takes one (on PostgreSQL the history's change reason was 100 characters
and answered 500); one more is refused with a Dutch 400 and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import AidLine, BudgetLine, BudgetOverride, Declaration, FundingRule, FundingSource
from participants.models import Application, ApplicationStatus
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    DeclarationFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role
from voorsprong.validators import REASON_MAX_LENGTH

pytestmark = pytest.mark.django_db
# An ordinary paragraph of explanation, to the last character the API takes.
SENTENCE = "Het actieplan ontbreekt en de begroting is onvolledig; zie het verslag van het gesprek. "
LONGEST = (SENTENCE * 30)[: REASON_MAX_LENGTH - 1] + "."
TOO_LONG = LONGEST + "x"


def test_the_reason_is_exactly_as_long_as_the_limit():
    assert len(LONGEST) == REASON_MAX_LENGTH


@pytest.fixture
def traject():
    """A traject with a period around today (the API decides on today) and a budget for one approval."""
    traject = TrajectFactory(code="leren", allowed_size_classes=["micro", "small", "medium", "large"])
    CapacityPeriodFactory(
        traject=traject, start=datetime.date(2020, 1, 1), end=datetime.date(2040, 12, 31), places=10
    )
    for code, amount in (("eu", "6000.00"), ("flemish", "9000.00")):
        source = FundingSource.objects.create(code=code, name=code, is_subsidy=True)
        BudgetLine.objects.create(traject=traject, source=source, amount=Decimal(amount))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("14900.00"))
    return traject


def latest_reason(instance) -> str:
    return type(instance).objects.get(pk=instance.pk).history.latest("history_id").history_change_reason


def post(user, path, body):
    return client_for(user).post(path, body, format="json")


def test_a_rejection_keeps_2000_characters_and_refuses_2001(traject, officer):
    application = ApplicationFactory(traject=traject)
    path = f"/api/v1/applications/{application.pk}/reject/"
    refused = post(officer, path, {"reason": TOO_LONG})
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    assert "niet meer dan 2000 karakters" in refused.json()["reason"][0]
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    answer = post(officer, path, {"reason": LONGEST})
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["reason"], latest_reason(application)) == (LONGEST, LONGEST)


def test_a_withdrawal_keeps_2000_characters_also_on_the_cancelled_aid_line(traject, officer):
    application = ApplicationFactory(traject=traject)
    assert post(officer, f"/api/v1/applications/{application.pk}/approve/", {}).status_code == 200
    answer = post(officer, f"/api/v1/applications/{application.pk}/withdraw/", {"reason": LONGEST})
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["status"], latest_reason(application)) == ("withdrawn", LONGEST)
    line = AidLine.objects.get(application=application)
    assert (line.cancellation_reason, latest_reason(line)) == (LONGEST, LONGEST)


def test_a_stop_keeps_2000_characters_and_refuses_2001(traject, officer):
    application = ApprovedApplicationFactory(
        traject=traject, status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 1)
    )
    path = f"/api/v1/applications/{application.pk}/stop/"
    refused = post(officer, path, {"stop_reason": "other", "reason": TOO_LONG})
    assert (refused.status_code, list(refused.json())[2:]) == (400, ["reason"])
    answer = post(officer, path, {"stop_reason": "other", "reason": LONGEST})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["reason"] == LONGEST
    assert latest_reason(application).endswith(f": {LONGEST}")


def test_a_declaration_rejection_keeps_2000_characters_and_refuses_2001(officer):
    declaration = DeclarationFactory()
    path = f"/api/v1/declarations/{declaration.pk}/reject/"
    assert post(officer, path, {"reason": TOO_LONG}).status_code == 400
    assert Declaration.objects.get(pk=declaration.pk).status == "submitted"
    answer = post(officer, path, {"reason": LONGEST})
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["reason"], latest_reason(declaration)) == (LONGEST, LONGEST)


def test_an_override_and_its_sign_off_and_refusal_keep_2000_characters(traject, officer):
    traject.budget_lines.update(amount=Decimal("1.00"))
    signer = UserFactory(role=Role.OFFICER)
    applications = ApplicationFactory.create_batch(2, traject=traject)
    assert (
        post(
            officer, "/api/v1/budget-overrides/", {"application": applications[0].pk, "reason": TOO_LONG}
        ).status_code
        == 400
    )
    overrides = []
    for application in applications:
        requested = post(
            officer, "/api/v1/budget-overrides/", {"application": application.pk, "reason": LONGEST}
        )
        assert requested.status_code == 201, requested.json()
        overrides.append(BudgetOverride.objects.get(pk=requested.json()["id"]))
        assert (overrides[-1].reason, latest_reason(overrides[-1])) == (LONGEST, LONGEST)
    signed = post(signer, f"/api/v1/budget-overrides/{overrides[0].pk}/sign-off/", {})
    assert (signed.status_code, signed.json()["application_status"]) == (200, "approved")
    # The approval's history names both officers and keeps the reason whole after them.
    assert latest_reason(applications[0]).endswith(f": {LONGEST}")
    refuse = f"/api/v1/budget-overrides/{overrides[1].pk}/refuse/"
    assert post(signer, refuse, {"reason": TOO_LONG}).status_code == 400
    refused = post(signer, refuse, {"reason": LONGEST})
    assert (refused.status_code, refused.json()["refusal_reason"]) == (200, LONGEST)
    assert latest_reason(overrides[1]) == LONGEST


# -- the pages ------------------------------------------------------------------------------------------
def admin_move(client, application, move, reason):
    url = reverse("admin:participants_application_move", args=[application.pk, move])
    return client.post(url, {"reason": reason}, follow=True)


def test_the_admin_page_keeps_2000_characters_and_refuses_2001_with_a_dutch_message(client, traject, officer):
    application = ApplicationFactory(traject=traject)
    client.force_login(officer)
    refused = admin_move(client, application, "reject", TOO_LONG)
    assert "Een reden heeft ten hoogste 2000 tekens" in refused.content.decode()
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    admin_move(client, application, "reject", LONGEST)
    rejected = Application.objects.get(pk=application.pk)
    assert (rejected.status, rejected.reason, latest_reason(rejected)) == ("rejected", LONGEST, LONGEST)


def test_the_admin_bulk_rejection_of_declarations_refuses_2001_characters(client, officer):
    declaration = DeclarationFactory()
    client.force_login(officer)
    url = reverse("admin:funding_declaration_changelist")
    body = {"action": "reject_selected", "_selected_action": [declaration.pk], "reason": TOO_LONG}
    page = client.post(url, body)
    assert "2000" in page.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).status == "submitted"
    client.post(url, {**body, "reason": LONGEST})
    rejected = Declaration.objects.get(pk=declaration.pk)
    assert (rejected.status, rejected.reason, latest_reason(rejected)) == ("rejected", LONGEST, LONGEST)
