"""The migrations: none missing, every one applies forward on its own from an empty database, and a
database of the release before the squash reaches the same schema.

A migration runs against the models of its own time, so one that imported today's code would break a
database migrated step by step even while a full ``migrate`` happens to work.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
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
def new_database(tmp_path):
    """Return a function that makes a new, empty database of the engine the suite runs on and returns its
    address; the databases are dropped afterwards."""
    made = []

    def make() -> str:
        name = f"voorsprong_migrations_{uuid.uuid4().hex[:12]}"
        if connection.vendor == "sqlite":
            return f"sqlite:///{tmp_path / name}.sqlite3"
        made.append(name)
        with psycopg.connect(f"{_server()}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return f"{_server()}/{name}"

    yield make
    for name in made:
        with psycopg.connect(f"{_server()}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"


def _run_on(database_url: str, script: str, *arguments: str) -> str:
    """Run ``script`` in a Django process of its own on ``database_url``; return what it printed."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "voorsprong.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_every_migration_applies_forward_one_at_a_time_from_an_empty_database(new_database):
    printed = _run_on(new_database(), STEP_BY_STEP)

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


def test_a_database_stopped_part_way_has_the_groups_of_the_models_it_has(new_database):
    """The failure the frozen migrations fixed: a database stopped before the last migration was refused
    its groups because later models' permissions did not exist yet."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.contrib.auth.models import Group\n"
        "call_command('migrate', 'participants', '0026_squashed', verbosity=0)\n"
        "officer = Group.objects.get(name='officer')\n"
        "granted = officer.permissions.values_list('codename', flat=True)\n"
        "print(int('change_application' in granted), int('add_initiative' in granted))\n"
    )

    printed = _run_on(new_database(), script)

    # Applications exist after participants' migrations; the initiatives of reporting's do not yet.
    assert printed.split() == ["1", "0"]


# Migrates an empty database to the end of the project's squashed migrations, or (``replaced``) to the end
# of the migrations they replace, as a database of the release before the squash was, and then with
# ``migrate`` as a deployment of this release does. Prints which of the project's migrations that
# ``migrate`` still had to run, and every table's columns, constraints and indexes (their order aside, and
# on PostgreSQL their names: a check constraint keeps the name of its column at the time it was made).
SCHEMA = """
import json
import sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

OURS = {"voorsprong", "trajects", "participants", "funding", "reporting"}
if sys.argv[1] == "replaced":
    executor = MigrationExecutor(connection)
    executor.loader = MigrationLoader(connection, replace_migrations=False)
    squashed = [migration for migration in executor.loader.disk_migrations.values() if migration.replaces]
    replaced = {key for migration in squashed for key in migration.replaces}
    assert len(squashed) == 7 and len(replaced) == 73, (len(squashed), len(replaced))
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([key for key in leaves if key[0] not in OURS or key in replaced])
executor = MigrationExecutor(connection)
plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
left = sorted(f"{m.app_label}.{m.name}" for m, _ in plan if m.app_label in OURS)
call_command("migrate", verbosity=0)


def parts(definition):
    # A CREATE TABLE's body split at its top-level commas: its columns and constraints.
    body, depth, part, found = definition[definition.index("(") + 1 : definition.rindex(")")], 0, "", []
    for character in body:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            found.append(part.strip())
            part = ""
        else:
            part += character
    return sorted([*found, part.strip()])


schema = {}
with connection.cursor() as cursor:
    if connection.vendor == "sqlite":
        # Django's SQLite introspection stumbles over some of the tables' constraints; their SQL does not.
        cursor.execute("SELECT type, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY sql")
        for kind, table, sql in cursor.fetchall():
            described = schema.setdefault(table, {"table": [], "indexes": []})
            if kind == "table":
                described["table"] = parts(sql)
            else:
                described["indexes"].append(sql)
    for table in connection.introspection.table_names(cursor) if connection.vendor != "sqlite" else ():
        cursor.execute(
            "SELECT column_name, data_type, character_maximum_length, numeric_precision, is_nullable"
            " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
            [table],
        )
        constraints = connection.introspection.get_constraints(cursor, table).values()
        schema[table] = {
            "columns": sorted(list(row) for row in cursor.fetchall()),
            "constraints": sorted(json.dumps(each, sort_keys=True, default=str) for each in constraints),
        }
print(json.dumps({"left": left, "schema": schema}))
"""


def test_a_database_of_the_release_before_the_squash_gets_the_schema_of_a_new_one(new_database):
    before_the_squash = json.loads(_run_on(new_database(), SCHEMA, "replaced").strip().splitlines()[-1])
    new = json.loads(_run_on(new_database(), SCHEMA, "squashed").strip().splitlines()[-1])

    # The squashed migrations are recorded as applied without running; a new database runs all seven.
    graph = MigrationLoader(connection).graph
    ours = sorted(f"{app}.{name}" for app, name in graph.nodes if app in PROJECT_APPS)
    squashed = [label for label in ours if graph.nodes[tuple(label.split("."))].replaces]
    assert len(squashed) == 7
    assert new["left"] == ours
    assert before_the_squash["left"] == sorted(set(ours) - set(squashed))
    assert before_the_squash["schema"] == new["schema"]
    assert "participants_application" in new["schema"]
