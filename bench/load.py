"""The load phase: gunicorn as in production against a benchmark database, driven by locust (headless)
at several numbers of concurrent clients with the mix of ``bench/locustfile.py``.

The clients' credentials are made beforehand in the database under load: an API token per role
(``issue_api_token``) and a session per client for the pages (as a log-in makes it). Officers must give
a second factor on the pages in production; a benchmark cannot type codes, so the server runs with
``DJANGO_TWO_FACTOR_REQUIRED=false`` and nothing else differs from production.
"""

import csv
import datetime
import json
import logging
import math
import os
import runpy
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

from bench.database import database_url
from bench.measures import LIST_QUERIES, BenchmarkError, Figure, Outcome
from demo.synthetic import AS_OF
from participants.models import Application, ApplicationStatus, Milestone
from participants.selectors import coaching_overview
from reporting.statistics.reach import BY
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

LOAD_CLIENTS = (1, 8, 32)
# How long a person looks at an answer before the next click, on average. Without it, 32 clients kept busy
# on two cores wait a second each whatever the server does (latency = clients / throughput).
THINK_SECONDS = 2.0
LOAD_P95_MS = 500
LOAD_MIN_SCALING = 2
# The endpoints of the mix, as locustfile.py names them; each must be measured at every client count.
ENDPOINTS = (
    "officer: work queue page",
    "officer: applications API list",
    "officer: applications API detail",
    "promoter: Mijn trajecten page",
    "promoter: trajectory page",
    "promoter: log a session",
    "cabinet: question-244 statistics API",
    "cabinet: reach API",
)
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Ids the clients pick from at random: enough that the pages are not all the same few rows.
SAMPLE_IDS = 500
SERVER_START_SECONDS = 60
WARM_UP_SECONDS = 3


@dataclass
class EndpointLoad:
    name: str
    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


def active_user(role: Role) -> User:
    user = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
    if user is None:
        raise BenchmarkError(f"The data set has no active {role} user; seed_demo creates one.")
    return user


def _session_keys(user: User, count: int) -> list[str]:
    """Return the keys of ``count`` sessions logged in as ``user``, one per client as each its browser."""
    keys = []
    # django-axes logs every log-in at INFO; these are the benchmark's own.
    axes = logging.getLogger("axes")
    level = axes.level
    axes.setLevel(logging.WARNING)
    try:
        for _ in range(count):
            client = Client()
            client.force_login(user)
            keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    finally:
        axes.setLevel(level)
    return keys


def make_plan(clients: int, think_seconds: float = THINK_SECONDS) -> dict:
    """Make the clients' tokens and sessions in the current database; return what locustfile.py reads."""
    officer, promoter, cabinet = (active_user(role) for role in (Role.OFFICER, Role.PROMOTER, Role.CABINET))
    today = datetime.date.today()
    coached = list(
        coaching_overview(promoter)
        .filter(status__in=(ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS), decided_on__lte=today)
        .order_by("?")
        .values_list("pk", flat=True)[:SAMPLE_IDS]
    )
    if not coached:
        raise BenchmarkError(f"The promoter {promoter.username} coaches no approved application.")
    return {
        "officer_token": issue_api_token(officer, label="benchmark load")[1],
        "cabinet_token": issue_api_token(cabinet, label="benchmark load")[1],
        "officer_sessions": _session_keys(officer, clients),
        "promoter_sessions": _session_keys(promoter, clients),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        # A CSRF secret of Django's format, sent as the cookie and as the header, as a browser's script does.
        "csrf": secrets.token_hex(16),
        "application_ids": list(Application.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE_IDS]),
        "coached_ids": coached,
        "list_queries": LIST_QUERIES,
        "as_of": AS_OF.isoformat(),
        "reach_by": list(BY),
        "think_seconds": think_seconds,
        "session_form": {
            "date": today.isoformat(),
            "hours": "1.5",
            "kind": Milestone.IMPLEMENTATION,
            "employees_present": "3",
        },
    }


def gunicorn_workers() -> int:
    """Return the number of workers gunicorn.conf.py gives with this environment (``WEB_CONCURRENCY``)."""
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(database: str, directory: Path):
    """Run gunicorn with the production configuration against ``database``; yield its address.

    The workers share one cache, as production's share Redis: the one ``DJANGO_CACHE_URL`` names, else files
    in ``directory``. Each worker's own memory would compute every cached figure once per worker.
    """
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict, database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "DJANGO_TWO_FACTOR_REQUIRED": "false",
        "DJANGO_CACHE_URL": os.environ.get("DJANGO_CACHE_URL") or f"filecache://{directory / 'cache'}",
    }
    address = f"http://127.0.0.1:{port}"
    # Files, not pipes: nobody reads a pipe while the load runs, so a full one would block the server.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "voorsprong.wsgi"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,  # the access log, a line per request
            stderr=log,
        )
        try:
            _wait_until_up(server, address, log)
            yield address
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen, address: str, log) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise BenchmarkError(f"gunicorn stopped at its start: {log.read().decode()[-800:]}")
        try:
            with urllib.request.urlopen(f"{address}/health/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or too busy starting to answer in time
            pass
        time.sleep(0.2)
    raise BenchmarkError(f"gunicorn did not answer /health/ within {SERVER_START_SECONDS} s.")


def drive(address: str, plan: Path, clients: int, seconds: int, directory: Path) -> tuple[list, list]:
    """Run locust headless with ``clients`` clients for ``seconds``; return the figures per endpoint (the
    total last) and the failures as locust counted them (method, name, error, occurrences)."""
    prefix = directory / f"clients-{clients}"
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", address),
        *("--users", str(clients), "--spawn-rate", str(clients), "--run-time", f"{seconds}s"),
        *("--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0"),
    ]
    run = subprocess.run(
        command,
        env={**os.environ, "BENCH_LOAD_PLAN": plan.read_text()},
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    if run.returncode != 0:
        raise BenchmarkError(f"locust failed: {run.stderr[-800:]}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        failed = [
            (row["Method"], row["Name"], row["Error"], row["Occurrences"]) for row in csv.DictReader(failures)
        ]
    endpoints = [
        EndpointLoad(
            name="all" if row["Name"] == "Aggregated" else row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            per_second=_figure(row["Requests/s"]),
            p50=_figure(row["50%"]),
            p95=_figure(row["95%"]),
            p99=_figure(row["99%"]),
        )
        for row in rows
    ]
    # The total last, the endpoints in the order of the mix.
    endpoints.sort(key=lambda e: ENDPOINTS.index(e.name) if e.name in ENDPOINTS else len(ENDPOINTS))
    return endpoints, failed


def _figure(value: str) -> float:
    """Return a number of locust's CSV, NaN for "N/A" (what it writes for an endpoint with no answer)."""
    return float("nan") if value == "N/A" else float(value)


def measure_load(
    database: str,
    clients: tuple[int, ...] = LOAD_CLIENTS,
    seconds: int = 30,
    think_seconds: float = THINK_SECONDS,
) -> Outcome:
    """Drive gunicorn over ``database`` (which the clients write to) at each number of ``clients``, each
    pausing ``think_seconds`` on average between its requests."""
    runs, failures = {}, {}
    with tempfile.TemporaryDirectory() as directory:
        plan = Path(directory) / "plan.json"
        plan.write_text(json.dumps(make_plan(max(clients), think_seconds)), encoding="utf-8")
        with serve(database, Path(directory)) as address:
            # Each worker loads the templates, the URLs and its connection at its first requests: not counted.
            drive(address, plan, gunicorn_workers(), WARM_UP_SECONDS, Path(directory))
            for count in clients:
                runs[count], failures[count] = drive(address, plan, count, seconds, Path(directory))
    return outcome_of(runs, failures, seconds, think_seconds)


def _clients(count: int) -> str:
    return f"{count} client{'s' if count > 1 else ''}"


def outcome_of(runs: dict, failures: dict, seconds: int, think_seconds: float = THINK_SECONDS) -> Outcome:
    """Return the figures and the tables of the runs per number of clients (see ``drive``)."""
    totals = {count: endpoints[-1] for count, endpoints in runs.items()}
    errors = {count: total.failures for count, total in totals.items()}
    missing = {
        count: sorted(set(ENDPOINTS) - {e.name for e in endpoints}) for count, endpoints in runs.items()
    }
    most = max(runs)
    # An endpoint that only failed has no percentiles (NaN); the errors figure tells of it, and of a run
    # where no request was answered at all.
    measured = [e for e in runs[most] if e.name != "all" and not math.isnan(e.p95)]
    slowest = max(measured, key=lambda e: e.p95, default=None)
    outcome = Outcome()
    outcome.figures.append(
        Figure(
            "Load: errors, every endpoint of the mix answered",
            ", ".join(f"{errors[c]} of {totals[c].requests:,} at {_clients(c)}" for c in runs)
            + "".join(f"; not reached at {_clients(c)}: {', '.join(m)}" for c, m in missing.items() if m),
            "no error, every endpoint measured",
            not any(errors.values()) and not any(missing.values()),
            timing=False,
        )
    )
    outcome.figures.append(
        Figure(
            f"Load, {most} clients: p95 of every endpoint",
            f"slowest {slowest.name}: {slowest.p95:.0f} ms" if slowest else "no request answered",
            f"≤ {LOAD_P95_MS} ms",
            slowest is not None and slowest.p95 <= LOAD_P95_MS,
        )
    )
    least = min(runs)
    if most > least:
        base_rate = totals[least].per_second
        scaling = totals[most].per_second / base_rate if base_rate else 0.0
        outcome.figures.append(
            Figure(
                f"Load: throughput at {most} clients vs {least}",
                f"{totals[most].per_second:.1f} vs {totals[least].per_second:.1f} requests/s: "
                f"× {scaling:.2f}",
                f"≥ {LOAD_MIN_SCALING} ×",
                scaling >= LOAD_MIN_SCALING,
            )
        )
    outcome.detail += [
        "## Load\n",
        f"gunicorn with gunicorn.conf.py and {gunicorn_workers()} workers (`WEB_CONCURRENCY`), "
        "DJANGO_TWO_FACTOR_REQUIRED=false (the clients cannot type codes; sessions and API tokens are made "
        "beforehand), the workers sharing one cache as production's share Redis (`DJANGO_CACHE_URL`, else "
        f"files), driven by locust {version('locust')} headless for {seconds} s per row, each "
        + (
            f"client pausing {think_seconds:g} s on average (between {think_seconds / 2:g} and "
            f"{think_seconds * 3 / 2:g} s) after each answer, as a person reading it"
            if think_seconds
            else "client sending its next request as soon as the last is answered"
        )
        + "; locust shares the machine's "
        "cores with the server and PostgreSQL. Times in ms; locust rounds them above 100 ms to two "
        "significant digits.\n",
    ]
    for count, endpoints in runs.items():
        outcome.detail += [
            f"### {_clients(count)} at once\n",
            "| endpoint | requests | requests/s | p50 | p95 | p99 | errors |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {e.name} | {e.requests:,} | {e.per_second:.1f} | {e.p50:.0f} | {e.p95:.0f} | {e.p99:.0f} "
                f"| {e.failures} |"
                for e in endpoints
            ),
            "",
            *(
                f"- {occurrences} × {method} {name}: {error}"
                for method, name, error, occurrences in failures[count]
            ),
            "",
        ]
    return outcome
