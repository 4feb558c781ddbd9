"""What every state change shares: the history row says who did it and why."""

from django.db import models

from voorsprong.models import User


def save_as(instance: models.Model, by: User, *, reason: str = "", validate: bool = False):
    """Saves ``instance`` with ``by`` and ``reason`` on its history row.

    ``validate`` runs full_clean first, so users get the model's plain-word errors before the
    database refuses the same thing with an IntegrityError.
    """
    if validate:
        instance.full_clean()
    instance._history_user = by
    instance._change_reason = reason
    instance.save()
    return instance
