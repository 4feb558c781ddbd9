import os
from argparse import ArgumentTypeError
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_test_environment

from bench.kbo_extract import MAX_POPULATION, NATIONAL_ENTERPRISES
from bench.load import LOAD_CLIENTS, THINK_SECONDS
from bench.measures import BenchmarkError
from bench.runner import run_benchmark, tasks_in_process


def _client_counts(text: str) -> tuple[int, ...]:
    """Return ``--load-clients`` (``1,8,32``) as distinct whole numbers of at least 1, in rising order."""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ArgumentTypeError(f"whole numbers of at least 1, separated by commas, not {text!r}")
    return tuple(sorted({int(part) for part in parts}))


class Command(BaseCommand):
    help = (
        "Measure the system at --scale times the demo volume in a database of its own (PostgreSQL only) "
        "and write bench/results.md; exits non-zero when a target is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100, help="seed_demo scale (default %(default)s).")
        parser.add_argument("--runs", type=int, default=5, help="Runs per timing (default %(default)s).")
        parser.add_argument(
            "--population",
            type=int,
            default=1_200_000,
            help="Active enterprises imported through the KBO import beside the programme data, kept "
            "between runs, for the reach and the breakdowns (default %(default)s).",
        )
        parser.add_argument(
            "--only-population",
            action="store_true",
            help="Measure only the reach and the breakdowns over the population.",
        )
        parser.add_argument(
            "--kbo-rows",
            type=int,
            default=1_000_000,
            help="Rows of the synthetic KBO extract (default %(default)s).",
        )
        parser.add_argument(
            "--places",
            type=int,
            default=400,
            help="Places the concurrent approvals compete for (default %(default)s).",
        )
        parser.add_argument(
            "--load",
            action="store_true",
            help="Also measure the load phase: gunicorn driven by locust.",
        )
        parser.add_argument(
            "--only-load",
            action="store_true",
            help="Measure only the load phase.",
        )
        parser.add_argument(
            "--load-seconds",
            type=int,
            default=30,
            help="Seconds of load at each number of clients (default %(default)s).",
        )
        parser.add_argument(
            "--load-clients",
            type=_client_counts,
            default=LOAD_CLIENTS,
            help="The numbers of concurrent clients, comma-separated (default "
            f"{','.join(map(str, LOAD_CLIENTS))}).",
        )
        parser.add_argument(
            "--load-think",
            type=float,
            default=THINK_SECONDS,
            help="Seconds each client pauses between requests on average, as a person reading the page "
            "(default %(default)s; 0 sends the next request at once).",
        )
        parser.add_argument(
            "--national-kbo",
            action="store_true",
            help="Also measure the KBO import of a synthetic national extract: COPY alone, the import, the "
            "same import again, an update of 1%% (the extract is kept in the temporary directory).",
        )
        parser.add_argument(
            "--only-national-kbo",
            action="store_true",
            help="Measure only the national KBO import.",
        )
        parser.add_argument(
            "--national-enterprises",
            type=int,
            default=NATIONAL_ENTERPRISES,
            help="Enterprises of the national extract (default %(default)s).",
        )
        parser.add_argument(
            "--no-scale-out",
            dest="scale_out",
            action="store_false",
            help="Leave out the report jobs on two Celery workers, one killed halfway.",
        )
        parser.add_argument(
            "--only-scale-out",
            action="store_true",
            help="Measure only the report jobs on two Celery workers, one killed halfway.",
        )
        parser.add_argument(
            "--broker",
            default=os.environ.get("CELERY_BROKER_URL", ""),
            help="The Redis the report jobs' workers share (default: CELERY_BROKER_URL).",
        )
        parser.add_argument(
            "--fresh", action="store_true", help="Drop the benchmark's database and seed it again."
        )
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="Report missed timing targets without failing (CI's small run); wrong numbers, "
            "overbooking and query counts still fail.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "bench" / "results.md",
            help="Where the results go (default bench/results.md).",
        )

    def handle(
        self,
        *args,
        scale,
        runs,
        kbo_rows,
        places,
        fresh,
        smoke,
        output,
        load,
        only_load,
        load_seconds,
        load_clients,
        load_think,
        national_kbo,
        only_national_kbo,
        national_enterprises,
        population,
        only_population,
        scale_out,
        only_scale_out,
        broker,
        **options,
    ):
        if sum((only_load, only_population, only_national_kbo, only_scale_out)) > 1:
            raise CommandError(
                "--only-load, --only-population, --only-national-kbo and --only-scale-out each measure one "
                "part only: choose one."
            )
        if connection.vendor != "postgresql":
            raise CommandError(
                f"The benchmark needs PostgreSQL, the database of production; this is {connection.vendor}. "
                "Set DATABASE_URL=postgres://user@host:5432/voorsprong and run it again."
            )
        everything = not (only_load or only_population or only_national_kbo or only_scale_out)
        if ((everything and scale_out) or only_scale_out) and not broker.startswith(
            ("redis://", "rediss://")
        ):
            raise CommandError(
                "The report jobs on two Celery workers need Redis, as production's workers share it: give "
                "--broker redis://host:6379/0 (or set CELERY_BROKER_URL), or leave them out with "
                "--no-scale-out."
            )
        if (
            min(scale, runs, places, load_seconds) < 1
            or kbo_rows < 100
            or national_enterprises < 100
            or load_think < 0
        ):
            raise CommandError(
                "--scale, --runs, --places and --load-seconds must be at least 1, --kbo-rows and "
                "--national-enterprises at least 100, --load-think at least 0."
            )
        if not 0 <= population <= MAX_POPULATION:
            raise CommandError(f"--population must be between 0 and {MAX_POPULATION:,}.")
        # The test environment: the test client's host is allowed and mail stays in memory.
        setup_test_environment(debug=False)
        try:
            with tasks_in_process():
                results = run_benchmark(
                    scale=scale,
                    runs=runs,
                    kbo_rows=kbo_rows,
                    places=places,
                    fresh=fresh,
                    output=output,
                    log=self.stdout.write,
                    population=population,
                    load=load,
                    only_load=only_load,
                    only_population=only_population,
                    load_clients=load_clients,
                    load_seconds=load_seconds,
                    load_think=load_think,
                    national_kbo=national_kbo,
                    only_national_kbo=only_national_kbo,
                    national_enterprises=national_enterprises,
                    scale_out=scale_out,
                    only_scale_out=only_scale_out,
                    broker=broker,
                )
        except BenchmarkError as error:
            raise CommandError(str(error)) from error
        for figure in results:
            if figure.met:
                mark = self.style.SUCCESS("met ")
            elif smoke and figure.timing:
                mark = self.style.WARNING("slow (reported only)")
            else:
                mark = self.style.ERROR("MISSED")
            self.stdout.write(f"{mark} {figure.measure}: {figure.value} (target {figure.target})")
        self.stdout.write(f"Written to {output}.")
        missed = [figure.measure for figure in results if not figure.met and not (smoke and figure.timing)]
        if missed:
            raise CommandError("Targets missed: " + "; ".join(missed))
