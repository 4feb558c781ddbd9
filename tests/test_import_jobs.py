"""KBO imports queued as jobs for a Celery worker (``import_kbo --queue``): run once, refused, put back.

Without a broker the job runs in-process once the queueing transaction commits, through the outbox as on a
worker; tests/test_scale_out_imports.py runs them on two worker processes.
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from participants.models import Company, ImportJob, ImportStatus, KboImport
from participants.services import import_jobs
from participants.tasks import requeue_stale_imports, run_import_job
from tests.test_import_kbo import address, denomination, enterprise, kbo, write_extract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def job_extract(media, n: int, companies: int = 2):
    """Write the full extract ``imports/kbo-<n>`` in ``media``: ``companies`` enterprises of its own."""
    directory = media / "imports" / f"kbo-{n}"
    directory.mkdir(parents=True)
    numbers = [kbo(n * 100 + i) for i in range(companies)]
    return write_extract(
        directory,
        enterprises=[enterprise(number) for number in numbers],
        denominations=[denomination(number, f"Bedrijf {n}-{i}") for i, number in enumerate(numbers)],
        addresses=[address(number, "9000", "Gent") for number in numbers],
    )


def queue(directory, *args) -> str:
    out = io.StringIO()
    with_args = [str(directory), "--queue", *args]
    call_command("import_kbo", *with_args, stdout=out)
    return out.getvalue()


def reasons(job: ImportJob) -> list[tuple[str, str]]:
    return list(job.history.order_by("history_date").values_list("history_change_reason", "status"))


def test_import_kbo_queue_prints_the_job_which_a_worker_applies_once(
    media, django_capture_on_commit_callbacks
):
    directory = job_extract(media, 1)
    with django_capture_on_commit_callbacks(execute=True):
        output = queue(directory)

    job = ImportJob.objects.get()
    assert output == f"Queued import job {job.pk}.\n"
    assert (job.status, job.source, job.extract_type, job.error) == ("done", "imports/kbo-1", "full", "")
    assert job.built_by  # in-process: the machine's name
    assert job.finished_at is not None
    assert (job.kbo_import.created, job.kbo_import.updated) == (2, 0)
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Bedrijf 1-0", "Bedrijf 1-1"]
    assert reasons(job) == [("queued", "queued"), ("running", "running"), ("done", "done")]


def test_a_second_delivery_of_a_done_job_applies_nothing(media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(job_extract(media, 1))
    job = ImportJob.objects.get()

    assert run_import_job.apply(args=[job.pk]).get() is None
    assert KboImport.objects.count() == 1
    assert [reason for reason, _status in reasons(job)] == ["queued", "running", "done"]


def test_a_folder_outside_the_shared_media_storage_is_refused(media, tmp_path):
    directory = job_extract(tmp_path, 1)  # tmp_path/imports, beside the media folder
    with pytest.raises(CommandError, match="Put the extract's folder in the shared media storage"):
        queue(directory)
    with pytest.raises(CommandError, match="Put the extract's folder in the shared media storage"):
        queue(media / "imports" / "missing")
    assert not ImportJob.objects.exists()


def test_a_refused_import_fails_its_job_saying_why_and_changes_nothing(
    media, django_capture_on_commit_callbacks
):
    directory = job_extract(media, 1)
    with django_capture_on_commit_callbacks(execute=True):
        queue(directory, "--update")  # a full extract, no meta.csv

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "meta.csv does not say this is an update" in job.error
    assert job.kbo_import is None
    assert not Company.objects.exists() and not KboImport.objects.exists()
    assert reasons(job)[-1] == ("failed", "failed")


def test_an_unreadable_extract_fails_its_job_and_keeps_nothing(media, django_capture_on_commit_callbacks):
    directory = job_extract(media, 1)
    (directory / "enterprise.csv").write_bytes(b"\xff\xfe not a csv of utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        queue(directory)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.error
    assert not Company.objects.exists() and not KboImport.objects.exists()


def test_a_job_whose_worker_was_lost_is_queued_again_then_failed(
    media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_REQUEUES = 1
    lost = datetime.datetime(2025, 11, 26, 8, 0, tzinfo=datetime.UTC)
    job = import_jobs.queue_kbo_import(job_extract(media, 1))  # not handed over: its message is lost
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    assert requeue_stale_imports.apply().get() == []  # started when queued, just now: still running

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=lost)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports.apply().get() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.requeues, job.kbo_import.created) == ("done", 1, 2)

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=lost)
    assert requeue_stale_imports.apply().get() == []
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == "The import's worker stopped without an answer, 2 times."
    assert KboImport.objects.count() == 1
