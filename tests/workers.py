"""A real Celery worker for the tests that must send tasks through the broker, as production does.

Skipped without CELERY_BROKER_URL (the newcomer's run, Celery in-process). CI sets REQUIRE_WORKER=1 in
its "Celery worker with Redis" pass, which turns the skip, and a broker that does not answer, into a
failure. The worker runs in a thread of the test's process against a transactional test database
(PostgreSQL in CI), so it sees what the test commits; ``app.ran_in_threads`` records, per task name, the
threads that ran it.

The ``workers`` fixture starts real ``celery worker`` processes instead (``WorkerProcesses``), on a queue
of the test's own, which the test may kill: they stand for the workers of several machines.
"""

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

import pytest
from django.db import connection, connections

from bench.database import database_url as bench_database_url
from bench.scale_out import kill_worker, start_worker, worker_ready


def broker_url() -> str:
    """Return the broker of CELERY_BROKER_URL when it answers; skip (or fail, with REQUIRE_WORKER=1)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    required = os.environ.get("REQUIRE_WORKER") == "1"
    if not url or url.startswith("memory://"):
        if required:
            pytest.fail("REQUIRE_WORKER=1 but CELERY_BROKER_URL names no broker")
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        if required:
            pytest.fail(f"REQUIRE_WORKER=1 but the broker does not answer: {error}")
        pytest.skip(f"the broker does not answer: {error}")
    return url


@pytest.fixture
def worker(settings, tmp_path):
    """Run a Celery worker of the project's app in a thread, with tasks no longer run in-process."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_prerun

    from voorsprong.celery import app

    url = broker_url()
    assert app.conf.broker_url == url, "the Celery app must point at the broker of CELERY_BROKER_URL"
    settings.MEDIA_ROOT = tmp_path / "media"

    app.ran_in_threads = defaultdict(list)

    def note_thread(sender=None, **kwargs):
        if sender is not None:
            app.ran_in_threads[sender.name].append(threading.get_ident())

    def close_connections(**kwargs):
        # The worker thread's connections would outlive the test and keep the test database from being
        # dropped.
        connections.close_all()

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # tests/conftest.py runs tasks in-process otherwise
    task_prerun.connect(note_thread, weak=False)
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield app
    finally:
        task_prerun.disconnect(note_thread)
        task_postrun.disconnect(close_connections)
        app.conf.task_always_eager = eager


# -- worker processes -------------------------------------------------------------------------------------
def database_url() -> str:
    """Return the URL of the test database for a worker process; skip on SQLite, whose test database
    another process cannot open."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot open the SQLite test database: needs PostgreSQL")
    return bench_database_url(connection.settings_dict, connection.settings_dict["NAME"])


def wait_for(condition, what: str, timeout: float = 30):
    """Return the first true value of ``condition()``, asked every 0.1 s; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"waited {timeout}s for {what}")


class WorkerProcesses:
    """Starts ``celery worker`` processes of ``tests.killable_worker`` on one queue, each in its own process
    group; stops them all. Their report renderings are noted in ``build_log`` (see that module)."""

    def __init__(self, tmp_path: Path, broker_url: str, database_url: str):
        self.tmp_path, self.queue = tmp_path, f"test-workers-{uuid.uuid4().hex}"
        self.media, self.build_log = tmp_path / "media", tmp_path / "builds.log"
        self.env = {
            **os.environ,
            "CELERY_BROKER_URL": broker_url,
            "DATABASE_URL": database_url,
            "DJANGO_MEDIA_ROOT": str(self.media),
            "BUILD_LOG": str(self.build_log),
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str | None = None, **env) -> subprocess.Popen:
        """Start a worker named ``name`` (``<name>@<host>``; one of its own by default) with ``env`` added
        to the environment."""
        name = name or f"w{len(self.processes) + 1}-{self.queue}"
        process = start_worker("tests.killable_worker", name, self.queue, {**self.env, **env}, self.tmp_path)
        self.processes.append(process)
        return process

    def start_alpha_and_beta(self, jobs: int, visibility_timeout: int) -> tuple[subprocess.Popen, ...]:
        """Start ``alpha``, which holds every job that starts once half of ``jobs`` have started, and
        ``beta``, with Redis' ``visibility_timeout``; return them once both take jobs. Their node names are
        ``alpha_node`` and ``beta_node``."""
        host = socket.gethostname()
        alpha_name, beta_name = f"alpha-{self.queue}", f"beta-{self.queue}"
        self.alpha_node, self.beta_node = f"{alpha_name}@{host}", f"{beta_name}@{host}"
        timeout = str(visibility_timeout)
        alpha = self.start(alpha_name, HOLD_FROM=str(jobs // 2), CELERY_VISIBILITY_TIMEOUT=timeout)
        beta = self.start(beta_name, CELERY_VISIBILITY_TIMEOUT=timeout)
        wait_for(lambda: worker_ready(alpha) and worker_ready(beta), "both workers to be ready", timeout=60)
        return alpha, beta

    def kill_when_held(self, process: subprocess.Popen, timeout: float) -> int:
        """Wait until ``process`` holds a job, kill it there; return the pid that held it."""
        held = wait_for(
            lambda: next((pid for word, pid in self.builds() if word == "holding"), None),
            "alpha to take a job once half of them had started",
            timeout=timeout,
        )
        self.kill(process)
        return held

    def builds(self) -> list[tuple[str, int]]:
        if not self.build_log.exists():
            return []
        return [
            (word, int(pid))
            for word, pid in (line.split() for line in self.build_log.read_text().split("\n") if line)
        ]

    def kill(self, process: subprocess.Popen) -> None:
        kill_worker(process)

    def stop_all(self) -> None:
        # The test is over and its jobs acknowledged: no need for a (slow) warm shutdown.
        for process in self.processes:
            kill_worker(process)

    def assert_taken_over(self, jobs, killed, *, queued: str) -> None:
        """Assert that both workers (``start_alpha_and_beta``) finished ``jobs`` (records with ``built_by``
        and a history), that ``killed``, first ``queued`` (its history's first reason), was started by
        alpha, then started again and finished by beta, and that nothing is left on the broker to come
        back: not queued, not unacknowledged."""
        alpha, beta = self.alpha_node, self.beta_node
        built_by = Counter(job.built_by for job in jobs)
        assert set(built_by) == {alpha, beta}, built_by
        killed.refresh_from_db()
        attempts = killed.history.order_by("history_date").values_list("history_change_reason", "built_by")
        assert list(attempts) == [(queued, ""), ("running", alpha), ("running", beta), ("done", beta)]
        assert self.redis.llen(self.queue) == 0
        unacked = [json.loads(entry) for entry in self.redis.hvals("unacked")]
        assert not [entry for entry in unacked if entry[2] == self.queue]

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:] for path in sorted(self.tmp_path.glob("*.log"))
        )


@pytest.fixture
def workers(transactional_db, tmp_path, monkeypatch):
    """Send report and import jobs to Redis, on a queue only this test's worker processes read; yield
    those processes (none started yet)."""
    import redis

    from participants.tasks import run_import_job
    from reporting.tasks import build_report
    from voorsprong.celery import app

    url = broker_url()
    workers = WorkerProcesses(tmp_path, url, database_url())
    app.conf.task_always_eager = False  # tests/conftest.py puts it back
    for task in (build_report, run_import_job):
        monkeypatch.setattr(task, "apply_async", partial(task.apply_async, queue=workers.queue))
    workers.redis = redis.Redis.from_url(url)
    try:
        yield workers
    finally:
        workers.stop_all()
        workers.redis.delete(
            workers.queue, f"_kombu.binding.{workers.queue}", f"_kombu.binding_permanent.{workers.queue}"
        )
        workers.redis.close()
