"""``manage.py report KIND [--as-of 2025-11-26] [--parameter NAME=VALUE ...] [--format json|pdf|docx|xlsx|csv]
[--output PATH]``: KIND is a question's number (244) or a report kind's key (``breakdown``)."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.documents import render_report
from reporting.kinds import ReportKind, UnknownKind, get_kind, kinds
from reporting.models import ReportFormat
from reporting.questions import UnknownQuestion, get_question
from reporting.selectors import report_figures
from voorsprong.services import WorkflowRefusal


class Command(BaseCommand):
    help = (
        "The figures of a parliamentary question or another report kind as of a date, as JSON or a document."
    )
    # A command made for one question sets its number and takes no KIND argument.
    question_number: int | None = None

    def add_arguments(self, parser):
        if self.question_number is None:
            names = ", ".join(str(kind.question.number) if kind.question else kind.key for kind in kinds())
            parser.add_argument("kind", help=f"The question's number or the report kind: {names}.")
        parser.add_argument(
            "--as-of",
            default=None,
            help="The date of the figures, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--parameter",
            dest="parameters",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A parameter of the kind, e.g. --parameter by=province,traject (repeat for more).",
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

    def _kind(self, name) -> ReportKind:
        try:
            return get_question(int(name)).kind if str(name).isdigit() else get_kind(name)
        except (UnknownQuestion, UnknownKind):
            names = ", ".join(str(kind.question.number) if kind.question else kind.key for kind in kinds())
            what = "question" if str(name).isdigit() else "report kind"
            raise CommandError(f"No {what} {name} is registered; choose one of {names}.") from None

    def handle(self, *args, as_of, parameters, fmt, output, kind=None, **options):
        chosen = self._kind(self.question_number if self.question_number is not None else kind)
        name = f"Question {chosen.question.number}" if chosen.question else f"Report {chosen.key}"
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of: not a date, give it as YYYY-MM-DD: {as_of!r}") from None
        given = dict(parameter.partition("=")[::2] for parameter in parameters)
        try:
            figures = report_figures(chosen.key, day, chosen.clean_parameters(given))
        except WorkflowRefusal as refusal:
            raise CommandError(f"--parameter {refusal.field}: {refusal.message}") from None

        if fmt == ReportFormat.JSON:
            text = json.dumps(chosen.serializer(figures).data, ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"Figures as of {day:%d/%m/%Y} written to {output}."))
            else:
                self.stdout.write(text)
            return

        if fmt not in chosen.formats:
            raise CommandError(f"{name} is not made as {fmt}: {', '.join(chosen.formats)}.")
        if not output:
            raise CommandError(f"Format {fmt} is a file: give --output PATH.")
        Path(output).write_bytes(render_report(figures, fmt))
        self.stdout.write(self.style.SUCCESS(f"{name} as of {day:%d/%m/%Y} written to {output} ({fmt})."))
