import pytest
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrong_password_keeps_the_user_out(page):
    UserFactory(username="an", role=Role.PROMOTER, organisation=OrganisationFactory())
    page.goto("/aanmelden/")
    page.get_by_label("Gebruikersnaam").fill("an")
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("Uw gebruikersnaam en wachtwoord komen niet overeen")).to_be_visible()
    assert page.url.endswith("/aanmelden/")
