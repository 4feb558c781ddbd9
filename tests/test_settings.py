"""Settings come from the environment; with none set, Python alone is enough."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "transaction_mode": db.get("OPTIONS", {}).get("transaction_mode"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG, "language": settings.LANGUAGE_CODE, "time_zone": settings.TIME_ZONE,
    "languages": [code for code, _ in settings.LANGUAGES],
}))
"""
VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY")


def settings_with(**environment) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE="voorsprong.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_without_environment_sqlite_in_var_and_eager_celery():
    settings = settings_with()
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert Path(settings["name"]) == ROOT / "var" / "voorsprong.sqlite3"
    assert settings["transaction_mode"] == "IMMEDIATE"
    assert settings["eager"] is True
    assert settings["debug"] is False
    assert settings["language"] == "nl-be"
    # Dutch whatever the browser asks for: no other language is offered.
    assert settings["languages"] == ["nl-be"]
    assert settings["time_zone"] == "Europe/Brussels"


def test_with_environment_postgresql_and_redis():
    settings = settings_with(
        DATABASE_URL="postgres://voorsprong:secret@db.internal:5432/voorsprong",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["host"], settings["name"]) == ("db.internal", "voorsprong")
    assert settings["eager"] is False
    assert settings["broker"] == "redis://cache.internal:6379/0"


def test_debug_only_when_asked():
    assert settings_with(DJANGO_DEBUG="true")["debug"] is True
    production = {"DJANGO_SECRET_KEY": "a-key-of-its-own", "DJANGO_ALLOWED_HOSTS": "voorsprong.example.org"}
    assert settings_with(DJANGO_DEBUG="false", **production)["debug"] is False
