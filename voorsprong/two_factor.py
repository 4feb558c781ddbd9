"""Two factors at log-in (django-otp): a code of an authenticator app (TOTP) after the password, or one of
ten recovery codes, each good once.

Officers, the financial service and administrators must use it while ``TWO_FACTOR_REQUIRED`` is on: one
without an authenticator is sent to set one up at the next log-in, before anything else. Promoters,
consultants and the cabinet may set one up; from then on they are asked for its code like staff. Who logged
in with a password only and still owes the code (``pending_step``) reaches nothing but the step itself and
the log-out (``TwoFactorMiddleware``); the admin asks the same (voorsprong.admin), and the API's token
endpoint asks for the code with the password (``check_second_factor``).

Each user has at most one authenticator (a confirmed TOTPDevice) and one set of recovery codes (a
StaticDevice). django-otp throttles each: after n wrong codes in a row the next is refused, however
right, for 2^(n-1) seconds; the count stands on the device until a right code.
"""

import logging
import re
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from rest_framework.exceptions import PermissionDenied

from voorsprong.api import error_body
from voorsprong.models import ApiToken
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, revoke_api_tokens

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
# The two steps a logged-in user may still owe: setting up an authenticator, or giving its code.
ENROL, CODE = "enrol", "code"
STEP_URLS = {ENROL: "two_factor:enrol", CODE: "two_factor:code"}
# The roles that must use a second factor (administrators and superusers act in every role).
REQUIRED_FOR = (Role.OFFICER, Role.FINANCE)
# A session remembers that its user has no authenticator, so the pages do not look it up on every request:
# the log-in looks, and writes it with the session it writes anyway.
_NO_AUTHENTICATOR = "two_factor_no_authenticator"
_TOTP_CODE = re.compile(r"[0-9]{6}")


def is_required(user) -> bool:
    """Return whether ``user`` must use a second factor (at request time: tests switch the setting)."""
    return bool(settings.TWO_FACTOR_REQUIRED and user.acts_as(*REQUIRED_FOR))


def authenticator(user) -> TOTPDevice | None:
    """Return the user's confirmed authenticator app, if it has one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_step(request) -> str | None:
    """Return the step the logged-in user still owes in this session (``ENROL`` or ``CODE``), or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)  # installed by django-otp's OTPMiddleware
    if is_verified is not None and is_verified():
        return None
    session = getattr(request, "session", None)
    remembered = session is not None and session.get(_NO_AUTHENTICATOR) == user.pk
    if not remembered:
        if authenticator(user) is not None:
            return CODE
        if session is not None:
            session[_NO_AUTHENTICATOR] = user.pk
    return ENROL if is_required(user) else None


@receiver(user_logged_in, dispatch_uid="voorsprong.two_factor.look_at_log_in")
def _look_at_log_in(sender, request, user, **kwargs):
    # An authenticator set up in another session since counts from this log-in on.
    if request is None or not hasattr(request, "session"):
        return
    if authenticator(user) is None:
        request.session[_NO_AUTHENTICATOR] = user.pk
    else:
        request.session.pop(_NO_AUTHENTICATOR, None)


class TwoFactorMiddleware:
    """Send a logged-in user who still owes a step to it, with the page asked for as ``next``; an API
    call by session answers 403 ``two_factor_required``. Only the steps, the log-out, the health check,
    the static files and the token endpoint (which asks for the code itself) are let through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = pending_step(request)
        if step is None or self._let_through(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            detail = _("Log in with your second factor on the site first.")
            return JsonResponse(error_body(detail, "two_factor_required"), status=403)
        target = request.get_full_path() if request.method == "GET" else reverse("home")
        return redirect_to_login(target, reverse(STEP_URLS[step]))

    @staticmethod
    def _let_through(path: str) -> bool:
        open_paths = {reverse(name) for name in (*STEP_URLS.values(), "logout", "health", "api-token")}
        return path in open_paths or path.startswith(settings.STATIC_URL)


# -- checking a code -------------------------------------------------------------------------------------
def verify_code(user, code: str):
    """Return the device that accepts ``code``: the authenticator for six digits, the recovery codes for
    anything else (a recovery code is used up). Refuse a wrong code (``otp_invalid``, counted on the
    device) and any code while the device is throttled."""
    code = "".join((code or "").split()).lower()
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        allowed, throttled = device.verify_is_allowed() if device else (False, None)
        accepted = allowed and device.verify_token(code)
    if accepted:
        return device
    if throttled:
        seconds = max(1, int((throttled["locked_until"] - timezone.now()).total_seconds()) + 1)
        message = _("Too many wrong codes in a row. Wait %(seconds)s seconds and try again.") % {
            "seconds": seconds
        }
    else:
        message = _(
            "This code is not right. Enter the code your authenticator app shows now, or a recovery code."
        )
    if device is not None:
        logger.warning(
            "Wrong second-factor code for user %s (%s in a row)", user.pk, device.throttling_failure_count
        )
    raise WorkflowRefusal(message, "otp_invalid", "otp")


def check_second_factor(user, code: str | None) -> None:
    """Let ``user``, who gave the right password, have an API token only with the second factor it must
    or does use: without an authenticator one who must have one is refused (403
    ``two_factor_enrolment_required``), with one the code is needed (400 ``otp_required``) and must be
    right (400 ``otp_invalid``)."""
    if authenticator(user) is None:
        if is_required(user):
            raise PermissionDenied(
                _(
                    "Your role needs two-step verification. Set it up on the site first (log in there), "
                    "then ask for a token with its code."
                ),
                code="two_factor_enrolment_required",
            )
        return
    if not (code or "").strip():
        raise WorkflowRefusal(
            _("Enter the code of your authenticator app (or a recovery code) in otp."), "otp_required", "otp"
        )
    verify_code(user, code)


# -- setting up, renewing and removing ---------------------------------------------------------------------
def new_secret() -> str:
    """Return a new secret for an authenticator app, hex-encoded as django-otp keeps it."""
    return random_hex(20)


def readable_secret(secret: str) -> str:
    """Return ``secret`` as an app asks to type it: base32, in groups of four."""
    encoded = b32encode(unhexlify(secret)).decode()
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def setup_url(user, secret: str) -> str:
    """Return the otpauth:// address of ``secret`` for ``user`` that the QR code carries."""
    return TOTPDevice(user=user, key=secret).config_url


def enrol(user, secret: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Make ``secret`` the user's authenticator once ``code`` shows the app has it, replacing an earlier
    one, with ten new recovery codes; return the authenticator and the codes (shown once). A wrong code is
    refused (``otp_invalid``) and changes nothing."""
    code = "".join((code or "").split())
    totp = TOTP(unhexlify(secret))
    if not (_TOTP_CODE.fullmatch(code) and totp.verify(int(code), tolerance=1)):
        raise WorkflowRefusal(
            _("This code is not right. Enter the six digits your authenticator app shows now."),
            "otp_invalid",
            "otp",
        )
    with transaction.atomic():
        device, _created = TOTPDevice.objects.update_or_create(
            user=user,
            defaults={
                "name": "authenticator",
                "key": secret,
                "confirmed": True,
                # The code just given is not taken again at the log-in step.
                "last_t": totp.t(),
                "drift": totp.drift,
                "throttling_failure_count": 0,
                "throttling_failure_timestamp": None,
            },
        )
        codes = new_recovery_codes(user)
    logger.info("User %s set up an authenticator app", user.pk)
    return device, codes


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ten new ones and return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _number in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(user) -> None:
    """Remove the user's authenticator and recovery codes; refused for a user who must use them."""
    if is_required(user):
        raise WorkflowRefusal(
            _("Your role needs two-step verification: it cannot be turned off."), "forbidden"
        )
    _remove_devices(user)
    logger.info("User %s turned two-step verification off", user.pk)


def reset(user, *, by) -> None:
    """Remove the authenticator and recovery codes of ``user``, who lost them (an administrator's action in
    the admin): a user who must use two-step verification sets it up anew at the next log-in. The user's
    API tokens are revoked too: they were made with the lost second factor."""
    with transaction.atomic():
        _remove_devices(user)
        revoke_api_tokens(ApiToken.objects.filter(user=user), reason="two-step verification reset")
    logger.info("User %s reset the two-step verification of user %s", by.pk, user.pk)


@transaction.atomic
def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
