"""``manage.py export_personal_data EMAIL [--format json|pdf] --output FILE``: every row and history row
that holds the address, for answering an access request; recorded like an export from the admin."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.models import RecordChannel
from reporting.services.personal_data import EXPORT_FORMATS, export_personal_data
from voorsprong.services import WorkflowRefusal


class Command(BaseCommand):
    help = "Write every row and history row that holds an e-mail address to a JSON or PDF file."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The e-mail address of the person who asked.")
        parser.add_argument("--format", dest="file_format", choices=EXPORT_FORMATS, default="pdf")
        parser.add_argument("--output", required=True, type=Path, help="The file to write.")

    def handle(self, *args, email: str, file_format: str, output: Path, **options):
        try:
            content = export_personal_data(email, file_format=file_format, channel=RecordChannel.COMMAND)
        except WorkflowRefusal as refusal:
            raise CommandError(refusal.message) from None
        output.write_bytes(content)
        self.stdout.write(f"{output} ({len(content)} bytes)")
