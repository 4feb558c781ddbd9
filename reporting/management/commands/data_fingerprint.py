"""``manage.py data_fingerprint [--as-of 2025-11-26]``: what must be equal after a backup is restored.

Prints JSON: the row count of every table, the number and a SHA-256 of the media files (paths and
contents), and the fingerprint of question 244's figures as of a date. Two databases with the same
output hold the same rows in every table and give the cabinet the same figures (``bin/backup``,
``bin/restore`` and the round trip of ``.ci/run``).
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from reporting.questions.pq244 import pq244_figures


def table_counts() -> dict[str, int]:
    """Return the number of rows of every table of the database, by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_digest(root: Path) -> dict:
    """Return the number of files under ``root`` and one SHA-256 over their relative paths and
    contents."""
    digest, count = hashlib.sha256(), 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        count += 1
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return {"files": count, "sha256": digest.hexdigest()}


class Command(BaseCommand):
    help = "Print the row count of every table, a digest of the media files and question 244's fingerprint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="The date of question 244's figures (YYYY-MM-DD; today by default).",
        )

    def handle(self, *args, as_of: datetime.date | None = None, **options):
        as_of = as_of or timezone.localdate()
        summary = {
            "tables": table_counts(),
            "media": media_digest(Path(settings.MEDIA_ROOT)),
            "question_244": {"as_of": as_of.isoformat(), "fingerprint": pq244_figures(as_of)["fingerprint"]},
        }
        self.stdout.write(json.dumps(summary, indent=2, sort_keys=True))
