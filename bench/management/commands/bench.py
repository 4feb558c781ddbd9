from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_test_environment

from bench.measures import BenchmarkError
from bench.runner import run_benchmark


class Command(BaseCommand):
    help = (
        "Measure the system at --scale times the demo volume in a database of its own (PostgreSQL only) "
        "and write bench/results.md; exits non-zero when a target is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100, help="seed_demo scale (default %(default)s).")
        parser.add_argument("--runs", type=int, default=5, help="Runs per timing (default %(default)s).")
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

    def handle(self, *args, scale, runs, kbo_rows, places, fresh, smoke, output, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"The benchmark needs PostgreSQL, the database of production; this is {connection.vendor}. "
                "Set DATABASE_URL=postgres://user@host:5432/voorsprong and run it again."
            )
        if min(scale, runs, places) < 1 or kbo_rows < 100:
            raise CommandError("--scale, --runs and --places must be at least 1, --kbo-rows at least 100.")
        # The test environment: the test client's host is allowed and mail stays in memory.
        setup_test_environment(debug=False)
        try:
            results = run_benchmark(
                scale=scale,
                runs=runs,
                kbo_rows=kbo_rows,
                places=places,
                fresh=fresh,
                output=output,
                log=self.stdout.write,
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
