"""The back office's notation of dates, one way everywhere (nl-BE; settings.FORMAT_MODULE_PATH).

``nl_BE/formats.py`` is Django's format module for Dutch (Belgium): a date in a table, a list, a form or
the admin is 26/11/2025 (DATE_FORMAT and SHORT_DATE_FORMAT alike, so that the admin's lists, read-only
fields and date widgets, which use DATE_FORMAT and the first DATE_INPUT_FORMAT, write it so too); a
form takes 26/11/2025 and 2025-11-26. Running text (sentences, titles, e-mails, documents) writes the
month in words, 26 november 2025: :func:`long_date` here, ``|long_date`` in templates
(``{% load notation %}``). The API keeps ISO 8601.
"""

import datetime

from django.utils.formats import date_format

# Django's format names are fixed (DATE_FORMAT, SHORT_DATE_FORMAT, …); the running text's has none.
LONG_DATE_FORMAT = "j F Y"


def long_date(day: datetime.date | None) -> str:
    """Return a date as running text writes it, in the active language: 26 november 2025."""
    return date_format(day, LONG_DATE_FORMAT) if day else ""


def short_date(day: datetime.date | None) -> str:
    """Return a date as tables and forms write it: 26/11/2025."""
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""
