from celery import shared_task

from participants.evaluation_links import EVALUATION_LINK_MAX_AGE, make_evaluation_token
from participants.notifications import decision_message, evaluation_invitation_message
from participants.selectors import application_for_notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_notification(application_id: int) -> int:
    """Send the decision e-mail; return how many were sent. SMTP hiccups are retried."""
    message = decision_message(application_for_notification(application_id))
    return message.send() if message else 0


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_evaluation_invitation(application_id: int) -> int:
    """Send the company its personal evaluation link; return how many e-mails were sent."""
    application = application_for_notification(application_id)
    message = evaluation_invitation_message(
        application, make_evaluation_token(application), EVALUATION_LINK_MAX_AGE.days
    )
    return message.send() if message else 0
