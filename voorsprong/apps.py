import axes.apps
from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from voorsprong.roles import sync_role_groups


def _sync_role_groups(sender, apps=global_apps, **kwargs):
    sync_role_groups(apps)


class VoorsprongConfig(AppConfig):
    name = "voorsprong"
    verbose_name = _("Users and roles")
    # This module also holds AxesConfig, so Django is told which of the two is the kernel's.
    default = True

    def ready(self):
        # After every migrate, and after a flush (as transactional tests do), which empties the groups:
        # the one place the groups are made from is voorsprong.roles.
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="voorsprong.sync_role_groups")
        # What revokes API tokens: a lock-out, a deactivation, a new password.
        # Connects its log-in signal before the first log-in.
        from voorsprong import (
            signals,  # noqa: F401
            two_factor,  # noqa: F401
        )


class AxesConfig(axes.apps.AppConfig):
    """django-axes, which gives its app no name of its own: the administrators' index shows it in Dutch."""

    default = False
    verbose_name = _("Log-in lock-outs")
