import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Questionnaire
from participants.notifications import decision_message, questionnaire_message
from participants.questionnaire_links import LINK_MAX_AGE, make_questionnaire_token
from participants.selectors import (
    application_for_notification,
    follow_ups_due,
    invitation_for_notification,
    unanswered_invitations,
)
from voorsprong.jobs import error_text
from voorsprong.outbox import once

logger = logging.getLogger(__name__)


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


# A KBO import gets this long (settings, CELERY_IMPORT_SOFT_TIME_LIMIT) before its job is marked failed; the
# hard limit, a minute later, kills a worker that does not stop by itself.
IMPORT_SOFT_TIME_LIMIT = settings.CELERY_IMPORT_SOFT_TIME_LIMIT


# import_jobs queues its jobs through this module, so the tasks import it when run.
@shared_task(
    bind=True,
    # Acknowledged only when done, and put back when its worker dies: another worker runs the job again
    # (``import_jobs.start_import`` takes a job left "running", whose import was rolled back).
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_SOFT_TIME_LIMIT + 60,
)
def run_import_job(self, job_id: int) -> str | None:
    """Apply the queued KBO import of job ``job_id`` once; return the status it leaves (None when there was
    nothing to run, or another worker holds its ``run_claim``: the job may be delivered twice).

    An import refused, stopped, failing otherwise or running out of time marks the job failed with the
    reason and is not raised again: a broken extract does not come back on its own."""
    from participants.services import import_jobs

    with import_jobs.run_claim(job_id) as claimed:
        if not claimed:
            logger.info("Import job %s: another worker is running it", job_id)
            return None
        # The worker's node name (``-n alpha@%h``); in-process, the machine's name.
        job = import_jobs.start_import(job_id, worker=self.request.hostname or "")
        if job is None:
            logger.info("Import job %s: nothing to run", job_id)
            return None
        try:
            return import_jobs.apply_import(job).status
        except SoftTimeLimitExceeded:
            logger.error("Import job %s took longer than %s seconds", job_id, IMPORT_SOFT_TIME_LIMIT)
            reason = _("The import took longer than %(seconds)d seconds.")
            reason %= {"seconds": IMPORT_SOFT_TIME_LIMIT}
        except Exception as error:  # whatever stopped it is the job's error, for the operator to read
            logger.exception("Import job %s failed", job_id)
            reason = error_text(error)
        return import_jobs.fail_import(job, reason).status


@shared_task
def requeue_stale_imports() -> list[int]:
    """Queue again, or fail after a few times, the import jobs whose worker was lost (beat, every minute);
    return the ids of the jobs queued again."""
    from participants.services import import_jobs

    return import_jobs.requeue_stale_imports()
