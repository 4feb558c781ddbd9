from celery import shared_task

from voorsprong import outbox


@shared_task
def relay_outbox() -> int:
    """Hand the outbox's messages that are due to the broker (beat, every minute); return how many."""
    return outbox.relay()
