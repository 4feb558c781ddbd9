"""The API's edges: a fault in a view or a lost database answers in JSON under /api/ (500 ``server_error``
without internals, 503 ``service_unavailable`` with Retry-After), the pages with a plain 503 page; a body
nested past the limit is a 400, never Python's recursion error as a 500."""

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client
from django.urls import path

from tests.clients import client_for
from voorsprong import urls
from voorsprong.api_requests import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db


def fails(request):
    raise RuntimeError("secret internals: password=hunter2")


def loses_the_database(request):
    """Open a PostgreSQL connection to a port where nothing listens: psycopg's own OperationalError,
    wrapped by Django as on a database that went away."""
    gone = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": "9", "NAME": "gone"}
    configured = connections.configure_settings({"default": {**gone, "OPTIONS": {"connect_timeout": 1}}})
    DatabaseWrapper(configured["default"], "gone").ensure_connection()


# This module is the URL configuration of the tests marked below: the site's, with views that fail.
urlpatterns = [
    path("api/v1/fails/", fails),
    path("api/v1/database-lost/", loses_the_database),
    path("fails/", fails),
    path("database-lost/", loses_the_database),
    *urls.urlpatterns,
]
handler400, handler403, handler404, handler500 = (
    urls.handler400,
    urls.handler403,
    urls.handler404,
    urls.handler500,
)


@pytest.fixture
def browser(officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    return client


@pytest.mark.urls(__name__)
def test_a_view_that_fails_is_a_500_in_json_without_internals(browser, caplog):
    response = browser.get("/api/v1/fails/")
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json() == {
        "detail": "Er ging bij ons iets mis; de fout is vastgelegd. Probeer het later opnieuw.",
        "code": "server_error",
    }
    assert "hunter2" not in response.content.decode()
    # Still logged, with the exception, for whoever runs the server.
    assert any(record.exc_info and "hunter2" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.urls(__name__)
def test_a_page_that_fails_is_still_the_500_page(browser):
    response = browser.get("/fails/")
    assert response.status_code == 500 and "Er ging bij ons iets mis" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_lost_database_is_a_503_with_retry_after_in_json(browser):
    response = browser.get("/api/v1/database-lost/")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json() == {
        "detail": "De dienst is tijdelijk niet beschikbaar. Probeer het zo dadelijk opnieuw.",
        "code": "service_unavailable",
    }


@pytest.mark.urls(__name__)
def test_a_lost_database_is_a_plain_503_page_with_retry_after(browser):
    response = browser.get("/database-lost/")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "De backoffice is tijdelijk niet beschikbaar" in response.content.decode()


def test_a_request_django_refuses_under_the_api_is_a_400_in_json(officer):
    # A host the site does not serve: Django's SuspiciousOperation, before any view.
    response = Client().get("/api/v1/trajects/", headers={"host": "elders.example"})
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")


def nested(depth: int) -> str:
    """Return a company whose name is ``depth`` lists deep: ``depth + 1`` levels with the body's object."""
    return '{"name": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 100_000])
def test_a_body_nested_too_deep_is_a_400(officer, depth):
    response = client_for(officer).post("/api/v1/companies/", nested(depth), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert (
        response.json()["detail"] == f"De body nest lijsten en objecten dieper dan {MAX_JSON_DEPTH} niveaus."
    )


def test_a_body_nested_within_the_limit_is_read(officer):
    response = client_for(officer).post(
        "/api/v1/companies/", nested(MAX_JSON_DEPTH - 1), content_type="application/json"
    )
    # Read, then refused field by field: a list is not a name.
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "name" in response.json()
