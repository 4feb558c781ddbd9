"""A real Celery worker for the tests that must send tasks through the broker, as production does.

Skipped without CELERY_BROKER_URL (the newcomer's run, Celery in-process). CI sets REQUIRE_WORKER=1 in
its "Celery worker with Redis" pass, which turns the skip, and a broker that does not answer, into a
failure. The worker runs in a thread of the test's process against a transactional test database
(PostgreSQL in CI), so it sees what the test commits; ``app.ran_in_threads`` records, per task name, the
threads that ran it.
"""

import os
import threading
from collections import defaultdict

import pytest
from django.db import connections


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
