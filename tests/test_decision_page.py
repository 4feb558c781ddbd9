"""The decision page: an application's own admin page shows what an officer needs to decide it, and offers
the moves its status allows, each through the workflow service the API and the bulk actions call."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import ApplicationFunding, BudgetLine, BudgetOverride, BudgetOverrideStatus
from participants import services
from participants.models import Application, ApplicationStatus, StopReason
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    CompanyLinkFactory,
    FundingRuleFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import OrganisationKind
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def leren():
    """Leren with 10 places this year, a project, a funding rule (10,000 euro) and 100,000 euro budget."""
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31), places=10
    )
    ProjectFactory(traject=traject, name="Leren – Syntra")
    FundingRuleFactory(traject=traject)
    for code, name, amount in (
        ("eu", "Europese Unie", "40000.00"),
        ("flemish", "Vlaamse overheid", "60000.00"),
    ):
        source = FundingSourceFactory(code=code, name=name)
        BudgetLine.objects.create(traject=traject, source=source, amount=Decimal(amount))
    return traject


@pytest.fixture
def officer(db):
    return UserFactory(
        username="an.peeters", first_name="An", last_name="Peeters", role=Role.OFFICER, is_staff=True
    )


def submitted(traject, **fields):
    """Return an application submitted through the services, so it has a real history."""
    officer = UserFactory(username="intake", role=Role.OFFICER)
    if "company" not in fields:
        fields["company"] = CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    fields.setdefault("project", traject.projects.first())
    application = services.create_application(traject=traject, by=officer, **fields)
    return services.submit_application(application, by=officer, on=TODAY)


def page(client, application):
    return client.get(reverse("admin:participants_application_change", args=[application.pk]))


def move(client, application, name, **data):
    url = reverse("admin:participants_application_move", args=[application.pk, name])
    return client.post(url, data, follow=True)


def shown(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_the_page_shows_the_company_the_checks_the_places_the_money_and_the_history(client, officer, leren):
    consultant = UserFactory(
        username="consulent", first_name="Bo", last_name="Claes", role=Role.SECTOR_CONSULTANT
    )
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    company = CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    referral = ReferralFactory(company=company, traject=leren, consultant=consultant, sector_fund=fund)
    application = submitted(leren, company=company, referral=referral)
    ApplicationFactory.create_batch(
        3,
        traject=leren,
        status=ApplicationStatus.APPROVED,
        decided_on=TODAY,
        submitted_on=TODAY,
        capacity_period=leren.capacity_periods.get(),
    )
    other = CompanyFactory(name="Moeder NV")
    CompanyLinkFactory(controlling_company=other, controlled_company=company)
    client.force_login(officer)
    response = page(client, application)
    assert response.status_code == 200
    decision = response.context["decision"]
    assert (decision["period"].places, decision["period"].taken, decision["period"].free) == (10, 3, 7)
    assert decision["refusals"] == []
    assert decision["size_basis"] == "figures"
    html = " ".join(response.content.decode().split())
    for text in (
        "0403.170.701",
        "Kleine onderneming",
        "de cijfers ingevuld bij de onderneming: 20 VTE",
        "Komt in aanmerking",
        # The money per source: 40 % and 60 % of the 10,000 euro, and what is left of each budget.
        "4.000,00",
        "6.000,00",
        "40.000,00",
        "60.000,00",
        "€ 300.000,00",
        "Moeder NV",
        "Doorverwezen door Bo Claes (Cevora)",
        "Nog geen begeleidingssessies.",
        "Ontwerp → Ingediend",
    ):
        assert text in html, text
    assert [row["to"] for row in decision["history"]] == ["Ontwerp", "Ingediend"]


def test_the_size_class_shows_the_sme_declaration_it_rests_on(client, officer, leren):
    application = submitted(leren)
    services.declare_sme_status(
        application.company,
        by=officer,
        reference_year=TODAY.year - 1,
        staff_awu=Decimal("8.50"),
        turnover=Decimal("900000.00"),
        balance_sheet_total=Decimal("500000.00"),
        enterprises=[
            services.EnterpriseFigures(
                relation="partner",
                name="Partner BV",
                kbo_number="",
                share=Decimal("30.00"),
                staff_awu=Decimal("2.00"),
                turnover=Decimal("100000.00"),
                balance_sheet_total=Decimal("50000.00"),
            )
        ],
    )
    client.force_login(officer)
    response = page(client, application)
    assert response.context["decision"]["size_basis"] == "declaration"
    html = response.content.decode()
    assert f"de KMO-verklaring voor {TODAY.year - 1}, door An Peeters" in html
    assert "Partner BV" in html


def test_an_unknown_size_and_a_stopped_company_are_named_before_approving(client, officer, leren):
    company = CompanyFactory(staff_headcount=None, is_active=False)
    application = submitted(leren, company=company)
    client.force_login(officer)
    response = page(client, application)
    assert [refusal.code for refusal in response.context["decision"]["refusals"]] == [
        "size_unknown",
        "company_inactive",
    ]
    html = response.content.decode()
    assert "niets: niemand heeft het personeel al opgegeven" in html
    assert "nee, stopgezet in de KBO" in html


MOVES = {
    ApplicationStatus.DRAFT: ["submit"],
    ApplicationStatus.SUBMITTED: ["approve", "reject", "withdraw", "request_override"],
    ApplicationStatus.APPROVED: ["withdraw"],
    ApplicationStatus.IN_PROGRESS: ["complete", "stop"],
    ApplicationStatus.COMPLETED: [],
    ApplicationStatus.STOPPED: [],
    ApplicationStatus.REJECTED: [],
    ApplicationStatus.WITHDRAWN: [],
}


@pytest.mark.parametrize("status", MOVES, ids=str)
def test_the_buttons_are_the_moves_the_status_allows(client, officer, leren, status):
    decided = status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
    application = ApplicationFactory(
        traject=leren,
        project=leren.projects.get(),
        status=status,
        submitted_on=None if status == ApplicationStatus.DRAFT else TODAY,
        decided_on=TODAY if decided and status != ApplicationStatus.WITHDRAWN else None,
        capacity_period=leren.capacity_periods.get() if decided else None,
        started_on=TODAY
        if status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED, "stopped")
        else None,
        ended_on=TODAY if status in ("completed", "stopped", "withdrawn") else None,
        reason="Reden" if status in ("rejected", "stopped", "withdrawn") else "",
        stop_reason="no_time" if status == "stopped" else "",
    )
    client.force_login(officer)
    response = page(client, application)
    assert [m["name"] for m in response.context["decision"]["moves"]] == MOVES[status]
    html = response.content.decode()
    for name in ("submit", "approve", "reject", "withdraw", "complete", "stop", "request_override"):
        assert (f'id="move-{name}"' in html) == (name in MOVES[status]), name


def test_approving_from_the_page_takes_a_place_commits_the_money_and_comes_back(client, officer, leren):
    application = submitted(leren)
    client.force_login(officer)
    response = move(client, application, "approve")
    assert response.redirect_chain == [
        (reverse("admin:participants_application_change", args=[application.pk]), 302)
    ]
    assert ("success", "De aanvraag is goedgekeurd.") in shown(response)
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (ApplicationStatus.APPROVED, officer)
    assert ApplicationFunding.objects.filter(application=application).count() == 2
    # Back on the page, decided: no decision buttons, the place counted.
    assert [m["name"] for m in response.context["decision"]["moves"]] == ["withdraw"]
    assert response.context["decision"]["period"].taken == 1


def test_rejecting_from_the_page_keeps_the_reason_in_the_history(client, officer, leren):
    application = submitted(leren)
    client.force_login(officer)
    response = move(client, application, "reject", reason="Geen opleidingsplan.")
    application.refresh_from_db()
    assert (application.status, application.reason) == (ApplicationStatus.REJECTED, "Geen opleidingsplan.")
    assert response.context["decision"]["history"][-1]["reason"] == "Geen opleidingsplan."
    assert response.context["decision"]["history"][-1]["by"] == "An Peeters"


def test_a_refusal_is_shown_on_the_page_and_nothing_changes(client, officer, leren):
    application = submitted(leren)
    client.force_login(officer)
    before = Application.history.filter(id=application.pk).count()
    response = move(client, application, "reject", reason="   ")
    assert ("error", "Geef een reden op.") in shown(response)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert Application.history.filter(id=application.pk).count() == before


def test_without_a_project_the_page_says_so_before_and_refuses_the_approval(client, officer, leren):
    application = submitted(leren, project=None)
    client.force_login(officer)
    before = page(client, application)
    assert [refusal.code for refusal in before.context["decision"]["refusals"]] == ["project_required"]
    response = move(client, application, "approve")
    [(level, text)] = shown(response)
    assert level == "error" and text.startswith("Kies eerst een project voor deze aanvraag")
    assert text in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not ApplicationFunding.objects.filter(application=application).exists()


def test_an_exhausted_budget_refuses_and_an_approval_over_it_can_be_requested(client, officer, leren):
    # The period's own line of the EU is charged (the traject's lines still set the 40/60 split).
    BudgetLine.objects.create(
        traject=leren,
        source=FundingSourceFactory(code="eu"),
        capacity_period=leren.capacity_periods.get(),
        amount=Decimal("1000.00"),
    )
    application = submitted(leren)
    client.force_login(officer)
    assert page(client, application).context["decision"]["refusals"] == []
    refused = move(client, application, "approve")
    assert shown(refused)[0][0] == "error" and "1.000,00" in shown(refused)[0][1]
    requested = move(client, application, "request_override", reason="Strategisch dossier.")
    assert (
        "success",
        "Een goedkeuring boven het budget is aangevraagd; een andere dossierbehandelaar tekent ze af.",
    ) in shown(requested)
    override = BudgetOverride.objects.get(application=application)
    assert (override.status, override.requested_by, override.reason) == (
        BudgetOverrideStatus.PENDING,
        officer,
        "Strategisch dossier.",
    )
    assert "wacht op de aftekening door een andere dossierbehandelaar" in requested.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_withdrawing_an_approved_application_gives_its_place_back(client, officer, leren):
    application = services.approve_application(submitted(leren), by=officer)
    client.force_login(officer)
    response = move(client, application, "withdraw", reason="Het bedrijf ziet ervan af.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert response.context["decision"]["period"].taken == 0


def test_a_read_only_user_sees_the_page_without_buttons_and_cannot_post_a_move(client, leren):
    reader = UserFactory(username="lezer", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_application"))
    application = submitted(leren)
    client.force_login(reader)
    response = page(client, application)
    assert response.status_code == 200
    assert response.context["decision"]["moves"] == []
    html = response.content.decode()
    assert "Brouwerij Het Anker" in html and 'id="move-' not in html
    refused = client.post(reverse("admin:participants_application_move", args=[application.pk, "approve"]))
    assert refused.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_move_is_only_posted_and_only_one_the_workflow_knows(client, officer, leren):
    application = submitted(leren)
    client.force_login(officer)
    url = reverse("admin:participants_application_move", args=[application.pk, "approve"])
    assert client.get(url).status_code == 405
    bogus = reverse("admin:participants_application_move", args=[application.pk, "delete"])
    assert client.post(bogus).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_traject_without_a_funding_rule_shows_no_money_section(client, officer):
    motivatie = TrajectFactory(code="motivatie")
    CapacityPeriodFactory(
        traject=motivatie, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31)
    )
    application = submitted(motivatie, project=None)
    client.force_login(officer)
    response = page(client, application)
    assert response.context["decision"]["panels"] == []
    assert response.context["decision"]["refusals"] == []


# -- a fixed number of queries -----------------------------------------------------------------------------
def count_queries(client, application) -> int:
    page(client, application)  # caches filled on first use (content types, translations) count in neither
    with CaptureQueriesContext(connection) as queries:
        assert page(client, application).status_code == 200
    return len(queries)


def grow(leren, application, officer, rounds):
    """Add what the page lists or counts: approvals in its period, history rows, sessions, links."""
    period = leren.capacity_periods.get()
    for _ in range(rounds):
        ApplicationFactory(
            traject=leren,
            status=ApplicationStatus.APPROVED,
            decided_on=TODAY,
            submitted_on=TODAY,
            capacity_period=period,
        )
        services.update_application_details(
            application, by=officer, project=application.project, referral=None, planned_cost=None
        )
        CompanyLinkFactory(controlling_company=application.company)
        if application.status == ApplicationStatus.IN_PROGRESS:
            CoachingSessionFactory(application=application, date=TODAY)


def test_the_page_of_a_submitted_application_takes_a_fixed_number_of_queries(client, officer, leren):
    application = submitted(leren)
    client.force_login(officer)
    grow(leren, application, officer, 2)
    small = count_queries(client, application)
    grow(leren, application, officer, 20)
    assert count_queries(client, application) == small <= 35


def test_the_page_of_an_application_in_progress_takes_a_fixed_number_of_queries(client, officer, leren):
    application = services.approve_application(submitted(leren), by=officer)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.IN_PROGRESS, started_on=TODAY
    )
    application.refresh_from_db()
    client.force_login(officer)
    grow(leren, application, officer, 2)
    small = count_queries(client, application)
    grow(leren, application, officer, 20)
    assert count_queries(client, application) == small <= 35


def _in_progress(leren, officer):
    application = services.approve_application(submitted(leren), by=officer)
    services.log_coaching_session(application, by=officer, date=TODAY, hours=Decimal("2"), kind="intake")
    return application


def test_the_stop_move_offers_the_reason_codes_and_keeps_the_one_chosen(client, officer, leren):
    application = _in_progress(leren, officer)
    client.force_login(officer)
    html = page(client, application).content.decode()
    form = html.split('id="move-stop"', 1)[1].split("</form>", 1)[0]
    assert '<select name="stop_reason" id="stop-reason-stop" required>' in form
    assert all(f'<option value="{code}">' in form for code in StopReason.values)
    response = move(client, application, "stop", stop_reason="goal_reached", reason="")
    assert ("success", "De aanvraag is stopgezet.") in shown(response)
    application.refresh_from_db()
    assert (application.status, application.stop_reason) == (
        ApplicationStatus.STOPPED,
        StopReason.GOAL_REACHED,
    )
    assert "Reden van stopzetting: Doel al bereikt" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Geen tijd"}, "Kies waarom het traject stopt."),
        ({"stop_reason": "sideways"}, "Kies waarom het traject stopt."),
        ({"stop_reason": "other", "reason": " "}, "Beschrijf de andere reden waarom het traject stopt."),
    ],
)
def test_the_stop_move_without_a_valid_reason_code_changes_nothing(client, officer, leren, data, message):
    application = _in_progress(leren, officer)
    client.force_login(officer)
    before = Application.history.filter(id=application.pk).count()
    response = move(client, application, "stop", **data)
    assert ("error", message) in shown(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS
    assert Application.history.filter(id=application.pk).count() == before
