"""``manage.py pq244 [--as-of 2025-11-26] [--format json|pdf|docx|xlsx|csv] [--output PATH]``: the
command ``manage.py report 244`` under the name it had before questions were registered."""

from reporting.management.commands.report import Command as ReportCommand
from reporting.questions import pq244


class Command(ReportCommand):
    help = "The figures of parliamentary question 244 as of a date, as JSON or as a document."
    question_number = pq244.QUESTION.number
