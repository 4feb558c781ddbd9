"""The benchmark's parts that must be right before its figures mean anything (the run itself is in CI)."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from bench.kbo_extract import (
    ROWS_PER_ENTERPRISE,
    write_national_extract,
    write_synthetic_extract,
    write_synthetic_update,
)
from bench.load import ENDPOINTS, EndpointLoad, outcome_of
from bench.runner import tasks_in_process
from bench.statistics_sql import numbers_from_figures, numbers_from_sql, pq244_rows
from demo.synthetic import AS_OF
from participants.models import Company
from participants.services import approve_application, import_kbo_extract, import_kbo_update
from reporting.questions.pq244 import pq244_figures
from reporting.statistics.outcomes import FEWEST_COMPANIES
from tests.demo_data import SMALL_POPULATION
from tests.factories import (
    ApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import Traject
from voorsprong.celery import app
from voorsprong.roles import Role


@pytest.mark.django_db
def test_the_benchmark_refuses_sqlite_and_says_what_to_do():
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite only")
    with pytest.raises(CommandError, match=r"needs PostgreSQL.*DATABASE_URL=postgres://"):
        call_command("bench", "--scale", "1")


@pytest.mark.django_db
def test_the_synthetic_extract_has_the_rows_asked_for_and_imports_without_skips(tmp_path):
    enterprises = write_synthetic_extract(tmp_path, 300, first=17_000_000)
    files = [path for path in tmp_path.iterdir() if path.name != "meta.csv"]
    lines = sum(1 for path in files for _line in path.open(encoding="utf-8")) - len(files)
    assert (enterprises, lines) == (20, 20 * ROWS_PER_ENTERPRISE)

    result = import_kbo_extract(tmp_path)

    assert (result.created, result.skipped_count) == (20, 0)
    company = Company.objects.get(kbo_number="1700000026")
    assert company.name == "Onderneming 17000000"
    assert (company.postal_code, company.is_active, len(company.nace_code)) != ("", False, 0)


@pytest.mark.django_db
def test_the_synthetic_update_touches_the_share_asked_for_and_applies_as_it_says(tmp_path):
    full, update = tmp_path / "full", tmp_path / "update"
    full.mkdir()
    update.mkdir()
    enterprises = write_synthetic_extract(full, 600, first=17_000_000)
    import_kbo_extract(full)

    touched = write_synthetic_update(update, enterprises, first=17_000_000, share=0.2)
    result = import_kbo_update(update)

    assert touched == {"removed": 3, "renamed": 3, "moved": 2, "added": 2}
    assert (result.removed, result.updated, result.created, result.skipped_count) == (3, 5, 2, 0)
    assert Company.objects.filter(is_active=False).count() == 3
    assert Company.objects.filter(name__endswith="(nieuwe naam)").count() == 3


@pytest.mark.django_db
def test_the_national_extract_has_the_published_proportions_and_imports_with_its_update(tmp_path):
    full, update = tmp_path / "full", tmp_path / "update"
    full.mkdir()
    update.mkdir()

    lines = write_national_extract(full, 380, first=17_000_000)

    # Per 1.9 million enterprises: 1.6 M establishment units, 3.2 M names, 2.9 M addresses, 36 M activities.
    assert lines == {
        "enterprise.csv": 380,
        "establishment.csv": 320,
        "denomination.csv": 640,
        "address.csv": lines["address.csv"],
        "activity.csv": 7_200,
    }
    assert 560 <= lines["address.csv"] <= 600
    for name, count in lines.items():
        assert sum(1 for _line in (full / name).open(encoding="utf-8")) == count + 1  # and the header

    result = import_kbo_extract(full)

    assert (result.created, result.skipped_count) == (380, 0)
    assert Company.objects.filter(is_active=False).count() == 15  # one in 25 has stopped
    assert Company.objects.filter(legal_form="sole_trader", postal_code="").count() == 127  # a third
    assert set(Company.objects.values_list("nace_version", flat=True)) == {"2025", "2008"}
    assert set(Company.objects.exclude(province="").values_list("province", flat=True)) >= {
        "brussel",
        "oost_vlaanderen",
        "luik",
    }
    assert import_kbo_extract(full).unchanged == 380

    touched = write_synthetic_update(update, 380, first=17_000_000, share=0.01)
    applied = import_kbo_update(update)

    assert (applied.removed, applied.created) == (touched["removed"], touched["added"])


def test_the_benchmark_measures_one_part_only_at_a_time():
    with pytest.raises(CommandError, match="choose one"):
        call_command("bench", "--only-load", "--only-national-kbo")


@pytest.mark.postgres
@pytest.mark.parametrize("broker", ["", "memory://localhost/"])
@pytest.mark.parametrize("part", [[], ["--only-scale-out"]])
def test_the_benchmark_refuses_the_report_jobs_on_two_workers_without_redis_and_says_how_to_leave_them_out(
    broker, part
):
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the benchmark refuses the database first")
    with pytest.raises(CommandError, match=r"need Redis.*--broker redis://.*--no-scale-out"):
        call_command("bench", *part, "--broker", broker)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_hand_written_query_gives_the_numbers_of_the_statistics():
    """The yardstick of the ratio computes the same numbers, or the ratio compares two different things."""
    if connection.vendor != "postgresql":
        pytest.skip("the hand-written query is PostgreSQL's")
    call_command("seed_demo", *SMALL_POPULATION, stdout=io.StringIO())
    figures = pq244_figures(AS_OF)
    traject_codes = dict(Traject.objects.values_list("pk", "code"))

    by_hand = numbers_from_sql(pq244_rows(AS_OF, settings.TIME_ZONE), traject_codes)

    assert by_hand == numbers_from_figures(figures)
    assert by_hand["trajects"]["werk"]["size_classes"]["non_profit"] == 242
    # A year on, the evaluations, follow-ups and learning situations at closing are in: every outcome
    # figure of the yardstick is compared, not only zeros.
    later = AS_OF + relativedelta(years=1)
    by_hand_later = numbers_from_sql(pq244_rows(later, settings.TIME_ZONE), traject_codes)
    assert by_hand_later == numbers_from_figures(pq244_figures(later))
    werk = by_hand_later["outcomes"]["werk"]
    assert werk["training_policy"]["after"] is not None
    assert werk["barriers"]["informational"]["removed"] > FEWEST_COMPANIES
    assert werk["follow_up_rate"] is not None
    assert by_hand["any_traject"] == figures["companies_in_any_traject"]


def test_the_benchmark_refuses_client_counts_that_are_not_whole_numbers():
    for given in ("0", "1,a", "8,-2", ""):
        with pytest.raises(CommandError, match="whole numbers of at least 1"):
            call_command("bench", "--load-clients", given)


def _endpoints(failures: int = 0, p95: float = 80, per_second: float = 10, names=ENDPOINTS) -> list:
    rows = [EndpointLoad(name, 100, failures, per_second, 40, p95, p95) for name in names]
    return [
        *rows,
        EndpointLoad("all", 100 * len(rows), failures * len(rows), per_second * len(rows), 40, p95, p95),
    ]


def test_the_load_targets_are_missed_by_an_error_a_missing_endpoint_a_slow_one_or_no_scaling():
    met = outcome_of({1: _endpoints(), 32: _endpoints(per_second=25)}, {1: [], 32: []}, 30)
    assert [figure.met for figure in met.figures] == [True, True, True]
    assert "| officer: work queue page | 100 | 25.0 | 40 | 80 | 80 | 0 |" in met.detail

    failing = outcome_of(
        {1: _endpoints(), 32: _endpoints(failures=1, p95=600, per_second=15, names=ENDPOINTS[1:])},
        {1: [], 32: [("GET", "cabinet: reach API", "answered 500", "8")]},
        30,
    )
    errors, latency, scaling = failing.figures
    assert not errors.met and "7 of 700 at 32 clients" in errors.value
    assert "not reached at 32 clients: officer: work queue page" in errors.value
    assert not errors.timing  # an error fails even the smoke run
    assert (latency.met, latency.timing, scaling.met) == (False, True, False)
    assert "- 8 × GET cabinet: reach API: answered 500" in failing.detail


def test_a_load_run_where_no_request_was_answered_misses_every_target():
    nothing = [EndpointLoad("all", 0, 0, 0.0, float("nan"), float("nan"), float("nan"))]

    outcome = outcome_of({1: nothing, 8: nothing}, {1: [], 8: []}, 5)

    assert [figure.met for figure in outcome.figures] == [False, False, False]
    assert outcome.figures[1].value == "no request answered"
    assert "not reached at 8 clients: " + ", ".join(sorted(ENDPOINTS)) in outcome.figures[0].value


@pytest.mark.django_db
def test_the_benchmark_runs_its_own_tasks_in_process_whatever_broker_is_set(
    django_capture_on_commit_callbacks,
):
    """Handed to a broker, a decision e-mail of the benchmark's approvals would be sent by whichever worker
    reads it, about the application of that number in the worker's own database."""
    app.conf.task_always_eager = False  # as with CELERY_BROKER_URL set; tests/conftest.py puts it back
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31))
    company = CompanyFactory(name="Bakkerij Peeters BV", contact_email="an@peeters.example")
    application = ApplicationFactory(company=company, traject=traject)

    with tasks_in_process(), django_capture_on_commit_callbacks(execute=True):
        approve_application(application, by=UserFactory(role=Role.OFFICER), on=datetime.date(2025, 3, 1))

    assert [message.to for message in mail.outbox] == [["an@peeters.example"]]
    assert app.conf.task_always_eager is False
