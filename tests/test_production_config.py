"""Production serving: gunicorn's workers and timeouts come from the environment (gunicorn.conf.py), the
Docker image and docker-compose start gunicorn with that file, Caddy stands in front of it, and production
does not start without a secret key and host names of its own."""

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parent.parent
CORES = len(os.sched_getaffinity(0))


def _gunicorn_settings(monkeypatch, **environment) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_to_two_workers_per_core_plus_one(monkeypatch):
    settings = _gunicorn_settings(monkeypatch)
    assert settings["workers"] == 2 * CORES + 1
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (30, 30, 5)
    assert settings["bind"] == "0.0.0.0:8000"


def test_gunicorn_takes_workers_and_timeouts_from_the_environment(monkeypatch):
    settings = _gunicorn_settings(
        monkeypatch, WEB_CONCURRENCY="4", GUNICORN_TIMEOUT="90", GUNICORN_GRACEFUL_TIMEOUT="10"
    )
    assert (settings["workers"], settings["timeout"], settings["graceful_timeout"]) == (4, 90, 10)
    # docker-compose passes an unset WEB_CONCURRENCY on as empty: the default then.
    assert _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="")["workers"] == 2 * CORES + 1


@pytest.mark.parametrize("value", ["0", "-3", "four", "2.5"])
def test_gunicorn_refuses_a_worker_count_that_is_not_a_positive_whole_number(monkeypatch, value):
    with pytest.raises(
        SystemExit, match=f"WEB_CONCURRENCY must be a whole number of at least 1, not '{value}'"
    ):
        _gunicorn_settings(monkeypatch, WEB_CONCURRENCY=value)


def test_the_image_and_docker_compose_start_gunicorn_with_its_settings_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py", "voorsprong.wsgi:application"]' in dockerfile
    assert "WEB_CONCURRENCY=" not in dockerfile  # a fixed count would hide the default of the cores
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["command"] == ["gunicorn", "--config", "gunicorn.conf.py", "voorsprong.wsgi:application"]
    # The web service adds gunicorn's variables to the settings every service shares, losing none.
    shared = compose["services"]["worker"]["environment"]
    assert web["environment"] == {
        **shared,
        "WEB_CONCURRENCY": "${WEB_CONCURRENCY:-}",
        "GUNICORN_TIMEOUT": "${GUNICORN_TIMEOUT:-30}",
        "GUNICORN_GRACEFUL_TIMEOUT": "${GUNICORN_GRACEFUL_TIMEOUT:-30}",
    }
    # The PostgreSQL client of bin/backup is the major version of the database's image.
    server = re.fullmatch(r"postgres:(\d+)", compose["services"]["postgres"]["image"]).group(1)
    assert f"ARG POSTGRES_MAJOR={server}\n" in dockerfile
    assert "backups:/app/var/backups" in web["volumes"] and "backups" in compose["volumes"]


# -- the reverse proxy in front -----------------------------------------------------------------------
COMPOSE_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "a-key-of-its-own",
    "POSTGRES_PASSWORD": "secret",
    "VOORSPRONG_DOMAIN": "voorsprong.example.org",
    "CADDY_TLS": "internal",
}


def _compose_command() -> list[str] | None:
    """Return how to run Docker Compose here (the plugin, or Debian's docker-compose), None without it."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def _compose_config(**environment) -> subprocess.CompletedProcess:
    command = _compose_command()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but neither `docker compose` nor `docker-compose` is installed")
        pytest.skip("Docker Compose is not installed")
    env = {key: value for key, value in os.environ.items() if key not in COMPOSE_ENVIRONMENT}
    return subprocess.run(
        [*command, "--file", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
    )


def test_docker_compose_validates_with_the_proxy_in_front():
    result = _compose_config(**COMPOSE_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert list(published) == ["caddy"]  # the app, the database and Redis are not reachable from outside
    assert {(port["target"], port.get("protocol", "tcp")) for port in published["caddy"]} == {
        (80, "tcp"),
        (443, "tcp"),
        (443, "udp"),
    }
    web = services["web"]["environment"]
    assert web["DJANGO_TRUSTED_PROXY_COUNT"] == "1"
    assert web["DJANGO_ALLOWED_HOSTS"] == "voorsprong.example.org,127.0.0.1"
    assert web["SITE_URL"] == "https://voorsprong.example.org"
    assert services["caddy"]["environment"] == {
        "VOORSPRONG_DOMAIN": "voorsprong.example.org",
        "CADDY_TLS": "internal",
    }


@pytest.mark.parametrize("missing", sorted(COMPOSE_ENVIRONMENT))
def test_docker_compose_refuses_to_start_without_its_secrets_and_domain(missing):
    result = _compose_config(**{key: value for key, value in COMPOSE_ENVIRONMENT.items() if key != missing})
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_the_proxy_terminates_tls_forwards_to_the_app_and_never_serves_media():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    caddy = compose["services"]["caddy"]
    assert caddy["image"] == "caddy:2"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert "ports" not in compose["services"]["web"]
    assert "DJANGO_TRUST_X_FORWARDED_FOR" not in compose["x-app-environment"]
    lines = [line.split("#")[0].strip() for line in (ROOT / "deploy" / "Caddyfile").read_text().splitlines()]
    directives = [line for line in lines if line]
    assert directives[0] == "{$VOORSPRONG_DOMAIN} {"
    assert "tls {$CADDY_TLS}" in directives
    # Every replica of the web service, looked up again and again (README, "Scaling out").
    assert directives[directives.index("reverse_proxy {") + 1 :][:5] == [
        "dynamic a {",
        "name web",
        "port 8000",
        "refresh 10s",
        "}",
    ]
    assert "respond /media/* 404" in directives
    # Room for a declaration's 5 attachments of 20 MB, and no more.
    assert "max_size 110MB" in directives
    assert not any(line.startswith(("file_server", "root", "trusted_proxies")) for line in directives)


def test_docker_compose_scales_web_and_worker_and_migrates_once():
    """`docker compose up --scale web=3 --scale worker=4`: nothing pins a container's name or a host
    port on what scales, and one container runs the migrations before any replica starts."""
    result = _compose_config(**COMPOSE_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker"):
        assert "container_name" not in services[name] and "ports" not in services[name]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"  # a one-off: done, it stays stopped
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in " ".join(services[name].get("command") or [])
    # Replicas on one machine share the media volume (generated reports, attachments).
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "media:/app/var/media" in compose["web"]["volumes"]
    assert compose["worker"]["volumes"] == ["media:/app/var/media"]


# -- no production without a secret ---------------------------------------------------------------------
def _manage_check(**environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(environment, DJANGO_SETTINGS_MODULE="voorsprong.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "voorsprong.example.org"}
DEVELOPMENT_KEY = "django-insecure-local-development-key-do-not-use-in-production"


@pytest.mark.parametrize(
    "key",
    [None, "", DEVELOPMENT_KEY, "django-insecure-something-else"],
    ids=["unset", "empty", "committed", "insecure"],
)
def test_production_refuses_to_start_without_a_secret_key_of_its_own(key):
    environment = PRODUCTION if key is None else {**PRODUCTION, "DJANGO_SECRET_KEY": key}
    result = _manage_check(**environment)
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DJANGO_DEBUG=false (production) needs a DJANGO_SECRET_KEY of its own"
        in result.stderr
    )


@pytest.mark.parametrize("hosts", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_its_host_names(hosts):
    environment = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "a-key-of-its-own"}
    if hosts is not None:
        environment["DJANGO_ALLOWED_HOSTS"] = hosts
    result = _manage_check(**environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG=false (production) needs DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_key_and_host_names_and_a_checkout_with_neither():
    production = _manage_check(**PRODUCTION, DJANGO_SECRET_KEY="a-key-of-its-own")
    assert production.returncode == 0, production.stderr
    # make run and make test set nothing; .ci/run checks the production requirements with a key only.
    assert _manage_check().returncode == 0
    assert _manage_check(DJANGO_SECRET_KEY="ci-check-only").returncode == 0


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"DJANGO_TRUSTED_PROXIES": "10.0.0.0/8,not-a-network"}, "DJANGO_TRUSTED_PROXIES: 'not-a-network'"),
        ({"DJANGO_TRUSTED_PROXIES": "10.0.0.1", "DJANGO_TRUSTED_PROXY_COUNT": "1"}, "not both"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "-1"}, "not both"),
    ],
)
def test_trusted_proxies_that_make_no_sense_are_refused_at_start(environment, message):
    result = _manage_check(**environment)
    assert result.returncode != 0
    assert message in result.stderr
