"""Navigation between the admin and the pages: the menu of officers, the financial service and
administrators, the user's real name in both headers, and the admin index without English or technical
blocks for officers."""

import re

import pytest

from tests.factories import OrganisationFactory, UserFactory
from voorsprong.context_processors import menu_for
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db


def menu_links(page: str) -> dict[str, str]:
    """Return the menu's links on a page: test id to address."""
    return {key: url for url, key in re.findall(r'<a href="([^"]+)" data-testid="menu-([a-z-]+)"', page)}


def person(role: Role, **fields):
    fields.setdefault("is_staff", role in (Role.OFFICER, Role.FINANCE, Role.ADMIN))
    fields.setdefault("is_superuser", role == Role.ADMIN)
    if role in (Role.PROMOTER, Role.SECTOR_CONSULTANT):
        fields["organisation"] = OrganisationFactory()
    return UserFactory(role=role, first_name="Annelies", last_name="Peeters", **fields)


EVERYWHERE = {
    "work-queue": "/werkbak/",
    "admin-index": "/admin/",
    "funding-budget-monitor": "/financiering/",
    "reports-list": "/rapporten/",
    "api-tokens": "/api-sleutels/",
}


@pytest.mark.parametrize(
    ("role", "start", "links"),
    [
        (Role.OFFICER, "/werkbak/", EVERYWHERE),
        (Role.ADMIN, "/werkbak/", EVERYWHERE),
        (Role.FINANCE, "/financiering/", {k: v for k, v in EVERYWHERE.items() if k != "reports-list"}),
    ],
)
def test_staff_get_the_menu_on_the_pages_and_in_the_admin(role, start, links, client):
    client.force_login(person(role))

    for address in (start, "/admin/"):
        page = client.get(address).content.decode()
        assert menu_links(page) == links, address
    # Every link opens.
    for url in links.values():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.CABINET, "/rapporten/"),
        (Role.PROMOTER, "/trajecten/"),
        (Role.SECTOR_CONSULTANT, "/doorverwijzingen/"),
    ],
)
def test_other_roles_keep_their_own_links_and_get_no_menu(role, start, client):
    user = person(role)
    client.force_login(user)

    page = client.get(start).content.decode()

    assert menu_links(page) == {} and menu_for(user) == []
    assert re.search(r'data-testid="nav-[a-z-]+"', page)
    # Their own API keys are one click away too.
    assert '<a href="/api-sleutels/" data-testid="nav-api-tokens">' in page
    assert client.get("/api-sleutels/").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_offers_only_what_the_user_may_open(role, client):
    user = person(role)
    client.force_login(user)
    for link in menu_for(user):
        assert client.get(link["url"]).status_code == 200, (role, link["url"])


def test_the_current_page_is_marked_in_the_menu(officer, client):
    client.force_login(officer)
    page = client.get("/financiering/").content.decode()
    assert 'href="/financiering/" data-testid="menu-funding-budget-monitor" aria-current="page"' in page
    assert 'data-testid="menu-work-queue" aria-current' not in page


def test_both_headers_show_the_users_real_name(client):
    officer = person(Role.OFFICER, username="officer")
    client.force_login(officer)

    portal = client.get("/werkbak/").content.decode()
    admin = client.get("/admin/").content.decode()

    assert '<span class="who">Annelies Peeters</span>' in portal
    assert 'data-testid="user-name">Annelies Peeters</strong>' in admin
    # The admin's "View site" would only lead back to the admin; the menu replaces it.
    assert "Website bekijken" not in admin


def test_a_user_without_a_name_is_shown_by_username(client):
    user = UserFactory(role=Role.OFFICER, is_staff=True, username="jdewit")
    client.force_login(user)
    assert 'data-testid="user-name">jdewit</strong>' in client.get("/admin/").content.decode()


def test_officers_see_no_english_or_technical_blocks_on_the_admin_index(officer, client):
    client.force_login(officer)
    page = client.get("/admin/").content.decode()
    for hidden in ("Axes", "AXES", "Access attempts", "Aanmeldbeveiliging", "Idempotente", "API-antwoorden"):
        assert hidden not in page, hidden
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/voorsprong/idempotentrequest/").status_code == 403


def test_administrators_see_the_log_in_lock_outs_and_stored_answers_in_dutch(client):
    client.force_login(person(Role.ADMIN))
    page = client.get("/admin/").content.decode()
    for shown in (
        "Aanmeldbeveiliging",
        "Aanmeldpogingen",
        "Mislukte aanmeldingen",
        "Bewaarde API-antwoorden",
    ):
        assert shown in page, shown
    for english in ("Axes", "Access attempts", "Access failures", "Access logs", "Idempotente verzoeken"):
        assert english not in page, english


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.OFFICER, "/werkbak/"),
        (Role.ADMIN, "/admin/"),
        (Role.FINANCE, "/financiering/"),
        (Role.CABINET, "/rapporten/"),
        (Role.PROMOTER, "/trajecten/"),
        (Role.SECTOR_CONSULTANT, "/doorverwijzingen/"),
    ],
)
def test_everyone_reaches_two_step_verification_from_the_header(role, start, client):
    client.force_login(person(role))

    page = client.get(start).content.decode()

    assert 'href="/tweestapsverificatie/" data-testid="account-two-factor">Tweestapsverificatie</a>' in page
    assert "Tweestapsverificatie instellen" in client.get("/tweestapsverificatie/").content.decode()
