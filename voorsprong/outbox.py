"""The transactional outbox: work queued after a commit is never lost to a broker that is down.

``enqueue(task, *args)`` writes the intent (an ``OutboxMessage``) in the caller's transaction. Once that
transaction commits, the message is handed to the broker at once; when the broker does not answer (a short
connect timeout, ``OUTBOX_CONNECT_TIMEOUT``), the error is noted on the message and the request that made
the change answers as usual; for ``OUTBOX_RETRY_DELAY`` seconds after such a failure the process does not
try again at once (the next requests would each wait for the timeout) and leaves its messages to the relay.

The beat task ``voorsprong.tasks.relay_outbox`` hands over, every minute, the messages still unsent whose
next attempt is due, waiting longer after each failure (``OUTBOX_RETRY_DELAY`` doubled per attempt, at most
``OUTBOX_MAX_RETRY_DELAY``). On PostgreSQL a message is taken with ``SELECT ... FOR UPDATE SKIP LOCKED``, so
two relays never hand over the same one.

Delivery is at least once: a message may reach the broker twice (the relay dies between handing it over and
marking it sent). The tasks are idempotent for that reason; ``once(key, action)`` is their tool.

With ``CELERY_TASK_ALWAYS_EAGER`` (no broker: development, the tests) running the task in-process is the
handover: the message is marked sent and its task runs after the commit, as ``on_commit(task.delay)`` did.
"""

import datetime
import logging
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from voorsprong.models import DeliveredOnce, OutboxMessage

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ERROR_LENGTH = 2000
# Set for OUTBOX_RETRY_DELAY seconds when handing a message over at once failed.
BROKER_DOWN = "outbox:broker-down"


def enqueue(task, *args) -> OutboxMessage:
    """Write the Celery ``task`` (a task or its name) with ``args`` (JSON) to the outbox in the current
    transaction, and hand it to the broker once that transaction commits; return the message."""
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task=name, args=list(args), next_attempt_at=timezone.now())
    transaction.on_commit(partial(deliver, message.pk))
    return message


def retry_delay(attempts: int) -> datetime.timedelta:
    """Return how long to wait before the next attempt after ``attempts`` failed ones."""
    seconds = settings.OUTBOX_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_MAX_RETRY_DELAY))


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _publish(message: OutboxMessage) -> None:
    """Hand ``message`` to the broker, on a connection of its own that gives up after the short timeout
    and is not retried: the relay retries, later."""
    task = current_app.tasks[message.task]
    with current_app.connection_for_write(connect_timeout=settings.OUTBOX_CONNECT_TIMEOUT) as connection:
        task.apply_async(message.args, connection=connection, retry=False)


def _hand_over(message: OutboxMessage) -> bool:
    """Publish the locked ``message`` and mark it sent, or note the failure and when to try again; return
    whether it was sent."""
    now = timezone.now()
    try:
        _publish(message)
    except Exception as error:  # whatever the broker's client raises: the message stays in the outbox
        message.attempts += 1
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        message.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        logger.warning("Outbox message %s (%s) not handed over: %s", message.pk, message.task, error)
        return False
    message.sent_at = now
    message.save(update_fields=["sent_at"])
    return True


def _run_in_process(message_id: int) -> None:
    """Run the task of the message in this process (eager Celery), once: marking it sent claims it."""
    claimed = OutboxMessage.objects.filter(pk=message_id, sent_at=None).update(sent_at=timezone.now())
    if claimed:
        message = OutboxMessage.objects.get(pk=message_id)
        current_app.tasks[message.task].apply_async(message.args)


def _pending():
    return OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at=None)


def deliver(message_id: int) -> None:
    """Hand one message to the broker now, if nobody did yet; never raise a broker's error."""
    if _eager():
        _run_in_process(message_id)
        return
    if cache.get(BROKER_DOWN):
        return
    with transaction.atomic():
        message = _pending().filter(pk=message_id).first()
        if message is not None and not _hand_over(message):
            cache.set(BROKER_DOWN, True, settings.OUTBOX_RETRY_DELAY)


def relay(limit: int = 500) -> int:
    """Hand the unsent messages whose next attempt is due to the broker, oldest first; return how many
    were sent. Stops at the first failure: the broker is down, the others wait for the next run.

    Messages handed over more than ``OUTBOX_KEEP_SENT_DAYS`` ago are deleted: the outbox is a queue, not
    a log (each change has its own history)."""
    current_app.loader.import_default_modules()  # every app's tasks, also those no module here imported
    kept_since = timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    OutboxMessage.objects.filter(sent_at__lt=kept_since).delete()
    sent = 0
    with transaction.atomic():
        due = _pending().filter(next_attempt_at__lte=timezone.now()).order_by("next_attempt_at", "pk")
        for message in due[:limit]:
            if not _hand_over(message):
                break
            sent += 1
    return sent


def once(key: str, action: Callable[[], T]) -> T | None:
    """Run ``action`` and return its result, unless an action with ``key`` was done before (return None).

    The key is written in the transaction that runs the action: an action that raises leaves no key, so
    it is tried again; two at once wait for each other on the key's unique index and one runs."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                DeliveredOnce.objects.create(key=key)
        except IntegrityError:
            return None
        return action()
