"""E-mails to companies and promoters, always in Dutch whatever language the acting user reads."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from participants.hooks import decision_notes
from participants.models import Application, ApplicationStatus, Invitation, Questionnaire
from participants.selectors import decision_recipients

NOTIFICATION_LANGUAGE = "nl-be"


def decision_message(application: Application) -> EmailMessage | None:
    """Return the message telling the company (and the promoter) the officer's decision; None without
    recipients."""
    recipients = decision_recipients(application)
    if not recipients:
        return None
    approved = application.status != ApplicationStatus.REJECTED
    with translation.override(NOTIFICATION_LANGUAGE):
        subject = (
            _("Your application for %(traject)s was approved")
            if approved
            else _("Your application for %(traject)s was not approved")
        ) % {"traject": application.traject.name}
        notes = decision_notes(application) if approved else []
        body = render_to_string(
            "participants/email/decision.txt",
            {"application": application, "approved": approved, "notes": notes},
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


# The e-mail's subject per questionnaire; the body is the template of the same name.
_SUBJECTS = {
    Questionnaire.EVALUATION: _lazy("How did %(traject)s go? Your evaluation"),
    Questionnaire.FOLLOW_UP: _lazy("Six months after %(traject)s: what lasted?"),
    Questionnaire.EXIT: _lazy("Your trajectory %(traject)s stopped: three short questions"),
}
_LINK_URLS = {
    Questionnaire.EVALUATION: "evaluation:form",
    Questionnaire.FOLLOW_UP: "evaluation:follow_up",
    Questionnaire.EXIT: "evaluation:exit",
}


def questionnaire_message(
    invitation: Invitation, token: str, valid_days: int, reminder: int = 0
) -> EmailMessage | None:
    """Return the message with the company contact's personal link to the invitation's questionnaire, as
    the invitation or as reminder number ``reminder``; None without a contact address."""
    application = invitation.application
    if not application.company.contact_email:
        return None
    link = settings.SITE_URL.rstrip("/") + reverse(_LINK_URLS[invitation.questionnaire], args=[token])
    with translation.override(NOTIFICATION_LANGUAGE):
        subject = _SUBJECTS[invitation.questionnaire] % {"traject": application.traject.name}
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        body = render_to_string(
            f"participants/email/{invitation.questionnaire}_invitation.txt",
            {"application": application, "link": link, "days": valid_days, "reminder": reminder},
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [application.company.contact_email])
