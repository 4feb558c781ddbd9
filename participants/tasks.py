from celery import shared_task
from django.utils import timezone

from participants.models import Questionnaire
from participants.notifications import decision_message, questionnaire_message
from participants.questionnaire_links import LINK_MAX_AGE, make_questionnaire_token
from participants.selectors import (
    application_for_notification,
    follow_ups_due,
    invitation_for_notification,
    unanswered_invitations,
)
from voorsprong.outbox import once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_notification(application_id: int) -> int:
    """Send the decision e-mail, once per application (it is decided once) however often the task is
    delivered; return how many were sent. SMTP hiccups are retried."""
    message = decision_message(application_for_notification(application_id))
    if not message:
        return 0
    return once(f"decision-mail:{application_id}", message.send) or 0


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_questionnaire_mail(invitation_id: int, reminder: int = 0) -> int:
    """Send the company its personal link to a questionnaire: the invitation, or reminder number
    ``reminder``, once however often the task is delivered; return how many e-mails were sent. Each mail
    carries a new link, valid 60 days."""
    invitation = invitation_for_notification(invitation_id)
    token = make_questionnaire_token(invitation.questionnaire, invitation.application)
    message = questionnaire_message(invitation, token, LINK_MAX_AGE.days, reminder)
    if not message:
        return 0
    return once(f"questionnaire-mail:{invitation_id}:{reminder}", message.send) or 0


# The services send their mails through this module, so the two beat tasks below import them when run.
@shared_task
def remind_unanswered_questionnaires() -> int:
    """Send the reminders due today (beat, daily); return how many were sent."""
    from participants.services.questionnaires import remind

    today = timezone.localdate()
    return sum(1 for invitation in unanswered_invitations(today) if remind(invitation, today))


@shared_task
def invite_to_follow_ups() -> int:
    """Invite the companies whose follow-up is due today (beat, daily); return how many were invited."""
    from participants.services.questionnaires import invite

    today = timezone.localdate()
    return sum(
        1 for application in follow_ups_due(today) if invite(application, Questionnaire.FOLLOW_UP, today)
    )
