"""Two-step verification (voorsprong.two_factor): staff set up an authenticator app at their next log-in and
give its code after the password; recovery codes work once; wrong codes are refused and counted; the API
gives staff a token only with the code; promoters may turn it on; ``TWO_FACTOR_REQUIRED`` off lets staff in
with a password only (the suite's default, tests/conftest.py)."""

import json
import os
import re
import subprocess
import sys
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import OrganisationFactory, UserFactory
from tests.test_settings import ROOT
from voorsprong import two_factor
from voorsprong.models import ApiToken
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"
ENROL = "/tweestapsverificatie/instellen/"
CODE = "/tweestapsverificatie/code/"
RECOVERY = "/tweestapsverificatie/herstelcodes/"
OVERVIEW = "/tweestapsverificatie/"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def person(role: Role, username: str, **fields):
    fields.setdefault("is_staff", role in (Role.OFFICER, Role.FINANCE, Role.ADMIN))
    fields.setdefault("is_superuser", role == Role.ADMIN)
    if role in (Role.PROMOTER, Role.SECTOR_CONSULTANT):
        fields["organisation"] = OrganisationFactory()
    return UserFactory(username=username, role=role, **fields)


def code_at(key: bytes, steps_ahead: int = 0) -> str:
    """Return the six digits an authenticator app with ``key`` shows now (or ``steps_ahead`` steps of 30 s
    later: the step the last code used cannot be used again)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Set up an authenticator for ``user`` as the enrolment page does; return it and the recovery codes."""
    secret = two_factor.new_secret()
    return two_factor.enrol(user, secret, code_at(unhexlify(secret)))


def next_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return code_at(device.bin_key, steps_ahead=1)


def unthrottle(device) -> None:
    """Let the throttle's wait pass, as if the user waited."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


def log_in(client, user, next_page: str = ""):
    """Log in through the login page with the password; return the answer after following redirects."""
    address = f"/aanmelden/?next={next_page}" if next_page else "/aanmelden/"
    return client.post(address, {"username": user.username, "password": PASSWORD}, follow=True)


def landed(response) -> str:
    return response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]


def session_secret(client) -> str:
    return client.session["two_factor_secret"]


# -- staff without an authenticator -------------------------------------------------------------------------
def test_an_officer_without_a_second_factor_is_sent_to_set_one_up_and_reaches_nothing_else(client, required):
    officer = person(Role.OFFICER, "an")

    response = log_in(client, officer, next_page="/werkbak/")

    assert landed(response).startswith(ENROL) and "next=/werkbak/" in landed(response)
    page = response.content.decode()
    assert 'src="data:image/svg+xml' in page and 'data-testid="qr"' in page
    assert re.search(r'data-testid="secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', page)
    # No menu to pages that would only send the user back here.
    assert 'data-testid="menu-' not in page
    for address in ("/werkbak/", "/admin/", "/admin/participants/application/", OVERVIEW, RECOVERY):
        answer = client.get(address)
        assert answer.status_code == 302 and answer["Location"].startswith(ENROL), address
    assert client.get("/api/v1/applications/").json()["code"] == "two_factor_required"
    assert client.get("/api/v1/applications/").status_code == 403
    assert client.get("/health/").status_code == 200
    # The log-out is open.
    assert client.post("/afmelden/").status_code == 302
    assert client.get("/werkbak/")["Location"].startswith("/aanmelden/")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_the_financial_service_and_administrators_must_set_it_up_too(client, required, role):
    user = person(role, "bo")

    assert landed(log_in(client, user)).startswith(ENROL)
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_leads_to_the_same_step(client, required):
    officer = person(Role.OFFICER, "an")

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "an", "password": PASSWORD, "next": "/admin/"}, follow=True
    )

    assert landed(response).startswith(ENROL)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_an_officer_without_a_second_factor_gets_no_token(required):
    officer = person(Role.OFFICER, "an")

    response = APIClient().post(TOKEN_URL, {"username": "an", "password": PASSWORD, "otp": "123456"})

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_enrolment_required"
    assert "eerst" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=officer).exists()


def test_a_wrong_password_says_nothing_about_the_second_factor(required):
    person(Role.OFFICER, "an")

    response = APIClient().post(TOKEN_URL, {"username": "an", "password": "fout"})

    assert response.status_code == 400 and response.json()["code"] == "invalid"


# -- setting one up ----------------------------------------------------------------------------------------
def test_setting_up_takes_the_apps_code_and_shows_ten_recovery_codes_once(client, required):
    officer = person(Role.OFFICER, "an")
    log_in(client, officer, next_page="/admin/")
    secret = session_secret(client)

    wrong = client.post(ENROL, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "Deze code klopt niet" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    # The same secret stays on the page until it is confirmed.
    assert session_secret(client) == secret

    right = client.post(ENROL, {"code": code_at(unhexlify(secret)), "next": "/admin/"}, follow=True)

    assert landed(right).startswith(RECOVERY)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", right.content.decode())
    assert len(set(codes)) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)
    )
    assert 'href="/admin/"' in right.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == secret
    # Shown once: the page does not show them again.
    again = client.get(RECOVERY, follow=True)
    assert landed(again) == OVERVIEW and "slechts één keer getoond" in again.content.decode()
    # The session passed the second step: the admin opens.
    assert client.get("/admin/").status_code == 200


def test_a_code_for_another_secret_does_not_set_one_up(client, required):
    officer = person(Role.OFFICER, "an")
    log_in(client, officer)

    response = client.post(ENROL, {"code": code_at(unhexlify(two_factor.new_secret()))})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert client.get("/werkbak/")["Location"].startswith(ENROL)


def test_setting_up_cannot_go_around_the_code_of_an_authenticator(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)
    log_in(client, officer)

    assert client.get(ENROL)["Location"].startswith(CODE)
    secret = two_factor.new_secret()
    session = client.session
    session["two_factor_secret"] = secret
    session.save()
    client.post(ENROL, {"code": code_at(unhexlify(secret))})

    device.refresh_from_db()
    assert TOTPDevice.objects.get(user=officer).key == device.key != secret
    assert client.get("/werkbak/")["Location"].startswith(CODE)


# -- the code step ---------------------------------------------------------------------------------------
def test_with_an_authenticator_a_wrong_code_is_refused_and_the_right_one_lets_in(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)

    response = log_in(client, officer, next_page="/werkbak/")
    assert landed(response).startswith(CODE)
    assert client.get("/admin/")["Location"].startswith(CODE)

    wrong = client.post(CODE, {"code": "000000", "next": "/werkbak/"})
    assert wrong.status_code == 200 and "Deze code klopt niet" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/werkbak/")["Location"].startswith(CODE)

    unthrottle(device)
    right = client.post(CODE, {"code": next_code(device), "next": "/werkbak/"})

    assert right.status_code == 302 and right["Location"] == "/werkbak/"
    assert client.get("/werkbak/").status_code == 200
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_codes_make_the_next_attempts_wait(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)
    log_in(client, officer)
    client.post(CODE, {"code": "000000"})

    # Right away even the right code is refused: the throttle of django-otp holds.
    response = client.post(CODE, {"code": next_code(device)})

    assert response.status_code == 200
    assert "Te veel foute codes na elkaar" in response.content.decode()
    assert client.get("/werkbak/")["Location"].startswith(CODE)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a refused attempt while waiting is not another failure


def test_a_code_is_taken_once(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)
    code = next_code(device)
    log_in(client, officer)
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post("/afmelden/")

    log_in(client, officer)
    response = client.post(CODE, {"code": code})

    assert response.status_code == 200
    assert client.get("/werkbak/")["Location"].startswith(CODE)


def test_a_recovery_code_lets_in_once(client, required):
    officer = person(Role.OFFICER, "an")
    _device, codes = enrolled(officer)
    log_in(client, officer)

    # As printed: in capitals, with a space.
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    assert client.post(CODE, {"code": typed, "next": "/werkbak/"})["Location"] == "/werkbak/"
    assert client.get("/werkbak/").status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    client.post("/afmelden/")

    log_in(client, officer)
    used = client.post(CODE, {"code": codes[0]})

    assert used.status_code == 200 and "Deze code klopt niet" in used.content.decode()
    assert client.get("/werkbak/")["Location"].startswith(CODE)
    unthrottle(StaticDevice.objects.get(user=officer))
    assert client.post(CODE, {"code": codes[1]}).status_code == 302


def test_the_code_step_goes_on_only_to_a_page_of_this_site(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)
    log_in(client, officer)

    response = client.post(CODE, {"code": next_code(device), "next": "https://elders.example/"})

    assert response["Location"] == "/"


def test_the_session_gets_a_new_key_after_the_second_step(client, required):
    officer = person(Role.OFFICER, "an")
    device, _codes = enrolled(officer)
    log_in(client, officer)
    before = client.session.session_key

    client.post(CODE, {"code": next_code(device)})

    assert client.session.session_key != before
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


# -- the API token -----------------------------------------------------------------------------------------
def test_a_token_needs_the_code_of_a_user_with_an_authenticator(required):
    officer = person(Role.OFFICER, "an")
    device, codes = enrolled(officer)
    api = APIClient()
    credentials = {"username": "an", "password": PASSWORD}

    missing = api.post(TOKEN_URL, credentials)
    assert missing.status_code == 400
    assert missing.json()["code"] == "otp_required" and missing.json()["otp"]
    wrong = api.post(TOKEN_URL, {**credentials, "otp": "000000"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_invalid"
    assert not ApiToken.objects.filter(user=officer).exists()

    unthrottle(device)
    right = api.post(TOKEN_URL, {**credentials, "otp": next_code(device)}, format="json")
    assert right.status_code == 200
    assert ApiToken.objects.get(user=officer).digest == ApiToken.digest_of(right.json()["token"])

    recovery = api.post(TOKEN_URL, {**credentials, "otp": codes[0]})
    assert recovery.status_code == 200
    assert api.post(TOKEN_URL, {**credentials, "otp": codes[0]}).json()["code"] == "otp_invalid"


def test_without_the_requirement_staff_get_a_token_and_the_admin_with_a_password_only(client):
    officer = person(Role.OFFICER, "an")

    assert APIClient().post(TOKEN_URL, {"username": "an", "password": PASSWORD}).status_code == 200
    response = log_in(client, officer, next_page="/admin/")
    assert landed(response) == "/admin/" and response.status_code == 200
    assert client.get("/werkbak/").status_code == 200


def test_without_the_requirement_an_authenticator_set_up_is_still_asked_for(client):
    officer = person(Role.OFFICER, "an")
    enrolled(officer)

    assert landed(log_in(client, officer)).startswith(CODE)
    assert APIClient().post(TOKEN_URL, {"username": "an", "password": PASSWORD}).json()["code"] == (
        "otp_required"
    )


# -- promoters and consultants may ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "start"), [(Role.PROMOTER, "/trajecten/"), (Role.SECTOR_CONSULTANT, "/doorverwijzingen/")]
)
def test_a_promoter_without_it_logs_in_directly_and_with_it_is_asked(client, required, role, start):
    promoter = person(role, "pia")

    response = log_in(client, promoter)
    assert landed(response) == start and response.status_code == 200
    assert APIClient().post(TOKEN_URL, {"username": "pia", "password": PASSWORD}).status_code == 200

    # Turned on from the page in the header.
    assert 'data-testid="account-two-factor"' in response.content.decode()
    overview = client.get(OVERVIEW).content.decode()
    assert "Uit" in overview and "verplicht" not in overview
    client.get(ENROL)
    confirmed = client.post(ENROL, {"code": code_at(unhexlify(session_secret(client)))}, follow=True)
    assert landed(confirmed).startswith(RECOVERY)
    client.post("/afmelden/")

    assert landed(log_in(client, promoter)).startswith(CODE)
    assert client.get(start)["Location"].startswith(CODE)
    assert APIClient().post(TOKEN_URL, {"username": "pia", "password": PASSWORD}).json()["code"] == (
        "otp_required"
    )


def test_a_promoter_may_turn_it_off_and_an_officer_may_not(client, required):
    promoter = person(Role.PROMOTER, "pia")
    enrolled(promoter)
    officer = person(Role.OFFICER, "an")
    enrolled(officer)

    for user in (promoter, officer):
        log_in(client, user)
        client.post(CODE, {"code": next_code(TOTPDevice.objects.get(user=user))})
        client.post("/tweestapsverificatie/uitschakelen/")

    assert not TOTPDevice.objects.filter(user=promoter).exists()
    assert not StaticDevice.objects.filter(user=promoter).exists()
    assert TOTPDevice.objects.filter(user=officer).exists()
    page = client.get(OVERVIEW).content.decode()
    assert "kan niet uitgeschakeld worden" in page and "Uitschakelen" not in page


def test_new_recovery_codes_replace_the_old_ones(client, required):
    officer = person(Role.OFFICER, "an")
    device, old = enrolled(officer)
    log_in(client, officer)
    client.post(CODE, {"code": next_code(device)})
    assert "10 herstelcodes over" in client.get(OVERVIEW).content.decode()

    response = client.post(RECOVERY, follow=True)

    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(new)
    # The session stays verified: the recovery codes' device is the same.
    assert client.get("/admin/").status_code == 200


# -- administrators reset a lost one ---------------------------------------------------------------------
def test_an_administrator_resets_a_lost_authenticator_and_the_officer_sets_one_up_anew(client, required):
    officer = person(Role.OFFICER, "an")
    enrolled(officer)
    _token, key = issue_api_token(officer, label="script")
    administrator = person(Role.ADMIN, "beheer")
    device, _codes = enrolled(administrator)
    log_in(client, administrator)
    client.post(CODE, {"code": next_code(device)})

    response = client.post(
        "/admin/voorsprong/user/",
        {"action": "reset_two_factor", ACTION_CHECKBOX_NAME: [officer.pk]},
        follow=True,
    )

    assert "opnieuw ingesteld voor 1 gebruiker" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    # The tokens made with the lost phone's codes are revoked with it.
    assert APIClient().get("/api/v1/companies/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not ApiToken.objects.filter(user=officer).exists()
    client.post("/afmelden/")
    assert landed(log_in(client, officer)).startswith(ENROL)


def test_the_admin_shows_no_secrets_of_authenticators():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_the_admin_refuses_a_session_that_owes_the_code(rf, required):
    """The admin's own check, behind the middleware: a staff user who only gave the password is no user of
    the admin."""
    officer = person(Role.OFFICER, "an")
    request = rf.get("/admin/")
    request.user = officer
    request.session = {}
    officer.is_verified = lambda: False

    assert not admin.site.has_permission(request)
    officer.is_verified = lambda: True
    assert admin.site.has_permission(request)


# -- the setting -----------------------------------------------------------------------------------------
def _required_with(**environment) -> bool:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_TWO_FACTOR_REQUIRED"}
    env.update(environment, DJANGO_SETTINGS_MODULE="voorsprong.settings")
    probe = "import json, django; from django.conf import settings; django.setup(); "
    probe += "print(json.dumps(settings.TWO_FACTOR_REQUIRED))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_two_factors_are_required_unless_turned_off():
    assert _required_with() is True
    assert _required_with(DJANGO_TWO_FACTOR_REQUIRED="false") is False


def test_make_run_turns_it_off_for_the_demo():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_TWO_FACTOR_REQUIRED=false $(BIN)/python manage.py runserver" in run
