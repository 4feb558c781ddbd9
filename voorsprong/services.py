"""What every state change shares: a refusal that says why, and a history row that says who and why; and
the API tokens, made and revoked here only."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voorsprong.models import ApiToken, User
from voorsprong.roles import Role
from voorsprong.validators import REASON_MAX_LENGTH


class WorkflowRefusal(Exception):
    """An action the rules do not allow; ``code`` is stable for API clients, the message is for people.

    ``field`` names the input that is wrong when the refusal is about a value the user typed
    rather than about the state of the application.
    """

    def __init__(self, message: str, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def require_role(user: User, *roles: Role) -> None:
    """Refuse ``user`` without one of ``roles``: administrators may do anything; anyone else needs one."""
    if not user.acts_as(*roles):
        raise WorkflowRefusal(_("You are not allowed to do this."), "forbidden")


def reason_refusal(reason: str) -> WorkflowRefusal | None:
    """Return the refusal of a reason longer than the API, the forms and the history keep, if it is."""
    if len(reason) <= REASON_MAX_LENGTH:
        return None
    return WorkflowRefusal(
        _("A reason has at most %(max)s characters; this one has %(length)s.")
        % {"max": REASON_MAX_LENGTH, "length": len(reason)},
        "too_long",
        "reason",
    )


def required_reason(reason: str, *, field: str | None = None) -> str:
    """Return ``reason`` without surrounding blanks; refuse it empty (``reason_required``, on ``field``
    when given) or too long (400 ``too_long``)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowRefusal(_("Give a reason."), "reason_required", field)
    refusal = reason_refusal(reason)
    if refusal:
        raise refusal
    return reason


def save_as(instance: models.Model, by: User | None, *, reason: str = "", validate: bool = False):
    """Save ``instance`` with ``by`` and ``reason`` on its history row.

    ``by`` is None only for a write no user makes (a company answering through its link); the
    ``reason`` then says where the change came from.

    ``validate`` runs full_clean first, so users get the model's plain-word errors before the
    database refuses the same thing with an IntegrityError.
    """
    if validate:
        instance.full_clean()
    instance._history_user = by
    instance._change_reason = reason
    # The row, its history row and the data versions its signals raise commit together, also for a caller
    # outside a transaction (a worker killed between them would leave a change without its history).
    with transaction.atomic(savepoint=False):
        instance.save()
    return instance


# -- API tokens ------------------------------------------------------------------------------------------
logger = logging.getLogger(__name__)

# Every key starts with this, so that secret scanners (and people) recognise one pasted where it should
# not be.
API_TOKEN_PREFIX = "vsp_"
# How often a token's last use is written: at most once a minute, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def issue_api_token(user: User, *, label: str = "", user_agent: str = "") -> tuple[ApiToken, str]:
    """Make a new API token for ``user``, valid for API_TOKEN_TTL_DAYS, and return it with its key.

    The key is returned this once: only its digest is stored. The user's expired tokens, which open
    nothing any more, are removed. Every way to get a token (the token endpoint, the page API-sleutels)
    comes here.
    """
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    max_agent = ApiToken._meta.get_field("user_agent").max_length
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        token = ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(key),
            label=label.strip(),
            user_agent=user_agent[:max_agent],
            created_at=now,
            expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
    logger.info("API token %s issued to user %s, valid until %s", token.pk, user.pk, token.expires_at)
    return token, key


def revoke_api_token(token: ApiToken, *, reason: str) -> None:
    """Revoke ``token``: it no longer opens the API."""
    logger.info("API token %s of user %s revoked: %s", token.pk, token.user_id, reason)
    token.delete()


def revoke_api_tokens(tokens: models.QuerySet[ApiToken], *, reason: str) -> int:
    """Revoke every token of ``tokens``; return how many there were."""
    revoked, _per_model = tokens.delete()
    if revoked:
        logger.info("%s API token(s) revoked: %s", revoked, reason)
    return revoked


def note_api_token_use(token: ApiToken) -> None:
    """Record that ``token`` opened the API now, unless that was recorded less than a minute ago."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
