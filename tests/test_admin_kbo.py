"""KBO numbers in the admin: typed in every notation the API and the portal accept, found by part of them."""

import pytest
from django.urls import reverse

from participants.models import Company, RelatedEnterprise
from tests.factories import CompanyFactory, ReferralFactory

pytestmark = pytest.mark.django_db
COMPANY_ADD = reverse("admin:participants_company_add")
NOTATIONS = ("0403.170.701", "BE 0403 170 701", "BE0403170701", "403170701", "BE 0403.170.701", "0403170701")


def company_form(kbo_number, **fields):
    return {
        "kbo_number": kbo_number,
        "name": "Brouwerij Het Anker",
        "legal_form": "bv",
        "staff_headcount": "12",
        "turnover": "1500000.00",
        "balance_sheet_total": "900000.00",
        "postal_code": "2800",
        **fields,
        # The inlines of the company page (declarations and applications), both empty.
        "sme_declarations-TOTAL_FORMS": "0",
        "sme_declarations-INITIAL_FORMS": "0",
        "applications-TOTAL_FORMS": "0",
        "applications-INITIAL_FORMS": "0",
        "_save": "Opslaan",
    }


@pytest.mark.parametrize("typed", NOTATIONS)
def test_the_company_form_takes_every_notation_and_stores_the_ten_digits(client, officer, typed):
    client.force_login(officer)
    response = client.post(COMPANY_ADD, company_form(typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Company.objects.get().kbo_number == "0403170701"


def test_the_form_leaves_room_for_the_printed_notation_and_says_what_it_accepts(client, officer):
    client.force_login(officer)
    page = client.get(COMPANY_ADD).content.decode()
    assert 'maxlength="20"' in page
    assert "0403.170.701, BE 0403 170 701, BE0403170701 of 403170701" in page


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("0403.170.702", "de controlecijfers kloppen niet"),
        ("0403.170.7", "het moet uit 10 cijfers bestaan"),
        ("BE 0403 17O 701", "het mag alleen cijfers bevatten"),
    ],
)
def test_a_wrong_number_is_refused_in_dutch_saying_what_is_accepted_and_nothing_is_saved(
    client, officer, typed, why
):
    client.force_login(officer)
    response = client.post(COMPANY_ADD, company_form(typed))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["kbo_number"]
    assert f"{typed} is geen geldig ondernemingsnummer: {why}" in error
    assert "Typ het zoals gedrukt: 0403.170.701, BE 0403 170 701, BE0403170701 of 403170701." in error
    # The typed text stays in the field, to correct.
    assert f'value="{typed}"' in response.content.decode()
    assert not Company.objects.exists()


def test_a_registered_number_in_another_notation_is_refused_as_taken(client, officer):
    CompanyFactory(kbo_number="0403170701")
    client.force_login(officer)
    response = client.post(COMPANY_ADD, company_form("BE 0403.170.701"))
    assert response.status_code == 200
    assert "kbo_number" in response.context["adminform"].form.errors
    assert Company.objects.count() == 1


def test_the_change_form_shows_the_number_as_printed_and_saving_it_unchanged_keeps_the_digits(
    client, officer
):
    company = CompanyFactory(kbo_number="0403170701", postal_code="2800")
    client.force_login(officer)
    url = reverse("admin:participants_company_change", args=[company.pk])
    assert 'value="0403.170.701"' in client.get(url).content.decode()
    response = client.post(url, company_form("0403.170.701", name="Nieuwe naam"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert (company.kbo_number, company.name) == ("0403170701", "Nieuwe naam")


def test_the_sme_declaration_s_enterprises_take_every_notation_too(client, officer):
    company = CompanyFactory()
    client.force_login(officer)
    prefix = "enterprises"
    response = client.post(
        reverse("admin:participants_smedeclaration_add"),
        {
            "company": company.pk,
            "reference_year": "2024",
            "staff_awu": "12.00",
            "turnover": "1500000.00",
            "balance_sheet_total": "900000.00",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-relation": "partner",
            f"{prefix}-0-name": "Moeder NV",
            f"{prefix}-0-kbo_number": "BE 0403.170.701",
            f"{prefix}-0-share": "30.00",
            f"{prefix}-0-staff_awu": "5.00",
            f"{prefix}-0-turnover": "100000.00",
            f"{prefix}-0-balance_sheet_total": "50000.00",
            "_save": "Opslaan",
        },
    )
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    assert RelatedEnterprise.objects.get().kbo_number == "0403170701"


# -- finding a company ---------------------------------------------------------------------------------
def autocomplete(client, term, field="company"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "participants", "model_name": "application", "field_name": field},
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.mark.parametrize("typed", ["0403.17", "403 170", "BE 0403 170", "0403170701", "403.170.701", "anker"])
def test_the_add_form_finds_a_company_by_name_or_part_of_its_kbo_number(client, officer, typed):
    CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    CompanyFactory(kbo_number="0417497106", name="Brouwerij Duvel")
    client.force_login(officer)
    assert autocomplete(client, typed) == ["Brouwerij Het Anker (0403.170.701)"]


def test_the_add_form_offers_the_company_and_the_referral_as_autocomplete(client, officer):
    client.force_login(officer)
    page = client.get(reverse("admin:participants_application_add")).content.decode()
    assert 'class="admin-autocomplete' in page and 'name="company"' in page


def test_the_referral_is_found_by_the_company_s_kbo_number(client, officer):
    referral = ReferralFactory(company=CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker"))
    ReferralFactory()
    client.force_login(officer)
    assert autocomplete(client, "0403.170", field="referral") == [str(referral)]


def test_the_application_list_is_searched_by_a_printed_kbo_number(client, officer):
    from tests.factories import ApplicationFactory

    wanted = ApplicationFactory(company=CompanyFactory(kbo_number="0403170701"))
    ApplicationFactory()
    client.force_login(officer)
    response = client.get(reverse("admin:participants_application_changelist"), {"q": "BE 0403.170.701"})
    assert list(response.context["cl"].result_list) == [wanted]
