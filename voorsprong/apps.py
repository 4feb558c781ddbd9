from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoorsprongConfig(AppConfig):
    name = "voorsprong"
    verbose_name = _("Users and roles")
