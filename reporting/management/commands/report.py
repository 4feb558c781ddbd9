"""``manage.py report QUESTION [--as-of 2025-11-26] [--format json|pdf|docx|xlsx|csv] [--output PATH]``."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.documents import render_report
from reporting.models import ReportFormat
from reporting.questions import UnknownQuestion, get_question, questions
from reporting.selectors import question_figures


class Command(BaseCommand):
    help = "The figures of a parliamentary question as of a date, as JSON or as a document."
    # A command made for one question sets its number and takes no QUESTION argument.
    question_number: int | None = None

    def add_arguments(self, parser):
        if self.question_number is None:
            numbers = ", ".join(str(question.number) for question in questions())
            parser.add_argument("question", type=int, help=f"The question's number: {numbers}.")
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

    def handle(self, *args, as_of: str | None, fmt: str, output: str | None, question=None, **options):
        number = self.question_number if self.question_number is not None else question
        try:
            answered = get_question(number)
        except UnknownQuestion:
            numbers = ", ".join(str(known.number) for known in questions())
            raise CommandError(f"No question {number} is registered; choose one of {numbers}.") from None
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: not a date, give it as YYYY-MM-DD: {as_of!r}") from None
        figures = question_figures(answered.number, day)

        if fmt == ReportFormat.JSON:
            text = json.dumps(answered.serializer(figures).data, ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"Figures as of {day:%d/%m/%Y} written to {output}."))
            else:
                self.stdout.write(text)
            return

        if fmt not in answered.formats:
            raise CommandError(f"Question {number} is not made as {fmt}: {', '.join(answered.formats)}.")
        if not output:
            raise CommandError(f"Format {fmt} is a file: give --output PATH.")
        Path(output).write_bytes(render_report(figures, fmt))
        self.stdout.write(
            self.style.SUCCESS(f"Question {number} as of {day:%d/%m/%Y} written to {output} ({fmt}).")
        )
