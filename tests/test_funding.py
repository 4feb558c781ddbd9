"""Committing money at approval: the split per source, to the cent, and the budget that runs out."""

import datetime
from decimal import Decimal

import pytest

from funding import services as funding_services
from funding.models import (
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    FundingRule,
    FundingSource,
    FundingSourceCode,
)
from funding.selectors import committed_on
from funding.services import split_in_proportion
from participants import services
from participants.models import Application, ApplicationStatus
from tests.clients import client_for
from tests.factories import ApplicationFactory, CapacityPeriodFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
SOURCES = {
    FundingSourceCode.EU: True,
    FundingSourceCode.FLEMISH: True,
    FundingSourceCode.OWN_PROMOTER: False,
    FundingSourceCode.OWN_COMPANY: False,
}


@pytest.fixture
def sources():
    return {
        code: FundingSource.objects.create(code=code, name=code, is_subsidy=subsidy)
        for code, subsidy in SOURCES.items()
    }


def traject_with(sources, code, budget, cost, promoter_share="0", company_surcharge="0"):
    traject = TrajectFactory(code=code, allowed_size_classes=["micro", "small", "medium", "large"])
    CapacityPeriodFactory(traject=traject, places=100)
    for source_code, amount in budget.items():
        BudgetLine.objects.create(traject=traject, source=sources[source_code], amount=Decimal(amount))
    FundingRule.objects.create(
        traject=traject,
        default_planned_cost=Decimal(cost),
        promoter_share=Decimal(promoter_share),
        company_surcharge=Decimal(company_surcharge),
    )
    return traject


def committed(application):
    return dict(application.funding.values_list("source__code", "amount"))


def approve(application, officer, **kwargs):
    return services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10), **kwargs)


def test_leren_splits_the_subsidy_40_60_as_its_budget(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "2688800.00", "flemish": "4033200.00"}, "14900.00")
    application = approve(ApplicationFactory(traject=leren), officer)
    assert committed(application) == {"eu": Decimal("5960.00"), "flemish": Decimal("8940.00")}


def test_werk_promoters_bring_15_percent_and_parts_add_up_to_the_cent(sources, officer):
    werk = traject_with(
        sources,
        "werk",
        {"eu": "25000000.00", "flemish": "28125000.00", "own_promoter": "9375000.00"},
        "20833.33",
        promoter_share="0.15",
    )
    application = approve(ApplicationFactory(traject=werk), officer)
    parts = committed(application)
    assert parts["own_promoter"] == Decimal("3125.00")
    # 17708.33 of subsidy over EU 25/53.125 and Flemish 28.125/53.125.
    assert parts["eu"] == Decimal("8333.33")
    assert parts["flemish"] == Decimal("9375.00")
    assert sum(parts.values()) == Decimal("20833.33")


def test_motivatie_companies_add_15_percent_on_top(sources, officer):
    motivatie = traject_with(
        sources,
        "motivatie",
        {"eu": "4400000.00", "flemish": "6600000.00"},
        "43400.00",
        company_surcharge="0.15",
    )
    application = approve(ApplicationFactory(traject=motivatie), officer)
    parts = committed(application)
    assert (parts["eu"] + parts["flemish"], parts["own_company"]) == (Decimal("43400.00"), Decimal("6510.00"))


def test_an_application_may_have_its_own_planned_cost(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "400.00", "flemish": "600.00"}, "500.00")
    application = approve(ApplicationFactory(traject=leren, planned_cost=Decimal("333.33")), officer)
    parts = committed(application)
    assert parts == {"eu": Decimal("133.33"), "flemish": Decimal("200.00")}


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        ("100.00", {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}),
        ("0.01", {"a": Decimal(1), "b": Decimal(1)}),
        ("20833.33", {"a": Decimal(25), "b": Decimal("28.125")}),
        ("999999.99", {"a": Decimal(3), "b": Decimal(7), "c": Decimal(11)}),
    ],
)
def test_split_parts_always_add_up_to_the_total(total, weights):
    parts = split_in_proportion(Decimal(total), weights)
    assert sum(parts.values()) == Decimal(total)
    assert all(part == part.quantize(Decimal("0.01")) for part in parts.values())


def test_an_exhausted_budget_refuses_the_approval_and_changes_nothing(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "8000.00", "flemish": "12000.00"}, "14900.00")
    approve(ApplicationFactory(traject=leren), officer)
    second = ApplicationFactory(traject=leren)
    with pytest.raises(WorkflowRefusal) as refusal:
        approve(second, officer)
    assert refusal.value.code == "budget_exhausted"
    assert "2.040,00" in refusal.value.message or "2,040.00" in refusal.value.message
    second.refresh_from_db()
    assert (second.status, second.capacity_period_id, second.funding.count()) == (
        ApplicationStatus.SUBMITTED,
        None,
        0,
    )


def test_two_officers_approve_over_an_exhausted_budget_and_the_history_keeps_the_reason(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "8000.00", "flemish": "12000.00"}, "14900.00")
    # The request tries the approval as of today: give the traject a period that contains it.
    leren.capacity_periods.update(start=datetime.date(2020, 1, 1), end=datetime.date(2040, 12, 31))
    approve(ApplicationFactory(traject=leren), officer)
    second = ApplicationFactory(traject=leren)
    override = funding_services.request_budget_override(
        second, by=officer, reason="Extra middelen beloofd door de minister"
    )
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.SUBMITTED
    funding_services.sign_off_budget_override(override, by=UserFactory(role=Role.OFFICER))
    second.refresh_from_db()
    assert second.status == ApplicationStatus.APPROVED
    assert "Extra middelen beloofd door de minister" in second.history.latest().history_change_reason
    line = BudgetLine.objects.get(traject=leren, source__code="eu")
    assert committed_on(line) == Decimal("11920.00")  # overdrawn, knowingly


def test_a_blank_override_reason_is_no_override(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "400.00", "flemish": "600.00"}, "14900.00")
    application = ApplicationFactory(traject=leren)
    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.request_budget_override(application, by=officer, reason="   ")
    assert (refusal.value.code, refusal.value.field) == ("reason_required", "reason")
    assert not BudgetOverride.objects.exists()


def test_a_withdrawn_application_gives_its_money_back(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "6000.00", "flemish": "9000.00"}, "14900.00")
    first = approve(ApplicationFactory(traject=leren), officer)
    services.withdraw_application(first, by=officer, reason="Op vraag", on=datetime.date(2025, 3, 11))
    assert approve(ApplicationFactory(traject=leren), officer).status == ApplicationStatus.APPROVED


def test_a_period_line_is_used_before_the_trajects_line(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "1000000.00", "flemish": "1500000.00"}, "14900.00")
    period = leren.capacity_periods.get()
    BudgetLine.objects.create(
        traject=leren, source=sources["eu"], capacity_period=period, amount=Decimal("5000.00")
    )
    with pytest.raises(WorkflowRefusal) as refusal:
        approve(ApplicationFactory(traject=leren), officer)
    assert refusal.value.code == "budget_exhausted"


def test_without_a_funding_rule_nothing_is_committed(officer):
    traject = TrajectFactory()
    CapacityPeriodFactory(traject=traject)
    application = approve(ApplicationFactory(traject=traject), officer)
    assert (application.status, ApplicationFunding.objects.count()) == (ApplicationStatus.APPROVED, 0)


def test_the_api_answers_409_budget_exhausted_and_takes_an_override_through_a_sign_off(sources, officer):
    leren = traject_with(sources, "leren", {"eu": "400.00", "flemish": "600.00"}, "14900.00")
    # The API decides on today's date: give the traject a period that contains it.
    leren.capacity_periods.update(start=datetime.date(2020, 1, 1), end=datetime.date(2040, 12, 31))
    application = ApplicationFactory(traject=leren)
    api = client_for(officer)
    refused = api.post(f"/api/v1/applications/{application.pk}/approve/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "budget_exhausted")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    # One officer's reason no longer approves: the answer says to request a sign-off.
    alone = api.post(
        f"/api/v1/applications/{application.pk}/approve/",
        {"budget_override_reason": "Bijkrediet"},
        format="json",
    )
    assert (alone.status_code, alone.json()["code"]) == (409, "sign_off_required")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    requested = api.post(
        "/api/v1/budget-overrides/", {"application": application.pk, "reason": "Bijkrediet"}, format="json"
    )
    assert (requested.status_code, requested.json()["status"]) == (201, "pending")
    signed = client_for(UserFactory(role=Role.OFFICER)).post(
        f"/api/v1/budget-overrides/{requested.json()['id']}/sign-off/"
    )
    assert (signed.status_code, signed.json()["status"], signed.json()["application_status"]) == (
        200,
        "signed_off",
        "approved",
    )
