"""gunicorn's settings, from the environment. gunicorn reads this file from its working directory (the
Docker image's CMD and docker-compose's web service start it in /app); the README lists the variables."""

import os


def _number(name: str, default: int) -> int:
    """Return the environment variable ``name`` as a positive whole number, ``default`` when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


# The cores this process may run on (a container's cpuset), not the host's.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn's own rule of thumb; the requests wait on PostgreSQL more than on the CPU.
workers = _number("WEB_CONCURRENCY", 2 * _cores + 1)
# A request still running after this many seconds is killed and answered 502 by the proxy; reports are
# built by the Celery worker, so no page needs long.
timeout = _number("GUNICORN_TIMEOUT", 30)
# A worker asked to stop (a deploy, a restart) gets this long to finish its requests.
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a reverse proxy that keeps connections open: a little longer than gunicorn's 2 seconds.
keepalive = _number("GUNICORN_KEEPALIVE", 5)
accesslog = "-"
