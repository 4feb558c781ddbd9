"""What every background job shares, whichever worker (machine) runs it: the claim that lets one process
at a time run a job delivered more than once, and putting back the jobs whose worker was lost.

The outbox and the broker deliver a job at least once, and a worker that dies leaves its message
unacknowledged for another to take (``acks_late``). A job's record guards its status; the claim keeps a
second delivery away while the first still runs.
"""

from collections.abc import Callable
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction


def error_text(error: BaseException) -> str:
    """Return what a job's record says of the exception that stopped it: its class and message."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


@contextmanager
def advisory_claim(lock_class: int, key: int):
    """Yield whether this process may run job ``key`` of ``lock_class``: on PostgreSQL, whether it holds the
    session-level advisory lock (``lock_class``, ``key``), released at the end or when the process dies
    (its connection closes). SQLite runs the jobs in-process, one at a time: always yes."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_class, key])
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_class, key])
            except DatabaseError:  # the connection is gone, and the lock with it
                pass


def requeue_stale(stale: Callable, *, max_requeues: int, queue_again: Callable, fail: Callable) -> list[int]:
    """Queue each job of ``stale()`` (a queryset of records with ``requeues``) again with ``queue_again``,
    up to ``max_requeues`` times, then ``fail`` it; return the ids of the jobs queued again. Each is locked
    in a transaction of its own and skipped when another beat holds it or it finished meanwhile."""
    requeued = []
    for job_id in stale().values_list("pk", flat=True):
        with transaction.atomic():
            job = stale().select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            if job.requeues >= max_requeues:
                fail(job)
                continue
            job.requeues += 1
            queue_again(job)
            requeued.append(job.pk)
    return requeued
