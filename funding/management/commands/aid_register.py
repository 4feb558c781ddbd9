"""``manage.py aid_register --from 2025-01-01 --to 2025-12-31 [--format csv|xlsx] [--output PATH]``."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.aid_register import FORMATS, register_file


def _day(option: str, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date, give it as YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = "The aid granted in a period, for the central de-minimis register, as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="The first day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="The last day (included), YYYY-MM-DD.")
        parser.add_argument(
            "--format", dest="file_format", choices=FORMATS, default="csv", help="csv (default) or xlsx."
        )
        parser.add_argument(
            "--output", default=None, help="Write to this file instead of the standard output (csv only)."
        )

    def handle(self, *args, start: str, end: str, file_format: str, output: str | None, **options):
        first, last = _day("--from", start), _day("--to", end)
        if last < first:
            raise CommandError("--to lies before --from.")
        if file_format == "xlsx" and not output:
            raise CommandError("Format xlsx is a file: give --output PATH.")
        content, _filename = register_file(first, last, file_format)
        if not output:
            # A terminal or a pipe gets the text; the byte-order mark is for Excel opening a file.
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        Path(output).write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"Aid register {first:%d/%m/%Y}–{last:%d/%m/%Y} written to {output}.")
        )
