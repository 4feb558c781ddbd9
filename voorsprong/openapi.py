"""The API contract's schema class (DEFAULT_SCHEMA_CLASS).

Apart from ``voorsprong.api``: drf-spectacular's module reads DRF's settings as it loads, and those name
classes of ``voorsprong.api``.
"""

from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, leaving the views' docstrings out of the contract: they are notes for the
    developers. An operation's description is only what ``extend_schema(description=describe(...))``
    writes for integrators."""

    def get_description(self):
        return ""
