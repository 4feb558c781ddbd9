"""KBO numbers (ondernemingsnummer): ten digits, the last two a mod-97 check of the first eight."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

# Printed (0403.170.701) or stored (0403170701): the forms the KBO extract has 1.9 million times.
_PLAIN_NUMBER = re.compile(r"[01][0-9]{3}\.[0-9]{3}\.[0-9]{3}|[01][0-9]{9}")


def normalise_kbo_number(value: str) -> str:
    """Return the ten-digit form of a KBO number (accepts ``BE 0403.170.701``, ``403170701``, ...)."""
    if _PLAIN_NUMBER.fullmatch(value):
        # The same check as python-stdnum's, without its general cleaning, which cost the national KBO
        # import more time than the rest of its judging. Whatever fails here gets stdnum's own reason.
        digits = value.replace(".", "")
        if int(digits) and (int(digits[:8]) + int(digits[8:])) % 97 == 0:
            return digits
    try:
        return vat.validate(value)
    except StdnumError as error:
        raise ValidationError(
            _("%(value)s is not a valid KBO number: %(reason)s"),
            code="invalid_kbo_number",
            params={"value": value, "reason": _kbo_reason(error)},
        ) from error


def validate_kbo_number(value: str) -> None:
    normalise_kbo_number(value)


def kbo_number_with_check_digits(first_eight: int) -> str:
    """Return the valid ten-digit KBO number that starts with ``first_eight`` (for demo and test data)."""
    return f"{first_eight:08d}{97 - first_eight % 97:02d}"


def kbo_search_term(term: str) -> str:
    """Return the term to search for: officers paste KBO numbers as printed ("0403.170.701",
    "BE 0403 170 701"), so search the digits."""
    compact = term.upper().removeprefix("BE").replace(".", "").replace(" ", "")
    return compact if compact.isdigit() else term


def format_kbo_number(value: str) -> str:
    """Return the number the way the KBO prints it: 0403.170.701."""
    return f"{value[:4]}.{value[4:7]}.{value[7:]}"


def _kbo_reason(error: StdnumError) -> str:
    if isinstance(error, InvalidChecksum):
        return _("the check digits do not match")
    if isinstance(error, InvalidLength):
        return _("it must have 10 digits")
    if isinstance(error, InvalidFormat):
        return _("it may only contain digits")
    if isinstance(error, InvalidComponent):
        return _("it must start with 0 or 1")
    return str(error)
