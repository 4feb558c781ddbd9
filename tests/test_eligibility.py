"""The eligibility pre-check: the API and the page without login, every reason in plain Dutch, no amounts,
the same decision as the approval, and the rate limit."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from participants import hooks, services
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    valid_kbo_number,
)
from trajects.size_classes import SizeClass
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

API = "/api/v1/eligibility/"
PAGE = "/kan-ik-deelnemen/"
TODAY = timezone.localdate()


@pytest.fixture
def leren():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY - datetime.timedelta(days=30), end=TODAY + datetime.timedelta(days=30)
    )
    return traject


@pytest.fixture
def werk():
    traject = TrajectFactory(code="werk", name="Voorsprong in werk", allowed_size_classes=SizeClass.values)
    CapacityPeriodFactory(
        traject=traject,
        start=TODAY - datetime.timedelta(days=30),
        end=TODAY + datetime.timedelta(days=30),
        places=1,
    )
    return traject


@pytest.fixture
def anonymous():
    return APIClient()


def check(client, kbo_number, traject="leren"):
    return client.get(API, {"kbo_number": kbo_number, "traject": traject})


def codes(response) -> list[str]:
    return [reason["code"] for reason in response.json()["reasons"]]


def test_an_sme_with_a_free_place_is_eligible_in_any_notation(anonymous, leren):
    company = CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    for notation in ("0403170701", "BE 0403.170.701", "403170701", "be0403 170 701"):
        response = check(anonymous, notation)
        assert response.status_code == 200
        assert response.json() == {
            "eligible": True,
            "kbo_number": "0403170701",
            "company_name": company.name,
            "traject": "leren",
            "traject_name": "Voorsprong in leren",
            "day": TODAY.isoformat(),
            "reasons": [],
        }


def test_an_unknown_size_is_refused_for_leren_with_the_advice_to_declare_and_accepted_for_werk(
    anonymous, leren, werk
):
    company = CompanyFactory(staff_headcount=None)
    response = check(anonymous, company.kbo_number)
    assert codes(response) == ["size_unknown"]
    assert "Verklaar eerst de KMO-status" in response.json()["reasons"][0]["detail"]
    assert check(anonymous, company.kbo_number, "werk").json()["eligible"] is True


def test_every_reason_is_given_in_the_order_an_application_meets_them(anonymous, werk, officer):
    other = CompanyFactory()
    services.approve_application(
        ApplicationFactory(company=other, traject=werk, submitted_on=TODAY), by=officer
    )
    stopped = CompanyFactory(is_active=False)
    ApplicationFactory(company=stopped, traject=werk, submitted_on=TODAY)
    response = check(anonymous, stopped.kbo_number, "werk")
    assert response.json()["eligible"] is False
    assert codes(response) == ["duplicate_application", "company_inactive", "no_free_place"]
    details = " ".join(reason["detail"] for reason in response.json()["reasons"])
    assert "stopgezet" in details and "Alle plaatsen" in details


def test_a_number_nobody_registered_is_not_known_and_an_invalid_one_is_a_400(anonymous, leren):
    unknown = check(anonymous, valid_kbo_number(777))
    assert unknown.status_code == 200
    assert (unknown.json()["eligible"], unknown.json()["company_name"], codes(unknown)) == (
        False,
        None,
        ["unknown_company"],
    )
    for wrong in ("0403170702", "12345", "abc", "0403\x00170701", "9" * 200):
        response = check(anonymous, wrong)
        assert response.status_code == 400, wrong
        assert "kbo_number" in response.json()
    missing = anonymous.get(API, {"kbo_number": "0403170701", "traject": "surf"})
    assert (missing.status_code, list(missing.json())) == (400, ["detail", "code", "traject"])
    assert anonymous.get(API).status_code == 400


def test_a_refusal_of_a_higher_layer_shows_a_fixed_sentence_never_its_amounts(anonymous, leren, monkeypatch):
    def ceiling(company, traject, day, application):
        raise WorkflowRefusal("Nog €12.345,67 beschikbaar van €300.000,00.", "de_minimis_exceeded")

    def other(company, traject, day, application):
        raise WorkflowRefusal("Geheime reden 98.765 euro.", "some_future_rule")

    monkeypatch.setattr(hooks, "_eligibility_checks", [ceiling, other])
    company = CompanyFactory()
    for response in (
        check(anonymous, company.kbo_number),
        anonymous.get(PAGE, {"kbo": company.kbo_number, "traject": "leren"}),
    ):
        body = response.content.decode()
        assert "12.345" not in body and "300.000" not in body and "98.765" not in body
    answer = check(anonymous, company.kbo_number).json()
    assert codes_of(answer) == ["de_minimis_exceeded", "some_future_rule"]
    assert "de-minimissteun" in answer["reasons"][0]["detail"]
    assert answer["reasons"][1]["detail"] == "De onderneming voldoet niet aan een voorwaarde van dit traject."


def codes_of(answer: dict) -> list[str]:
    return [reason["code"] for reason in answer["reasons"]]


def test_the_pre_check_agrees_with_the_approval_and_changes_nothing(leren, werk, officer):
    """The approval refuses with the first reason the pre-check gives, and approves when it says yes."""
    companies = [
        CompanyFactory(),
        CompanyFactory(staff_headcount=None),
        CompanyFactory(staff_headcount=400, turnover=None, balance_sheet_total=None),
        CompanyFactory(is_active=False),
        CompanyFactory(legal_form="vzw", is_non_profit=True),
    ]
    for traject in (leren, werk):
        for company in companies:
            verdict = services.precheck_eligibility(company.kbo_number, traject)
            application = ApplicationFactory(company=company, traject=traject, submitted_on=TODAY)
            try:
                services.approve_application(application, by=officer)
            except WorkflowRefusal as refusal:
                assert verdict.codes[0] == refusal.code, (company, traject)
            else:
                assert verdict.eligible, (company, traject)


def test_the_rate_limit_answers_429_with_retry_after(anonymous, leren, settings):
    settings.ELIGIBILITY_RATE_LIMIT = "3/m"
    company = CompanyFactory()
    for _ in range(3):
        assert check(anonymous, company.kbo_number).status_code == 200
    limited = check(anonymous, company.kbo_number)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # The page counts with the API: the same client is limited there too, with a Dutch page.
    page = anonymous.get(PAGE, {"kbo": company.kbo_number, "traject": "leren"})
    assert page.status_code == 429 and page["Retry-After"]
    assert "Te veel controles" in page.content.decode()
    # Another address is not.
    assert (
        APIClient(REMOTE_ADDR="10.0.0.9")
        .get(API, {"kbo_number": company.kbo_number, "traject": "leren"})
        .status_code
        == 200
    )


def test_a_logged_in_user_counts_for_themself(leren, settings, officer):
    settings.ELIGIBILITY_RATE_LIMIT = "1/m"
    client = APIClient()
    client.force_authenticate(officer)
    company = CompanyFactory()
    assert check(client, company.kbo_number).status_code == 200
    assert check(client, company.kbo_number).status_code == 429
    assert check(APIClient(), company.kbo_number).status_code == 200


# -- the page -------------------------------------------------------------------------------------------
def test_the_page_asks_without_login_and_answers_yes(client, leren):
    company = CompanyFactory(name="Brouwerij Het Anker")
    empty = client.get(PAGE)
    assert empty.status_code == 200
    assert "Kan ik deelnemen?" in empty.content.decode()
    response = client.get(PAGE, {"kbo": f"BE {company.kbo_number}", "traject": "leren"})
    body = response.content.decode()
    assert 'data-eligible="true"' in body
    assert "Ja: Brouwerij Het Anker kan een aanvraag indienen voor Voorsprong in leren." in body


def test_the_page_answers_no_with_the_reasons_and_shows_form_errors(client, leren):
    company = CompanyFactory(staff_headcount=None)
    body = client.get(PAGE, {"kbo": company.kbo_number, "traject": "leren"}).content.decode()
    assert 'data-eligible="false"' in body and 'data-code="size_unknown"' in body
    assert "Verklaar eerst de KMO-status" in body
    wrong = client.get(PAGE, {"kbo": "0403170702", "traject": "leren"})
    assert wrong.status_code == 200
    assert "is geen geldig ondernemingsnummer" in wrong.content.decode()
    assert 'data-testid="verdict"' not in wrong.content.decode()


def test_the_page_escapes_what_it_echoes(client, leren):
    company = CompanyFactory(name="<script>alert(1)</script> BV")
    body = client.get(PAGE, {"kbo": company.kbo_number, "traject": "leren"}).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
