"""E-mails to the officers about the budgets, always in Dutch."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from funding.selectors import officer_addresses
from participants.notifications import NOTIFICATION_LANGUAGE


def budget_alert_message(rows: list[dict], as_of: datetime.date) -> EmailMessage | None:
    """Return one message to the officers listing the budgets at risk; None without rows or addresses."""
    recipients = officer_addresses() if rows else []
    if not recipients:
        return None
    link = settings.SITE_URL.rstrip("/") + reverse("funding:budget_monitor")
    with translation.override(NOTIFICATION_LANGUAGE):
        subject = ngettext(
            "Budget monitor: %(count)d budget needs attention",
            "Budget monitor: %(count)d budgets need attention",
            len(rows),
        ) % {"count": len(rows)}
        body = render_to_string(
            "funding/email/budget_alert.txt", {"rows": rows, "as_of": as_of, "link": link}
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
