"""The Celery app of the worker processes tests/test_worker_death.py starts and kills.

``celery -A tests.killable_worker worker`` runs the project's app with one change: rendering a report, or
applying a full KBO extract, first notes the attempt (``started <pid>``) in the file named by
``BUILD_LOG``, and the first ``HOLD_ATTEMPTS`` attempts (counted over every process writing that file)
then wait until the process is killed, so the test knows a build is under way and can kill it there. With
``HOLD_FROM`` (a worker of several, tests/test_scale_out.py), this process holds every attempt that starts
once that many have started, noting ``holding <pid>``. A finished rendering is noted as ``rendered
<pid>``, an applied extract (its transaction not yet committed) as ``imported <pid>``.

The worker looks for the messages of dead workers (unacknowledged for longer than the visibility timeout)
every second (bench/worker.py), so a test with a short visibility timeout is quick.
Not a test module: pytest does not collect it.
"""

import os
import time

from bench.worker import app  # sets Django up
from participants.services import kbo_import
from reporting import documents

BUILD_LOG = os.environ["BUILD_LOG"]
HOLD_ATTEMPTS = int(os.environ.get("HOLD_ATTEMPTS", "0"))
HOLD_FROM = int(os.environ["HOLD_FROM"]) if os.environ.get("HOLD_FROM") else None
HOLD_SECONDS = 120


def _note(line: str) -> int:
    """Append ``line`` to the log; return how many attempts had started before."""
    with open(BUILD_LOG, "a+") as log:
        log.seek(0)
        started = sum(1 for entry in log if entry.startswith("started "))
        log.write(f"{line}\n")
    return started


def killable(function, done: str):
    """Return ``function`` noting each attempt, holding the attempts to kill, and noting ``done``."""

    def attempt(*args, **kwargs):
        started = _note(f"started {os.getpid()}")
        if started < HOLD_ATTEMPTS or (HOLD_FROM is not None and started >= HOLD_FROM):
            _note(f"holding {os.getpid()}")
            time.sleep(HOLD_SECONDS)  # killed here
        result = function(*args, **kwargs)
        _note(f"{done} {os.getpid()}")
        return result

    return attempt


# build_report and the import job look these up in their modules when they run.
documents.render_report = killable(documents.render_report, "rendered")
kbo_import.import_kbo_extract = killable(kbo_import.import_kbo_extract, "imported")

__all__ = ["app"]
