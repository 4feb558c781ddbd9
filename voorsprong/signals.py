"""What ends a user's API tokens besides the user: a lock-out, a deactivation and a new password.

Connected in ``VoorsprongConfig.ready``. Each receiver calls the service that revokes; none decides more.
"""

from axes.signals import user_locked_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from voorsprong.models import ApiToken, User
from voorsprong.services import revoke_api_tokens


@receiver(user_locked_out, dispatch_uid="voorsprong.revoke_api_tokens_on_lock_out")
def revoke_api_tokens_on_lock_out(sender, request=None, username=None, **kwargs):
    """A username that axes locks out (too many failed log-ins) loses its tokens: whoever guessed at the
    password may have had a token in hand too, and a locked account opens nothing until its owner logs in
    again."""
    if username:
        tokens = ApiToken.objects.filter(**{f"user__{User.USERNAME_FIELD}": username})
        revoke_api_tokens(tokens, reason=f"user {username!r} locked out")


@receiver(post_save, sender=User, dispatch_uid="voorsprong.revoke_api_tokens_on_access_change")
def revoke_api_tokens_on_access_change(sender, instance: User, created=False, raw=False, **kwargs):
    """A user whose password changes (set, reset, made unusable: the password-change page, the admin, the
    changepassword command) or who is deactivated loses every token.

    ``_password`` is Django's own mark of a new password (``set_password``), kept until the save ends; a
    log-in that only upgrades the stored hash clears it first, so that revokes nothing.
    """
    if created or raw:
        return
    if instance._password is not None or not instance.has_usable_password():
        revoke_api_tokens(instance.api_tokens.all(), reason=f"password of user {instance.pk} changed")
    elif not instance.is_active:
        revoke_api_tokens(instance.api_tokens.all(), reason=f"user {instance.pk} deactivated")
