"""The outcome figures (``reporting.statistics.outcomes``) field by field, for the API schema and the JSON
files: a masked figure is the string ``"< 5"`` where a number would rest on one to four companies, and
these fields say so. Each gives its value back unchanged."""

from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participants.models import Barrier, StopReason
from reporting.statistics.outcomes import FEWEST_COMPANIES, MASKED

MASKED_SCHEMA = {
    "type": "string",
    "enum": [MASKED],
    "description": f"Masked: the figure rests on 1 to {FEWEST_COMPANIES - 1} companies.",
}
COUNT_SCHEMA = {"type": "integer", "minimum": 0}
SHARE_SCHEMA = {"type": "string", "format": "decimal", "pattern": r"^\d{1,3}\.\d$", "example": "61.5"}
SCORE_SCHEMA = {"type": "string", "format": "decimal", "pattern": r"^\d\.\d{2}$", "example": "4.25"}
MASKED_NOTE = f' "{MASKED}" when it rests on 1 to {FEWEST_COMPANIES - 1} companies.'


class _AsGiven(serializers.Field):
    """A figure as the statistics computed it: already rounded, possibly masked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


@extend_schema_field({"oneOf": [COUNT_SCHEMA, MASKED_SCHEMA]})
class MaskedCountField(_AsGiven):
    """A count of companies or trajectories, or ``"< 5"``."""


@extend_schema_field({"oneOf": [COUNT_SCHEMA, MASKED_SCHEMA], "nullable": True})
class MaskedStaffField(_AsGiven):
    """A number of employees, ``"< 5"`` when fewer than five companies give it, null when none does."""


@extend_schema_field({"oneOf": [SHARE_SCHEMA, MASKED_SCHEMA], "nullable": True})
class MaskedShareField(_AsGiven):
    """A percentage with one decimal (a string), ``"< 5"``, or null without a base."""


@extend_schema_field({"oneOf": [SCORE_SCHEMA, MASKED_SCHEMA], "nullable": True})
class MaskedScoreField(_AsGiven):
    """An average score out of 5 with two decimals (a string), ``"< 5"``, or null without any."""


class FollowUpsSerializer(serializers.Serializer):
    due = MaskedCountField(
        help_text="Completed trajectories whose follow-up fell due by then (six months after the end)."
        + MASKED_NOTE
    )
    received = MaskedCountField(help_text="Of those, follow-ups submitted by then." + MASKED_NOTE)


class StaffReachedSerializer(serializers.Serializer):
    total = MaskedStaffField(
        help_text="Distinct employees reached: per completed trajectory the closing evaluation's count, "
        "else the promoter's at completion; never the sum of sessions. All three are"
        + MASKED_NOTE.replace(" when it rests", " when they rest")
        + " Null when no trajectory gives a count."
    )
    low_skilled = MaskedStaffField(help_text="Of those, low-skilled.")
    aged_55_plus = MaskedStaffField(help_text="Of those, aged 55 or over.")


class TrainingPolicySerializer(serializers.Serializer):
    before = MaskedShareField(
        help_text="Of the responding companies with a baseline and a situation at closing, the share with a "
        "training policy (VTO-beleid) at intake, in percent; null without such companies;" + MASKED_NOTE
    )
    after = MaskedShareField(help_text="The same companies' share with a training policy at closing.")


class BarrierChangeSerializer(serializers.Serializer):
    met_at_intake = MaskedCountField(help_text="Companies whose baseline met the barrier." + MASKED_NOTE)
    removed = MaskedCountField(
        help_text="Responding companies that met it at intake and no longer at closing." + MASKED_NOTE
    )


class BarriersSerializer(serializers.Serializer):
    """A field per barrier code, every code present."""

    def get_fields(self):
        return {
            code: BarrierChangeSerializer(help_text=f"{label} (the barrier's code: {code}).")
            for code, label in ((barrier.value, _english(barrier)) for barrier in Barrier)
        }


class StopReasonsSerializer(serializers.Serializer):
    """A field per stop reason code, every code present."""

    def get_fields(self):
        return {
            reason.value: MaskedCountField(
                help_text=f"Trajectories stopped by then for this reason ({_english(reason)})." + MASKED_NOTE
            )
            for reason in StopReason
        }


def _english(choice) -> str:
    """Return a choice's label as written in the code (English), whatever language is active."""
    with translation.override(None):
        return str(choice.label)
