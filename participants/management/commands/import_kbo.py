from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from participants.services import (
    KboImportRefused,
    KboImportResult,
    KboImportStopped,
    import_kbo_extract,
    import_kbo_update,
)
from participants.services.import_jobs import queue_kbo_import
from participants.services.kbo_import import DEFAULT_BATCH_SIZE


class Command(BaseCommand):
    # Help stays plain English like Django's own commands: argparse cannot format lazy translations.
    help = (
        "Create or update companies from a KBO open-data extract: the directory holding enterprise.csv, "
        "denomination.csv, address.csv and activity.csv. Safe to run again on the same extract. With "
        "--update, apply the register's update files (X_delete.csv, then X_insert.csv) instead. With "
        "--queue, queue the import for a Celery worker and print the job's id."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Directory of the unzipped extract.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="The directory holds an update: meta.csv with ExtractType update and a newer ExtractNumber.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the import for whichever worker is free instead of running it here; the directory "
            "must be in the media storage that every worker shares.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Enterprises written per transaction when the extract is streamed (not on PostgreSQL, "
            "where a full extract is loaded with COPY in one transaction) (default %(default)s).",
        )

    def handle(self, *args, directory: Path, update: bool, queue: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        try:
            if queue:
                job = queue_kbo_import(directory, update=update)
                self.stdout.write(_("Queued import job %(id)d.") % {"id": job.pk})
                return
            if update:
                result = import_kbo_update(directory, batch_size=batch_size)
            else:
                result = import_kbo_extract(directory, batch_size=batch_size)
        except KboImportRefused as refused:
            raise CommandError(_("Not imported: %(problem)s") % {"problem": refused.message}) from refused
        except KboImportStopped as stopped:
            if update:
                raise CommandError(
                    _("Update stopped: %(problem)s Nothing was changed; correct the files and run it again.")
                    % {"problem": stopped.message}
                ) from stopped
            if not stopped.kept:
                raise CommandError(
                    _(
                        "Import stopped: %(problem)s Nothing was changed; correct the extract and run it "
                        "again."
                    )
                    % {"problem": stopped.message}
                ) from stopped
            self.print_summary(stopped.result)
            raise CommandError(
                _(
                    "Import stopped: %(problem)s The companies counted above were written and are kept; "
                    "correct the extract and run the import again, which is safe to repeat."
                )
                % {"problem": stopped.message}
            ) from stopped
        self.print_summary(result, update=update)

    def print_summary(self, result: KboImportResult, *, update: bool = False) -> None:
        self.stdout.write(_("Created: %(count)d") % {"count": result.created})
        self.stdout.write(_("Updated: %(count)d") % {"count": result.updated})
        if update:
            self.stdout.write(_("Removed from the register: %(count)d") % {"count": result.removed})
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
