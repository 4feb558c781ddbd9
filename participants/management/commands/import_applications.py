from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from participants.services import import_applications
from participants.spreadsheets import SpreadsheetError
from voorsprong.models import User


class Command(BaseCommand):
    help = (
        "Import applications from a spreadsheet (CSV or XLSX) with the columns kbo_number, traject and "
        "optionally project and submitted_on. All rows are saved, or none when any row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        # Required: every history row of the applications names who made it.
        parser.add_argument(
            "--user", required=True, help="Username of the officer doing the import, kept in the history."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row, save nothing.")

    def handle(self, *args, file: Path, user: str, dry_run: bool, **options):
        try:
            acting = User.objects.get(username=user)
        except User.DoesNotExist as error:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": user}) from error
        # The same right the admin import page asks for.
        if not acting.has_perm("participants.add_application"):
            raise CommandError(_("%(username)s may not add applications.") % {"username": user})
        try:
            opened = file.open("rb")
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be opened: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        with opened:
            try:
                result = import_applications(opened, by=acting, dry_run=dry_run)
            except SpreadsheetError as error:
                raise CommandError(error.message) from error
        for row in result.rows:
            line = _("Row %(number)s: %(company)s: %(result)s") % {
                "number": row.number,
                "company": row.company,
                "result": row.error or row.outcome,
            }
            self.stdout.write(self.style.ERROR(line) if row.error else line)
        if result.failed:
            raise CommandError(result.summary)
        self.stdout.write(self.style.SUCCESS(result.summary))
