"""``manage.py purge_personal_data [--dry-run] [--today YYYY-MM-DD]``: blank the personal data whose retention
period ended (``reporting.personal_data``), in the rows and their history rows; the beat runs the same
service nightly."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting.models import RecordChannel
from reporting.services.personal_data import purge_personal_data


class Command(BaseCommand):
    help = "Blank the personal data whose retention period ended, in the rows and their history rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say per kind how many rows would change; change nothing."
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="The day to count the retention periods to (YYYY-MM-DD; today by default).",
        )

    def handle(self, *args, dry_run: bool = False, today: datetime.date | None = None, **options):
        today = today or timezone.localdate()
        counts = purge_personal_data(today=today, channel=RecordChannel.COMMAND, dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        for kind, counted in counts.items():
            self.stdout.write(
                f"{kind}: {verb} {counted['rows']} rows and {counted['history_rows']} history rows"
            )
