import django_filters
from django.utils.translation import gettext_lazy as _

from reporting.kinds import kinds
from reporting.models import ReportFormat, ReportRequest, ReportStatus


class ReportRequestFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=[(kind.key, kind.title) for kind in kinds()], label=_("Kind of report")
    )
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    # Not "format": DRF reads ?format= as the renderer to answer with (json, api).
    file_format = django_filters.ChoiceFilter(
        field_name="format", choices=ReportFormat.choices, label=_("File format")
    )

    class Meta:
        model = ReportRequest
        fields = ["kind", "status", "file_format"]
