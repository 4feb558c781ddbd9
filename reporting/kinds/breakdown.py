"""The breakdown ("Eigen overzicht") as a report kind: its parameters, its figures field by field, and
its files. The figures are ``reporting.statistics.breakdown``'s, the files
``reporting.documents.breakdown``'s.
"""

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.documents import breakdown as documents
from reporting.documents import json_renderer, table_renderer
from reporting.kinds import ReportKind, register
from reporting.statistics.breakdown import (
    DIMENSIONS,
    MAX_DIMENSIONS,
    MEASURES,
    UNITS,
    BreakdownError,
    BreakdownFigures,
    breakdown,
    check_dimensions,
    check_measure,
)
from reporting.statistics.outcomes_schema import MASKED_SCHEMA

KEY = "breakdown"
DIMENSION_NAMES = ", ".join(DIMENSIONS)
MEASURE_NAMES = ", ".join(MEASURES)


@extend_schema_field(
    {
        "type": "string",
        "example": "province,traject",
        "description": f"One to {MAX_DIMENSIONS} dimensions, comma-separated, out of: {DIMENSION_NAMES}.",
    }
)
class DimensionsField(serializers.Field):
    """The dimensions: comma-separated (a query string), or a list (a JSON body)."""

    default_error_messages = {"invalid": _("Give the dimensions as a list, or comma-separated.")}

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            return [name.strip() for name in data.split(",") if name.strip()]
        if isinstance(data, list) and all(isinstance(name, str) for name in data):
            return [name.strip() for name in data if name.strip()]
        self.fail("invalid")

    def to_representation(self, value) -> list[str]:
        return list(value)


def _checked(check, value):
    """Return ``value`` once ``check`` accepts it; its refusal becomes the field's, with its code."""
    try:
        check(value)
    except BreakdownError as error:
        raise serializers.ValidationError(error.message, code=error.code) from None
    return value


class MeasureField(serializers.ChoiceField):
    """The measure, refused with ``unknown_measure`` (not DRF's ``invalid_choice``)."""

    def to_internal_value(self, data) -> str:
        return _checked(check_measure, data if isinstance(data, str) else "")


class BreakdownParametersSerializer(serializers.Serializer):
    by = DimensionsField(help_text=f"One to {MAX_DIMENSIONS} dimensions out of: {DIMENSION_NAMES}.")
    measure = MeasureField(
        choices=list(MEASURES), help_text=f"What is counted or summed, one of: {MEASURE_NAMES}."
    )

    def validate_by(self, by: list[str]) -> list[str]:
        return _checked(check_dimensions, by)


# -- the figures field by field ------------------------------------------------------------------------
@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}, MASKED_SCHEMA],
        "nullable": True,
    }
)
class FigureField(serializers.Field):
    """A count (a number); hours, euros, a share or a score (a string); in the outcome measures ``"< 5"``
    where it rests on one to four companies, and null for a share or score without any."""

    def to_representation(self, value):
        return value


class DimensionValueSerializer(serializers.Serializer):
    value = serializers.CharField(
        allow_blank=True,
        help_text="Stable: a code (traject, size class, province, NACE section), a joint committee, an id "
        "(sector fund, project, organisation), a year (2025) or quarter (2025-Q4); empty where the data "
        "have none.",
    )
    label = serializers.CharField(help_text="In Dutch.")


class DimensionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The dimension, as given in by.")
    label = serializers.CharField()
    values = DimensionValueSerializer(many=True, help_text="The values that occur, in the table's order.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="e.g. companies, hours, or a funding source's code and total.")
    label = serializers.CharField()
    unit = serializers.ChoiceField(
        choices=UNITS,
        help_text="count: a whole number; decimal: hours or euros, two decimals; share: percent, one "
        "decimal; score: an average out of 5, two decimals; employees: a number of employees.",
    )


class CellSerializer(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.CharField(allow_blank=True), help_text="A value per dimension, in the order of by."
    )
    values = serializers.ListField(child=FigureField(), help_text="A figure per column.")


class BreakdownFiguresSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="breakdown")
    as_of = serializers.DateField()
    by = serializers.ListField(child=serializers.ChoiceField(choices=list(DIMENSIONS)))
    measure = serializers.ChoiceField(choices=list(MEASURES))
    measure_label = serializers.CharField()
    dimensions = DimensionSerializer(many=True)
    columns = ColumnSerializer(many=True)
    rows = CellSerializer(
        many=True, help_text="Only the combinations with figures, ordered dimension by dimension."
    )
    total = serializers.ListField(
        child=FigureField(),
        help_text="A figure per column over everything; approved companies count each company once, so "
        "the cells may add up to more.",
    )
    fingerprint = serializers.CharField(help_text="SHA-256 of the figures.")


def breakdown_figures(as_of: datetime.date, parameters: Mapping) -> BreakdownFigures:
    """Return the breakdown as of ``as_of`` with validated ``parameters`` (``by``, ``measure``)."""
    return breakdown(as_of, parameters["by"], parameters["measure"])


KIND = register(
    ReportKind(
        key=KEY,
        title=_("Own overview: a breakdown of your choice"),
        figures=breakdown_figures,
        parameters=BreakdownParametersSerializer,
        serializer=BreakdownFiguresSerializer,
        renderers={
            "xlsx": table_renderer(documents.render_xlsx),
            "pdf": table_renderer(documents.render_pdf),
            "docx": table_renderer(documents.render_docx),
            "csv": table_renderer(documents.render_csv),
            "json": json_renderer(BreakdownFiguresSerializer),
        },
        description=(
            f"A measure ({MEASURE_NAMES}) per combination of one to {MAX_DIMENSIONS} dimensions "
            f"({DIMENSION_NAMES}), with its total, by the same as-of rules as question 244: approvals by "
            "their decision date (a company counts once per cell, by its latest approval in a traject), "
            "sessions by their date, completions by their end date. The dimensions describe the "
            "application (size class as at approval, project, promoter organisation, referring sector "
            "fund, year or quarter of the decision) and its company as registered (province, NACE-BEL "
            "2008 section, joint committee). The outcome measures (response_rate, training_policy, "
            "staff_reached, outcome_scores) count the trajectories completed by the date, and show a figure "
            'resting on one to four companies as "< 5".'
        ),
        refusals=(
            "no_dimension",
            "unknown_dimension",
            "duplicate_dimension",
            "too_many_dimensions",
            "unknown_measure",
        ),
    )
)
