"""Days as moments: where a day in the project's time zone (Europe/Brussels) begins."""

import datetime

from django.utils import timezone


def start_of(day: datetime.date) -> datetime.datetime:
    """Return the moment ``day`` begins in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
