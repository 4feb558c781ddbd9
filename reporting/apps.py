from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Every model holds what figures are computed from, except the requests for reports and the nightly
        # copies of their figures (voorsprong.data_version).
        from reporting.models import ReportRequest, StatisticsSnapshot
        from voorsprong.data_version import track

        track(model for model in self.get_models() if model not in (ReportRequest, StatisticsSnapshot))
