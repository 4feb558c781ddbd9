"""Cost declarations: within the commitment, split over the sources to the cent, decided by officers and
paid by the financial service (the four-eyes rules themselves: tests/test_four_eyes.py)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding import services
from funding.models import Declaration, DeclarationAttachment, DeclarationShare, DeclarationStatus
from participants.models import ApplicationStatus
from tests.clients import client_for
from tests.factories import (
    ApplicationFundingFactory,
    ApprovedApplicationFactory,
    DeclarationFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

TODAY = timezone.localdate()
pytestmark = pytest.mark.django_db
COSTS = {"period_start": "2025-04-01", "period_end": "2025-04-30", "amount": "333.33", "hours": "7.50"}


@pytest.fixture
def promoter():
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))


def started_application(organisation, traject_code="leren", **fields):
    """Create an application in progress that committed 1000.01 euro: 400.00 of the EU and 600.01 of
    Flanders."""
    traject = TrajectFactory(code=traject_code)
    project = ProjectFactory(traject=traject, organisations=[organisation])
    application = ApprovedApplicationFactory(
        traject=traject,
        project=project,
        **{"status": ApplicationStatus.IN_PROGRESS, "started_on": datetime.date(2025, 4, 1), **fields},
    )
    for code, amount in (("eu", "400.00"), ("flemish", "600.01")):
        ApplicationFundingFactory(
            application=application, source=FundingSourceFactory(code=code), amount=Decimal(amount)
        )
    return application


@pytest.fixture
def application(promoter):
    return started_application(promoter.organisation)


def declare(application, by, amount, **fields):
    values = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 4, 30),
        "hours": Decimal(0),
        **fields,
    }
    return services.declare_costs(application, by=by, amount=Decimal(amount), **values)


def shares_of(declaration) -> dict[str, Decimal]:
    return dict(declaration.shares.values_list("source__code", "amount"))


def saved() -> tuple[int, int, int]:
    return (
        Declaration.objects.count(),
        DeclarationShare.objects.count(),
        DeclarationAttachment.objects.count(),
    )


# -- declaring ----------------------------------------------------------------------------------------
def test_a_declaration_within_the_commitment_is_split_over_the_sources_to_the_cent(promoter, application):
    response = client_for(promoter).post(
        "/api/v1/declarations/", {**COSTS, "application": application.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["hours"], body["status"]) == ("333.33", "7.50", "submitted")
    assert (body["declared_by"], body["declared_on"]) == (promoter.username, TODAY.isoformat())
    assert (body["company_name"], body["traject"]) == (application.company.name, "leren")
    assert body["shares"] == [{"source": "eu", "amount": "133.33"}, {"source": "flemish", "amount": "200.00"}]


def test_hours_and_description_may_be_left_out(promoter, application):
    costs = {key: COSTS[key] for key in ("period_start", "period_end", "amount")}
    response = client_for(promoter).post(
        "/api/v1/declarations/", {**costs, "application": application.pk}, format="json"
    )
    assert (response.status_code, response.json()["hours"], response.json()["description"]) == (
        201,
        "0.00",
        "",
    )


@pytest.mark.parametrize("amount", ["0.01", "0.05", "0.99", "333.33", "777.77", "1000.01"])
def test_the_shares_always_add_up_to_the_declared_amount(promoter, application, amount):
    shares = shares_of(declare(application, promoter, amount))
    assert sum(shares.values()) == Decimal(amount)
    assert all(part >= 0 for part in shares.values())
    assert all(part == part.quantize(Decimal("0.01")) for part in shares.values())


def test_the_whole_commitment_splits_as_it_was_committed(promoter, application):
    assert shares_of(declare(application, promoter, "1000.01")) == {
        "eu": Decimal("400.00"),
        "flemish": Decimal("600.01"),
    }


def test_a_declaration_over_the_commitment_is_refused_with_409_and_saves_nothing(promoter, application):
    declare(application, promoter, "600.00")
    before = saved()
    response = client_for(promoter).post(
        "/api/v1/declarations/", {**COSTS, "amount": "400.02", "application": application.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "over_commitment")
    assert "400,01" in response.json()["detail"]  # what is left
    assert saved() == before
    declare(application, promoter, "400.01")  # exactly what is left is fine
    assert Declaration.objects.count() == 2


def test_rejected_declarations_do_not_count_towards_the_commitment(promoter, officer, application):
    first = declare(application, promoter, "1000.01")
    with pytest.raises(WorkflowRefusal) as refused:
        declare(application, promoter, "0.01")
    assert refused.value.code == "over_commitment"
    services.reject_declaration(first, by=officer, reason="Geen bewijsstukken")
    assert declare(application, promoter, "1000.01").status == DeclarationStatus.SUBMITTED


def test_approved_and_paid_declarations_still_count(promoter, officer, finance, application):
    first = declare(application, promoter, "1000.00")
    services.mark_declaration_paid(services.approve_declaration(first, by=officer), by=finance)
    with pytest.raises(WorkflowRefusal) as refused:
        declare(application, promoter, "0.02")
    assert refused.value.code == "over_commitment"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_end": "2025-03-31"}, "period_end"),  # before the start
        ({"period_end": (TODAY + datetime.timedelta(days=1)).isoformat()}, "period_end"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"hours": "-1"}, "hours"),
        ({"period_start": "1 april"}, "period_start"),
    ],
)
def test_wrong_periods_and_amounts_answer_400_and_save_nothing(promoter, application, change, field):
    response = client_for(promoter).post(
        "/api/v1/declarations/", {**COSTS, "application": application.pk, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert saved() == (0, 0, 0)


def test_the_service_refuses_an_amount_in_fractions_of_a_cent(promoter, application):
    with pytest.raises(WorkflowRefusal) as refused:
        declare(application, promoter, "10.005")
    assert (refused.value.code, refused.value.field) == ("invalid_amount", "amount")


def test_costs_are_declared_only_once_the_coaching_started(promoter):
    application = started_application(
        promoter.organisation, status=ApplicationStatus.APPROVED, started_on=None
    )
    response = client_for(promoter).post(
        "/api/v1/declarations/", {**COSTS, "application": application.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert saved() == (0, 0, 0)


def test_a_promoter_of_another_organisation_cannot_declare(application):
    stranger = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo"))
    response = client_for(stranger).post(
        "/api/v1/declarations/", {**COSTS, "application": application.pk}, format="json"
    )
    assert response.status_code == 404
    with pytest.raises(WorkflowRefusal) as refused:
        declare(application, stranger, "10.00")
    assert refused.value.code == "forbidden"
    assert saved() == (0, 0, 0)


def test_a_sector_consultant_cannot_declare_even_for_an_application_it_sees(application):
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT)
    with pytest.raises(WorkflowRefusal) as refused:
        declare(application, consultant, "10.00")
    assert refused.value.code == "forbidden"


def test_attachments_are_saved_with_the_declaration(promoter, application, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = [
        SimpleUploadedFile("factuur-april.pdf", b"%PDF-1.4 factuur", content_type="application/pdf"),
        SimpleUploadedFile("uren.csv", b"datum;uren\n2025-04-02;7.5\n", content_type="text/csv"),
    ]
    response = client_for(promoter).post(
        "/api/v1/declarations/",
        {**COSTS, "application": application.pk, "attachments": files},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert sorted(attachment["name"] for attachment in response.json()["attachments"]) == [
        "factuur-april.pdf",
        "uren.csv",
    ]
    attachments = DeclarationAttachment.objects.filter(declaration_id=response.json()["id"])
    assert {attachment.file.read() for attachment in attachments} == {
        b"%PDF-1.4 factuur",
        b"datum;uren\n2025-04-02;7.5\n",
    }
    assert all((tmp_path / attachment.file.name).is_file() for attachment in attachments)


# -- deciding -----------------------------------------------------------------------------------------
def url(declaration, action):
    return f"/api/v1/declarations/{declaration.pk}/{action}/"


def test_an_officer_approves_and_the_financial_service_marks_paid(promoter, officer, finance, application):
    declaration = declare(application, promoter, "500.00")
    approved = client_for(officer).post(url(declaration, "approve"))
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["decided_on"]) == ("approved", TODAY.isoformat())
    assert approved.json()["decided_by"] == officer.username
    paid = client_for(finance).post(url(declaration, "mark-paid"), {"on": TODAY.isoformat()}, format="json")
    assert (paid.status_code, paid.json()["status"], paid.json()["paid_on"], paid.json()["paid_by"]) == (
        200,
        "paid",
        TODAY.isoformat(),
        finance.username,
    )
    history = Declaration.objects.get(pk=declaration.pk).history.order_by("history_date", "history_id")
    assert [record.status for record in history] == ["submitted", "approved", "paid"]
    assert [record.history_user for record in history] == [promoter, officer, finance]


def test_rejecting_needs_a_reason_which_the_history_keeps(promoter, officer, application):
    declaration = declare(application, promoter, "500.00")
    api = client_for(officer)
    assert list(api.post(url(declaration, "reject"), {}, format="json").json()) == [
        "detail",
        "code",
        "reason",
    ]
    with pytest.raises(WorkflowRefusal) as refused:
        services.reject_declaration(declaration, by=officer, reason="   ")
    assert refused.value.code == "reason_required"
    assert Declaration.objects.get(pk=declaration.pk).status == DeclarationStatus.SUBMITTED
    rejected = api.post(url(declaration, "reject"), {"reason": "Dubbel ingediend"}, format="json")
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["reason"]) == (
        200,
        "rejected",
        "Dubbel ingediend",
    )
    assert (
        Declaration.objects.get(pk=declaration.pk).history.first().history_change_reason == "Dubbel ingediend"
    )


@pytest.mark.parametrize(
    ("decisions", "action"),
    [
        ([], "mark-paid"),  # a submitted declaration is not paid before it is approved
        (["approve"], "approve"),
        (["approve"], "reject"),
        (["approve", "mark-paid"], "approve"),
        (["approve", "mark-paid"], "mark-paid"),
        (["reject"], "approve"),
        (["reject"], "mark-paid"),
    ],
)
def test_decisions_out_of_order_answer_409(promoter, officer, finance, application, decisions, action):
    declaration = declare(application, promoter, "500.00")
    # Officers decide, the financial service pays.
    api = {"approve": client_for(officer), "reject": client_for(officer), "mark-paid": client_for(finance)}
    for decision in decisions:
        response = api[decision].post(url(declaration, decision), {"reason": "Onvolledig"}, format="json")
        assert response.status_code == 200
    before = Declaration.objects.get(pk=declaration.pk).status
    refused = api[action].post(url(declaration, action), {"reason": "Onvolledig"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    assert Declaration.objects.get(pk=declaration.pk).status == before


def test_a_payment_date_is_neither_in_the_future_nor_before_the_approval(
    promoter, officer, finance, application
):
    declaration = services.approve_declaration(declare(application, promoter, "500.00"), by=officer)
    api = client_for(finance)
    for day in (TODAY + datetime.timedelta(days=1), TODAY - datetime.timedelta(days=1)):
        response = api.post(url(declaration, "mark-paid"), {"on": day.isoformat()}, format="json")
        assert (response.status_code, list(response.json())) == (400, ["detail", "code", "on"])
    assert Declaration.objects.get(pk=declaration.pk).status == DeclarationStatus.APPROVED


@pytest.mark.parametrize("action", ["approve", "reject", "mark-paid"])
def test_promoters_cannot_decide_on_their_own_declarations(promoter, officer, application, action):
    declaration = declare(application, promoter, "500.00")
    if action == "mark-paid":
        services.approve_declaration(declaration, by=officer)
    before = Declaration.objects.get(pk=declaration.pk).status
    response = client_for(promoter).post(url(declaration, action), {"reason": "Zelf"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert Declaration.objects.get(pk=declaration.pk).status == before


# -- reading ------------------------------------------------------------------------------------------
def test_the_list_is_scoped_and_filtered(promoter, officer, application):
    own = declare(application, promoter, "100.00")
    other_promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo"))
    other_application = started_application(other_promoter.organisation, "werk")
    other = declare(other_application, other_promoter, "200.00")
    services.approve_declaration(other, by=officer)

    def ids(user, query=None):
        response = client_for(user).get("/api/v1/declarations/", query or {})
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(officer) == {own.pk, other.pk}
    assert ids(promoter) == {own.pk}
    assert ids(officer, {"status": "approved"}) == {other.pk}
    assert ids(officer, {"application": application.pk}) == {own.pk}
    assert client_for(promoter).get(f"/api/v1/declarations/{other.pk}/").status_code == 404
    assert client_for(promoter).post(url(other, "approve")).status_code == 404
    for role in (Role.SECTOR_CONSULTANT, Role.CABINET):
        assert client_for(UserFactory(role=role)).get("/api/v1/declarations/").status_code == 403


def test_officers_do_not_declare_through_the_api(officer, application):
    response = client_for(officer).post(
        "/api/v1/declarations/", {**COSTS, "application": application.pk}, format="json"
    )
    assert response.status_code == 403
    assert declare(application, officer, "10.00").declared_by == officer  # the service allows it


def test_the_declaration_list_costs_the_same_queries_for_many_rows(officer, promoter, application):
    def queries_for_the_list():
        client = client_for(User.objects.get(pk=officer.pk))  # no roles or permissions cached yet
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/declarations/").status_code == 200
        return len(context)

    declare(application, promoter, "10.00")
    few = queries_for_the_list()
    for declaration in DeclarationFactory.create_batch(10, declared_by=promoter):
        DeclarationShare.objects.create(
            declaration=declaration, source=FundingSourceFactory(), amount=Decimal(1)
        )
        DeclarationAttachment.objects.create(declaration=declaration, file="declarations/2025/04/factuur.pdf")
        services.approve_declaration(declaration, by=officer)
    assert queries_for_the_list() == few


# -- admin --------------------------------------------------------------------------------------------
CHANGELIST = reverse("admin:funding_declaration_changelist")


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_admin_actions_go_through_the_services_and_report_per_declaration(
    client, promoter, officer, finance, application
):
    first, second = declare(application, promoter, "100.00"), declare(application, promoter, "200.00")
    services.reject_declaration(second, by=officer, reason="Dubbel")
    client.force_login(officer)
    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert [Declaration.objects.get(pk=pk).status for pk in (first.pk, second.pk)] == [
        DeclarationStatus.APPROVED,
        DeclarationStatus.REJECTED,
    ]
    assert len(shown(response)) == 2
    client.force_login(finance)
    client.post(CHANGELIST, {"action": "mark_paid_selected", "_selected_action": [first.pk]})
    assert Declaration.objects.get(pk=first.pk).status == DeclarationStatus.PAID


def test_the_admin_asks_a_reason_before_rejecting(client, promoter, officer, application):
    declaration = declare(application, promoter, "100.00")
    client.force_login(officer)
    asked = client.post(CHANGELIST, {"action": "reject_selected", "_selected_action": [declaration.pk]})
    assert (asked.status_code, "reason" in asked.context["form"].fields) == (200, True)
    assert Declaration.objects.get(pk=declaration.pk).status == DeclarationStatus.SUBMITTED
    client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [declaration.pk], "reason": "Onvolledig"},
    )
    rejected = Declaration.objects.get(pk=declaration.pk)
    assert (rejected.status, rejected.reason) == (DeclarationStatus.REJECTED, "Onvolledig")


def test_the_admin_shows_a_declaration_read_only(client, promoter, officer, application):
    declaration = declare(application, promoter, "100.00")
    client.force_login(officer)
    assert client.get(CHANGELIST).status_code == 200
    page = client.get(reverse("admin:funding_declaration_change", args=[declaration.pk]))
    assert page.status_code == 200
    assert not {"amount", "status", "period_end"} & set(page.context["adminform"].form.fields)
    assert client.get(reverse("admin:funding_declaration_add")).status_code == 403


def test_an_administrator_declares_in_the_admin_with_the_same_checks(client, application):
    administrator = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(administrator)
    add = reverse("admin:funding_declaration_add")
    form = {
        "application": application.pk,
        "period_start": "2025-04-01",
        "period_end": "2025-04-30",
        "amount": "1000.02",
        "hours": "12",
        "description": "April",
    }
    refused = client.post(add, form)
    assert (refused.status_code, "amount=1000.02" in refused["Location"]) == (302, True)
    assert any("1.000,01" in message for message in shown(client.get(refused["Location"])))
    assert saved() == (0, 0, 0)
    assert client.post(add, {**form, "amount": "1000.01"}).status_code == 302
    declaration = Declaration.objects.get()
    assert shares_of(declaration) == {"eu": Decimal("400.00"), "flemish": Decimal("600.01")}
    assert (declaration.declared_by, declaration.history.get().history_user) == (administrator, administrator)


# -- concurrency --------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_declarations_racing_for_the_last_euros_never_exceed_the_commitment():
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises writers anyway)")
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))
    application = started_application(promoter.organisation)
    outcomes, barrier = [], threading.Barrier(10)

    def declare_in_thread():
        try:
            barrier.wait()
            declare(application, promoter, "300.00")
            outcomes.append("declared")
        except WorkflowRefusal as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # anything else is a failure the assertion below shows
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=declare_in_thread) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["declared"] * 3 + ["over_commitment"] * 7
