"""The API's one voice: every error body is Dutch and has a ``code``, whatever language the client asks for.

Each error path is tried with a browser set to English (``Accept-Language: en-US``) and one set to Dutch:
401 (no credentials, a wrong token), 403 (a role, a service, a missing CSRF token), 404 (an object, an
unknown address, a page), 405, 415, a body that cannot be read, 400 (fields, a service's field refusal),
409, 429, and a filter with an unknown value on every list.
"""

import datetime
import re
from pathlib import Path

import django_filters
import pytest
from babel.messages.pofile import read_po
from django.utils import timezone
from rest_framework.test import APIClient

from tests.clients import api_collections
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en-US,en;q=0.9", "nl-BE,nl;q=0.9"]
INVALID = "De invoer is niet geldig: zie de meldingen per veld."
FORBIDDEN = "U mag dit niet doen."
NOT_FOUND = "Niet gevonden."


@pytest.fixture(params=LANGUAGES, ids=["en-US", "nl-BE"])
def language(request):
    return request.param


def client_as(user, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def officer_api(officer, language):
    return client_as(officer, language)


@pytest.fixture
def leren(db):
    return TrajectFactory(code="leren", name="Voorsprong in leren")


def assert_error(response, status: int, code: str, detail: str | None = None) -> dict:
    """Assert the answer is ``status`` with ``{"detail", "code": code}`` in Dutch; return the body."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    return body


# -- 401, 403 ----------------------------------------------------------------------------------------------
def test_no_credentials_is_401_not_authenticated(language):
    response = client_as(None, language).get("/api/v1/applications/")

    assert_error(response, 401, "not_authenticated", "Authenticatiegegevens zijn niet opgegeven.")
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401_authentication_failed(language):
    response = APIClient(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION="Token bogus").get(
        "/api/v1/applications/"
    )

    assert_error(response, 401, "authentication_failed", "Ongeldige token.")


def test_a_role_without_the_right_is_403_forbidden(language):
    cabinet = UserFactory(role=Role.CABINET)

    assert_error(client_as(cabinet, language).get("/api/v1/applications/"), 403, "forbidden", FORBIDDEN)


def test_a_service_refusing_the_role_is_403_forbidden(language, leren):
    organisation = OrganisationFactory()
    promoter = UserFactory(role=Role.PROMOTER, organisation=organisation)
    application = ApplicationFactory(
        traject=leren, project=ProjectFactory(traject=leren, organisations=[organisation])
    )

    # The promoter sees the application but only officers withdraw: the service says no.
    response = client_as(promoter, language).post(
        f"/api/v1/applications/{application.pk}/withdraw/", {"reason": "Op vraag"}, format="json"
    )

    assert_error(response, 403, "forbidden", FORBIDDEN)


def test_a_session_without_its_csrf_token_is_403_csrf_failed(language, officer):
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(officer)

    response = client.post("/api/v1/companies/", {}, format="json")

    body = assert_error(response, 403, "csrf_failed")
    assert body["detail"].startswith("Het CSRF-token ontbreekt of klopt niet")


# -- 404, 405, 415 -----------------------------------------------------------------------------------------
def test_an_unknown_object_is_404_not_found(officer_api):
    body = assert_error(officer_api.get("/api/v1/applications/999999/"), 404, "not_found", NOT_FOUND)

    assert "matches the given query" not in str(body)


def test_an_unknown_address_under_the_api_is_404_not_found(officer_api):
    assert_error(officer_api.get("/api/v1/nothing/"), 404, "not_found", NOT_FOUND)
    assert_error(officer_api.post("/api/v1/declarations/0.5/approve/"), 404, "not_found", NOT_FOUND)


def test_a_page_past_the_last_is_404_not_found(officer_api):
    assert_error(officer_api.get("/api/v1/companies/", {"page": 9}), 404, "not_found", "Ongeldige pagina.")


def test_a_method_a_route_does_not_take_is_405(officer_api, leren):
    application = ApplicationFactory(traject=leren)

    response = officer_api.put(f"/api/v1/applications/{application.pk}/", {}, format="json")

    assert_error(response, 405, "method_not_allowed", 'Methode "PUT" niet toegestaan.')


def test_a_body_no_parser_reads_is_415(officer_api):
    response = officer_api.post("/api/v1/companies/", "naam=X", content_type="text/plain")

    body = assert_error(response, 415, "unsupported_media_type")
    assert body["detail"] == (
        'Het mediatype "text/plain" wordt niet ondersteund: stuur JSON, een formulier of multipart.'
    )


# -- 400 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"name": "X",', "De inhoud van het verzoek is geen geldige JSON (regel 1, kolom 14)."),
        ("\n\n  nee", "De inhoud van het verzoek is geen geldige JSON (regel 3, kolom 3)."),
        (b"\xff\xfe", "De inhoud van het verzoek is geen geldige JSON in UTF-8."),
        ("[1, 2]", "De inhoud van het verzoek moet een JSON-object zijn met de velden bij naam."),
    ],
)
def test_a_body_that_cannot_be_read_is_400_parse_error(officer_api, body, detail):
    response = officer_api.post("/api/v1/companies/", body, content_type="application/json")

    assert_error(response, 400, "parse_error", detail)


def test_a_broken_multipart_body_is_400_parse_error(officer_api):
    response = officer_api.post("/api/v1/companies/", b"--x\r\nbroken", content_type="multipart/form-data")

    assert_error(
        response, 400, "parse_error", "De inhoud van het verzoek is geen geldig multipart-formulier."
    )


def test_invalid_fields_are_400_invalid_with_the_messages_per_field(officer_api, leren):
    response = officer_api.post(
        "/api/v1/applications/",
        {"company": 999999, "traject": "bogus", "planned_cost": "veel"},
        format="json",
    )

    assert assert_error(response, 400, "invalid", INVALID) == {
        "detail": INVALID,
        "code": "invalid",
        "company": ["Onbekende onderneming: 999999."],
        "traject": ["Onbekend traject: bogus."],
        "planned_cost": ["Een geldig nummer is vereist."],
    }
    project = ProjectFactory(traject=TrajectFactory(code="werk"))
    unknown = officer_api.post(
        "/api/v1/applications/",
        {"company": CompanyFactory().pk, "traject": "leren", "project": project.pk + 1},
        format="json",
    )
    assert assert_error(unknown, 400, "invalid")["project"] == [f"Onbekend project: {project.pk + 1}."]
    missing = officer_api.post("/api/v1/applications/", {}, format="json")
    assert assert_error(missing, 400, "invalid")["company"] == ["Dit veld is vereist."]


def test_a_services_field_refusal_is_400_with_its_own_code(officer_api, leren):
    application = ApprovedApplicationFactory(traject=leren, decided_on=timezone.localdate())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = officer_api.post(
        f"/api/v1/applications/{application.pk}/sessions/",
        {"date": tomorrow.isoformat(), "hours": "2.00", "kind": "diagnosis"},
        format="json",
    )

    body = assert_error(response, 400, "invalid_date", INVALID)
    assert body["date"] == ["Een sessie kan niet geregistreerd worden voor een datum in de toekomst."]


def test_a_wrong_login_is_400_invalid(language):
    user = UserFactory()

    response = client_as(None, language).post(
        "/api/v1/auth/token/", {"username": user.username, "password": "niet juist"}
    )

    body = assert_error(response, 400, "invalid", INVALID)
    assert body["non_field_errors"] == ["Aanmelden met deze gegevens is niet gelukt."]


# -- 409, 429 ----------------------------------------------------------------------------------------------
def test_a_workflow_refusal_is_409_with_its_code(officer_api, leren):
    draft = ApplicationFactory(traject=leren, status="draft", submitted_on=None)

    response = officer_api.post(f"/api/v1/applications/{draft.pk}/approve/", {}, format="json")

    assert_error(
        response, 409, "invalid_transition", "Een aanvraag die ontwerp is, kan niet goedgekeurd worden."
    )


def test_too_many_checks_is_429_rate_limited(language, leren, settings):
    settings.ELIGIBILITY_RATE_LIMIT = "1/m"
    client = client_as(None, language)
    query = {"kbo_number": CompanyFactory().kbo_number, "traject": "leren"}
    assert client.get("/api/v1/eligibility/", query).status_code == 200

    response = client.get("/api/v1/eligibility/", query)

    body = assert_error(response, 429, "rate_limited")
    assert re.fullmatch(r"Te veel controles\. Probeer opnieuw over \d+ seconden\.", body["detail"])


# -- a filter with an unknown value, on every list ---------------------------------------------------------
# Per list and filter that takes one of a set of values: a value outside it and the message that names it.
CHOICE = "Selecteer een geldige keuze. {} is geen beschikbare keuze."
UNKNOWN_VALUES = {
    ("companies", "size_class"): ("huge", CHOICE.format("huge")),
    ("companies", "province"): ("atlantis", CHOICE.format("atlantis")),
    ("trajects", "code"): ("bogus", "code: Onbekend traject: bogus."),
    ("capacity-periods", "traject"): ("bogus", "Onbekend traject: bogus."),
    ("applications", "traject"): ("bogus", "Onbekend traject: bogus."),
    ("applications", "status"): ("lost", CHOICE.format("lost")),
    ("applications", "size_class"): ("huge", CHOICE.format("huge")),
    ("applications", "project"): ("999999", "Onbekend project: 999999."),
    ("referrals", "traject"): ("bogus", "Onbekend traject: bogus."),
    ("referrals", "follow_progress"): ("maybe", "Geef true of false."),
    ("declarations", "status"): ("lost", CHOICE.format("lost")),
    ("declarations", "application"): ("999999", "Onbekende aanvraag: 999999."),
    ("declarations", "traject"): ("bogus", "Onbekend traject: bogus."),
    ("budget-overrides", "status"): ("lost", CHOICE.format("lost")),
    ("budget-overrides", "application"): ("abc", "Onbekende aanvraag: abc."),
    ("budget-overrides", "traject"): ("bogus", "Onbekend traject: bogus."),
    ("report-requests", "kind"): ("bereik", CHOICE.format("bereik")),
    ("report-requests", "status"): ("lost", CHOICE.format("lost")),
    ("report-requests", "file_format"): ("exe", CHOICE.format("exe")),
}
CHOOSING = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter, django_filters.BooleanFilter)


def test_every_filter_of_a_list_that_takes_a_set_of_values_is_tried():
    choosing = {
        (prefix, name)
        for prefix, viewset, _basename in api_collections()
        if getattr(viewset, "filterset_class", None)
        for name, found in viewset.filterset_class.base_filters.items()
        if isinstance(found, CHOOSING)
    }

    assert choosing == set(UNKNOWN_VALUES)


@pytest.mark.parametrize(("collection", "name"), sorted(UNKNOWN_VALUES))
def test_an_unknown_filter_value_is_400_naming_it(officer_api, collection, name):
    value, message = UNKNOWN_VALUES[collection, name]

    response = officer_api.get(f"/api/v1/{collection}/", {name: value})

    body = assert_error(response, 400, "invalid", INVALID)
    # The trajects' own ?code= would collide with the body's code: its message names it instead.
    assert body["non_field_errors" if name == "code" else name] == [message]


def test_a_known_filter_value_still_filters(officer_api, leren):
    ApplicationFactory(traject=leren)
    ApplicationFactory(traject=TrajectFactory(code="werk"))

    listed = officer_api.get("/api/v1/applications/", {"traject": "leren"}).json()

    assert [row["traject"] for row in listed["results"]] == ["leren"]
    assert officer_api.get("/api/v1/trajects/", {"code": "werk"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"traject": "bogus"}, "traject"), ({"source": "bank"}, "source"), ({"period": 0}, "period")],
)
def test_the_budget_monitors_figures_refuse_an_unknown_filter_value(query, field, language):
    client = client_as(UserFactory(role=Role.FINANCE), language)

    body = assert_error(client.get("/api/v1/funding/summary/", query), 400, "invalid", INVALID)

    assert body[field][0].startswith("Selecteer een geldige keuze.")


# -- one language, one form of address ---------------------------------------------------------------------
def test_a_browser_asking_for_english_gets_the_pages_in_dutch(client):
    page = client.get("/aanmelden/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert "Gebruikersnaam" in page
    assert "Username" not in page


def test_every_dutch_text_addresses_the_user_as_u():
    informal = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.IGNORECASE)
    with (ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po").open("rb") as po:
        texts = [
            text
            for message in read_po(po)
            for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        ]
    texts += [path.read_text() for path in ROOT.glob("*/templates/**/*.html")]

    assert [text for text in texts if informal.search(text)] == []
    # DRF's own Dutch says "je"; the project's catalogue has the last word.
    from django.utils.translation import gettext

    assert gettext("You do not have permission to perform this action.") == FORBIDDEN
