from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, apps=global_apps, **kwargs):
    from voorsprong.roles import sync_role_groups

    sync_role_groups(apps)


class VoorsprongConfig(AppConfig):
    name = "voorsprong"
    verbose_name = _("Users and roles")

    def ready(self):
        # Besides the data migration: a database flush (as transactional tests do) empties the groups,
        # and a new model's permissions reach the roles after the next migrate.
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="voorsprong.sync_role_groups")
