"""Sector consultants refer companies (answer 9 of question 244): the form, the service and their list."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Application, ApplicationStatus, Company, LegalForm, Referral
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CoachingSessionFactory,
    CompanyFactory,
    OrganisationFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import OrganisationKind
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:list")
NEW = reverse("referrals:new")
KBO = "0403170701"


@pytest.fixture
def traject():
    return TrajectFactory(code="leren", name="Voorsprong in leren")


@pytest.fixture
def fund():
    return OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)


@pytest.fixture
def consultant(fund):
    return UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)


@pytest.fixture
def consultant_client(client, consultant):
    client.force_login(consultant)
    return client


def referral_data(traject, **extra):
    return {
        "traject": traject.pk,
        "follow_progress": "on",
        "notes": "Via de sectorale opleidingsdag",
        **extra,
    }


def new_company_data(**extra):
    return {
        "name": "Bakkerij Janssens",
        "legal_form": LegalForm.BV,
        "staff_headcount": "12",
        "turnover": "1500000",
        "balance_sheet_total": "",
        "postal_code": "2000",
        "nace_code": "10710",
        "contact_name": "An Janssens",
        "contact_email": "an@janssens.example",
        "contact_phone": "03 123 45 67",
        **extra,
    }


def saved_state():
    return Company.objects.count(), Referral.objects.count(), Application.objects.count()


# -- the form ------------------------------------------------------------------------------------
def test_step_one_asks_the_kbo_number(consultant_client):
    response = consultant_client.get(NEW)
    assert response.status_code == 200
    assert "participants/referrals/lookup.html" in [t.name for t in response.templates]
    assert b'name="kbo"' in response.content


@pytest.mark.parametrize("kbo", ["0403170702", "12345", "BE 0403.17O.701"])
def test_an_invalid_kbo_number_is_refused_with_the_reason(consultant_client, kbo):
    response = consultant_client.get(NEW, {"kbo": kbo})
    assert "participants/referrals/lookup.html" in [t.name for t in response.templates]
    assert response.context["form"].errors["kbo"]


def test_a_known_company_is_shown_not_asked_in_any_notation(consultant_client, traject):
    company = CompanyFactory(kbo_number=KBO, name="Brouwerij Het Anker")
    response = consultant_client.get(NEW, {"kbo": "BE 0403.170.701"})
    assert response.context["company"] == company
    assert response.context["company_form"] is None
    assert b'data-testid="known-company"' in response.content
    assert b'name="staff_headcount"' not in response.content


def test_referring_a_known_company_creates_no_company(consultant_client, consultant, fund, traject):
    company = CompanyFactory(kbo_number=KBO)
    response = consultant_client.post(f"{NEW}?kbo={KBO}", referral_data(traject))
    assert response.status_code == 302
    assert response.url == LIST
    assert Company.objects.count() == 1
    referral = Referral.objects.get()
    assert (referral.company, referral.traject, referral.sector_fund, referral.consultant) == (
        company,
        traject,
        fund,
        consultant,
    )
    assert referral.referred_on == timezone.localdate()
    assert referral.follow_progress is True
    assert referral.notes == "Via de sectorale opleidingsdag"
    assert referral.intake_by is None
    assert not Application.objects.exists()


def test_follow_progress_can_be_switched_off(consultant_client, traject):
    CompanyFactory(kbo_number=KBO)
    data = referral_data(traject)
    del data["follow_progress"]
    consultant_client.post(f"{NEW}?kbo={KBO}", data)
    assert Referral.objects.get().follow_progress is False


def test_an_unknown_company_is_asked_and_created_with_its_size_class(consultant_client, consultant, traject):
    response = consultant_client.get(NEW, {"kbo": KBO})
    assert response.context["company"] is None
    assert b'data-testid="unknown-company"' in response.content

    response = consultant_client.post(f"{NEW}?kbo={KBO}", {**new_company_data(), **referral_data(traject)})
    assert response.status_code == 302
    company = Company.objects.get()
    assert company.kbo_number == KBO
    assert company.name == "Bakkerij Janssens"
    assert company.size_class == "small"
    assert company.province == "antwerpen"
    assert company.is_non_profit is False
    assert company.turnover == Decimal("1500000")
    assert company.balance_sheet_total is None
    assert company.history.get().history_user == consultant
    assert Referral.objects.get().company == company


def test_invalid_company_data_shows_field_errors_and_saves_nothing(consultant_client, traject):
    data = {**new_company_data(name="", postal_code="", turnover="-5", contact_email="geen-adres")}
    response = consultant_client.post(f"{NEW}?kbo={KBO}", {**data, **referral_data(traject)})
    assert response.status_code == 200
    errors = response.context["company_form"].errors
    assert set(errors) == {"name", "postal_code", "turnover", "contact_email"}
    assert saved_state() == (0, 0, 0)


def test_a_missing_traject_is_a_field_error(consultant_client, traject):
    CompanyFactory(kbo_number=KBO)
    response = consultant_client.post(f"{NEW}?kbo={KBO}", {**referral_data(traject), "traject": ""})
    assert "traject" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_the_intake_submits_the_application_in_the_consultants_name(consultant_client, consultant, traject):
    company = CompanyFactory(kbo_number=KBO)
    response = consultant_client.post(f"{NEW}?kbo={KBO}", referral_data(traject, intake_done="on"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.intake_by == consultant
    application = Application.objects.get()
    assert application.referral == referral
    assert (application.company, application.traject) == (company, traject)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_on == referral.referred_on
    assert {record.history_user for record in application.history.all()} == {consultant}
    assert referral.history.get().history_user == consultant


def test_a_second_open_application_saves_nothing_and_says_why(consultant_client, traject):
    company = CompanyFactory(kbo_number=KBO, name="Brouwerij Het Anker")
    ApplicationFactory(company=company, traject=traject, status=ApplicationStatus.SUBMITTED)
    before = saved_state(), Application.history.count()
    response = consultant_client.post(f"{NEW}?kbo={KBO}", referral_data(traject, intake_done="on"))
    assert response.status_code == 200
    assert (saved_state(), Application.history.count()) == before
    assert not Referral.history.exists()
    message = response.context["form"].non_field_errors()[0]
    assert "Brouwerij Het Anker" in message
    assert "Voorsprong in leren" in message
    assert b'data-testid="refusal"' in response.content


def test_a_refused_referral_leaves_no_new_company_behind(consultant, traject):
    # A non-profit may not take an SME-only traject; the company registered first is rolled back too.
    company = Company(
        kbo_number=KBO, name="Vzw De Vonk", legal_form=LegalForm.VZW, is_non_profit=True, staff_headcount=4
    )
    with pytest.raises(WorkflowRefusal) as refusal:
        services.refer_company(company=company, traject=traject, by=consultant, intake_done=True)
    assert refusal.value.code == "not_eligible"
    assert saved_state() == (0, 0, 0)


def test_the_form_derives_non_profit_from_the_legal_form(consultant_client, traject):
    data = {**new_company_data(legal_form=LegalForm.VZW), **referral_data(traject)}
    response = consultant_client.post(f"{NEW}?kbo={KBO}", data)
    assert response.context["form"].non_field_errors()
    assert saved_state() == (0, 0, 0)
    werk = TrajectFactory(
        code="werk", allowed_size_classes=["micro", "small", "medium", "large", "non_profit"]
    )
    consultant_client.post(f"{NEW}?kbo={KBO}", {**data, "traject": werk.pk})
    assert Company.objects.get().size_class == "non_profit"


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(role=Role.OFFICER),
        lambda: UserFactory(role=Role.SECTOR_CONSULTANT),
        lambda: UserFactory(role=Role.SECTOR_CONSULTANT, organisation=OrganisationFactory()),
    ],
    ids=["officer", "no organisation", "not a sector fund"],
)
def test_only_a_sector_consultant_of_a_sector_fund_may_refer(make_user, traject):
    with pytest.raises(WorkflowRefusal) as refusal:
        services.refer_company(company=CompanyFactory(), traject=traject, by=make_user())
    assert refusal.value.code == "forbidden"
    assert not Referral.objects.exists()


def test_a_consultant_without_sector_fund_is_told_so(client, traject):
    client.force_login(UserFactory(role=Role.SECTOR_CONSULTANT))
    CompanyFactory(kbo_number=KBO)
    response = client.post(f"{NEW}?kbo={KBO}", referral_data(traject))
    assert response.context["form"].non_field_errors()
    assert not Referral.objects.exists()


# -- who may see the pages -----------------------------------------------------------------------
@pytest.mark.parametrize("url", [LIST, NEW])
def test_anonymous_users_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.CABINET, Role.OFFICER])
@pytest.mark.parametrize("url", [LIST, NEW])
def test_other_roles_are_forbidden(client, role, url):
    client.force_login(UserFactory(role=role, organisation=OrganisationFactory()))
    assert client.get(url).status_code == 403
    assert client.post(url, {"kbo": KBO}).status_code == 403


def test_the_start_page_of_a_consultant_is_the_list(consultant_client):
    response = consultant_client.get(reverse("home"))
    assert response.url == LIST


# -- my referrals --------------------------------------------------------------------------------
def test_the_list_shows_only_the_consultants_own_referrals(consultant_client, consultant, fund):
    own = ReferralFactory(consultant=consultant, sector_fund=fund)
    colleague = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    ReferralFactory(consultant=colleague, sector_fund=fund)
    response = consultant_client.get(LIST)
    assert response.status_code == 200
    assert list(response.context["referrals"]) == [own]
    assert own.company.name.encode() in response.content


def test_the_list_shows_progress_only_when_followed(consultant_client, consultant, fund):
    followed = ReferralFactory(consultant=consultant, sector_fund=fund, referred_on=datetime.date(2025, 2, 2))
    application = ApprovedApplicationFactory(
        company=followed.company, traject=followed.traject, referral=followed
    )
    CoachingSessionFactory(application=application, hours=Decimal("2.00"))
    CoachingSessionFactory(application=application, hours=Decimal("1.50"))
    not_followed = ReferralFactory(consultant=consultant, sector_fund=fund, follow_progress=False)
    ApprovedApplicationFactory(
        company=not_followed.company, traject=not_followed.traject, referral=not_followed
    )
    ReferralFactory(consultant=consultant, sector_fund=fund, company=CompanyFactory(name="Zonder intake"))

    response = consultant_client.get(LIST)
    rows = {referral.pk: referral for referral in response.context["referrals"]}
    assert (rows[followed.pk].session_count, rows[followed.pk].session_hours) == (2, Decimal("3.50"))
    content = response.content.decode()
    assert content.count('data-testid="status"') == 1
    assert 'data-status="approved"' in content
    assert content.count('data-testid="not-followed"') == 1
    assert content.count('data-testid="no-application"') == 1


def test_the_list_takes_the_same_queries_for_2_or_20_referrals(consultant_client, consultant, fund):
    def add_referrals(count):
        for _ in range(count):
            referral = ReferralFactory(consultant=consultant, sector_fund=fund)
            application = ApprovedApplicationFactory(
                company=referral.company, traject=referral.traject, referral=referral
            )
            CoachingSessionFactory(application=application)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert consultant_client.get(LIST).status_code == 200
        return len(context)

    add_referrals(2)
    few = queries()
    add_referrals(18)
    assert queries() == few
