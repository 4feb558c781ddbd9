"""E-mails to companies and promoters, always in Dutch whatever language the acting user reads."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from participants.hooks import decision_notes
from participants.models import Application, ApplicationStatus
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


def evaluation_invitation_message(
    application: Application, token: str, valid_days: int
) -> EmailMessage | None:
    """Return the message inviting the company contact to evaluate the completed trajectory; None without
    a contact address."""
    if not application.company.contact_email:
        return None
    link = settings.SITE_URL.rstrip("/") + reverse("evaluation:form", args=[token])
    with translation.override(NOTIFICATION_LANGUAGE):
        subject = _("How did %(traject)s go? Your evaluation") % {"traject": application.traject.name}
        body = render_to_string(
            "participants/email/evaluation_invitation.txt",
            {"application": application, "link": link, "days": valid_days},
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [application.company.contact_email])
