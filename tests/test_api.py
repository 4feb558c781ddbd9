"""The core API: authentication, companies, trajects, capacity periods, applications and their workflow."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from participants import services
from participants.models import Application, ApplicationStatus, Company
from tests.clients import client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import CapacityPeriod
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def api(officer):
    return client_for(officer)


@pytest.fixture
def leren():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31), places=1
    )
    return traject


def database_state():
    """Return what a refused or invalid request must leave exactly as it was."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "decided_on", "reason")),
        Application.history.count(),
        list(Company.objects.order_by("pk").values_list("pk", "name", "staff_headcount")),
        list(CapacityPeriod.objects.order_by("pk").values_list("pk", "places")),
    )


# -- authentication ------------------------------------------------------------------------------
def test_a_token_for_a_username_and_password_opens_the_api():
    UserFactory(username="an", password="geheim-wachtwoord-1", role=Role.OFFICER)
    client = APIClient()
    assert client.get("/api/v1/trajects/").status_code == 401
    response = client.post("/api/v1/auth/token/", {"username": "an", "password": "geheim-wachtwoord-1"})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/trajects/").status_code == 200


def test_a_wrong_password_gets_no_token():
    UserFactory(username="an", password="geheim-wachtwoord-1")
    response = APIClient().post("/api/v1/auth/token/", {"username": "an", "password": "fout"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_session_login_works_too(officer):
    client = APIClient()
    client.force_login(officer)
    assert client.get("/api/v1/companies/").status_code == 200


# -- companies -----------------------------------------------------------------------------------
COMPANY = {
    "kbo_number": "BE 0403.170.701",
    "name": "Bakkerij Peeters",
    "legal_form": "bv",
    "is_non_profit": False,
    "staff_headcount": 12,
    "turnover": "1500000.00",
    "balance_sheet_total": "900000",
    "nace_code": "10711",
    "postal_code": "3500",
}


def test_an_officer_registers_a_company_and_gets_its_size_class(api):
    response = api.post("/api/v1/companies/", COMPANY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kbo_number"] == "0403170701"
    assert body["size_class"] == "small"
    assert body["province"] == "limburg"
    assert body["balance_sheet_total"] == "900000.00"
    company = Company.objects.get(pk=body["id"])
    assert company.history.get().history_user.has_role(Role.OFFICER)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kbo_number": "0403.170.702"}, "kbo_number"),
        ({"kbo_number": "12345"}, "kbo_number"),
        ({"legal_form": "vzw", "is_non_profit": False}, "is_non_profit"),
        ({"staff_headcount": -1}, "staff_headcount"),
        ({"turnover": "-5.00"}, "turnover"),
        ({"name": ""}, "name"),
        ({"legal_form": "plc"}, "legal_form"),
    ],
)
def test_invalid_company_data_answers_400_per_field_and_saves_nothing(api, change, field):
    before = database_state()
    response = api.post("/api/v1/companies/", {**COMPANY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert database_state() == before


def test_a_kbo_number_is_registered_once(api):
    CompanyFactory(kbo_number="0403170701")
    response = api.post("/api/v1/companies/", COMPANY, format="json")
    assert response.status_code == 400
    assert "kbo_number" in response.json()


def test_updating_a_company_recomputes_its_size_class(api):
    company = CompanyFactory(staff_headcount=20)
    response = api.patch(f"/api/v1/companies/{company.pk}/", {"staff_headcount": 300}, format="json")
    assert response.status_code == 200
    assert response.json()["size_class"] == "large"
    assert Company.objects.get(pk=company.pk).size_class == "large"


def test_companies_filter_by_size_class_province_nace_kbo_and_search(api):
    gent = CompanyFactory(name="Drukkerij Gent", postal_code="9000", nace_code="18120", staff_headcount=5)
    CompanyFactory(name="Brouwerij Hasselt", postal_code="3500", nace_code="11050", staff_headcount=60)
    printed = f"{gent.kbo_number[:4]}.{gent.kbo_number[4:7]}.{gent.kbo_number[7:]}"

    def names(query):
        response = api.get("/api/v1/companies/", query)
        assert response.status_code == 200
        return [row["name"] for row in response.json()["results"]]

    assert names({"size_class": "micro"}) == ["Drukkerij Gent"]
    assert names({"province": "limburg"}) == ["Brouwerij Hasselt"]
    assert names({"nace": "18"}) == ["Drukkerij Gent"]
    assert names({"kbo_number": f"BE {printed}"}) == ["Drukkerij Gent"]
    assert names({"kbo_number": "not a number"}) == []
    assert names({"search": "brouw"}) == ["Brouwerij Hasselt"]
    assert names({"search": printed}) == ["Drukkerij Gent"]


def test_lists_are_paginated():
    CompanyFactory.create_batch(3)
    client = client_for(UserFactory(role=Role.OFFICER))
    body = client.get("/api/v1/companies/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3


def test_the_cabinet_reads_no_company_data():
    CompanyFactory()
    response = client_for(UserFactory(role=Role.CABINET)).get("/api/v1/companies/")
    assert response.status_code == 403


# -- trajects and capacity periods --------------------------------------------------------------
def test_trajects_list_their_code_name_and_start_date(api, leren):
    [row] = api.get("/api/v1/trajects/").json()["results"]
    assert (row["code"], row["name"], row["start_date"]) == ("leren", "Voorsprong in leren", "2024-01-01")


def test_capacity_periods_show_taken_and_free_places(api):
    period = CapacityPeriodFactory(places=3)
    ApprovedApplicationFactory(traject=period.traject, capacity_period=period)
    ApplicationFactory(traject=period.traject)  # submitted: holds no place
    [row] = api.get("/api/v1/capacity-periods/").json()["results"]
    assert row == {
        "id": period.pk,
        "traject": period.traject.code,
        "start": "2025-01-01",
        "end": "2025-12-31",
        "places": 3,
        "taken": 1,
        "free": 2,
    }


def test_an_officer_creates_a_period_and_changes_its_places(api, leren):
    response = api.post(
        "/api/v1/capacity-periods/",
        {
            "traject": "leren",
            "start": f"{TODAY.year + 1}-01-01",
            "end": f"{TODAY.year + 1}-12-31",
            "places": 90,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["taken"], response.json()["free"]) == (0, 90)
    changed = api.patch(f"/api/v1/capacity-periods/{response.json()['id']}/", {"places": 95}, format="json")
    assert (changed.status_code, changed.json()["places"], changed.json()["free"]) == (200, 95, 95)


def test_changing_a_period_changes_its_places_and_nothing_else(api, leren):
    period = CapacityPeriodFactory(places=3)
    before = (period.traject_id, period.start, period.end)
    response = api.put(
        f"/api/v1/capacity-periods/{period.pk}/",
        {"traject": "leren", "start": "2000-01-01", "end": 17, "places": 4},
        format="json",
    )

    assert response.status_code == 200, response.json()
    period.refresh_from_db()
    assert ((period.traject_id, period.start, period.end), period.places) == (before, 4)
    assert response.json()["start"] == before[1].isoformat()


def test_places_never_drop_below_the_taken_ones(api):
    period = CapacityPeriodFactory(places=3)
    ApprovedApplicationFactory.create_batch(2, traject=period.traject, capacity_period=period)
    before = database_state()
    response = api.patch(f"/api/v1/capacity-periods/{period.pk}/", {"places": 1}, format="json")
    assert response.status_code == 400
    assert "2" in response.json()["places"][0]
    assert database_state() == before
    assert (
        api.patch(f"/api/v1/capacity-periods/{period.pk}/", {"places": 2}, format="json").status_code == 200
    )


def test_an_overlapping_period_is_refused(api, leren):
    before = database_state()
    response = api.post(
        "/api/v1/capacity-periods/",
        {"traject": "leren", "start": f"{TODAY.year}-06-01", "end": f"{TODAY.year + 1}-05-31", "places": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert database_state() == before


def test_promoters_do_not_manage_capacity(leren):
    client = client_for(UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory()))
    period = leren.capacity_periods.get()
    assert client.patch(f"/api/v1/capacity-periods/{period.pk}/", {"places": 99}).status_code == 403


# -- applications --------------------------------------------------------------------------------
def test_create_submit_approve_and_read_the_history(api, leren):
    company = CompanyFactory()
    project = ProjectFactory(traject=leren)
    created = api.post(
        "/api/v1/applications/",
        {"company": company.pk, "traject": "leren", "project": project.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["traject"]) == ("draft", "leren")
    url = f"/api/v1/applications/{created.json()['id']}/"
    assert api.post(url + "submit/").json()["status"] == "submitted"
    approved = api.post(url + "approve/").json()
    assert (approved["status"], approved["decided_on"]) == ("approved", TODAY.isoformat())
    history = api.get(url + "history/").json()
    assert [(row["from"], row["to"]) for row in history] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
    ]


def test_reject_and_withdraw_need_a_reason(api, leren):
    application = ApplicationFactory(traject=leren)
    url = f"/api/v1/applications/{application.pk}/"
    before = database_state()
    response = api.post(url + "reject/", {}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["detail", "code", "reason"])
    assert database_state() == before
    rejected = api.post(url + "reject/", {"reason": "Dossier onvolledig"}, format="json").json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "Dossier onvolledig")
    other = ApplicationFactory(traject=leren)
    withdrawn = api.post(f"/api/v1/applications/{other.pk}/withdraw/", {"reason": "Op vraag"}, format="json")
    assert withdrawn.json()["status"] == "withdrawn"


def refused_with(api, url, code, status=409, data=None):
    before = database_state()
    response = api.post(url, data or {}, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert database_state() == before
    return response.json()["detail"]


def test_a_refused_transition_answers_409_and_changes_nothing(api, leren):
    approved = ApprovedApplicationFactory(traject=leren, capacity_period=leren.capacity_periods.get())
    refused_with(api, f"/api/v1/applications/{approved.pk}/submit/", "invalid_transition")
    refused_with(api, f"/api/v1/applications/{approved.pk}/approve/", "invalid_transition")


def test_no_free_place_answers_409_with_the_places(api, leren):
    ApprovedApplicationFactory(traject=leren, capacity_period=leren.capacity_periods.get())
    application = ApplicationFactory(traject=leren)
    detail = refused_with(api, f"/api/v1/applications/{application.pk}/approve/", "no_free_place")
    assert "1" in detail


def test_a_large_company_is_not_eligible(api, leren):
    application = ApplicationFactory(traject=leren, company=CompanyFactory(staff_headcount=400))
    refused_with(api, f"/api/v1/applications/{application.pk}/approve/", "not_eligible")


def test_a_second_open_application_answers_409(api, leren):
    application = ApplicationFactory(traject=leren)
    before = database_state()
    response = api.post(
        "/api/v1/applications/", {"company": application.company_id, "traject": "leren"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_application")
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"traject": "leren"}, "company"),
        ({"company": 999999, "traject": "leren"}, "company"),
        ({"company": "COMPANY", "traject": "onbekend"}, "traject"),
        ({"company": "COMPANY", "traject": "leren", "project": "OTHER_PROJECT"}, "project"),
    ],
)
def test_invalid_application_input_answers_400(api, leren, body, field):
    company, other_project = CompanyFactory(), ProjectFactory(traject=TrajectFactory(code="werk"))
    body = {
        key: {"COMPANY": company.pk, "OTHER_PROJECT": other_project.pk}.get(value, value)
        for key, value in body.items()
    }
    before = database_state()
    response = api.post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert database_state() == before


def test_officers_set_the_planned_cost_on_create_and_change_it_until_the_approval(api, leren, officer):
    company = CompanyFactory()
    response = api.post(
        "/api/v1/applications/",
        {"company": company.pk, "traject": "leren", "planned_cost": "250000.00"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["planned_cost"] == "250000.00"
    url = f"/api/v1/applications/{response.json()['id']}/"

    # Company and traject make the application: a change of them is not taken.
    changed = api.patch(url, {"planned_cost": "12500.50", "traject": "werk"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["planned_cost"], changed.json()["traject"]) == ("12500.50", "leren")
    assert api.patch(url, {"planned_cost": None}, format="json").json()["planned_cost"] is None

    application = Application.objects.get(pk=response.json()["id"])
    services.submit_application(application, by=officer, on=TODAY)
    services.approve_application(application, by=officer, on=TODAY)
    before = database_state()
    refused = api.patch(url, {"planned_cost": "9000.00"}, format="json")
    assert refused.status_code == 400
    assert "planned_cost" in refused.json()
    assert database_state() == before
    # The project may still change; the same cost is no change.
    project = ProjectFactory(traject=leren)
    assert api.patch(url, {"project": project.pk, "planned_cost": None}, format="json").status_code == 200


@pytest.mark.parametrize("value", ["-0.01", "12.345", "1e30", "veel"])
def test_a_wrong_planned_cost_answers_400(api, leren, value):
    before = database_state()
    response = api.post(
        "/api/v1/applications/",
        {"company": CompanyFactory().pk, "traject": "leren", "planned_cost": value},
        format="json",
    )
    assert response.status_code == 400
    assert "planned_cost" in response.json()
    assert database_state()[0] == before[0]


def test_only_an_officer_sets_a_planned_cost(leren):
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.create_application(
            company=CompanyFactory(), traject=leren, by=consultant, planned_cost=Decimal("100.00")
        )
    assert refusal.value.code == "forbidden"
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())
    application = ApplicationFactory(
        traject=leren, project=ProjectFactory(traject=leren, organisations=[promoter.organisation])
    )
    response = client_for(promoter).patch(
        f"/api/v1/applications/{application.pk}/", {"planned_cost": "100.00"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert Application.objects.get(pk=application.pk).planned_cost is None


def test_only_officers_decide_through_the_api(leren):
    consultant = client_for(UserFactory(role=Role.SECTOR_CONSULTANT))
    application = ApplicationFactory(traject=leren)
    before = database_state()
    # A consultant sees only the applications of its referrals: any other is not found.
    assert consultant.post(f"/api/v1/applications/{application.pk}/approve/").status_code == 404
    assert database_state() == before


def test_a_promoter_may_not_approve_its_own_projects_application(leren):
    promoter = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())
    application = ApplicationFactory(
        traject=leren, project=ProjectFactory(traject=leren, organisations=[promoter.organisation])
    )
    refused_with(
        client_for(promoter), f"/api/v1/applications/{application.pk}/approve/", "forbidden", status=403
    )


def test_applications_filter_by_traject_status_size_class_project_and_decision_date(api, leren):
    werk = TrajectFactory(code="werk", allowed_size_classes=["micro", "small", "medium", "large"])
    project = ProjectFactory(traject=leren)
    early = ApprovedApplicationFactory(
        traject=leren,
        project=project,
        submitted_on=datetime.date(2025, 1, 15),
        decided_on=datetime.date(2025, 2, 1),
        capacity_period=CapacityPeriodFactory(traject=leren),
    )
    late = ApprovedApplicationFactory(
        traject=leren, decided_on=datetime.date(2025, 6, 1), capacity_period=early.capacity_period
    )
    large = ApplicationFactory(traject=werk, company=CompanyFactory(staff_headcount=400))

    def ids(query):
        response = api.get("/api/v1/applications/", query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids({"traject": "werk"}) == {large.pk}
    assert ids({"status": "approved"}) == {early.pk, late.pk}
    assert ids({"size_class": "large"}) == {large.pk}
    assert ids({"project": project.pk}) == {early.pk}
    assert ids({"decided_after": "2025-03-01"}) == {late.pk}
    assert ids({"decided_before": "2025-03-01"}) == {early.pk}
    assert api.get("/api/v1/applications/", {"status": "approved-ish"}).status_code == 400


def test_the_application_list_costs_the_same_queries_for_many_rows(officer, leren):
    project = ProjectFactory(traject=leren)

    def queries_for_the_list():
        client = client_for(User.objects.get(pk=officer.pk))  # no roles or permissions cached yet
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/applications/").status_code == 200
        return len(context)

    ApplicationFactory.create_batch(2, traject=leren, project=project)
    few = queries_for_the_list()
    ApplicationFactory.create_batch(30, traject=leren, project=project)
    # Roles, permissions (2), the count through the figure cache (the versions and, computed afresh after
    # the applications were written, the count with the versions in a transaction of its own: 5), page
    # keys, page rows.
    assert queries_for_the_list() == few <= 10


def test_amounts_are_strings_with_two_decimals(api):
    company = CompanyFactory(turnover=Decimal("2688800"))
    assert api.get(f"/api/v1/companies/{company.pk}/").json()["turnover"] == "2688800.00"


def test_unauthenticated_requests_are_refused(leren):
    application = ApplicationFactory(traject=leren)
    assert APIClient().post(f"/api/v1/applications/{application.pk}/approve/").status_code == 401
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
