from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from participants.services import KboImportResult, KboImportStopped, import_kbo_extract
from participants.services.kbo_import import DEFAULT_BATCH_SIZE


class Command(BaseCommand):
    # Help stays plain English like Django's own commands: argparse cannot format lazy translations.
    help = (
        "Create or update companies from a KBO open-data extract: the directory holding enterprise.csv, "
        "denomination.csv, address.csv and activity.csv. Safe to run again on the same extract."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Directory of the unzipped extract.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Enterprises written per transaction (default %(default)s).",
        )

    def handle(self, *args, directory: Path, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        try:
            result = import_kbo_extract(directory, batch_size=batch_size)
        except KboImportStopped as stopped:
            self.print_summary(stopped.result)
            raise CommandError(
                _(
                    "Import stopped: %(problem)s The companies counted above were written and are kept; "
                    "correct the extract and run the import again, which is safe to repeat."
                )
                % {"problem": stopped.message}
            ) from stopped
        self.print_summary(result)

    def print_summary(self, result: KboImportResult) -> None:
        self.stdout.write(_("Created: %(count)d") % {"count": result.created})
        self.stdout.write(_("Updated: %(count)d") % {"count": result.updated})
        self.stdout.write(_("Unchanged: %(count)d") % {"count": result.unchanged})
        self.stdout.write(_("Skipped: %(count)d") % {"count": result.skipped_count})
        for reason, skipped in sorted(result.skipped.items(), key=lambda item: -item[1].count):
            examples = ", ".join(skipped.examples)
            if skipped.count > len(skipped.examples):
                examples += ", …"
            self.stdout.write(
                _("  %(reason)s: %(count)d (for example %(examples)s)")
                % {"reason": reason, "count": skipped.count, "examples": examples}
            )
