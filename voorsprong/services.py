"""What every state change shares: a refusal that says why, and a history row that says who and why."""

from django.db import models
from django.utils.translation import gettext as _

from voorsprong.models import User
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
    instance.save()
    return instance
