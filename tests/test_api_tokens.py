"""API tokens that end: several per user, kept as digests, expiring after API_TOKEN_TTL_DAYS, revoked by
their user (API and the page API-sleutels), an administrator, a lock-out, a deactivation or a new password."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory
from voorsprong.models import ApiToken
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
SOME_LIST = "/api/v1/trajects/"
EXPIRED = (
    "Deze API-sleutel is verlopen. Maak een nieuwe aan op de pagina API-sleutels of met POST "
    "/api/v1/auth/token/."
)


@pytest.fixture
def an(db):
    return UserFactory(username="an", role=Role.OFFICER, is_staff=True)


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def opens(key: str) -> bool:
    """Return whether ``key`` opens the API (a list every role but finance may read)."""
    return with_key(key).get(SOME_LIST).status_code == 200


def get_token(username="an", password=PASSWORD, address="10.0.0.1", **fields):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password, **fields}, REMOTE_ADDR=address, format="json"
    )


def age(token: ApiToken, *, days: float) -> None:
    """Move ``token`` ``days`` into the past, as if it had been made then."""
    shift = datetime.timedelta(days=days)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=token.created_at - shift, expires_at=token.expires_at - shift
    )


# -- making tokens ------------------------------------------------------------------------------------------
def test_each_log_in_gives_a_new_token_that_expires_after_the_ttl(an):
    before = timezone.now()
    first = get_token(label="nachtelijke export", HTTP_USER_AGENT="curl/8.5")
    second = get_token()

    assert first.status_code == second.status_code == 200
    body = first.json()
    assert set(body) == {"token", "id", "expires_at"}
    assert body["token"].startswith("vsp_") and body["token"] != second.json()["token"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.label == "nachtelijke export"
    assert datetime.timedelta(days=30) <= token.expires_at - before <= datetime.timedelta(days=30, minutes=1)
    assert datetime.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    # Both keys open the API: one token per script or machine.
    assert opens(body["token"]) and opens(second.json()["token"])
    assert an.api_tokens.count() == 2


def test_only_a_digest_of_the_key_is_stored(an):
    token, key = issue_api_token(an, label="script")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}
    assert stored["digest"] == ApiToken.digest_of(key) and len(stored["digest"]) == 64


@override_settings(API_TOKEN_TTL_DAYS=2)
def test_the_lifetime_is_a_setting(an):
    token, _key = issue_api_token(an)

    assert token.expires_at - token.created_at == datetime.timedelta(days=2)


def test_a_label_with_control_characters_is_refused_and_no_token_made(an):
    response = get_token(label="script\u202e")

    assert response.status_code == 400
    assert response.json()["code"] == "forbidden_characters" and "label" in response.json()
    assert not ApiToken.objects.exists()


def test_wrong_credentials_make_no_token(an):
    assert get_token(password="wrong").status_code == 400
    assert not ApiToken.objects.exists()


# -- expiry ---------------------------------------------------------------------------------------------
def test_an_expired_token_answers_401_token_expired_in_dutch(an):
    token, key = issue_api_token(an)
    age(token, days=30)

    response = with_key(key).get(SOME_LIST)

    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED, "code": "token_expired"}
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_works_until_its_last_minute(an):
    token, key = issue_api_token(an)
    age(token, days=29.999)

    assert opens(key)


def test_a_new_token_clears_the_users_expired_ones_only(an):
    old, _old_key = issue_api_token(an)
    live, live_key = issue_api_token(an)
    other_user_old, _ = issue_api_token(UserFactory())
    age(old, days=31)
    age(other_user_old, days=31)

    issue_api_token(an)

    assert not ApiToken.objects.filter(pk=old.pk).exists()
    assert ApiToken.objects.filter(pk__in=[live.pk, other_user_old.pk]).count() == 2
    assert opens(live_key)


# -- last use ---------------------------------------------------------------------------------------------
def test_the_last_use_is_written_at_most_once_a_minute(an):
    token, key = issue_api_token(an)
    client = with_key(key)

    client.get(SOME_LIST)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    with CaptureQueriesContext(connection) as queries:
        client.get(SOME_LIST)
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - datetime.timedelta(minutes=1))
    client.get(SOME_LIST)
    token.refresh_from_db()
    assert token.last_used_at > first_use


# -- what revokes every token of a user ---------------------------------------------------------------------
def test_a_lock_out_on_the_token_endpoint_revokes_the_users_tokens(an):
    _token, key = issue_api_token(an)
    bystander = UserFactory(username="bert", role=Role.OFFICER)
    _other, other_key = issue_api_token(bystander)
    for _ in range(4):
        get_token(password="wrong")
    assert opens(key)  # not yet locked

    get_token(password="wrong")

    assert get_token().json()["code"] == "locked_out"
    response = with_key(key).get(SOME_LIST)
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert not an.api_tokens.exists()
    assert opens(other_key)


def test_a_lock_out_on_the_login_page_revokes_the_users_tokens(an, client):
    _token, key = issue_api_token(an)
    for _ in range(5):
        client.post(reverse("login"), {"username": "an", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")

    assert not opens(key)


def test_deactivating_a_user_revokes_their_tokens(an):
    _token, key = issue_api_token(an)
    an.is_active = False
    an.save()

    assert not opens(key) and not an.api_tokens.exists()


def test_a_deactivated_user_is_refused_even_with_a_token_left_behind(an):
    _token, key = issue_api_token(an)
    # A bulk update passes no signal: the authentication still refuses the user.
    type(an).objects.filter(pk=an.pk).update(is_active=False)

    response = with_key(key).get(SOME_LIST)

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


def test_a_new_password_revokes_the_users_tokens(an):
    _token, key = issue_api_token(an)
    an.set_password("een heel ander wachtwoord")
    an.save()

    assert not opens(key)


def test_a_password_made_unusable_revokes_the_users_tokens(an):
    _token, key = issue_api_token(an)
    an.set_unusable_password()
    an.save()

    assert not opens(key)


def test_an_administrator_changing_a_password_in_the_admin_revokes_the_tokens(an, client):
    _token, key = issue_api_token(an)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    new = "paars-olifant-fietst-traag"

    response = client.post(
        reverse("admin:auth_user_password_change", args=[an.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content[:500]
    assert not opens(key)


def test_saving_a_user_otherwise_keeps_their_tokens(an):
    _token, key = issue_api_token(an)
    an.first_name = "Annelies"
    an.save()

    assert opens(key)


class OldHasher(MD5PasswordHasher):
    """A hasher no longer preferred: a log-in re-hashes the password with the preferred one."""

    algorithm = "old_md5"


@override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher", f"{__name__}.OldHasher"]
)
def test_a_log_in_that_only_upgrades_the_stored_hash_keeps_the_tokens(an):
    type(an).objects.filter(pk=an.pk).update(password=make_password(PASSWORD, hasher="old_md5"))
    _token, key = issue_api_token(an)

    assert get_token().status_code == 200

    an.refresh_from_db()
    assert an.password.startswith("md5$")  # upgraded
    assert opens(key)


# -- the caller's tokens through the API ----------------------------------------------------------------
def test_the_list_shows_the_callers_own_tokens_without_keys(an):
    own, key = issue_api_token(an, label="laptop", user_agent="python-requests/2.32")
    older, _ = issue_api_token(an, label="server")
    age(older, days=1)
    issue_api_token(UserFactory(), label="someone else's")

    body = with_key(key).get(TOKENS_URL).json()

    assert body["count"] == 2
    assert [row["label"] for row in body["results"]] == ["laptop", "server"]
    first = body["results"][0]
    assert set(first) == {"id", "label", "user_agent", "created_at", "expires_at", "last_used_at", "expired"}
    assert (first["id"], first["user_agent"], first["expired"]) == (own.pk, "python-requests/2.32", False)
    assert key not in str(body) and own.digest not in str(body)


def test_the_list_filters_on_active(an):
    expired, _ = issue_api_token(an, label="old")
    _live, key = issue_api_token(an, label="new")
    age(expired, days=40)
    client = with_key(key)

    assert [row["label"] for row in client.get(TOKENS_URL, {"active": "true"}).json()["results"]] == ["new"]
    old = client.get(TOKENS_URL, {"active": "false"}).json()["results"]
    assert [(row["label"], row["expired"]) for row in old] == [("old", True)]
    assert client.get(TOKENS_URL, {"active": "misschien"}).status_code == 400


def test_the_list_needs_a_login():
    assert APIClient().get(TOKENS_URL).status_code == 401


def test_a_user_revokes_one_of_their_tokens_by_id(an):
    laptop, laptop_key = issue_api_token(an, label="laptop")
    _server, server_key = issue_api_token(an, label="server")

    response = with_key(server_key).delete(f"{TOKENS_URL}{laptop.pk}/")

    assert response.status_code == 204
    assert not opens(laptop_key) and opens(server_key)


def test_another_users_token_is_not_found_and_keeps_working(an):
    _own, key = issue_api_token(an)
    theirs, their_key = issue_api_token(UserFactory(role=Role.OFFICER))

    response = with_key(key).delete(f"{TOKENS_URL}{theirs.pk}/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert opens(their_key)


def test_delete_on_the_token_endpoint_revokes_the_token_of_the_call_only(an):
    _first, first_key = issue_api_token(an)
    _second, second_key = issue_api_token(an)

    assert with_key(first_key).delete(TOKEN_URL).status_code == 204

    assert not opens(first_key) and opens(second_key)


def test_delete_on_the_token_endpoint_with_a_session_revokes_nothing(an):
    _token, key = issue_api_token(an)
    client = APIClient()
    client.force_login(an)

    assert client.delete(TOKEN_URL).status_code == 204
    assert opens(key)


# -- the page API-sleutels ----------------------------------------------------------------------------------
PAGE = "/api-sleutels/"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_makes_a_key_on_the_page_and_sees_it_once(role, client):
    user = UserFactory(role=role, is_staff=role in (Role.OFFICER, Role.FINANCE, Role.ADMIN))
    client.force_login(user)

    made = client.post(PAGE, {"label": "mijn script"})

    assert made.status_code == 200
    assert made["Cache-Control"].startswith("max-age=0") and "no-store" in made["Cache-Control"]
    key = made.context["new_key"]
    assert key in made.content.decode()
    token = user.api_tokens.get()
    assert token.label == "mijn script"
    assert with_key(key).get(TOKENS_URL).json()["results"][0]["id"] == token.pk
    # The list shows it, never its key again.
    again = client.get(PAGE).content.decode()
    assert "mijn script" in again and key not in again and token.digest not in again


def test_the_page_lists_only_the_users_own_keys_with_their_dates(an, client):
    token, _ = issue_api_token(an, label="laptop")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    issue_api_token(UserFactory(), label="van iemand anders")
    client.force_login(an)

    page = client.get(PAGE)

    assert list(page.context["tokens"]) == [token]
    content = page.content.decode()
    assert "laptop" in content and "van iemand anders" not in content
    assert timezone.localtime(token.expires_at).strftime("%d/%m/%Y") in content
    assert "nooit" not in content  # it was used


def test_the_page_marks_an_expired_key(an, client):
    token, _ = issue_api_token(an)
    age(token, days=31)
    client.force_login(an)

    assert 'data-testid="expired"' in client.get(PAGE).content.decode()


def test_a_label_the_form_refuses_makes_no_key(an, client):
    client.force_login(an)

    response = client.post(PAGE, {"label": "x" * 101})

    assert response.status_code == 200
    assert response.context["new_key"] is None and response.context["form"].errors["label"]
    assert not ApiToken.objects.exists()


def test_revoking_on_the_page(an, client):
    token, key = issue_api_token(an, label="laptop")
    client.force_login(an)

    response = client.post(reverse("revoke_token", args=[token.pk]), follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "De sleutel is ingetrokken" in response.content.decode()
    assert not opens(key)


def test_revoking_another_users_key_on_the_page_is_not_found(an, client):
    theirs, their_key = issue_api_token(UserFactory(role=Role.OFFICER))
    client.force_login(an)

    assert client.post(reverse("revoke_token", args=[theirs.pk])).status_code == 404
    assert opens(their_key)


def test_the_page_takes_posts_only_with_the_csrf_token(an):
    token, key = issue_api_token(an)
    client = Client(enforce_csrf_checks=True)
    client.force_login(an)

    assert client.post(reverse("revoke_token", args=[token.pk])).status_code == 403
    assert client.post(PAGE, {"label": "x"}).status_code == 403
    assert opens(key) and an.api_tokens.count() == 1
    assert client.get(reverse("revoke_token", args=[token.pk])).status_code == 405


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response.url.startswith("/aanmelden/")


# -- the admin --------------------------------------------------------------------------------------------
def test_an_administrator_sees_tokens_without_keys_and_revokes_them(an, client):
    token, key = issue_api_token(an, label="laptop")
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))

    listing = client.get(reverse("admin:voorsprong_apitoken_changelist")).content.decode()
    assert "laptop" in listing and key not in listing and token.digest not in listing
    detail = client.get(reverse("admin:voorsprong_apitoken_change", args=[token.pk])).content.decode()
    assert key not in detail and token.digest not in detail
    assert client.get(reverse("admin:voorsprong_apitoken_add")).status_code == 403

    response = client.post(reverse("admin:voorsprong_apitoken_delete", args=[token.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not opens(key)


def test_officers_do_not_see_the_tokens_in_the_admin(an, client):
    client.force_login(an)

    assert client.get(reverse("admin:voorsprong_apitoken_changelist")).status_code == 403


# -- DRF's tokens of before -------------------------------------------------------------------------------
def test_the_migration_keeps_drf_tokens_working_until_the_ttl_and_drops_their_plain_table(an):
    migration = importlib.import_module("voorsprong.migrations.0010_drf_tokens_into_api_tokens")
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy_key, timezone.now(), an.pk])
    from django.apps import apps

    migration.move_drf_tokens(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=an)
    assert token.digest == ApiToken.digest_of(legacy_key)
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29)
    assert opens(legacy_key)
    assert "authtoken_token" not in connection.introspection.table_names()


def test_the_migration_does_nothing_without_drf_tokens(an):
    migration = importlib.import_module("voorsprong.migrations.0010_drf_tokens_into_api_tokens")
    from django.apps import apps

    migration.move_drf_tokens(apps, SimpleNamespace(connection=connection))

    assert not ApiToken.objects.exists()


def test_an_administrator_revokes_several_tokens_at_once(an, client):
    (first, first_key), (second, second_key) = issue_api_token(an), issue_api_token(an)
    _kept, kept_key = issue_api_token(an)
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))

    client.post(
        reverse("admin:voorsprong_apitoken_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert not opens(first_key) and not opens(second_key) and opens(kept_key)
