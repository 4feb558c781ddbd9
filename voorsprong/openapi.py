"""The API contract's schema class (DEFAULT_SCHEMA_CLASS).

Apart from ``voorsprong.api``: drf-spectacular's module reads DRF's settings as it loads, and those name
classes of ``voorsprong.api``.
"""

from drf_spectacular import openapi
from rest_framework import serializers


def decimal_pattern(field: serializers.DecimalField) -> str:
    """Return the pattern of the strings ``field`` takes: at least one digit, the places it allows, and a
    minus sign only when it takes negative amounts (drf-spectacular's own pattern also lets through an
    empty string and a negative turnover, which the API then refuses)."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole = "0" if field.max_whole_digits == 0 else rf"\d{{1,{field.max_whole_digits}}}"
    fraction = rf"(?:\.\d{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    return f"^{sign}{whole}{fraction}$"


# The ids of rows: primary keys are positive 64-bit integers (BigAutoField).
ID_RANGE = {"minimum": 1, "maximum": 2**63 - 1}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, leaving the views' docstrings out of the contract: they are notes for the
    developers. An operation's description is only what ``extend_schema(description=describe(...))``
    writes for integrators. Amounts sent as strings carry a pattern the serializer agrees with; a
    reference to a row by its id (a ``PrimaryKeyRelatedField``) is an integer in the range of ids."""

    def get_description(self):
        return ""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            schema.update(ID_RANGE)
        return schema
