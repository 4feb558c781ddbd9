"""Logins are locked after repeated failures, tokens can be revoked, and production runs HTTPS-only."""

import os
import re
import secrets
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import UserFactory
from voorsprong.auth_api import lockout_message
from voorsprong.roles import Role

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"


def dutch_lockout_message() -> str:
    with translation.override("nl-be"):
        return lockout_message()


@pytest.fixture
def an(db):
    return UserFactory(username="an", role=Role.OFFICER)


def log_in(client, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": "an", "password": password}, REMOTE_ADDR=address)


def get_token(client, password, address="10.0.0.1"):
    return client.post(TOKEN_URL, {"username": "an", "password": password}, REMOTE_ADDR=address)


# -- lock-out after failed logins ----------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_login_page_for_that_account_and_address(client, an):
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    log_in(client, "wrong")
    response = log_in(client, PASSWORD)
    assert response.status_code == 403
    assert escape(dutch_lockout_message()) in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another address, and another account from this address, still log in.
    assert log_in(client, PASSWORD, address="10.0.0.2").status_code == 302
    UserFactory(username="bert")
    other = client.post(reverse("login"), {"username": "bert", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 302


def test_five_wrong_passwords_lock_the_api_token_endpoint(an):
    client = APIClient()
    for _ in range(4):
        assert get_token(client, "wrong").status_code == 400
    get_token(client, "wrong")
    response = get_token(client, PASSWORD)
    assert response.status_code == 403
    assert response.json() == {"detail": dutch_lockout_message(), "code": "locked_out"}


def test_failures_on_the_page_and_the_api_count_together(client, an):
    for _ in range(3):
        log_in(client, "wrong")
    for _ in range(2):
        get_token(APIClient(), "wrong")
    assert get_token(APIClient(), PASSWORD).json()["code"] == "locked_out"


def test_a_successful_login_before_the_limit_starts_the_count_anew(client, an):
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(client, db):
    UserFactory(username="an", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "an", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post("/admin/login/", {"username": "an", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_client_login_without_a_request_still_works_in_tests(client, an):
    assert client.login(username="an", password=PASSWORD)


# -- tokens -------------------------------------------------------------------------------------------
def test_the_caller_revokes_its_token(an):
    token = get_token(APIClient(), PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/trajects/").status_code == 200
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/trajects/").status_code == 401
    assert get_token(APIClient(), PASSWORD).json()["token"] != token


def test_revoking_needs_a_login():
    assert APIClient().delete(TOKEN_URL).status_code == 401


# -- passwords ----------------------------------------------------------------------------------------
def test_a_short_password_is_refused():
    with pytest.raises(ValidationError):
        validate_password("Kort-1x")


def test_a_long_uncommon_password_is_accepted(an):
    validate_password("paars-olifant-fietst-traag", user=an)


# -- response headers ---------------------------------------------------------------------------------
def test_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data:" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_reports_page_script_carries_the_policys_nonce(client, db):
    client.force_login(UserFactory(role=Role.CABINET))
    response = client.get(reverse("reports:list"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()


# -- production settings ------------------------------------------------------------------------------
def test_check_deploy_is_clean_with_the_production_environment():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="voorsprong.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_SECURE_COOKIES="true",
        DJANGO_ALLOWED_HOSTS="voorsprong.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
