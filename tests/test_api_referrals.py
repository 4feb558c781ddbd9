"""The referrals API: consultants refer and see their own; officers see all; others nothing."""

import pytest

from participants.models import Application, Referral
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    EvaluationFactory,
    OrganisationFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import OrganisationKind
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant():
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    return UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)


@pytest.fixture
def leren():
    return TrajectFactory(code="leren")


def test_a_consultant_refers_a_company_and_does_the_intake(consultant, leren):
    company = CompanyFactory()
    response = client_for(consultant).post(
        "/api/v1/referrals/",
        {"company": company.pk, "traject": "leren", "intake_done": True, "notes": "Via beurs"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sector_fund"], body["consultant"], body["traject"]) == (
        "Cevora",
        consultant.username,
        "leren",
    )
    application = Application.objects.get(referral_id=body["id"])
    assert body["application"] == {"id": application.pk, "status": "submitted"}
    assert application.history.latest().history_user == consultant


def test_a_duplicate_open_application_refuses_the_whole_referral(consultant, leren):
    application = ApplicationFactory(traject=leren)
    response = client_for(consultant).post(
        "/api/v1/referrals/",
        {"company": application.company_id, "traject": "leren", "intake_done": True},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_application")
    assert Referral.objects.count() == 0


def test_a_consultant_sees_only_its_own_referrals_and_progress_only_when_followed(consultant, leren):
    own = ReferralFactory(consultant=consultant, sector_fund=consultant.organisation, traject=leren)
    unfollowed = ReferralFactory(
        consultant=consultant, sector_fund=consultant.organisation, traject=leren, follow_progress=False
    )
    ApplicationFactory(traject=leren, company=unfollowed.company, referral=unfollowed)
    other = ReferralFactory(traject=leren)
    api = client_for(consultant)
    rows = {row["id"]: row for row in api.get("/api/v1/referrals/").json()["results"]}
    assert set(rows) == {own.pk, unfollowed.pk}
    assert rows[unfollowed.pk]["application"] is None
    assert api.get(f"/api/v1/referrals/{other.pk}/").status_code == 404


def test_officers_see_every_referral(officer, leren):
    ReferralFactory.create_batch(2, traject=leren)
    assert client_for(officer).get("/api/v1/referrals/").json()["count"] == 2


@pytest.mark.parametrize("role", [Role.CABINET, Role.PROMOTER])
def test_the_cabinet_and_promoters_get_no_referrals(role, leren):
    ReferralFactory(traject=leren)
    user = UserFactory(role=role, organisation=OrganisationFactory())
    assert client_for(user).get("/api/v1/referrals/").status_code == 403
    response = client_for(user).post(
        "/api/v1/referrals/", {"company": CompanyFactory().pk, "traject": "leren"}
    )
    assert response.status_code == 403
    assert Referral.objects.count() == 1


# -- the evaluations, aggregated for the cabinet ---------------------------------------------------
def test_the_cabinet_sees_evaluations_only_aggregated(leren):
    period = CapacityPeriodFactory(traject=leren)
    for usefulness in (4, 5):
        completed = CompletedApplicationFactory(
            traject=leren, capacity_period=period, company=CompanyFactory(name="Geheim BV")
        )
        EvaluationFactory(application=completed, usefulness=usefulness)
    response = client_for(UserFactory(role=Role.CABINET)).get("/api/v1/evaluations/summary/")
    assert response.status_code == 200
    [row] = response.json()
    assert (row["traject"], row["evaluations"], row["usefulness"]) == ("leren", 2, "4.50")
    assert "Geheim" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT])
def test_promoters_and_consultants_do_not_get_the_evaluation_summary(role):
    assert client_for(UserFactory(role=role)).get("/api/v1/evaluations/summary/").status_code == 403
