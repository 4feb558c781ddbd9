"""Production serving: gunicorn's workers and timeouts come from the environment (gunicorn.conf.py), and
the Docker image and docker-compose start gunicorn with that file."""

import os
import re
import runpy
from pathlib import Path

import pytest
import yaml

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
    assert web["command"][-1].endswith("exec gunicorn --config gunicorn.conf.py voorsprong.wsgi:application")
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
