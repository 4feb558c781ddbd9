"""The reach against the whole population as a report kind ("Bereik van de Voorsprongtrajecten"):
``reporting.statistics.reach``'s figures, ``reach_documents``' files."""

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reporting.kinds import ReportKind, register
from reporting.statistics.reach import BY, reach_cells
from reporting.statistics.reach_documents import RENDERERS
from reporting.statistics.reach_schema import ReachFiguresSerializer


class CellsField(serializers.ChoiceField):
    """The cells of the reach, one of ``BY`` (an enum in the contract); a missing value is refused like
    a wrong one, with the same code and words."""

    def __init__(self, **kwargs):
        super().__init__(choices=BY, **kwargs)

    def fail(self, key, **kwargs):
        raise serializers.ValidationError(
            _("Choose the cells: by=%(choices)s.") % {"choices": "|".join(BY)}, code="unknown_breakdown"
        )


class ReachParametersSerializer(serializers.Serializer):
    by = CellsField(help_text=f"The cells, one of: {', '.join(BY)}.")


def reach_kind_figures(as_of: datetime.date, parameters: Mapping) -> dict:
    """Return the reach as of ``as_of`` per cell of the validated ``by``."""
    return reach_cells(as_of, parameters["by"])


KIND = register(
    ReportKind(
        key="reach",
        title=_("Reach of the Voorsprong trajects"),
        figures=reach_kind_figures,
        parameters=ReachParametersSerializer,
        serializer=ReachFiguresSerializer,
        renderers=RENDERERS,
        description=(
            "Per province, NACE section or size class (`by`): the active enterprises with a seat in "
            "Flanders or Brussels (the population), those approved in any traject by the date (reached), "
            "the reach per 1,000 enterprises and the representation ratio (share among the reached ÷ "
            "share in the population; below 1 is under-reached), with totals. By size class the "
            "population comes from the table of enterprises per size band officers upload; without one "
            "`size_table` and every population are null."
        ),
        refusals=("unknown_breakdown",),
    )
)
