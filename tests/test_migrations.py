"""The migrations: none missing, and every one applies forward on its own from an empty database.

A migration runs against the models of its own time, so one that imported today's code would break a
database migrated step by step even while a full ``migrate`` happens to work.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from voorsprong.roles import ROLE_PERMISSIONS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {"voorsprong", "trajects", "participants", "funding", "reporting"}

# Applies each migration of the project's apps in the order of the full plan, one ``migrate`` per
# migration (each followed by its post_migrate signal, as a deployment does), then the rest, and prints
# how many were applied one at a time.
STEP_BY_STEP = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from voorsprong.roles import ROLE_PERMISSIONS
from django.db.migrations.executor import MigrationExecutor

OURS = {"voorsprong", "trajects", "participants", "funding", "reporting"}
executor = MigrationExecutor(connection)
plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
steps = [migration for migration, _backwards in plan if migration.app_label in OURS]
for migration in steps:
    call_command("migrate", migration.app_label, migration.name, verbosity=0)
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group
groups = {}
for group in Group.objects.all():
    granted = group.permissions.values_list("content_type__app_label", "codename")
    groups[group.name] = sorted(f"{app}.{codename}" for app, codename in granted)
print(json.dumps({"steps": len(steps), "groups": groups}))
"""


def test_no_model_change_is_without_its_migration():
    # Exits with 1 when a model differs from what its migrations build.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.fixture
def empty_database_url(tmp_path):
    """Yield the address of a new, empty database of the engine the suite runs on; drop it afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    name = f"voorsprong_migrations_{uuid.uuid4().hex[:12]}"
    server = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_on(database_url: str, script: str) -> str:
    """Run ``script`` in a Django process of its own on ``database_url``; return what it printed."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "voorsprong.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_every_migration_applies_forward_one_at_a_time_from_an_empty_database(empty_database_url):
    printed = _run_on(empty_database_url, STEP_BY_STEP)

    result = json.loads(printed.strip().splitlines()[-1])
    ours = [key for key in MigrationLoader(connection).graph.nodes if key[0] in PROJECT_APPS]
    assert result["steps"] == len(ours)
    assert result["groups"] == {
        role.value: sorted(
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in grants.items()
            for action in actions
        )
        for role, grants in ROLE_PERMISSIONS.items()
    }


def test_a_database_stopped_at_the_first_role_migration_has_the_groups_of_its_models(empty_database_url):
    """The failure the frozen migrations fixed: ``migrate voorsprong 0002_role_groups`` on an empty
    database refused because later models' permissions did not exist yet."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.contrib.auth.models import Group\n"
        "call_command('migrate', 'voorsprong', '0002_role_groups', verbosity=0)\n"
        "officer = Group.objects.get(name='officer')\n"
        "granted = officer.permissions.values_list('codename', flat=True)\n"
        "print(int('change_application' in granted), int('add_initiative' in granted))\n"
    )

    printed = _run_on(empty_database_url, script)

    # Applications exist at that migration; the initiatives of reporting's 0003 do not yet.
    assert printed.split() == ["1", "0"]
