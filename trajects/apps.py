from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectsConfig(AppConfig):
    name = "trajects"
    verbose_name = _("Trajects and partners")

    def ready(self):
        # Every model of the app holds what figures are computed from (voorsprong.data_version).
        from voorsprong.data_version import track

        track(self.get_models())
