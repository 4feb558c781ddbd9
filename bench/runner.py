"""Builds the data set in the benchmark's own database, runs the measures and writes the results.

The seeded database ``<name>_bench`` is kept between runs (``seed_demo`` skips the blocks it already
has), so a second run measures without seeding again. The measures that write (approvals, the KBO
import) run in ``<name>_bench_scratch``, a copy made from it for the run and dropped afterwards, so
the seeded data set stays what ``seed_demo`` made.
"""

import datetime
import os
import platform
import tempfile
from contextlib import contextmanager
from pathlib import Path

import django
import psycopg
from django.core.management import call_command
from django.db import connection

from bench import measures
from bench.database import create_database, database_exists, database_url, drop_database, using_database
from bench.kbo_extract import (
    NATIONAL_ENTERPRISES,
    POPULATION_FIRST,
    population_size,
    write_population_extract,
)
from bench.load import LOAD_CLIENTS, THINK_SECONDS, measure_load
from bench.scale_out import JOBS, measure_scale_out
from participants.kbo import kbo_number_with_check_digits
from participants.models import Application, CoachingSession, Company
from participants.services import import_kbo_extract
from reporting.statistics import reach
from voorsprong.celery import app


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> str:
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return "unknown"
    return f"{pages * page_size / 2**30:.1f} GB"


def seed_population(active: int, log) -> None:
    """Import a population of ``active`` active enterprises (``write_population_extract``) through the KBO
    import, unless every one of its enterprises is there already."""
    enterprises = population_size(active)
    numbers = Company.objects.filter(
        kbo_number__gte=kbo_number_with_check_digits(POPULATION_FIRST),
        kbo_number__lte=kbo_number_with_check_digits(POPULATION_FIRST + enterprises - 1),
    )
    if active == 0 or numbers.count() == enterprises:
        log(f"Population of {active:,} active enterprises: already there.")
        return
    with tempfile.TemporaryDirectory() as directory:
        write_population_extract(Path(directory), active)
        result = import_kbo_extract(Path(directory))
    log(
        f"Population of {active:,} active enterprises: imported through the KBO import "
        f"({result.created:,} new, {result.updated:,} updated, {result.skipped_count:,} skipped)."
    )


@contextmanager
def tasks_in_process():
    """Run this process's Celery tasks in it, whatever ``CELERY_BROKER_URL`` says: a decision e-mail of the
    benchmark's approvals handed to a broker would be sent by whichever worker reads it, for the
    application of that number in the worker's own database. In the benchmark's test environment, mail
    stays in memory."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def run_benchmark(
    *,
    scale: int,
    runs: int,
    kbo_rows: int,
    places: int,
    fresh: bool,
    output: Path,
    log,
    population: int = 0,
    load: bool = False,
    only_load: bool = False,
    only_population: bool = False,
    load_clients: tuple[int, ...] = LOAD_CLIENTS,
    load_seconds: int = 30,
    load_think: float = THINK_SECONDS,
    national_kbo: bool = False,
    only_national_kbo: bool = False,
    national_enterprises: int = NATIONAL_ENTERPRISES,
    scale_out: bool = True,
    only_scale_out: bool = False,
    broker: str = "",
) -> list:
    """Seed, measure and write ``output``; with ``only_load`` the load phase is the only measure, with
    ``only_population`` the reach and breakdowns over the population are, with ``only_national_kbo`` the
    national KBO import is, with ``only_scale_out`` the report jobs on two workers (through ``broker``) are;
    ``load`` and ``national_kbo`` add the load phase and the national import to the others, and
    ``scale_out`` False leaves the report jobs out."""
    everything = not (only_load or only_population or only_national_kbo or only_scale_out)
    settings_dict = connection.settings_dict
    data_set = f"{settings_dict['NAME']}_bench"
    scratch = f"{data_set}_scratch"
    if fresh:
        drop_database(settings_dict, data_set)
    if not database_exists(settings_dict, data_set):
        log(f"Creating the database {data_set}.")
        create_database(settings_dict, data_set)
    outcomes = []
    with using_database(data_set):
        log(f"Migrating and seeding {data_set} at scale {scale} (blocks already there are kept).")
        call_command("migrate", verbosity=0)
        # The benchmark's population is its own (--population), so seed_demo writes none.
        call_command("seed_demo", scale=scale, population=0, stdout=_LogStream(log))
        seed_population(population, log)
        # As production's autovacuum would have by now (a server may run without it, as CI's does): the
        # statistics, and the visibility map without which an index-only scan reads the rows after all.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        volume = {
            "companies": Company.objects.count(),
            "applications": Application.objects.count(),
            "coaching sessions": CoachingSession.objects.count(),
            "population (active, a seat in Flanders or Brussels)": reach.population().count(),
        }
        server_version = connection.cursor().connection.info.server_version
        if everything:
            log("Measuring the question-244 statistics.")
            statistics_outcome, figures = measures.measure_statistics(runs)
            outcomes.append(statistics_outcome)
            log("Measuring the applications list API.")
            outcomes.append(measures.measure_application_list(runs))
            log("Measuring repeated requests of the cached figures.")
            outcomes.append(measures.measure_cached_figures(runs))
            log("Rendering the answer PDF.")
            outcomes.append(measures.measure_pdf(figures, runs))
        if everything or only_population:
            log("Measuring the reach and the breakdowns over the population.")
            outcomes.append(measures.measure_population_views(runs, volume["companies"]))
    if not only_population:
        drop_database(settings_dict, scratch)
        create_database(settings_dict, scratch, template=data_set)
        try:
            with using_database(scratch):
                # First, while the scratch copy is still the seeded data set (the clients log sessions).
                if load or only_load:
                    clients = ", ".join(map(str, load_clients))
                    log(f"Loading gunicorn with {clients} clients, {load_seconds} s each.")
                    outcomes.append(measure_load(scratch, load_clients, load_seconds, load_think))
                if (everything and scale_out) or only_scale_out:
                    log(f"Building {JOBS} reports on two Celery workers, one killed halfway.")
                    outcomes.append(measure_scale_out(database_url(settings_dict, scratch), broker))
                if everything:
                    log(f"Approving {places} applications with {measures.APPROVAL_CLIENTS} clients.")
                    outcomes.append(measures.measure_approvals(places))
                    log(f"Importing synthetic KBO extracts of {kbo_rows // 4:,} and {kbo_rows:,} rows.")
                    outcomes.append(measures.measure_kbo_import(kbo_rows, scratch))
                if national_kbo or only_national_kbo:
                    log(f"Importing a national KBO extract of {national_enterprises:,} enterprises.")
                    outcomes.append(
                        measures.measure_national_kbo(national_enterprises, data_set, scratch, log)
                    )
        finally:
            drop_database(settings_dict, scratch)

    results = [figure for outcome in outcomes for figure in outcome.figures]
    header = [
        "# Benchmark results",
        "",
        f"`python manage.py bench --scale {scale} --population {population} --runs {runs} "
        f"--kbo-rows {kbo_rows} --places {places}"
        f"{' --load' if load else ''}{' --only-load' if only_load else ''}"
        f"{' --only-population' if only_population else ''}"
        f"{' --national-kbo' if national_kbo else ''}{' --only-national-kbo' if only_national_kbo else ''}"
        f"{' --no-scale-out' if not scale_out else ''}{' --only-scale-out' if only_scale_out else ''}"
        f"{f' --national-enterprises {national_enterprises}' if national_kbo or only_national_kbo else ''}"
        f" --load-seconds {load_seconds} "
        f"--load-clients {','.join(map(str, load_clients))} --load-think {load_think:g}`, "
        f"run on {datetime.date.today():%Y-%m-%d}. "
        f"Each time is the median of {runs} runs after a warm-up; the latencies are percentiles over all "
        "requests.",
        "",
        "## Machine",
        "",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores; memory {_memory_gb()}",
        f"- {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, "
        f"psycopg {psycopg.__version__}, PostgreSQL {server_version // 10000}.{server_version % 10000}",
        "",
        "## Data set",
        "",
        *[f"- {name}: {count:,}" for name, count in volume.items()],
        "",
        "## Figures",
        "",
        "| measure | result | target | met |",
        "|---|---|---|---|",
        *[f"| {f.measure} | {f.value} | {f.target} | {'yes' if f.met else '**no**'} |" for f in results],
        "",
    ]
    detail = [line for outcome in outcomes for line in outcome.detail]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(header + detail) + "\n", encoding="utf-8")
    return results


class _LogStream:
    """Lets ``call_command`` write its lines through the benchmark's log."""

    def __init__(self, log):
        self.log = log

    def write(self, text: str) -> None:
        if text.strip():
            self.log(text.rstrip())

    def flush(self) -> None:
        pass
