"""The scale-out measure: report jobs spread over two Celery worker processes, which stand for two machines
sharing one database, broker and media storage (README, "Scaling out"), one of them killed halfway.

Fifty question-244 reports of distinct dates are requested through the service, as the cabinet's page
requests them, on a queue of the benchmark's own; the workers ``alpha`` and ``beta``
(``celery -A bench.worker worker``, one process each) build them. Once half are done, alpha is killed
(SIGKILL to its process group) while it builds one: that job, never acknowledged, comes back through
Redis' visibility timeout to beta. A report counts as built when a document was rendered, stored and its
request marked done ("done" in its history); a build killed before that does not count, and a request
whose figures are those of one done already takes its file ("reused"), which is no build either.
"""

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import redis
from django.conf import settings

from bench.load import active_user
from bench.measures import BenchmarkError, Figure, Outcome
from demo.synthetic import AS_OF
from reporting.models import ReportRequest, ReportStatus
from reporting.services.report_requests import request_report
from reporting.tasks import build_report
from voorsprong.celery import app
from voorsprong.roles import Role

JOBS = 50
# Seconds before a dead worker's unacknowledged job is handed out again: well above one build at scale 100
# (half a second), so that no running build is handed out twice; production's is minutes.
VISIBILITY_TIMEOUT = 10
START_SECONDS = 60
FINISH_SECONDS = 300
LOOK_EVERY_SECONDS = 0.05
# The reasons in a request's history that finish it: built, or given the file of an identical one.
ENDS = ("done", "reused")


def start_worker(
    app_module: str, name: str, queue: str, environment: dict, directory: Path
) -> subprocess.Popen:
    """Start a ``celery worker`` of ``app_module`` named ``<name>@<host>`` with one process, reading only
    ``queue``, in a process group of its own (so that it can be killed whole), its output in
    ``directory/<name>.log``."""
    log = directory / f"{name}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", app_module, "worker", "--pool=prefork"),
                *("--concurrency=1", f"--queues={queue}", f"--hostname={name}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"),
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process.log = log
    return process


def worker_ready(process: subprocess.Popen) -> bool:
    """Tell whether the worker has connected to the broker and takes jobs."""
    return b" ready." in process.log.read_bytes()


def kill_worker(process: subprocess.Popen) -> None:
    """Send SIGKILL to the worker and its pool: nothing gets to clean up or acknowledge."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextmanager
def _sending_to(broker: str, queue: str):
    """Hand this process's report jobs to ``queue`` on ``broker`` instead of building them in-process.

    The queue is given to each job as it is sent, not made the app's default queue: Celery keeps the queues
    it knows once made, so a worker started in this process later (a test's) would read the benchmark's
    queue instead of the default one.
    """
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    variable = os.environ.get("CELERY_BROKER_URL")
    send = build_report.apply_async
    app.conf.update(broker_url=broker, task_always_eager=False)
    os.environ["CELERY_BROKER_URL"] = broker  # Celery reads it before its setting
    build_report.apply_async = partial(send, queue=queue)
    try:
        yield
    finally:
        build_report.apply_async = send
        app.conf.update(saved)
        if variable is None:
            os.environ.pop("CELERY_BROKER_URL")
        else:
            os.environ["CELERY_BROKER_URL"] = variable
        # Forgotten by this process too, or a worker started in it later would read the queue again.
        app.amqp.queues.pop(queue, None)


def _wait(condition, what: str, seconds: float, workers: list[subprocess.Popen]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(LOOK_EVERY_SECONDS)
    logs = "\n".join(process.log.read_text(errors="replace")[-1500:] for process in workers)
    raise BenchmarkError(f"Waited {seconds} s for {what}. The workers' logs:\n{logs}")


def _finished(ids: list[int]) -> bool:
    return not ReportRequest.objects.filter(
        pk__in=ids, status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING)
    ).exists()


def measure_scale_out(database_url: str, broker: str, jobs: int = JOBS) -> Outcome:
    """Build ``jobs`` question-244 reports on two workers against the database of ``database_url`` with
    ``broker``, killing one halfway; return whether every report was built, none twice."""
    token = uuid.uuid4().hex[:8]
    queue = f"bench-{token}"
    cabinet = active_user(Role.CABINET)
    client = redis.Redis.from_url(broker)
    with client, tempfile.TemporaryDirectory() as temporary, _sending_to(broker, queue):
        directory = Path(temporary)
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "DJANGO_MEDIA_ROOT": str(directory / "media"),
        }
        names = (f"alpha-{token}", f"beta-{token}")
        workers = [start_worker("bench.worker", name, queue, environment, directory) for name in names]
        alpha = workers[0]
        # The node names the jobs record (``built_by``): Celery's %h is the host's name.
        alpha_node, beta_node = (f"{name}@{socket.gethostname()}" for name in names)
        try:
            _wait(
                lambda: all(map(worker_ready, workers)), "both workers to take jobs", START_SECONDS, workers
            )
            started = time.monotonic()
            ids = [
                request_report(
                    question=244, as_of=AS_OF - datetime.timedelta(days=day), fmt="json", by=cabinet
                ).pk
                for day in range(jobs)
            ]
            killed = _kill_halfway(alpha, alpha_node, ids, workers)
            killed_at = time.monotonic() - started
            _wait(lambda: _finished(ids), f"all {jobs} reports to be finished", FINISH_SECONDS, workers)
            seconds = time.monotonic() - started
            # A job whose worker died after its report was done but before it was acknowledged comes back
            # after the visibility timeout too, and must find its report done.
            _wait(
                lambda: not _left_on_broker(client, queue), "the queue to be empty", FINISH_SECONDS, workers
            )
            return _outcome(ids, killed, killed_at, seconds, directory / "media", alpha_node, beta_node)
        finally:
            for process in workers:
                kill_worker(process)
            _forget(client, queue)


def _kill_halfway(alpha: subprocess.Popen, alpha_node: str, ids: list[int], workers) -> ReportRequest | None:
    """Kill alpha once half of ``ids`` are done, while it builds one; return the request it was building
    (None when it was caught at none: its last report was done, perhaps its job not yet acknowledged)."""
    half = len(ids) // 2

    def building() -> bool:
        requests = ReportRequest.objects.filter(pk__in=ids)
        if requests.filter(status=ReportStatus.DONE).count() < half:
            return False
        return requests.filter(status=ReportStatus.RUNNING, built_by=alpha_node).exists() or _finished(ids)

    _wait(building, f"alpha to build a report once {half} were done", FINISH_SECONDS, workers)
    kill_worker(alpha)
    # What alpha was building stays "running" by alpha until beta takes the job up again.
    return ReportRequest.objects.filter(pk__in=ids, status=ReportStatus.RUNNING, built_by=alpha_node).first()


def _outcome(
    ids: list[int],
    killed: ReportRequest | None,
    killed_at: float,
    seconds: float,
    media: Path,
    alpha_node: str,
    beta_node: str,
) -> Outcome:
    reports = list(ReportRequest.objects.filter(pk__in=ids).order_by("pk"))
    # Every request's history in one query, in order: (reason, worker) per step.
    reasons = defaultdict(list)
    steps = ReportRequest.history.filter(id__in=ids).order_by("history_date", "history_id")
    for pk, reason, worker in steps.values_list("id", "history_change_reason", "built_by"):
        reasons[pk].append((reason, worker))
    finished = {pk: [reason for reason, _worker in rows if reason in ENDS] for pk, rows in reasons.items()}
    twice = [pk for pk, ends in finished.items() if len(ends) > 1]
    unrecorded = [pk for pk, ends in finished.items() if not ends]
    built = sum(ends.count("done") for ends in finished.values())
    reused = sum(ends.count("reused") for ends in finished.values())
    statuses = Counter(report.status for report in reports)
    by_worker = Counter(report.built_by for report in reports)
    named = {report.file.name for report in reports if report.file}
    stored = {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}
    taken_over = killed is not None and _taken_over(reasons[killed.pk], beta_node)
    done = statuses[ReportStatus.DONE]
    met = (
        done == len(ids)
        and not (twice or unrecorded)
        and named <= stored
        and set(by_worker) == {alpha_node, beta_node}
    )
    if killed is None:
        kill = "alpha killed with no report of its running (its last one was done already)"
    elif taken_over:
        kill = f"alpha killed while building the report as of {killed.as_of:%d/%m/%Y}, which beta built"
    else:
        kill = (
            f"alpha killed while building the report as of {killed.as_of:%d/%m/%Y}, not built by beta after"
        )
        met = False
    value = (
        f"{done} of {len(ids)} done in {seconds:.1f} s ({built} built, {reused} with the file of an "
        f"identical one), {len(twice)} built twice, {len(unrecorded)} without its history row; alpha "
        f"{by_worker[alpha_node]}, beta {by_worker[beta_node]}; {kill}"
    )
    outcome = Outcome()
    outcome.figures.append(
        Figure(
            f"{len(ids)} report jobs on two workers, one killed halfway",
            value,
            "all done, none built twice, both workers building",
            met,
            timing=False,
        )
    )
    outcome.detail += [
        "## Report jobs on two workers, one killed halfway",
        "",
        f"{len(ids)} question-244 reports in JSON as of {len(ids)} distinct days, requested through the "
        "service on a queue of the benchmark's own and built by two `celery worker` processes (one "
        "process each, `bench.worker`) sharing the database, Redis and one media folder. Alpha was killed "
        f"(SIGKILL to its process group) {killed_at:.1f} s after the requests, once half were done; Redis "
        f"hands an unacknowledged job out again after the visibility timeout, {VISIBILITY_TIMEOUT} s here.",
        "",
        f"- statuses: {', '.join(f'{status} {count}' for status, count in sorted(statuses.items()))}",
        f"- built by: alpha {by_worker[alpha_node]}, beta {by_worker[beta_node]}",
        f"- files stored: {len(stored)}, of which named by no request (a build killed after storing its "
        f"file): {len(stored - named)}",
        f"- {kill}",
        "",
    ]
    return outcome


def _taken_over(steps: list[tuple[str, str]], node: str) -> bool:
    """Return whether the job's last two steps (reason, worker) are ``node`` starting and finishing it."""
    (started, started_by), (ended, ended_by) = steps[-2:]
    return started == "running" and ended in ENDS and started_by == ended_by == node


def _left_on_broker(client: redis.Redis, queue: str) -> int:
    """Return how many jobs of ``queue`` wait on the broker: queued, or handed out and not acknowledged
    (kombu keeps those in the hash ``unacked`` as [message, exchange, routing key])."""
    unacked = [json.loads(entry) for entry in client.hvals("unacked")]
    return client.llen(queue) + sum(1 for entry in unacked if entry[2] == queue)


def _forget(client: redis.Redis, queue: str) -> None:
    """Delete what the queue left on the broker (the queue and its bindings)."""
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
