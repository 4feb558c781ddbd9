"""What people may type, checked the same way at every edge (API, forms, admin, imports)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The longest reason (a rejection, a withdrawal, a stop, an approval over the budget and its refusal)
# the API, the forms and the rows take; the history rows keep it whole (their change reason is text).
REASON_MAX_LENGTH = 2000

# -- Days ----------------------------------------------------------------------------------------------
# Every day a user types (a period, a decision, a session, a figures' date) lies in these years: a year
# 103 or 9610 is a typo, and days far out overflow the date arithmetic (as_of less three years). A
# company's founding day alone may lie further back (the KBO registers companies founded in 1850).
EARLIEST_DAY = datetime.date(2000, 1, 1)
EARLIEST_FOUNDING_DAY = datetime.date(1800, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)
DAY_OUT_OF_RANGE = "date_out_of_range"
# The months and days of ``format: date``; the years come from the validator's range.
_MONTH_DAY = r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


@deconstructible
class DayRangeValidator:
    """Refuse a day before ``earliest`` (1 January of a year ending in 00) or after 2100
    (``date_out_of_range``); ``pattern`` says the same for the OpenAPI contract (ECMA and Python)."""

    def __init__(self, earliest: datetime.date = EARLIEST_DAY):
        self.earliest = earliest
        centuries = "|".join(str(century) for century in range(earliest.year // 100, 21))
        self.pattern = rf"^(({centuries})\d{{2}}|2100){_MONTH_DAY}"

    def __call__(self, value: datetime.date | None) -> None:
        if value is not None and not self.earliest <= value <= LATEST_DAY:
            raise ValidationError(
                _("A date lies between %(earliest)s and %(latest)s; %(value)s does not."),
                code=DAY_OUT_OF_RANGE,
                params={
                    "earliest": self.earliest.strftime("%d/%m/%Y"),
                    "latest": LATEST_DAY.strftime("%d/%m/%Y"),
                    "value": f"{value.day:02}/{value.month:02}/{value.year:04}",
                },
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DayRangeValidator) and other.earliest == self.earliest


validate_day = DayRangeValidator()
validate_founding_day = DayRangeValidator(EARLIEST_FOUNDING_DAY)


# -- Text ----------------------------------------------------------------------------------------------
# C0 controls, DEL, C1 controls, the bidirectional embeddings and overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069): invisible, they disguise a name (an override shows "exe.txt" for "txt.exe") or break
# the files it is written to. The left-to-right and right-to-left marks (U+200E, U+200F) are allowed:
# they only set the direction of neutral characters next to them and occur in text pasted from
# right-to-left scripts. Tab, line feed and carriage return are allowed in text that spans lines.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
ONE_LINE_PATTERN = rf"^[^\t\n\r{CONTROL_CHARACTERS}]*$"
MULTI_LINE_PATTERN = rf"^[^{CONTROL_CHARACTERS}]*$"
FORBIDDEN_CHARACTERS = "forbidden_characters"


@deconstructible
class PlainTextValidator:
    """Refuse control and bidirectional-override characters (``forbidden_characters``); in one-line text
    (names, codes, contact fields) tabs and line breaks too."""

    def __init__(self, multi_line: bool = False):
        self.multi_line = multi_line
        self.pattern = MULTI_LINE_PATTERN if multi_line else ONE_LINE_PATTERN
        self.allowed = re.compile(self.pattern)

    def accepts(self, value) -> bool:
        """Return whether ``value`` has none of the characters refused."""
        return not value or bool(self.allowed.fullmatch(str(value)))

    def __call__(self, value) -> None:
        if not self.accepts(value):
            message = (
                _("Use no control characters or direction overrides (tabs and line breaks are fine).")
                if self.multi_line
                else _("Use no control characters, tabs, line breaks or direction overrides.")
            )
            raise ValidationError(message, code=FORBIDDEN_CHARACTERS)

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainTextValidator) and other.multi_line == self.multi_line


validate_one_line = PlainTextValidator()
validate_multi_line = PlainTextValidator(multi_line=True)
