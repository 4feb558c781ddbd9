"""Four eyes on money: no one person declares, approves and pays the same costs, the financial service
pays what an officer approved, and an approval over the budget takes two officers.

- A declaration is approved by an officer who did not declare it, and marked paid by the financial
  service, never by whoever approved it: ``same_person`` (409), also for administrators, who may act in
  every role but are still one person. Officers no longer mark paid; the financial service neither
  approves declarations nor applications.
- An approval over the budget is requested by one officer (the application stays submitted, nothing is
  committed) and signed off by another, which approves the application and commits the money, the history
  naming both; or refused with a reason. A request when the budget is not what stops the approval is
  refused. Two officers signing off at once: one wins (PostgreSQL).
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import (
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    BudgetOverrideStatus,
    Declaration,
    DeclarationStatus,
    FundingRule,
    FundingSource,
)
from participants.models import Application, ApplicationStatus
from participants.selectors import application_history
from participants.services import approve_application
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COSTS = {"period_start": "2025-04-01", "period_end": "2025-04-30", "amount": "300.00", "hours": "6.00"}


def another_officer():
    return UserFactory(role=Role.OFFICER, is_staff=True)


# -- declarations: declare → approve → pay ---------------------------------------------------------------
@pytest.fixture
def application():
    """Return an application in progress of Voka's project that committed 1000.00 euro."""
    voka = OrganisationFactory(name="Voka")
    traject = TrajectFactory(code="leren")
    application = ApprovedApplicationFactory(
        traject=traject,
        project=ProjectFactory(traject=traject, organisations=[voka]),
        status=ApplicationStatus.IN_PROGRESS,
        started_on=datetime.date(2025, 4, 1),
    )
    for code, amount in (("eu", "400.00"), ("flemish", "600.00")):
        ApplicationFundingFactory(
            application=application, source=FundingSourceFactory(code=code), amount=Decimal(amount)
        )
    return application


def declare(application, by) -> Declaration:
    return services.declare_costs(
        application,
        by=by,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 4, 30),
        amount=Decimal("300.00"),
        hours=Decimal("6.00"),
    )


def act(user, declaration, action, body=None):
    return client_for(user).post(
        f"/api/v1/declarations/{declaration.pk}/{action}/", body or {}, format="json"
    )


def state(declaration) -> tuple:
    """Return what a refused decision must leave as it was: the status, who decided, and the history."""
    declaration = Declaration.objects.get(pk=declaration.pk)
    return declaration.status, declaration.decided_by_id, declaration.paid_by_id, declaration.history.count()


def test_the_declare_approve_pay_chain_by_one_person_is_refused_at_each_step(officer, finance, application):
    """An officer may declare (in the admin) but not approve what they declared; the approving officer
    may not pay, as no officer pays; the financial service pays."""
    declaration = declare(application, officer)
    before = state(declaration)
    refused = act(officer, declaration, "approve")
    assert (refused.status_code, refused.json()["code"]) == (409, "same_person")
    assert "zelf" in refused.json()["detail"]  # in Dutch, saying why
    assert state(declaration) == before

    colleague = another_officer()
    assert act(colleague, declaration, "approve").status_code == 200
    before = state(declaration)
    for officer_paying in (colleague, officer):
        refused = act(officer_paying, declaration, "mark-paid")
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert state(declaration) == before

    paid = act(finance, declaration, "mark-paid")
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")
    assert (paid.json()["declared_by"], paid.json()["decided_by"], paid.json()["paid_by"]) == (
        officer.username,
        colleague.username,
        finance.username,
    )
    history = Declaration.objects.get(pk=declaration.pk).history.order_by("history_date", "history_id")
    assert [record.history_user for record in history] == [officer, colleague, finance]


def test_administrators_are_one_person_too(application):
    """An administrator acts in every role, but declaring, approving and paying still take two people."""
    first, second = (UserFactory(role=Role.ADMIN, is_staff=True) for _ in range(2))
    declaration = declare(application, first)
    with pytest.raises(WorkflowRefusal) as refused:
        services.approve_declaration(declaration, by=first)
    assert refused.value.code == "same_person"
    services.approve_declaration(declaration, by=second)
    before = state(declaration)
    refused = act(second, declaration, "mark-paid")
    assert (refused.status_code, refused.json()["code"]) == (409, "same_person")
    assert state(declaration) == before
    # Declaring and paying are not the approval: the first administrator may pay what the second approved.
    paid = services.mark_declaration_paid(declaration, by=first)
    assert (paid.status, paid.paid_by) == (DeclarationStatus.PAID, first)


def test_whoever_declared_may_reject_it_as_rejecting_pays_nothing(officer, application):
    declaration = declare(application, officer)
    rejected = services.reject_declaration(declaration, by=officer, reason="Dubbel ingediend")
    assert rejected.status == DeclarationStatus.REJECTED


def test_the_financial_service_neither_approves_nor_rejects_declarations(finance, application):
    declaration = declare(
        application, UserFactory(role=Role.PROMOTER, organisation=application.project.organisations.get())
    )
    before = state(declaration)
    for action, body in (("approve", None), ("reject", {"reason": "Te duur"})):
        refused = act(finance, declaration, action, body)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert state(declaration) == before


def test_the_financial_service_sees_every_declaration_and_the_budget_monitor_but_no_application(
    finance, application
):
    other = ApprovedApplicationFactory(
        status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 1)
    )
    ApplicationFundingFactory(application=other, amount=Decimal("500.00"))
    declarations = {
        declare(application, UserFactory(role=Role.ADMIN)).pk,
        declare(other, UserFactory(role=Role.ADMIN)).pk,
    }
    api = client_for(finance)
    listed = api.get("/api/v1/declarations/")
    assert {row["id"] for row in listed.json()["results"]} == declarations
    assert api.get("/api/v1/funding/summary/").status_code == 200
    assert api.get("/api/v1/applications/").status_code == 403
    assert api.get("/api/v1/budget-overrides/").status_code == 403
    refused = api.post("/api/v1/declarations/", {**COSTS, "application": application.pk}, format="json")
    assert refused.status_code == 403  # the financial service does not declare
    submitted = ApplicationFactory(traject=application.traject)
    approve = api.post(f"/api/v1/applications/{submitted.pk}/approve/", {}, format="json")
    assert approve.status_code == 403
    with pytest.raises(WorkflowRefusal) as refused:
        approve_application(submitted, by=finance)  # not through the API either
    assert refused.value.code == "forbidden"
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED


def test_the_financial_service_starts_at_the_declarations_in_the_admin(client, finance):
    client.force_login(finance)
    assert client.get("/").url == reverse("admin:funding_declaration_changelist")
    assert client.get(reverse("admin:funding_declaration_changelist")).status_code == 200
    assert client.get(reverse("funding:budget_monitor")).status_code == 200


def test_the_admin_offers_each_role_the_declaration_actions_it_may_take(client, officer, finance):
    changelist = reverse("admin:funding_declaration_changelist")
    offered = {}
    for name, user in (("officer", officer), ("finance", finance)):
        client.force_login(user)
        offered[name] = {
            action
            for action, _label in client.get(changelist).context["action_form"].fields["action"].choices
            if action
        }
    assert offered == {
        "officer": {"approve_selected", "reject_selected"},
        "finance": {"mark_paid_selected"},
    }


def test_the_admin_refuses_the_approver_marking_paid_and_says_why(client, application):
    administrator = UserFactory(role=Role.ADMIN, is_staff=True)
    declaration = declare(application, UserFactory(role=Role.ADMIN))
    services.approve_declaration(declaration, by=administrator)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:funding_declaration_changelist"),
        {"action": "mark_paid_selected", "_selected_action": [declaration.pk]},
        follow=True,
    )
    assert any("zelf" in str(message) for message in response.context["messages"])
    assert Declaration.objects.get(pk=declaration.pk).status == DeclarationStatus.APPROVED


# -- approvals over the budget ---------------------------------------------------------------------------
@pytest.fixture
def short():
    """Return a submitted leren application whose budget is short: 14,900.00 committed against 1,000.00,
    with places free today, and its company a contact to e-mail the decision to."""
    traject = TrajectFactory(code="leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY - datetime.timedelta(days=30), end=TODAY + datetime.timedelta(days=30)
    )
    for code, amount in (("eu", "400.00"), ("flemish", "600.00")):
        source = FundingSource.objects.create(code=code, name=code, is_subsidy=True)
        BudgetLine.objects.create(traject=traject, source=source, amount=Decimal(amount))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("14900.00"))
    return ApplicationFactory(traject=traject, company=CompanyFactory(contact_email="info@bakkerij.example"))


REASON = "Bijkrediet toegezegd door de minister"


def overrides_of(application) -> list[tuple]:
    return list(BudgetOverride.objects.filter(application=application).values_list("status", "requested_by"))


def test_a_request_waits_for_a_second_officer_who_approves_and_commits(
    officer, short, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        override = services.request_budget_override(short, by=officer, reason=REASON)
    # The approval was only tried: no place, no money, no decision e-mail.
    short.refresh_from_db()
    assert (short.status, short.capacity_period_id, short.decided_on) == (
        ApplicationStatus.SUBMITTED,
        None,
        None,
    )
    assert not ApplicationFunding.objects.exists()
    assert (callbacks, mailoutbox) == ([], [])
    assert overrides_of(short) == [(BudgetOverrideStatus.PENDING, officer.pk)]

    before = BudgetOverride.objects.get(pk=override.pk).history.count()
    with pytest.raises(WorkflowRefusal) as refused:
        services.sign_off_budget_override(override, by=officer)
    assert refused.value.code == "same_person"
    assert BudgetOverride.objects.get(pk=override.pk).history.count() == before
    assert Application.objects.get(pk=short.pk).status == ApplicationStatus.SUBMITTED

    colleague = another_officer()
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.sign_off_budget_override(override, by=colleague)
    assert (signed.status, signed.decided_by, signed.application.status) == (
        BudgetOverrideStatus.SIGNED_OFF,
        colleague,
        ApplicationStatus.APPROVED,
    )
    short.refresh_from_db()
    assert (short.decided_by, short.decided_on, short.capacity_period_id is not None) == (
        colleague,
        TODAY,
        True,
    )
    assert dict(short.funding.values_list("source__code", "amount")) == {
        "eu": Decimal("5960.00"),
        "flemish": Decimal("8940.00"),
    }
    assert len(mailoutbox) == 1  # the decision, once
    # The history shows both people: the approval's note, and the request's own rows.
    approval = application_history(short)[-1]
    assert (approval["to"], approval["by"]) == (ApplicationStatus.APPROVED, colleague.username)
    assert officer.username in approval["reason"] and colleague.username in approval["reason"]
    assert REASON in approval["reason"]
    rows = BudgetOverride.objects.get(pk=override.pk).history.order_by("history_date", "history_id")
    assert [(row.history_user, row.status) for row in rows] == [
        (officer, BudgetOverrideStatus.PENDING),
        (colleague, BudgetOverrideStatus.SIGNED_OFF),
    ]


def test_a_long_reason_reaches_the_approvals_history_whole(officer, short):
    """The note names both officers and the whole reason, which may take the 2,000 characters the API
    allows: the history's reason column is text (PostgreSQL refused over 100 characters)."""
    reason = ("Bijkrediet toegezegd door de minister op het overleg van maandag. " * 30)[:2000].strip()
    override = services.request_budget_override(short, by=officer, reason=reason)
    services.sign_off_budget_override(override, by=another_officer())
    note = application_history(Application.objects.get(pk=short.pk))[-1]["reason"]
    assert note.endswith(reason) and officer.username in note
    assert BudgetOverride.objects.get(pk=override.pk).history.earliest().history_change_reason == reason


def test_a_second_officer_refuses_with_a_reason_and_nothing_is_committed(officer, short):
    override = services.request_budget_override(short, by=officer, reason=REASON)
    colleague = another_officer()
    with pytest.raises(WorkflowRefusal) as refused:
        services.refuse_budget_override(override, by=colleague, reason="  ")
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    refusal = services.refuse_budget_override(override, by=colleague, reason="Geen bijkrediet in zicht")
    assert (refusal.status, refusal.decided_by, refusal.refusal_reason) == (
        BudgetOverrideStatus.REFUSED,
        colleague,
        "Geen bijkrediet in zicht",
    )
    assert refusal.history.latest().history_change_reason == "Geen bijkrediet in zicht"
    short.refresh_from_db()
    assert (short.status, short.funding.count()) == (ApplicationStatus.SUBMITTED, 0)
    for decide in (
        lambda: services.sign_off_budget_override(override, by=another_officer()),
        lambda: services.refuse_budget_override(override, by=another_officer(), reason="Nogmaals"),
    ):
        with pytest.raises(WorkflowRefusal) as again:
            decide()
        assert again.value.code == "invalid_transition"
    # Refused, it may be asked again.
    assert services.request_budget_override(short, by=officer, reason="Nieuw bijkrediet").status == "pending"


def test_the_officer_who_asked_may_withdraw_the_request_by_refusing_it(officer, short):
    override = services.request_budget_override(short, by=officer, reason=REASON)
    withdrawn = services.refuse_budget_override(override, by=officer, reason="Vergissing")
    assert (withdrawn.status, withdrawn.decided_by) == (BudgetOverrideStatus.REFUSED, officer)


def test_a_request_when_the_budget_is_not_short_is_refused(officer, short):
    BudgetLine.objects.update(amount=Decimal("1000000.00"))
    with pytest.raises(WorkflowRefusal) as refused:
        services.request_budget_override(short, by=officer, reason=REASON)
    assert refused.value.code == "budget_not_exhausted"
    assert not BudgetOverride.objects.exists()
    assert Application.objects.get(pk=short.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"places": 0}, "no_free_place"),  # a sign-off could not approve it either
        ({"status": ApplicationStatus.DRAFT}, "invalid_transition"),
    ],
)
def test_a_request_the_approval_would_refuse_for_another_reason_gets_that_refusal(
    officer, short, change, code
):
    if "places" in change:
        short.traject.capacity_periods.update(**change)
    else:
        Application.objects.filter(pk=short.pk).update(**change)
    with pytest.raises(WorkflowRefusal) as refused:
        services.request_budget_override(short, by=officer, reason=REASON)
    assert refused.value.code == code
    assert not BudgetOverride.objects.exists()


def test_one_request_waits_per_application(officer, short):
    services.request_budget_override(short, by=officer, reason=REASON)
    with pytest.raises(WorkflowRefusal) as refused:
        services.request_budget_override(short, by=another_officer(), reason="Nog eens")
    assert refused.value.code == "override_pending"
    assert len(overrides_of(short)) == 1


def test_a_budget_no_longer_short_at_the_sign_off_simply_approves(officer, short):
    override = services.request_budget_override(short, by=officer, reason=REASON)
    BudgetLine.objects.update(amount=Decimal("1000000.00"))
    services.sign_off_budget_override(override, by=another_officer())
    short.refresh_from_db()
    assert short.status == ApplicationStatus.APPROVED
    assert application_history(short)[-1]["reason"] == ""  # no budget was exceeded


def test_a_sign_off_the_approval_refuses_leaves_the_request_waiting(officer, short):
    override = services.request_budget_override(short, by=officer, reason=REASON)
    short.traject.capacity_periods.update(places=0)
    with pytest.raises(WorkflowRefusal) as refused:
        services.sign_off_budget_override(override, by=another_officer())
    assert refused.value.code == "no_free_place"
    assert BudgetOverride.objects.get(pk=override.pk).status == BudgetOverrideStatus.PENDING
    short.refresh_from_db()
    assert (short.status, short.funding.count()) == (ApplicationStatus.SUBMITTED, 0)


def test_an_administrator_cannot_sign_off_their_own_request(short):
    administrator = UserFactory(role=Role.ADMIN, is_staff=True)
    override = services.request_budget_override(short, by=administrator, reason=REASON)
    with pytest.raises(WorkflowRefusal) as refused:
        services.sign_off_budget_override(override, by=administrator)
    assert refused.value.code == "same_person"


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.FINANCE, Role.CABINET, Role.SECTOR_CONSULTANT])
def test_only_officers_request_sign_off_and_refuse(officer, short, role):
    outsider = UserFactory(role=role)
    with pytest.raises(WorkflowRefusal) as refused:
        services.request_budget_override(short, by=outsider, reason=REASON)
    assert refused.value.code == "forbidden"
    override = services.request_budget_override(short, by=officer, reason=REASON)
    for decide in (
        lambda: services.sign_off_budget_override(override, by=outsider),
        lambda: services.refuse_budget_override(override, by=outsider, reason="Nee"),
    ):
        with pytest.raises(WorkflowRefusal) as refused:
            decide()
        assert refused.value.code == "forbidden"
    assert BudgetOverride.objects.get(pk=override.pk).status == BudgetOverrideStatus.PENDING


def test_the_api_lists_the_requests_waiting_and_signs_off(officer, short):
    api = client_for(officer)
    created = api.post(
        "/api/v1/budget-overrides/", {"application": short.pk, "reason": REASON}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["requested_by"], body["application_status"], body["decided_by"]) == (
        "pending",
        officer.username,
        "submitted",
        None,
    )
    other = ApplicationFactory(traject=short.traject)
    refused = services.refuse_budget_override(
        services.request_budget_override(other, by=officer, reason=REASON), by=officer, reason="Vergissing"
    )
    pending = api.get("/api/v1/budget-overrides/", {"status": "pending"}).json()["results"]
    assert [row["id"] for row in pending] == [body["id"]]
    assert {row["id"] for row in api.get("/api/v1/budget-overrides/").json()["results"]} == {
        body["id"],
        refused.pk,
    }

    alone = api.post(f"/api/v1/budget-overrides/{body['id']}/sign-off/")
    assert (alone.status_code, alone.json()["code"]) == (409, "same_person")
    signed = client_for(another_officer()).post(f"/api/v1/budget-overrides/{body['id']}/sign-off/")
    assert (signed.status_code, signed.json()["status"], signed.json()["application_status"]) == (
        200,
        "signed_off",
        "approved",
    )
    history = api.get(f"/api/v1/applications/{short.pk}/history/").json()
    assert officer.username in history[-1]["reason"]


@pytest.mark.parametrize("application", [-3332957932, 0, 2**63 - 1, 2**64, "-5", "99999999999999999999999"])
def test_an_application_id_no_row_has_is_not_found_rather_than_a_wrong_type(officer, short, application):
    response = client_for(officer).post(
        "/api/v1/budget-overrides/", {"application": application, "reason": REASON}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not BudgetOverride.objects.exists()


@pytest.mark.parametrize("application", ["abc", 1.5, "1.0", "\u0663", True, [1]])
def test_an_application_that_is_no_whole_number_is_a_wrong_value(officer, short, application):
    response = client_for(officer).post(
        "/api/v1/budget-overrides/", {"application": application, "reason": REASON}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert list(response.json()) == ["detail", "code", "application"]
    assert not BudgetOverride.objects.exists()


def test_the_api_refuses_with_a_reason_and_answers_409_to_a_needless_request(officer, short):
    api = client_for(officer)
    created = api.post(
        "/api/v1/budget-overrides/", {"application": short.pk, "reason": REASON}, format="json"
    )
    url = f"/api/v1/budget-overrides/{created.json()['id']}/refuse/"
    colleague = client_for(another_officer())
    assert list(colleague.post(url, {}, format="json").json()) == ["detail", "code", "reason"]
    refused = colleague.post(url, {"reason": "Geen bijkrediet"}, format="json")
    assert (refused.status_code, refused.json()["status"], refused.json()["refusal_reason"]) == (
        200,
        "refused",
        "Geen bijkrediet",
    )
    BudgetLine.objects.update(amount=Decimal("1000000.00"))
    needless = api.post(
        "/api/v1/budget-overrides/", {"application": short.pk, "reason": REASON}, format="json"
    )
    assert (needless.status_code, needless.json()["code"]) == (409, "budget_not_exhausted")


def test_one_officer_alone_cannot_approve_over_the_budget_through_approve(officer, short):
    response = client_for(officer).post(
        f"/api/v1/applications/{short.pk}/approve/", {"budget_override_reason": REASON}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "sign_off_required")
    assert (Application.objects.get(pk=short.pk).status, BudgetOverride.objects.count()) == (
        ApplicationStatus.SUBMITTED,
        0,
    )


def test_the_database_refuses_a_request_signed_off_by_whoever_asked(officer, short):
    override = services.request_budget_override(short, by=officer, reason=REASON)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetOverride.objects.filter(pk=override.pk).update(
            status=BudgetOverrideStatus.SIGNED_OFF, decided_by=officer, decided_at=timezone.now()
        )


# -- races (PostgreSQL) ----------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_signing_off_at_once_approve_once():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite serialises writers anyway)")
    traject = TrajectFactory(code="leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY - datetime.timedelta(days=30), end=TODAY + datetime.timedelta(days=30)
    )
    source = FundingSource.objects.create(code="eu", name="ESF+", is_subsidy=True)
    BudgetLine.objects.create(traject=traject, source=source, amount=Decimal("100.00"))
    FundingRule.objects.create(traject=traject, default_planned_cost=Decimal("5000.00"))
    application = ApplicationFactory(traject=traject)
    override = services.request_budget_override(application, by=UserFactory(role=Role.OFFICER), reason=REASON)
    signers = [UserFactory(role=Role.OFFICER) for _ in range(2)]
    outcomes, barrier = [], threading.Barrier(len(signers))

    def sign_off(signer):
        try:
            barrier.wait(timeout=10)
            response = client_for(signer).post(f"/api/v1/budget-overrides/{override.pk}/sign-off/")
            outcomes.append((response.status_code, response.json().get("code")))
        except Exception as error:  # shown by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_off, args=[signer]) for signer in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [(200, None), (409, "invalid_transition")]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.funding.get().amount == Decimal("5000.00")  # committed once
    assert BudgetOverride.objects.get(pk=override.pk).decided_by_id in {signer.pk for signer in signers}
