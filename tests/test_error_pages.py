"""The error pages: Dutch, in the portal's style, with a way back to the user's start page, for the pages
and the admin alike; the 500 page renders without a request or a database."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.factories import OrganisationFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
HOME_LINK = 'href="/" data-testid="home-link">Terug naar uw startpagina</a>'


def page_of(response) -> str:
    return response.content.decode()


def test_a_promoter_opening_an_admin_page_gets_the_403_page(client):
    client.force_login(UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory()))

    response = client.get("/admin/participants/application/", follow=True)

    assert response.status_code == 403
    page = page_of(response)
    assert "U hebt geen toegang tot deze pagina" in page and HOME_LINK in page
    assert "Forbidden" not in page and "Aanmelden" not in page.split("<main>")[1]
    # Not an invitation to log in as someone else, but the page's own header with the user's name.
    assert 'name="password"' not in page


def test_the_admin_login_page_still_serves_anonymous_visitors(client):
    response = client.get("/admin/participants/application/", follow=True)
    assert response.status_code == 200 and 'name="password"' in page_of(response)


def test_the_cabinet_opening_the_budget_monitor_gets_the_403_page(client):
    client.force_login(UserFactory(role=Role.CABINET))

    response = client.get("/financiering/")

    assert response.status_code == 403
    page = page_of(response)
    assert "<title>Geen toegang · Voorsprong</title>" in page
    assert "Uw rol geeft geen toegang tot deze pagina." in page and HOME_LINK in page
    assert 'href="/static/voorsprong/portal.css"' in page


@pytest.mark.parametrize("path", ["/bestaat-niet/", "/trajecten/nergens/", "/admin/bestaat-niet/"])
def test_an_unknown_address_shows_the_404_page(path, officer, client):
    client.force_login(officer)

    response = client.get(path)

    assert response.status_code == 404
    page = page_of(response)
    assert "Deze pagina bestaat niet" in page and HOME_LINK in page
    assert "Not Found" not in page


def test_an_unknown_address_without_a_login_shows_the_404_page(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404 and "Pagina niet gevonden" in page_of(response)


def test_an_unknown_api_address_still_answers_in_json(officer, client):
    client.force_login(officer)
    response = client.get("/api/v1/bestaat-niet/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_bad_request_shows_the_400_page(client):
    # A host the site does not serve is a SuspiciousOperation: Django answers 400 with the page.
    response = client.get("/aanmelden/", headers={"host": "elders.example"})

    assert response.status_code == 400
    page = page_of(response)
    assert "Deze aanvraag kunnen we niet verwerken" in page and HOME_LINK in page


def test_the_500_page_renders_without_a_request_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    page = page_of(response)
    assert "Er ging bij ons iets mis" in page and HOME_LINK in page
    assert 'href="/static/voorsprong/portal.css"' in page


def test_a_form_without_its_csrf_token_shows_the_dutch_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/aanmelden/", {"username": "iemand", "password": "geheim"})

    assert response.status_code == 403
    page = page_of(response)
    assert "Uw formulier kon niet verzonden worden" in page and HOME_LINK in page
