"""Lock-outs in layers (AXES_HANDLER): axes' database handler with a limit of its own per layer.

The layers are AXES_LOCKOUT_PARAMETERS: a username from an address (``AXES_FAILURE_LIMIT``), an address
across usernames (``LOCKOUT_ADDRESS_FAILURE_LIMIT``) and a username across addresses
(``LOCKOUT_USERNAME_FAILURE_LIMIT``). Axes itself compares one count with one limit; this handler gives it,
as the count, ``AXES_FAILURE_LIMIT`` less the fewest failures any layer has left, which reaches the limit
exactly when one layer reaches its own.

The wider layers do not hold a username at an address it logged in from within
``LOCKOUT_KNOWN_ADDRESS_DAYS``: failing in an officer's name elsewhere, or spraying from a shared office
address, must not lock the officer out of the address they work from.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

_PAIR = ["username", "ip_address"]


def _limit(parameters) -> int:
    """Return the failures that lock the layer of ``parameters`` (an entry of AXES_LOCKOUT_PARAMETERS)."""
    return {
        "username,ip_address": settings.AXES_FAILURE_LIMIT,
        "ip_address": settings.LOCKOUT_ADDRESS_FAILURE_LIMIT,
        "username": settings.LOCKOUT_USERNAME_FAILURE_LIMIT,
    }[parameters if isinstance(parameters, str) else ",".join(parameters)]


class LayeredLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Return AXES_FAILURE_LIMIT less the fewest failures any layer that holds this log-in has left."""
        known = self._logged_in_from_here(request, credentials)
        left = min(
            _limit(parameters) - (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)
            for parameters, attempts in zip(
                settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials), strict=True
            )
            if parameters == _PAIR or not known
        )
        return settings.AXES_FAILURE_LIMIT - left

    def reset_user_attempts(self, request, credentials=None) -> int:
        """Forget, after a successful log-in, the failures of that username from that address only: the
        address's failures for other usernames and the username's from elsewhere still count."""
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count

    @staticmethod
    def _logged_in_from_here(request, credentials) -> bool:
        since = timezone.now() - timedelta(days=settings.LOCKOUT_KNOWN_ADDRESS_DAYS)
        return AccessLog.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            attempt_time__gte=since,
        ).exists()
