"""CI cannot go quietly green: under CI=true a service it needs that does not answer fails the run."""

import os
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT = "1"  # nothing listens on port 1 here


def _run_ci(**environment) -> subprocess.CompletedProcess:
    """Run .ci/run and stop it, with everything it started, should it get past its service checks."""
    process = subprocess.Popen(
        ["bash", ".ci/run"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(".ci/run went on past a service that does not answer")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("variable", "service"), [("CI_POSTGRES_PORT", "PostgreSQL"), ("CI_REDIS_PORT", "Redis")]
)
def test_a_service_that_does_not_answer_fails_ci_at_once(variable, service):
    done = _run_ci(CI="true", **{variable: CLOSED_PORT})

    assert done.returncode != 0
    assert f"No {service} answers on 127.0.0.1:{CLOSED_PORT}" in done.stderr
    assert "make test" not in done.stdout  # failed before the first pass
