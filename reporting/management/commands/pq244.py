"""``manage.py pq244 --as-of 2025-11-26 [--format json|pdf|docx|xlsx|csv] [--output PATH]``."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.models import ReportFormat
from reporting.statistics import pq244_figures


def figures_json(figures: dict) -> str:
    """The figures as the API gives them, indented for reading."""
    return json.dumps(figures, ensure_ascii=False, indent=2)


class Command(BaseCommand):
    help = "The figures of parliamentary question 244 as of a date, as JSON or as a document."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            default=None,
            help="The date of the figures, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=ReportFormat.values,
            default=ReportFormat.JSON,
            help="json (default) or a document: pdf, docx, xlsx, csv.",
        )
        parser.add_argument(
            "--output", default=None, help="Write to this file instead of the standard output."
        )

    def handle(self, *args, as_of: str | None, fmt: str, output: str | None, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: not a date, give it as YYYY-MM-DD: {as_of!r}") from None
        figures = pq244_figures(day)

        if fmt == ReportFormat.JSON:
            text = figures_json(figures)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"Figures as of {day:%d/%m/%Y} written to {output}."))
            else:
                self.stdout.write(text)
            return

        try:
            from reporting.documents import render_report
        except ImportError as error:
            raise CommandError(
                f"Format {fmt} is not available: reporting.documents cannot be imported ({error})."
            ) from None
        if not output:
            raise CommandError(f"Format {fmt} is a file: give --output PATH.")
        Path(output).write_bytes(render_report(figures, fmt))
        self.stdout.write(
            self.style.SUCCESS(f"Question 244 as of {day:%d/%m/%Y} written to {output} ({fmt}).")
        )
