from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Companies and applications")

    def ready(self):
        from participants.work_queue import register_sections

        register_sections()
