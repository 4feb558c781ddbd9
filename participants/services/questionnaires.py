"""The questionnaires a company answers through a personal link: who is invited, reminded, and which
link still opens its form.

A link works once because an application has at most one answer per questionnaire (a one-to-one row),
and expires 60 days after it was sent. An unanswered questionnaire is reminded 14 and 30 days after the
invitation (``REMINDER_DAYS``), each reminder at most once, then counts as not answered.
"""

import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from participants.models import (
    QUESTIONNAIRE_ANSWERS,
    QUESTIONNAIRES_AFTER,
    REMINDER_DAYS,
    Application,
    Invitation,
    Questionnaire,
    follow_up_due_on,
)
from participants.questionnaire_links import read_questionnaire_token
from participants.tasks import send_questionnaire_mail
from voorsprong import outbox
from voorsprong.services import WorkflowRefusal, save_as


def check_questionnaire_token(questionnaire: str, token: str, today: datetime.date) -> Application:
    """Return the application a link to ``questionnaire`` is for, not answered yet; refuse any other link."""
    try:
        application_id = read_questionnaire_token(questionnaire, token)
    except signing.SignatureExpired as error:
        raise WorkflowRefusal(_("This link has expired."), "link_expired") from error
    except signing.BadSignature as error:
        raise WorkflowRefusal(_("This link is not valid."), "link_invalid") from error
    application = Application.objects.select_related("company", "traject").filter(pk=application_id).first()
    # A signed link to an application that is not asked this questionnaire was never sent.
    if application is None or questionnaire not in QUESTIONNAIRES_AFTER.get(application.status, ()):
        raise WorkflowRefusal(_("This link is not valid."), "link_invalid")
    if questionnaire == Questionnaire.FOLLOW_UP and today < follow_up_due_on(application.ended_on):
        raise WorkflowRefusal(_("This link is not valid."), "link_invalid")
    if QUESTIONNAIRE_ANSWERS[questionnaire].objects.filter(application=application).exists():
        raise WorkflowRefusal(_("This link has already been used."), "link_used")
    return application


def save_answer(answer, reason: str) -> None:
    """Save a company's answer row once; a second answer through the same link is refused as used.

    Two submissions at once both pass ``check_questionnaire_token``; the one-to-one unique lets only one in.
    """
    try:
        with transaction.atomic():
            # No user made this row: the company answered through its link. Naming none explicitly also
            # keeps a user who happens to be logged in on that browser out of the history.
            save_as(answer, None, reason=reason)
    except IntegrityError as error:
        raise WorkflowRefusal(_("This link has already been used."), "link_used") from error


def _send_on_commit(invitation: Invitation, reminder: int) -> None:
    # Through the outbox, in the invitation's or reminder's transaction: only once committed (a rolled-back
    # one must not send a link), and not lost to a broker that is down.
    outbox.enqueue(send_questionnaire_mail, invitation.pk, reminder)


def invite(application: Application, questionnaire: str, on: datetime.date) -> Invitation | None:
    """Invite the company to ``questionnaire`` once; return the invitation, or None when the company has no
    contact address or was invited before."""
    if not application.company.contact_email:
        return None
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                application=application, questionnaire=questionnaire, sent_on=on
            )
            _send_on_commit(invitation, 0)
    except IntegrityError:
        return None  # invited before: the unique constraint keeps it to one invitation
    return invitation


def reminder_due(invitation: Invitation, today: datetime.date) -> int:
    """Return the number of the reminder ``invitation`` is due for on ``today`` (1 or 2), or 0.

    A reminder that was missed (the beat did not run that day) is not sent late next to the following one:
    only the last reminder due is sent, and the ones before it count as sent.
    """
    days = (today - invitation.sent_on).days
    due = sum(1 for after in REMINDER_DAYS if days >= after)
    return due if due > invitation.reminders_sent else 0


@transaction.atomic
def remind(invitation: Invitation, today: datetime.date) -> int:
    """Send the reminder ``invitation`` is due for, at most once whoever else tries at the same moment;
    return its number, or 0 when none was due, the company answered meanwhile or another process sent it."""
    number = reminder_due(invitation, today)
    if (
        not number
        or QUESTIONNAIRE_ANSWERS[invitation.questionnaire]
        .objects.filter(application_id=invitation.application_id)
        .exists()
    ):
        return 0
    # The update only succeeds from the count this process saw: of two at once, one sends.
    claimed = Invitation.objects.filter(pk=invitation.pk, reminders_sent=invitation.reminders_sent).update(
        reminders_sent=number, last_reminded_on=today
    )
    if not claimed:
        return 0
    _send_on_commit(invitation, number)
    return number
