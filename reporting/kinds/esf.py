"""The ESF+ monitoring export as a report kind: ``reporting.statistics.esf``'s figures and files."""

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from reporting.kinds import ReportKind, register
from reporting.statistics.esf import RENDERERS, ESFFigures, ESFReportSerializer, esf_figures


def esf_kind_figures(as_of: datetime.date, parameters: Mapping) -> ESFFigures:
    """Return the ESF+ figures as of ``as_of``; the export takes no parameters."""
    return esf_figures(as_of)


KIND = register(
    ReportKind(
        key="esf",
        title=_("ESF+ monitoring: supported enterprises and entities"),
        figures=esf_kind_figures,
        parameters=None,
        serializer=ESFReportSerializer,
        renderers=RENDERERS,
        description=(
            "Per traject (the ESF+ operation), cumulative since its start: the common output indicator "
            "EECO19 (the supported micro, small and medium-sized enterprises) and the supported entities "
            "by type (micro, small, medium, large, non-profit, size not declared), each company once, by "
            "its size class at approval, approved as of the date as question 244 counts; then all "
            "operations together, each company once."
        ),
    )
)
