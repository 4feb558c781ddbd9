"""The Celery app of the worker processes tests/test_worker_death.py starts and kills.

``celery -A tests.killable_worker worker`` runs the project's app with one change: rendering a report
first notes the attempt (``started <pid>``) in the file named by ``BUILD_LOG``, and the first
``HOLD_ATTEMPTS`` attempts (counted over every process writing that file) then wait until the process is
killed, so the test knows a build is under way and can kill it there. With ``HOLD_FROM`` (a worker of
several, tests/test_scale_out.py), this process holds every attempt that starts once that many have
started, noting ``holding <pid>``. A finished rendering is noted as ``rendered <pid>``.

The worker looks for the messages of dead workers (unacknowledged for longer than the visibility timeout)
every second instead of every 100 (kombu's default), so a test with a short visibility timeout is quick.
Not a test module: pytest does not collect it.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voorsprong.settings")
django.setup()

from reporting import documents  # noqa: E402
from voorsprong.celery import app  # noqa: E402

BUILD_LOG = os.environ["BUILD_LOG"]
HOLD_ATTEMPTS = int(os.environ.get("HOLD_ATTEMPTS", "0"))
HOLD_FROM = int(os.environ["HOLD_FROM"]) if os.environ.get("HOLD_FROM") else None
HOLD_SECONDS = 120
_render_report = documents.render_report


def _note(line: str) -> int:
    """Append ``line`` to the log; return how many attempts had started before."""
    with open(BUILD_LOG, "a+") as log:
        log.seek(0)
        started = sum(1 for entry in log if entry.startswith("started "))
        log.write(f"{line}\n")
    return started


def render_report(figures, fmt, progress=None):
    started = _note(f"started {os.getpid()}")
    if started < HOLD_ATTEMPTS or (HOLD_FROM is not None and started >= HOLD_FROM):
        _note(f"holding {os.getpid()}")
        time.sleep(HOLD_SECONDS)  # killed here
    content = _render_report(figures, fmt, progress=progress)
    _note(f"rendered {os.getpid()}")
    return content


# build_report imports render_report from reporting.documents when it runs.
documents.render_report = render_report
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
