from celery import shared_task

from participants.notifications import decision_message
from participants.selectors import application_for_notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_notification(application_id: int) -> int:
    """Sends the decision e-mail; returns how many were sent. SMTP hiccups are retried."""
    message = decision_message(application_for_notification(application_id))
    return message.send() if message else 0
