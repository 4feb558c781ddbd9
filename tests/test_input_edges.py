"""What people type is refused at every edge when it cannot be meant: a day outside 2000-2100 (the API's
``date_out_of_range``, a form error on the pages and in the admin), control and direction-override
characters in names and free text (``forbidden_characters``; tabs and line breaks only where text spans
lines). Nothing changes after a refusal."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from participants.models import Application, Company
from participants.services.application_import import import_applications
from tests.clients import client_for
from tests.factories import ApplicationFactory, CompanyFactory, TrajectFactory
from tests.test_admin_kbo import COMPANY_ADD, company_form
from tests.test_api import COMPANY
from tests.test_hostile_input import assert_unchanged, snapshot
from trajects.models import CapacityPeriod

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01", "0103-01-01", "9610-01-01", "1999-12-31", "2101-01-01"]
IN_RANGE = ["2000-01-01", "2100-12-31"]
RTL_OVERRIDE = "Bakkerij \u202egnissab"
CONTROLS = [RTL_OVERRIDE, "Bakkerij\x1b[31mJanssens", "Bakkerij\x85Janssens"]


@pytest.fixture
def api(officer):
    return client_for(officer)


@pytest.fixture
def leren():
    return TrajectFactory(code="leren")


def refused(response, code: str, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], list(body)) == (code, ["detail", "code", field])


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_budget_monitor_refuses_a_day_out_of_range(api, day):
    response = api.get("/api/v1/funding/summary/", {"as_of": day})
    refused(response, "date_out_of_range", "as_of")
    assert "tussen 01/01/2000 en 31/12/2100" in response.json()["as_of"][0]


@pytest.mark.parametrize("day", IN_RANGE)
def test_the_budget_monitor_takes_the_first_and_last_day(api, day):
    response = api.get("/api/v1/funding/summary/", {"as_of": day})
    assert (response.status_code, response.json()["as_of"]) == (200, day)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_figures_of_a_question_refuse_a_day_out_of_range(officer, day):
    refused(
        client_for(officer).get("/api/v1/statistics/pq244/", {"as_of": day}), "date_out_of_range", "as_of"
    )


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_capacity_period_out_of_range_is_refused_and_nothing_is_written(api, leren, day):
    before = snapshot()
    body = {"traject": "leren", "start": "2030-01-01", "end": day, "places": 10}
    refused(api.post("/api/v1/capacity-periods/", body, format="json"), "date_out_of_range", "end")
    assert_unchanged(before)


def test_a_capacity_period_from_2000_to_2100_is_taken(api, leren):
    body = {"traject": "leren", "start": IN_RANGE[0], "end": IN_RANGE[1], "places": 10}
    response = api.post("/api/v1/capacity-periods/", body, format="json")
    assert response.status_code == 201, response.json()
    assert CapacityPeriod.objects.get().end.isoformat() == "2100-12-31"


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_list_filter_refuses_a_day_out_of_range(api, day):
    response = api.get("/api/v1/applications/", {"decided_after": day})
    refused(response, "date_out_of_range", "decided_after")


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01"])
def test_a_plain_serializer_refuses_a_day_out_of_range(api, day):
    company = CompanyFactory()
    response = api.get(f"/api/v1/companies/{company.pk}/aid/", {"as_of": day})
    refused(response, "date_out_of_range", "as_of")


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_budget_monitor_page_refuses_a_day_out_of_range_as_a_form_error(client, officer, day):
    client.force_login(officer)
    response = client.get(reverse("funding:budget_monitor"), {"as_of": day})
    assert response.status_code == 400
    assert "tussen 01/01/2000 en 31/12/2100" in response.content.decode()


@pytest.mark.parametrize("day", ["01/01/0103", "31/12/1999", "01/01/2101"])
def test_the_admin_refuses_a_period_out_of_range(client, officer, day):
    client.force_login(officer)
    traject = TrajectFactory()
    before = snapshot()
    response = client.post(
        reverse("admin:trajects_capacityperiod_add"),
        {"traject": traject.pk, "start": "01/01/2030", "end": day, "places": 5, "_save": "Opslaan"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["end"][0].code == "date_out_of_range"
    assert_unchanged(before)


def test_an_import_refuses_a_submission_day_out_of_range(officer, leren):
    company = CompanyFactory()
    sheet = Workbook()
    sheet.active.append(["kbo_number", "traject", "submitted_on"])
    sheet.active.append([company.kbo_number, "leren", "31/12/1999"])
    file = io.BytesIO()
    sheet.save(file)
    file.seek(0)
    result = import_applications(file, by=officer)
    [row] = result.rows
    assert row.code == "date_out_of_range"
    assert "tussen 01/01/2000 en 31/12/2100" in row.error
    assert not Application.objects.exists()


# -- characters ------------------------------------------------------------------------------------------


# A NUL is refused too, by the framework's own check first (tests/test_hostile_input.py).
@pytest.mark.parametrize("name", [*CONTROLS, "Bakkerij\tJanssens", "Bakkerij\nJanssens"])
def test_the_api_refuses_a_company_name_with_a_control_character(api, name):
    before = snapshot()
    response = api.post("/api/v1/companies/", {**COMPANY, "name": name}, format="json")
    refused(response, "forbidden_characters", "name")
    assert "stuurtekens" in response.json()["name"][0]
    assert_unchanged(before)


def test_a_company_name_with_marks_and_accents_is_kept(api):
    name = "Brasserie Ça\u200fVa 🥐"
    response = api.post("/api/v1/companies/", {**COMPANY, "name": name}, format="json")
    assert response.status_code == 201, response.json()
    assert Company.objects.get().name == name


@pytest.mark.parametrize("name", CONTROLS)
def test_the_admin_refuses_a_company_name_with_a_control_character(client, officer, name):
    client.force_login(officer)
    before = snapshot()
    response = client.post(COMPANY_ADD, company_form("0403.170.701", name=name))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["name"][0].code == "forbidden_characters"
    assert_unchanged(before)


def test_a_reason_spans_lines_with_tabs_but_refuses_an_override(api, leren):
    application = ApplicationFactory(traject=leren)
    path = f"/api/v1/applications/{application.pk}/reject/"
    before = snapshot()
    refused(
        api.post(path, {"reason": f"Onvolledig {RTL_OVERRIDE}"}, format="json"),
        "forbidden_characters",
        "reason",
    )
    assert_unchanged(before)
    reason = "Onvolledig:\n\t- geen KBO-uittreksel\r\n\t- geen offerte"
    answer = api.post(path, {"reason": reason}, format="json")
    assert (answer.status_code, answer.json()["reason"]) == (200, reason)


def test_a_nul_in_a_company_name_is_refused_by_the_api_and_the_admin(api, client, officer):
    client.force_login(officer)
    before = snapshot()
    response = api.post("/api/v1/companies/", {**COMPANY, "name": "Bakkerij\x00Janssens"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["detail", "code", "name"])
    page = client.post(COMPANY_ADD, company_form("0403.170.701", name="Bakkerij\x00Janssens"))
    assert "name" in page.context["adminform"].form.errors
    assert_unchanged(before)
