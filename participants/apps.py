from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Companies and applications")

    def ready(self):
        # Every model of the app but the record of KBO imports holds what figures are computed from
        # (voorsprong.data_version); an import that changed companies bumps the version itself.
        from participants.models import KboImport
        from voorsprong.data_version import track

        track(model for model in self.get_models() if model is not KboImport)

        from participants.work_queue import register_sections

        register_sections()
