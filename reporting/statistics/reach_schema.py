"""The reach's figures field by field, for the API schema and the JSON file:
``ReachFiguresSerializer(figures).data`` gives the figures of ``reach.reach_figures`` back unchanged."""

from rest_framework import serializers

from reporting.statistics.reach import BY

COUNT = {"min_value": 0}
REACH = {"max_digits": 5, "decimal_places": 1, "allow_null": True}
RATIO = {"max_digits": 12, "decimal_places": 2, "allow_null": True}


class ReachCellSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The province (antwerpen, …, brussel), the NACE section's letter (A to U, or unknown "
        "without a valid code) or the size class (micro, small, medium, large, non_profit, unknown)."
    )
    label = serializers.CharField(help_text="The cell's name, in Dutch.")
    population = serializers.IntegerField(
        **COUNT,
        allow_null=True,
        help_text="Enterprises in the cell; null where there is no denominator (by size class: no table, "
        "or a class without a staff band).",
    )
    reached = serializers.IntegerField(**COUNT, help_text="Companies of the cell approved in any traject.")
    reach_per_1000 = serializers.DecimalField(
        **REACH, help_text="Reached per 1,000 enterprises, rounded half up to 0.1; null without population."
    )
    representation_ratio = serializers.DecimalField(
        **RATIO,
        help_text="Share among the companies reached ÷ share in the population, rounded half up to 0.01; "
        "below 1 is under-reached; null without population or without anyone reached.",
    )


class ReachTotalSerializer(serializers.Serializer):
    population = serializers.IntegerField(**COUNT, allow_null=True)
    reached = serializers.IntegerField(**COUNT, help_text="Every company reached in the population.")
    reach_per_1000 = serializers.DecimalField(
        **REACH, help_text="The companies reached of the cells with a population, per 1,000 enterprises."
    )


class ReachSizeTableSerializer(serializers.Serializer):
    reference_date = serializers.DateField(help_text="The day the uploaded counts describe.")
    source = serializers.CharField()
    uploaded_at = serializers.DateField()


class ReachFiguresSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="reach")
    as_of = serializers.DateField()
    by = serializers.ChoiceField(choices=BY)
    size_table = ReachSizeTableSerializer(
        allow_null=True,
        help_text="By size class: the uploaded table giving the population; null without one (no "
        "denominator) and by province or NACE section (the KBO's companies are the population).",
    )
    cells = ReachCellSerializer(many=True)
    total = ReachTotalSerializer()
    reached_outside_population = serializers.IntegerField(
        **COUNT,
        help_text="Companies approved in a traject that are not in the population (stopped, or a seat "
        "outside Flanders and Brussels).",
    )
    fingerprint = serializers.CharField(help_text="SHA-256 of the figures.")
