"""Log-in protection in layers: a rate limit before any password is hashed, lock-outs per username and
address, per address (password spraying) and per username (guessing from many addresses), and the client's
address taken from X-Forwarded-For only behind trusted proxies."""

from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from voorsprong.models import ApiToken
from voorsprong.proxies import client_ip
from voorsprong.roles import Role

PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"
ATTACKER = "198.51.100.66"
PROXY = "172.18.0.5"


class CountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting every password it hashes or checks."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)


@pytest.fixture
def an(db):
    return UserFactory(username="an", role=Role.OFFICER, is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _limits_counted_per_hour(settings):
    """Count the default number of log-ins (10) per hour rather than per minute: django-ratelimit's windows
    are fixed, and a slow machine that crosses a minute's end mid-test would start the count anew."""
    settings.LOGIN_RATE_LIMIT = settings.LOGIN_RATE_LIMIT.replace("/m", "/h")


@pytest.fixture
def unlimited(settings):
    """Lift the rate limit, so a test reaches the lock-outs behind it."""
    settings.LOGIN_RATE_LIMIT = "1000/m"


def log_in(username, password, address=ATTACKER, **headers):
    return APIClient().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def get_token(username, password, address=ATTACKER, **headers):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def admin_log_in(username, password, address=ATTACKER, **headers):
    return APIClient().post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def is_locked_out(response) -> bool:
    """Return whether ``response`` is the lock-out's: the page's explanation, or the API's code."""
    if response["Content-Type"].startswith("application/json"):
        return response.status_code == 403 and response.json()["code"] == "locked_out"
    return response.status_code == 403 and 'data-testid="locked-out"' in response.content.decode()


# -- the rate limit, before any password is hashed -----------------------------------------------------
@pytest.mark.parametrize("attempt", [log_in, admin_log_in, get_token], ids=["page", "admin", "token"])
def test_a_burst_of_log_ins_is_refused_with_429_before_any_password_is_hashed(attempt, an, settings):
    settings.PASSWORD_HASHERS = ["tests.test_login_protection.CountingHasher"]
    CountingHasher.calls = 0
    # The default number: ten log-ins from one address, right or wrong, each checking a password.
    for number in range(10):
        assert attempt(f"someone{number}", "wrong").status_code in (200, 400)
    assert CountingHasher.calls == 10
    refused = attempt("an", PASSWORD)
    assert refused.status_code == 429
    assert CountingHasher.calls == 10  # the right password was not even checked
    assert 1 <= int(refused["Retry-After"]) <= 3600
    if attempt is get_token:
        assert refused.json()["code"] == "rate_limited"
        assert refused.json()["detail"].startswith("Te veel verzoeken")
        assert not ApiToken.objects.exists()
    else:
        assert "Te veel verzoeken" in refused.content.decode()
    # Refused before axes too: the refused attempt counted as no failure.
    assert not AccessAttempt.objects.filter(username="an").exists()
    # Another address logs in meanwhile.
    assert attempt("an", PASSWORD, address="203.0.113.9").status_code in (200, 302)


def test_the_login_page_the_admin_and_the_token_endpoint_share_one_budget(an, settings):
    settings.LOGIN_RATE_LIMIT = "4/h"
    assert log_in("an", "wrong").status_code == 200
    assert admin_log_in("an", "wrong").status_code == 200
    assert get_token("an", "wrong").status_code == 400
    assert get_token("an", PASSWORD).status_code == 200
    assert log_in("an", PASSWORD).status_code == 429


def test_showing_the_login_page_is_not_counted(an):
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for _ in range(15):
        assert client.get(reverse("login")).status_code == 200
        assert client.get("/admin/login/").status_code == 200
    assert log_in("an", PASSWORD).status_code == 302


def test_logging_in_in_tests_is_never_throttled(client, an):
    for _ in range(30):
        assert client.login(username="an", password=PASSWORD)
        client.force_login(an)


def test_the_questionnaire_pages_are_rate_limited_per_address(client, settings):
    settings.QUESTIONNAIRE_RATE_LIMIT = "3/h"
    for page in ("form", "follow_up", "exit"):
        assert client.get(reverse(f"evaluation:{page}", args=["not-a-link"])).status_code == 404
    limited = client.get(reverse("evaluation:form", args=["another-guess"]))
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "Te veel verzoeken" in limited.content.decode()
    assert client.get(reverse("evaluation:form", args=["x"]), REMOTE_ADDR="203.0.113.9").status_code == 404


# -- lock-outs in layers --------------------------------------------------------------------------------
def test_spraying_a_hundred_usernames_from_one_address_is_throttled_after_ten(an):
    answers = [get_token(f"user{number}", "Zomer2025!").status_code for number in range(100)]
    assert answers[:10] == [400] * 10
    assert set(answers[10:]) == {429}


def test_spraying_a_hundred_usernames_from_one_address_is_locked_after_twenty(an, unlimited):
    answers = [get_token(f"user{number}", "Zomer2025!").status_code for number in range(100)]
    assert answers[:19] == [400] * 19
    assert set(answers[19:]) == {403}  # the 20th failure locks the address
    # Locked from that address: also an account nobody tried, with its right password; no token is made.
    locked = get_token("an", PASSWORD)
    assert locked.json()["code"] == "locked_out"
    assert is_locked_out(log_in("an", PASSWORD))
    assert not ApiToken.objects.exists()
    # Other addresses are not.
    assert get_token("an", PASSWORD, address="203.0.113.9").status_code == 200


def test_a_successful_log_in_does_not_clear_the_addresss_failures_for_others(an, unlimited):
    UserFactory(username="mallory")
    for number in range(19):
        get_token(f"user{number}", "wrong")
    assert get_token("mallory", PASSWORD).status_code == 200  # the attacker's own account
    assert get_token("user99", "wrong").json()["code"] == "locked_out"


def test_guessing_one_username_from_many_addresses_locks_it_after_thirty(an, unlimited):
    for number in range(29):
        assert log_in("an", "wrong", address=f"203.0.113.{number}").status_code == 200
    assert is_locked_out(log_in("an", "wrong", address="203.0.113.100"))
    # Locked from every new address, with the right password too, on the page, the admin and the API.
    assert is_locked_out(log_in("an", PASSWORD, address="192.0.2.1"))
    assert is_locked_out(admin_log_in("an", PASSWORD, address="192.0.2.2"))
    assert get_token("an", PASSWORD, address="192.0.2.3").json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()
    # Another username is not.
    UserFactory(username="bert")
    assert log_in("bert", PASSWORD, address="192.0.2.1").status_code == 302


def test_an_officer_keeps_logging_in_from_their_usual_address_while_others_fail_in_their_name(an, unlimited):
    office = "192.0.2.10"
    assert log_in("an", PASSWORD, address=office).status_code == 302
    for number in range(40):
        log_in("an", "wrong", address=f"203.0.113.{number}")
    assert is_locked_out(log_in("an", PASSWORD, address="192.0.2.11"))
    assert log_in("an", PASSWORD, address=office).status_code == 302
    # Spraying from the office's address does not lock her out there either; others are locked.
    for number in range(25):
        log_in(f"user{number}", "wrong", address=office)
    assert log_in("an", PASSWORD, address=office).status_code == 302
    UserFactory(username="bert")
    assert is_locked_out(log_in("bert", PASSWORD, address=office))
    # At her usual address the first layer still holds: five failures of her own lock her out there.
    for _ in range(5):
        log_in("an", "wrong", address=office)
    assert is_locked_out(log_in("an", PASSWORD, address=office))


def test_the_right_password_never_gets_a_token_for_a_locked_account(an):
    for _ in range(5):
        get_token("an", "wrong")
    for _ in range(3):
        locked = get_token("an", PASSWORD)
        assert locked.status_code == 403 and locked.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()


# -- the client's address -------------------------------------------------------------------------------
def test_a_spoofed_x_forwarded_for_from_a_direct_client_changes_nothing(an):
    for number in range(5):
        get_token("an", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")
    locked = get_token("an", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert locked.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_spoofed_x_forwarded_for_does_not_escape_the_rate_limit(an):
    for number in range(10):
        log_in("an", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")
    assert log_in("an", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.200").status_code == 429


def test_behind_one_trusted_proxy_the_address_it_saw_counts_and_a_prepended_one_is_ignored(an, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(5):
        # What the client wrote comes first, what the proxy saw last.
        get_token("an", "wrong", address=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    locked = get_token("an", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.77, {ATTACKER}")
    assert locked.json()["code"] == "locked_out"
    # Another client through the same proxy is not locked out.
    assert get_token("an", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_behind_one_trusted_proxy_the_rate_limit_counts_per_client(an, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(10):
        log_in("an", "wrong", address=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, {ATTACKER}")
    assert log_in("an", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert log_in("an", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302


def address(settings=None, remote=ATTACKER, forwarded=None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_the_client_address_without_trusted_proxies_is_the_connections(settings):
    assert address(forwarded="10.0.0.1") == ATTACKER
    assert address(remote=PROXY, forwarded="10.0.0.1") == PROXY


def test_the_client_address_behind_listed_proxies(settings):
    settings.TRUSTED_PROXIES = [ip_network("172.16.0.0/12"), ip_network("192.0.2.1/32")]
    # The connection is a listed proxy: the chain is read from the right, past the listed proxies.
    assert address(remote=PROXY, forwarded=f"10.0.0.1, {ATTACKER}") == ATTACKER
    assert address(remote=PROXY, forwarded=f"10.0.0.1, {ATTACKER}, 192.0.2.1") == ATTACKER
    # Only proxies, or nothing forwarded: the farthest proxy.
    assert address(remote=PROXY, forwarded="192.0.2.1") == "192.0.2.1"
    assert address(remote=PROXY) == PROXY
    # A connection that is not a listed proxy: its header is not read.
    assert address(remote=ATTACKER, forwarded="10.0.0.1") == ATTACKER
    # Rubbish where an address should be: the nearest proxy stands for it.
    assert address(remote=PROXY, forwarded="not-an-address") == PROXY


def test_the_client_address_behind_a_count_of_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address(remote=PROXY, forwarded=f"10.0.0.1, {ATTACKER}, 172.18.0.9") == ATTACKER
    assert address(remote=PROXY, forwarded="172.18.0.9") == "172.18.0.9"
    assert address(remote=PROXY, forwarded="") == PROXY
