"""State aid: the de-minimis ceiling of a single undertaking, the aid ledger, its headroom and its register.

The ceiling is €300,000.00 over the three years up to and including the decision date; linked companies
count as one undertaking, declared other aid counts too, exempted training aid does not. Run on
PostgreSQL as well: the race between two approvals in one group needs its row locks.
"""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding import services as funding_services
from funding.aid_register import register_csv, register_rows, register_xlsx
from funding.models import (
    AidBasis,
    AidLine,
    ApplicationFunding,
    BudgetLine,
    CompanyLink,
    DeclarationStatus,
    DeclaredAid,
    FundingRule,
    FundingSource,
    FundingSourceCode,
)
from funding.selectors import aid_position, single_undertaking, years_before
from participants import services
from participants.models import Application, ApplicationStatus
from tests.clients import client_for
from tests.factories import (
    AidLineFactory,
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    CompanyLinkFactory,
    DeclarationFactory,
    DeclaredAidFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)
SUBMITTED = datetime.date(2026, 1, 5)
EVERY_SIZE = ["micro", "small", "medium", "large", "non_profit"]


# -- the world ---------------------------------------------------------------------------------------
def make_sources() -> dict[str, FundingSource]:
    return {
        code: FundingSource.objects.create(
            code=code, name=code, is_subsidy=code in (FundingSourceCode.EU, FundingSourceCode.FLEMISH)
        )
        for code in FundingSourceCode.values
    }


def make_traject(sources, code, *, promoter_share="0", company_surcharge="0", aid_basis=AidBasis.DE_MINIMIS):
    """Return a traject open to every company with places and budget to spare from 2020 to 2030, so only
    the State-aid rules refuse."""
    traject = TrajectFactory(code=code, name=f"Voorsprong in {code}", allowed_size_classes=EVERY_SIZE)
    CapacityPeriodFactory(
        traject=traject, start=datetime.date(2020, 1, 1), end=datetime.date(2030, 12, 31), places=100
    )
    for source, amount in (("eu", "40000000.00"), ("flemish", "60000000.00")):
        BudgetLine.objects.create(traject=traject, source=sources[source], amount=Decimal(amount))
    FundingRule.objects.create(
        traject=traject,
        default_planned_cost=Decimal("14900.00"),
        promoter_share=Decimal(promoter_share),
        company_surcharge=Decimal(company_surcharge),
        aid_basis=aid_basis,
    )
    return traject


@pytest.fixture
def sources():
    return make_sources()


@pytest.fixture
def leren(sources):
    return make_traject(sources, "leren")


@pytest.fixture
def werk(sources):
    return make_traject(sources, "werk", promoter_share="0.15")


@pytest.fixture
def training(sources):
    return make_traject(sources, "opleiding", aid_basis=AidBasis.GBER_TRAINING)


def earlier_aid(company, amount, on, basis=AidBasis.DE_MINIMIS) -> AidLine:
    """Return the aid line of an earlier approval of ``company`` on ``on``."""
    return AidLineFactory(
        application__company=company,
        application__submitted_on=on,
        application__decided_on=on,
        amount=Decimal(amount),
        basis=basis,
    )


def applying(company, traject, planned_cost) -> Application:
    return ApplicationFactory(
        company=company, traject=traject, planned_cost=Decimal(planned_cost), submitted_on=SUBMITTED
    )


def approve(application, officer, day=DAY) -> Application:
    return services.approve_application(application, by=officer, on=day)


def refused_over_the_ceiling(application, officer, day=DAY) -> str:
    """Assert the approval is refused with de_minimis_exceeded and saves nothing; return the message."""
    with pytest.raises(WorkflowRefusal) as refusal:
        approve(application, officer, day)
    assert refusal.value.code == "de_minimis_exceeded"
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.status, fresh.decided_on, fresh.capacity_period_id) == (
        ApplicationStatus.SUBMITTED,
        None,
        None,
    )
    assert not ApplicationFunding.objects.filter(application=application).exists()
    assert not AidLine.objects.filter(application=application).exists()
    return refusal.value.message


# -- the ceiling ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("planned_cost", ["199999.99", "200000.00"])
def test_aid_up_to_the_ceiling_is_granted(leren, officer, planned_cost):
    company = CompanyFactory()
    earlier_aid(company, "100000.00", datetime.date(2025, 1, 15))

    approve(applying(company, leren, planned_cost), officer)

    assert aid_position(company.pk, DAY).granted == Decimal("100000.00") + Decimal(planned_cost)


def test_a_cent_over_the_ceiling_is_refused_saying_the_headroom(leren, officer):
    company = CompanyFactory(name="Bakkerij Peeters BV")
    earlier_aid(company, "100000.00", datetime.date(2025, 1, 15))

    message = refused_over_the_ceiling(applying(company, leren, "200000.01"), officer)

    assert "Bakkerij Peeters BV" in message
    assert "300.000,00 euro" in message
    assert "er blijft dus 200.000,00 euro over" in message
    assert "200.000,01 euro" in message
    assert "Van 10 maart 2023 tot en met 10 maart 2026" in message  # running text: the month in words


def test_there_is_no_override(leren, officer):
    """An approval over the budget can be signed off by a second officer; one over the ceiling cannot even
    be asked for."""
    company = CompanyFactory()
    earlier_aid(company, "300000.00", datetime.date(2025, 1, 15))
    application = applying(company, leren, "100.00")

    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.request_budget_override(application, by=officer, reason="Minister")
    assert refusal.value.code == "de_minimis_exceeded"
    assert not application.budget_overrides.exists()


@pytest.mark.parametrize(
    ("granted_on", "counts"),
    [
        (datetime.date(2023, 3, 10), True),  # exactly three years before the decision
        (datetime.date(2023, 3, 9), False),  # a day older
        (DAY, True),  # the decision date itself
    ],
)
def test_the_window_is_the_three_years_up_to_and_including_the_decision_date(
    leren, officer, granted_on, counts
):
    company = CompanyFactory()
    earlier_aid(company, "300000.00", granted_on)
    application = applying(company, leren, "0.01")

    if counts:
        refused_over_the_ceiling(application, officer)
    else:
        approve(application, officer)
        assert AidLine.objects.get(application=application).amount == Decimal("0.01")


@pytest.mark.parametrize(
    ("granted_on", "counts"),
    [(datetime.date(2025, 2, 28), True), (datetime.date(2025, 2, 27), False)],
)
def test_a_decision_on_29_february_looks_back_to_28_february(leren, officer, granted_on, counts):
    """2025 has no 29 February: a period in years then ends on the month's last day."""
    decision = datetime.date(2028, 2, 29)
    company = CompanyFactory()
    earlier_aid(company, "300000.00", granted_on)
    application = applying(company, leren, "0.01")

    if counts:
        refused_over_the_ceiling(application, officer, decision)
    else:
        approve(application, officer, decision)


def test_years_before_keeps_the_date_and_clamps_29_february():
    assert years_before(datetime.date(2026, 3, 10), 3) == datetime.date(2023, 3, 10)
    assert years_before(datetime.date(2028, 2, 29), 3) == datetime.date(2025, 2, 28)
    assert years_before(datetime.date(2027, 2, 28), 3) == datetime.date(2024, 2, 28)
    assert years_before(datetime.date(2028, 2, 29), 4) == datetime.date(2024, 2, 29)


def test_the_aid_of_a_linked_company_counts_through_the_whole_group(leren, officer):
    """Links count in either direction and transitively: the parent, its subsidiary and that one's own."""
    parent, subsidiary, grandchild = CompanyFactory(), CompanyFactory(), CompanyFactory()
    CompanyLinkFactory(controlling_company=parent, controlled_company=subsidiary)
    CompanyLinkFactory(controlling_company=subsidiary, controlled_company=grandchild, kind="board")
    earlier_aid(grandchild, "250000.00", datetime.date(2025, 6, 1))
    outsider = CompanyFactory()
    earlier_aid(outsider, "250000.00", datetime.date(2025, 6, 1))

    application = applying(parent, leren, "50000.01")
    message = refused_over_the_ceiling(application, officer)
    assert "50.000,00 euro over" in message
    services.update_application_details(
        application, by=officer, project=None, referral=None, planned_cost=Decimal("50000.00")
    )
    approve(application, officer)
    approve(applying(CompanyFactory(), leren, "50000.00"), officer)  # not linked: its own ceiling


def test_declared_other_aid_counts_also_that_of_a_linked_company(leren, officer):
    company, sister = CompanyFactory(), CompanyFactory()
    CompanyLinkFactory(controlling_company=sister, controlled_company=company, kind="dominant_influence")
    DeclaredAidFactory(
        application__company=sister, granted_on=datetime.date(2024, 9, 1), amount=Decimal("120000.00")
    )
    application = applying(company, leren, "100000.01")
    DeclaredAidFactory(
        application=application, granted_on=datetime.date(2025, 1, 1), amount=Decimal("80000.00")
    )

    refused_over_the_ceiling(application, officer)
    DeclaredAid.objects.filter(granted_on=datetime.date(2024, 9, 1)).update(
        granted_on=datetime.date(2023, 3, 9)
    )
    approve(application, officer)  # the sister's grant is now older than three years


def test_exempted_training_aid_does_not_count_and_is_not_capped(leren, training, officer):
    company = CompanyFactory()
    earlier_aid(company, "299000.00", datetime.date(2025, 1, 15))
    earlier_aid(company, "500000.00", datetime.date(2025, 6, 1), basis=AidBasis.GBER_TRAINING)

    approve(applying(company, leren, "1000.00"), officer)  # de minimis: exactly at the ceiling
    exempted = approve(applying(company, training, "200000.00"), officer)  # exempted: no ceiling

    line = AidLine.objects.get(application=exempted)
    assert (line.basis, line.amount) == (AidBasis.GBER_TRAINING, Decimal("200000.00"))
    assert "651/2014" in line.legal_basis
    assert aid_position(company.pk, DAY).granted == Decimal("300000.00")


def test_a_cycle_of_links_is_one_group(leren):
    first, second, third = CompanyFactory(), CompanyFactory(), CompanyFactory()
    CompanyLinkFactory(controlling_company=first, controlled_company=second)
    CompanyLinkFactory(controlling_company=second, controlled_company=third)
    CompanyLinkFactory(controlling_company=third, controlled_company=first)
    lone = CompanyFactory()

    assert single_undertaking(second.pk) == sorted([first.pk, second.pk, third.pk])
    assert single_undertaking(lone.pk) == [lone.pk]


# -- the aid line the approval writes -------------------------------------------------------------------
def test_the_approval_writes_the_subsidy_parts_as_aid_never_the_own_contributions(sources, werk, officer):
    motivatie = make_traject(sources, "motivatie", company_surcharge="0.15")
    in_werk = approve(applying(CompanyFactory(), werk, "20800.00"), officer)
    in_motivatie = approve(applying(CompanyFactory(), motivatie, "43400.00"), officer)

    for application, aid in ((in_werk, "17680.00"), (in_motivatie, "43400.00")):
        line = AidLine.objects.get(application=application)
        committed = dict(application.funding.values_list("source__code", "amount"))
        assert line.amount == Decimal(aid) == committed["eu"] + committed["flemish"]
        assert (line.company_id, line.granted_on, line.basis) == (application.company_id, DAY, "de_minimis")
        assert line.legal_basis == "Verordening (EU) 2023/2831 van de Commissie (de-minimissteun)"
        assert line.grantor == "Departement Werk en Sociale Economie"
        assert line.history.get().history_user == officer


def test_a_traject_without_funding_rule_grants_no_aid(officer):
    traject = TrajectFactory(code="leren")
    CapacityPeriodFactory(traject=traject, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    application = approve(ApplicationFactory(traject=traject, submitted_on=DAY), officer)
    assert application.status == ApplicationStatus.APPROVED
    assert not AidLine.objects.exists()


# -- withdrawal ----------------------------------------------------------------------------------------
def test_a_withdrawal_before_any_payment_cancels_the_line_and_keeps_its_history(leren, officer):
    company = CompanyFactory()
    application = approve(applying(company, leren, "300000.00"), officer)
    withdrawn_on = datetime.date(2026, 4, 1)

    services.withdraw_application(
        application, by=officer, reason="Op vraag van de onderneming", on=withdrawn_on
    )

    line = AidLine.objects.get(application=application)
    assert (line.cancelled_on, line.cancellation_reason) == (withdrawn_on, "Op vraag van de onderneming")
    assert line.amount == Decimal("300000.00")  # the grant itself is not rewritten
    created, cancelled = line.history.order_by("history_id")
    assert (created.history_type, cancelled.history_type) == ("+", "~")
    assert cancelled.history_user == officer and cancelled.cancelled_on == withdrawn_on
    # Counted until its cancellation, not from then on: the whole ceiling is free again.
    assert aid_position(company.pk, datetime.date(2026, 3, 31)).granted == Decimal("300000.00")
    assert aid_position(company.pk, withdrawn_on).granted == Decimal("0.00")
    approve(applying(company, leren, "300000.00"), officer, withdrawn_on)


def test_a_withdrawal_after_a_payment_keeps_the_aid(leren, officer):
    application = approve(applying(CompanyFactory(), leren, "10000.00"), officer)
    DeclarationFactory(
        application=application,
        status=DeclarationStatus.PAID,
        decided_on=datetime.date(2026, 3, 20),
        paid_on=datetime.date(2026, 3, 25),
    )

    services.withdraw_application(
        application, by=officer, reason="Faillissement", on=datetime.date(2026, 4, 1)
    )

    assert AidLine.objects.get(application=application).cancelled_on is None


def test_a_withdrawal_dated_before_the_approval_is_refused(leren, officer):
    application = approve(applying(CompanyFactory(), leren, "10000.00"), officer)  # submitted on 5/1/2026
    with pytest.raises(WorkflowRefusal) as refusal:
        services.withdraw_application(
            application, by=officer, reason="Op vraag", on=datetime.date(2026, 3, 9)
        )
    assert (refusal.value.code, refusal.value.field) == ("invalid_date", "on")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
    assert AidLine.objects.get(application=application).cancelled_on is None


# -- the eligibility check (approval, intake and pre-check) -------------------------------------------
def test_the_eligibility_check_uses_the_traject_default_or_the_applications_planned_aid(leren, werk, officer):
    company = CompanyFactory()
    earlier_aid(company, "290000.00", datetime.date(2025, 1, 15))

    # The pre-check: leren's default planned cost of 14,900.00 is all aid; werk's own share leaves 12,665.00.
    with pytest.raises(WorkflowRefusal) as refusal:
        services.check_eligibility(company, leren, DAY)
    assert refusal.value.code == "de_minimis_exceeded"
    assert "10.000,00 euro over" in refusal.value.message
    with pytest.raises(WorkflowRefusal):
        services.check_eligibility(company, werk, DAY)
    # An application of its own size: what it plans decides (werk: 15% of it is the promoters' own).
    services.check_eligibility(
        company, leren, DAY, Application(traject=leren, planned_cost=Decimal("10000.00"))
    )
    with pytest.raises(WorkflowRefusal):
        services.check_eligibility(
            company, werk, DAY, Application(traject=werk, planned_cost=Decimal("11764.72"))
        )
    services.check_eligibility(
        company, werk, DAY, Application(traject=werk, planned_cost=Decimal("11764.71"))
    )


def test_the_pre_check_says_no_for_exempted_aid_never(training):
    company = CompanyFactory()
    earlier_aid(company, "300000.00", datetime.date(2025, 1, 15))
    services.check_eligibility(company, training, DAY)


# -- the race ------------------------------------------------------------------------------------------
def approve_at_once(applications, officers) -> list[str]:
    """Approve each application by its own officer in a thread of its own, all released by one barrier;
    return the outcomes."""
    outcomes, barrier = [], threading.Barrier(len(applications))

    def decide(application, officer):
        try:
            barrier.wait()
            approve(application, officer)
            outcomes.append("approved")
        except WorkflowRefusal as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # a deadlock or anything else shows in the caller's assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=pair) for pair in zip(applications, officers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_in_one_group_never_pass_the_ceiling_together():
    """Two officers approve at the same moment for two companies of one group, in two trajects (so no
    capacity period or budget line puts them in line): only the lock on the group's companies does.
    Each fits under the ceiling alone; together they would pass it."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (SQLite serialises writers anyway)")
    sources = make_sources()
    leren, werk = make_traject(sources, "leren"), make_traject(sources, "werk")
    officers = [UserFactory(role=Role.OFFICER), UserFactory(role=Role.OFFICER)]
    for round_number in range(3):
        parent, subsidiary = CompanyFactory(), CompanyFactory()
        # Both orders of the ids: neither approval's own company comes first by chance.
        first, second = (parent, subsidiary) if round_number % 2 else (subsidiary, parent)
        CompanyLinkFactory(controlling_company=parent, controlled_company=subsidiary)
        earlier_aid(parent, "250000.00", datetime.date(2025, 6, 1))
        applications = [applying(first, leren, "30000.00"), applying(second, werk, "30000.00")]

        outcomes = approve_at_once(applications, officers)

        assert sorted(outcomes) == ["approved", "de_minimis_exceeded"]
        assert aid_position(parent.pk, DAY).granted == Decimal("280000.00")


# -- the headroom endpoint -----------------------------------------------------------------------------
@pytest.fixture
def group(leren):
    """A parent with an application in the promoter's project, its subsidiary, and their aid."""
    parent, subsidiary = CompanyFactory(), CompanyFactory()
    CompanyLinkFactory(controlling_company=parent, controlled_company=subsidiary)
    voka = OrganisationFactory(name="Voka")
    application = ApplicationFactory(
        company=parent, traject=leren, project=ProjectFactory(traject=leren, organisations=[voka])
    )
    lines = [
        earlier_aid(parent, "14900.00", datetime.date(2024, 5, 2)),
        earlier_aid(subsidiary, "40000.00", datetime.date(2023, 3, 9)),  # one day too old on DAY
        earlier_aid(subsidiary, "99999.00", datetime.date(2025, 7, 1), basis=AidBasis.GBER_TRAINING),
    ]
    declared = DeclaredAidFactory(
        application=application,
        grantor="Stad Gent",
        granted_on=datetime.date(2025, 1, 20),
        amount=Decimal("5000.50"),
    )
    return {"parent": parent, "subsidiary": subsidiary, "application": application, "lines": lines,
            "declared": declared, "promoter": UserFactory(role=Role.PROMOTER, organisation=voka)}  # fmt: skip


def test_the_headroom_endpoint_shows_the_whole_single_undertaking(group, officer):
    parent, subsidiary = group["parent"], group["subsidiary"]
    response = client_for(officer).get(f"/api/v1/companies/{subsidiary.pk}/aid/?as_of={DAY}")

    assert response.status_code == 200
    body = response.json()
    assert (body["ceiling"], body["granted"], body["headroom"]) == ("300000.00", "19900.50", "280099.50")
    assert (body["as_of"], body["window_start"]) == ("2026-03-10", "2023-03-10")
    assert body["companies"] == sorted([parent.pk, subsidiary.pk])
    assert body["lines"] == [
        {"granted_on": "2024-05-02", "amount": "14900.00", "basis": "de_minimis",
         "source": "Departement Werk en Sociale Economie", "application": group["lines"][0].application_id,
         "company": parent.pk},
        {"granted_on": "2025-01-20", "amount": "5000.50", "basis": "de_minimis", "source": "Stad Gent",
         "application": group["application"].pk, "company": parent.pk},
        {"granted_on": "2025-07-01", "amount": "99999.00", "basis": "gber_training",
         "source": "Departement Werk en Sociale Economie", "application": group["lines"][2].application_id,
         "company": subsidiary.pk},
    ]  # fmt: skip


def test_the_headroom_is_as_of_the_date_asked_today_by_default(group, officer):
    api = client_for(officer)
    back_then = api.get(f"/api/v1/companies/{group['parent'].pk}/aid/?as_of=2025-12-31").json()
    assert back_then["granted"] == "59900.50"  # the subsidiary's grant of 9/3/2023 still counted then
    today = api.get(f"/api/v1/companies/{group['parent'].pk}/aid/").json()
    assert today["as_of"] == timezone.localdate().isoformat()


def test_a_wrong_date_answers_400(group, officer):
    response = client_for(officer).get(f"/api/v1/companies/{group['parent'].pk}/aid/?as_of=2026-02-30")
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_the_promoter_of_an_application_of_the_company_sees_it_and_no_other(group):
    promoter = client_for(group["promoter"])
    assert promoter.get(f"/api/v1/companies/{group['parent'].pk}/aid/").status_code == 200
    # The subsidiary has no application of the promoter's organisation.
    assert promoter.get(f"/api/v1/companies/{group['subsidiary'].pk}/aid/").status_code == 404
    other = client_for(UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory()))
    assert other.get(f"/api/v1/companies/{group['parent'].pk}/aid/").status_code == 404
    consultant = client_for(UserFactory(role=Role.SECTOR_CONSULTANT))
    assert consultant.get(f"/api/v1/companies/{group['parent'].pk}/aid/").status_code == 403


# -- links and declared aid: the services -----------------------------------------------------------
def test_a_link_is_recorded_once_whichever_way_round(officer):
    parent, subsidiary = CompanyFactory(name="Moeder NV"), CompanyFactory(name="Dochter BV")
    link = funding_services.record_company_link(
        controlling_company=parent, controlled_company=subsidiary, kind="voting_rights", by=officer
    )
    assert link.history.get().history_user == officer

    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.record_company_link(
            controlling_company=subsidiary, controlled_company=parent, kind="board", by=officer
        )
    assert refusal.value.code == "duplicate_link"
    assert "Dochter BV en Moeder NV zijn al verbonden" in refusal.value.message
    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.record_company_link(
            controlling_company=parent, controlled_company=parent, kind="board", by=officer
        )
    assert (refusal.value.code, refusal.value.field) == ("invalid_link", "controlled_company")
    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.record_company_link(
            controlling_company=parent, controlled_company=CompanyFactory(), kind="family", by=officer
        )
    assert refusal.value.field == "kind"
    assert CompanyLink.objects.count() == 1


def test_only_officers_record_links_and_only_administrators_remove_them(officer):
    parent, subsidiary = CompanyFactory(), CompanyFactory()
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())
    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.record_company_link(
            controlling_company=parent, controlled_company=subsidiary, kind="board", by=promoter
        )
    assert refusal.value.code == "forbidden"
    link = funding_services.record_company_link(
        controlling_company=parent, controlled_company=subsidiary, kind="board", by=officer
    )
    with pytest.raises(WorkflowRefusal):
        funding_services.remove_company_link(link, by=officer)
    administrator = UserFactory(role=Role.ADMIN)
    funding_services.remove_company_link(link, by=administrator)
    assert not CompanyLink.objects.exists()
    assert CompanyLink.history.filter(history_type="-").get().history_user == administrator


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"grantor": "  "}, "invalid_grantor", "grantor"),
        ({"amount": Decimal("0.00")}, "invalid_amount", "amount"),
        ({"amount": Decimal("10.001")}, "invalid_amount", "amount"),
        ({"granted_on": datetime.date.today() + datetime.timedelta(days=1)}, "invalid_date", "granted_on"),
    ],
)
def test_declared_aid_is_refused_when_it_cannot_be(officer, changes, code, field):
    values = {"grantor": "Stad Gent", "granted_on": datetime.date(2025, 1, 2), "amount": Decimal("100.00")}
    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.declare_other_aid(ApplicationFactory(), by=officer, **{**values, **changes})
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert not DeclaredAid.objects.exists()


def test_the_same_grant_is_declared_once_per_company(officer):
    company = CompanyFactory()
    values = {"grantor": "Stad Gent", "granted_on": datetime.date(2025, 1, 2), "amount": Decimal("100.00")}
    aid = funding_services.declare_other_aid(ApplicationFactory(company=company), by=officer, **values)
    assert (aid.company, aid.regulation) == (company, "Verordening (EU) 2023/2831")

    with pytest.raises(WorkflowRefusal) as refusal:
        funding_services.declare_other_aid(
            ApplicationFactory(company=company, traject=TrajectFactory()), by=officer, **values
        )
    assert refusal.value.code == "duplicate_aid"
    changed = funding_services.change_declared_aid(
        aid, by=officer, **{**values, "amount": Decimal("250.00")}, regulation="Verordening (EU) 1408/2013"
    )
    assert (changed.amount, changed.regulation) == (Decimal("250.00"), "Verordening (EU) 1408/2013")
    assert [row.history_user for row in changed.history.all()] == [officer, officer]


# -- the admin -------------------------------------------------------------------------------------
def test_the_admin_shows_the_headroom_from_the_application(client, group, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:participants_application_change", args=[group["application"].pk]))
    headroom_url = reverse("admin:funding_aidline_headroom", args=[group["parent"].pk])
    assert headroom_url in page.content.decode()

    page = client.get(headroom_url, {"as_of": DAY.isoformat()})
    assert page.status_code == 200
    assert page.context["position"].headroom == Decimal("280099.50")
    content = page.content.decode()
    assert "280.099,50" in content and "Stad Gent" in content
    assert group["subsidiary"].name in content


def test_the_ledger_lists_a_whole_undertaking_and_offers_no_edits(client, group, officer):
    client.force_login(officer)
    url = reverse("admin:funding_aidline_changelist")
    response = client.get(url, {"undertaking": group["subsidiary"].pk})
    assert {line.pk for line in response.context["cl"].result_list} == {line.pk for line in group["lines"]}
    line = group["lines"][0]
    assert client.get(reverse("admin:funding_aidline_change", args=[line.pk])).status_code == 200
    before = AidLine.objects.get(pk=line.pk).amount
    client.post(reverse("admin:funding_aidline_change", args=[line.pk]), {"amount": "1.00"})
    assert AidLine.objects.get(pk=line.pk).amount == before
    assert client.get(reverse("admin:funding_aidline_delete", args=[line.pk])).status_code == 403


def test_the_admin_records_links_and_declared_aid_through_the_services(client, officer):
    client.force_login(officer)
    parent, subsidiary = CompanyFactory(), CompanyFactory()
    response = client.post(
        reverse("admin:funding_companylink_add"),
        {
            "controlling_company": parent.pk,
            "controlled_company": subsidiary.pk,
            "kind": "board",
            "_save": "1",
        },
    )
    assert response.status_code == 302
    assert CompanyLink.history.get().history_user == officer
    # The other way round is the same link: the form says so and nothing is saved.
    response = client.post(
        reverse("admin:funding_companylink_add"),
        {
            "controlling_company": subsidiary.pk,
            "controlled_company": parent.pk,
            "kind": "board",
            "_save": "1",
        },
    )
    assert "Deze twee ondernemingen zijn al verbonden." in response.content.decode()
    assert CompanyLink.objects.count() == 1

    application = ApplicationFactory(company=parent)
    regulation = "Verordening (EU) 1408/2013"
    values = {
        "grantor": "Stad Gent",
        "granted_on": "2025-01-02",
        "amount": "100.00",
        "regulation": regulation,
    }
    url = reverse("admin:funding_declaredaid_add")
    assert client.post(url, {**values, "application": application.pk, "_save": "1"}).status_code == 302
    aid = DeclaredAid.objects.get()
    assert (aid.company, aid.regulation, aid.history.get().history_user) == (parent, regulation, officer)
    # The same grant again: the service refuses, the form comes back with its message.
    response = client.post(url, {**values, "application": application.pk, "_save": "1"}, follow=True)
    assert "gaf al 100,00 euro aan" in response.content.decode()
    assert DeclaredAid.objects.count() == 1


# -- the register -------------------------------------------------------------------------------------
@pytest.fixture
def register(leren, training, officer):
    """Three approvals in March 2026 (one of them withdrawn), one in April, one in exempted training."""
    named = CompanyFactory(kbo_number="0403170701", name='=HYPERLINK("http://x.example","klik")')
    approve(applying(named, leren, "14900.00"), officer, datetime.date(2026, 3, 2))
    withdrawn = approve(applying(CompanyFactory(name="Garage Smet BV"), leren, "1000.00"), officer)
    services.withdraw_application(withdrawn, by=officer, reason="Op vraag", on=datetime.date(2026, 3, 20))
    approve(
        applying(CompanyFactory(name="+32 Telecom BV"), training, "5000.00"),
        officer,
        datetime.date(2026, 3, 31),
    )
    approve(applying(CompanyFactory(name="Later BV"), leren, "7000.00"), officer, datetime.date(2026, 4, 1))
    return named


def test_the_register_lists_the_aid_granted_in_the_period(register):
    rows = register_rows(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))

    assert [row[1] for row in rows] == [register.name, "Garage Smet BV", "+32 Telecom BV"]
    first = rows[0]
    assert first[:8] == [
        "0403.170.701",
        register.name,
        Decimal("14900.00"),
        datetime.date(2026, 3, 2),
        "De-minimissteun",
        "Verordening (EU) 2023/2831 van de Commissie (de-minimissteun)",
        "Departement Werk en Sociale Economie",
        "Voorsprong in leren",
    ]
    assert first[8] == AidLine.objects.get(company=register).application_id and first[9] is None
    assert rows[1][9] == datetime.date(2026, 3, 20)  # cancelled, and so marked
    assert rows[2][4] == "Vrijgestelde opleidingssteun"


def test_the_register_csv_keeps_formula_like_names_as_text(register):
    text = register_csv(register_rows(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))).decode("utf-8")

    assert text.startswith("\ufeffOndernemingsnummer;Begunstigde;Steunbedrag (EUR);Toegekend op;Steunbasis;")
    lines = text.splitlines()
    assert lines[1].startswith(
        '0403.170.701;"\'=HYPERLINK(""http://x.example"",""klik"")";14900,00;02/03/2026;'
    )
    assert ";'+32 Telecom BV;5000,00;31/03/2026;" in lines[3]
    assert lines[2].endswith(";20/03/2026")


def test_the_register_workbook_types_its_cells_and_keeps_formulas_as_text(register):
    content = register_xlsx(register_rows(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)))
    sheet = load_workbook(io.BytesIO(content)).active

    assert sheet.title == "Steunregister"
    name, amount, granted = sheet["B2"], sheet["C2"], sheet["D2"]
    assert (name.value, name.data_type, name.quotePrefix) == (register.name, "s", True)
    assert sheet["B4"].value == "+32 Telecom BV" and sheet["B4"].data_type == "s"
    assert (amount.value, amount.number_format) == (14900, "#,##0.00")
    assert granted.value == datetime.datetime(2026, 3, 2) and granted.number_format == "DD/MM/YYYY"
    assert sheet["J3"].value == datetime.datetime(2026, 3, 20)
    assert sheet.max_row == 4


def test_the_command_writes_csv_to_the_output_and_xlsx_to_a_file(register, tmp_path):
    output = io.StringIO()
    call_command("aid_register", "--from", "2026-03-01", "--to", "2026-03-31", stdout=output)
    assert len(output.getvalue().splitlines()) == 4
    assert "0403.170.701" in output.getvalue()

    target = tmp_path / "register.xlsx"
    arguments = ["--from", "2026-04-01", "--to", "2026-04-30", "--format", "xlsx", "--output", str(target)]
    call_command("aid_register", *arguments, stdout=io.StringIO())
    assert load_workbook(target).active["B2"].value == "Later BV"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-03-32", "--to", "2026-04-01"], "--from: not a date"),
        (["--from", "2026-04-01", "--to", "2026-03-01"], "--to lies before --from"),
        (["--from", "2026-03-01", "--to", "2026-04-01", "--format", "xlsx"], "give --output"),
    ],
)
def test_the_command_refuses_what_it_cannot_write(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("aid_register", *arguments)


def test_officers_download_the_register_from_the_admin(client, register, officer):
    client.force_login(officer)
    url = reverse("admin:funding_aidline_register")
    response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "file_format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="steunregister-2026-03-01-2026-03-31.csv"'
    assert len(response.content.decode("utf-8-sig").splitlines()) == 4
    response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "file_format": "xlsx"})
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 4
    # Reversed dates: the form again, with the error.
    response = client.get(url, {"start": "2026-03-31", "end": "2026-03-01", "file_format": "csv"})
    assert response.status_code == 200 and response.context["form"].errors


# -- the decision e-mail -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("traject_fixture", "says"),
    [
        ("leren", "Het is de-minimissteun in de zin van Verordening (EU) 2023/2831 van de Commissie"),
        ("training", "vrijgesteld is op grond van artikel 31 van Verordening (EU) nr. 651/2014"),
    ],
)
def test_the_approval_mail_states_the_aid_and_its_legal_basis(
    request, officer, django_capture_on_commit_callbacks, traject_fixture, says
):
    traject = request.getfixturevalue(traject_fixture)
    company = CompanyFactory(contact_email="an@peeters.example")
    with django_capture_on_commit_callbacks(execute=True):
        approve(applying(company, traject, "14900.00"), officer)

    [message] = mail.outbox
    assert "De steun die u met deze goedkeuring ontvangt, bedraagt 14.900,00 euro." in message.body
    assert says in message.body


@pytest.mark.parametrize("model_name", ["aidline", "companylink", "declaredaid"])
def test_no_historic_version_is_posted_back(client, officer, model_name):
    """The history is shown, but a posted historic version would be saved past the services."""
    line = AidLineFactory()
    line.cancelled_on, line.cancellation_reason = line.granted_on, "Ingetrokken"
    line.save()
    obj = {"aidline": line, "companylink": CompanyLinkFactory(), "declaredaid": DeclaredAidFactory()}[
        model_name
    ]
    first = obj.history.earliest()
    url = reverse(f"admin:funding_{model_name}_simple_history", args=[obj.pk, first.history_id])
    client.force_login(officer)

    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert obj.history.count() == (2 if model_name == "aidline" else 1)
    if model_name == "aidline":
        assert AidLine.objects.get(pk=line.pk).cancelled_on == line.granted_on
