from celery import shared_task
from django.utils import timezone

from funding.notifications import budget_alert_message
from funding.selectors import budgets_at_risk


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def check_budgets() -> int:
    """Mail the officers, nightly, the budgets running low or running out before their period ends.

    Return how many e-mails were sent: none when every budget is fine."""
    as_of = timezone.localdate()
    message = budget_alert_message(budgets_at_risk(as_of), as_of)
    return message.send() if message else 0
