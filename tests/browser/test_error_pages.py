"""The error pages in the browser, at 1280x800, whatever language the browser asks for: a forbidden and an
unknown address each show the Dutch page with its way back to the user's start page."""

import pytest

from tests.factories import OrganisationFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["nl-BE", "en-US"])
def visitor(request, browser, live_server):
    """Return a page of a browser set to ``nl-BE`` or ``en-US``, 1280x800."""
    context = browser.new_context(
        base_url=live_server.url, locale=request.param, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, user):
    page.goto("/aanmelden/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()


def assert_error_page(page, status: int, heading: str) -> None:
    assert page.locator(".error-code").inner_text() == str(status)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.documentElement.lang") == "nl-be"


def test_a_forbidden_page_shows_the_dutch_page_with_the_way_home(visitor):
    promoter = UserFactory(username="an", role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))
    log_in(visitor, promoter)

    response = visitor.goto("/admin/participants/application/")

    assert response.status == 403
    assert_error_page(visitor, 403, "U hebt geen toegang tot deze pagina")
    visitor.get_by_test_id("home-link").click()
    visitor.wait_for_url("**/trajecten/")


def test_the_cabinet_is_refused_the_budget_monitor_in_dutch(visitor):
    log_in(visitor, UserFactory(username="kabinet", role=Role.CABINET))

    response = visitor.goto("/financiering/")

    assert response.status == 403
    assert_error_page(visitor, 403, "U hebt geen toegang tot deze pagina")
    assert "Forbidden" not in visitor.content()


def test_an_unknown_address_shows_the_dutch_page_with_the_way_home(visitor):
    officer = UserFactory(
        username="els", role=Role.OFFICER, is_staff=True, first_name="Els", last_name="Maes"
    )
    log_in(visitor, officer)

    response = visitor.goto("/bestaat-niet/")

    assert response.status == 404
    assert_error_page(visitor, 404, "Deze pagina bestaat niet")
    assert visitor.locator(".who").inner_text() == "Els Maes"
    assert visitor.get_by_test_id("menu-work-queue").inner_text() == "Werkbak"
    visitor.get_by_test_id("home-link").click()
    visitor.wait_for_url("**/werkbak/")
