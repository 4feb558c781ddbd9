"""bin/backup and bin/restore (``make backup``, ``make restore``): a backup of the database and the media
files restores, into a fresh database, to the same rows in every table, the same media files and the same
figures of question 244; the restore refuses a database or media root that is not empty (unless told) and
a damaged backup, and then changes nothing.

The round trip runs the scripts as an operator does, against the test database (committed rows, so
``pg_dump`` sees them) and a second database made for the test. ``.ci/run`` does the same on the full demo
data.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import CoachingSessionFactory, EvaluationFactory, ReferralFactory

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2025-11-26"


def _database_url(name: str) -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{name}"


def _run(command: list[str], *, database: str, media: Path, **environment) -> subprocess.CompletedProcess:
    """Run ``command`` in the project as an operator would, on ``database`` and the media root ``media``."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database,
            "DJANGO_MEDIA_ROOT": str(media),
            "CELERY_BROKER_URL": "",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def _fingerprint(database: str, media: Path) -> dict:
    done = _run(
        [".venv/bin/python", "manage.py", "data_fingerprint", "--as-of", AS_OF],
        database=database,
        media=media,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")


@pytest.fixture
def original(postgres_only, transactional_db, tmp_path):
    """Return the test database's URL and a media root, both holding some programme data and a report."""
    EvaluationFactory.create_batch(2)
    CoachingSessionFactory.create_batch(3)
    ReferralFactory()
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "pq244-2025-11-26.pdf").write_bytes(b"%PDF-1.7 demo report")
    return _database_url(connection.settings_dict["NAME"]), media


@pytest.fixture
def fresh_database(postgres_only):
    """Return the URL of an empty database of its own, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    yield _database_url(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _backup(database: str, media: Path, backups: Path) -> Path:
    done = _run(["bin/backup"], database=database, media=media, BACKUP_DIR=str(backups))
    assert done.returncode == 0, done.stderr
    folder = ROOT / done.stdout.strip()
    assert sorted(path.name for path in folder.iterdir()) == [
        "INFO",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    return folder


@pytest.mark.postgres
def test_a_backup_restores_to_the_same_rows_media_and_figures(original, fresh_database, tmp_path):
    database, media = original
    folder = _backup(database, media, tmp_path / "backups")
    restored_media = tmp_path / "restored-media"

    done = _run(["bin/restore", str(folder)], database=fresh_database, media=restored_media)

    assert done.returncode == 0, done.stderr
    before, after = _fingerprint(database, media), _fingerprint(fresh_database, restored_media)
    assert after == before
    assert before["tables"]["participants_application"] == 5
    assert before["tables"]["participants_historicalapplication"] == 5
    assert before["media"]["files"] == 1

    # A second restore into what is now a full database is refused and changes nothing ...
    (restored_media / "reports" / "later.pdf").write_bytes(b"%PDF-1.7 made after the restore")
    refused = _run(["bin/restore", str(folder)], database=fresh_database, media=restored_media)
    assert refused.returncode == 1
    assert "restore only into an empty one, or pass --force" in refused.stderr
    assert _fingerprint(fresh_database, restored_media)["media"]["files"] == 2

    # ... unless told: --force replaces the database and the media files with the backup's.
    forced = _run(["bin/restore", "--force", str(folder)], database=fresh_database, media=restored_media)
    assert forced.returncode == 0, forced.stderr
    assert _fingerprint(fresh_database, restored_media) == before


@pytest.mark.postgres
def test_a_damaged_backup_is_refused_and_restores_nothing(original, fresh_database, tmp_path):
    database, media = original
    folder = _backup(database, media, tmp_path / "backups")
    good = tmp_path / "good"
    shutil.copytree(folder, good)
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-100])
    restored_media = tmp_path / "restored-media"

    done = _run(["bin/restore", str(folder)], database=fresh_database, media=restored_media)

    assert done.returncode == 1
    assert "is damaged (checksums differ); nothing was restored" in done.stderr
    tables = _run(
        ["psql", fresh_database, "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        database=fresh_database,
        media=tmp_path,
    )
    assert tables.stdout.strip() == "0"
    assert not restored_media.exists()

    # A dump damaged before it was summed fails in pg_restore: --force then leaves the database as it was.
    assert _run(["bin/restore", str(good)], database=fresh_database, media=restored_media).returncode == 0
    before = _fingerprint(fresh_database, restored_media)
    sums = subprocess.run(
        ["sha256sum", "database.dump", "media.tar.gz", "INFO"], cwd=folder, capture_output=True, text=True
    )
    (folder / "SHA256SUMS").write_text(sums.stdout)
    forced = _run(["bin/restore", "--force", str(folder)], database=fresh_database, media=restored_media)
    assert forced.returncode != 0
    assert _fingerprint(fresh_database, restored_media) == before


@pytest.mark.parametrize("script", [["bin/backup"], ["bin/restore", "var/backups/any"]])
def test_backup_and_restore_refuse_a_database_that_is_not_postgresql(script, tmp_path):
    done = _run(script, database=f"sqlite:///{tmp_path / 'db.sqlite3'}", media=tmp_path / "media")

    assert done.returncode == 2
    assert "DATABASE_URL must name a PostgreSQL database" in done.stderr
    assert not (tmp_path / "media").exists()
