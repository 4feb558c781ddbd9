"""The figures of question 244 field by field, for the API schema and the JSON file.

Each serializer mirrors a TypedDict of ``figures.py``; ``PQ244FiguresSerializer(figures).data`` gives the
figures back unchanged and leaves out anything they do not document.
"""

from rest_framework import serializers

from participants.models import EVALUATION_SCORE_FIELDS, OUTCOME_SCORE_FIELDS
from reporting.statistics.outcomes_schema import (
    MASKED_NOTE,
    BarriersSerializer,
    FollowUpsSerializer,
    MaskedScoreField,
    MaskedShareField,
    StaffReachedSerializer,
    StopReasonsSerializer,
    TrainingPolicySerializer,
)
from trajects.models import Channel, OrganisationKind

AMOUNT = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 4, "decimal_places": 1, "allow_null": True}
SCORE = {"max_digits": 3, "decimal_places": 2, "allow_null": True}
COUNT = {"min_value": 0}


class PQ244SizeClassesSerializer(serializers.Serializer):
    micro = serializers.IntegerField(**COUNT)
    small = serializers.IntegerField(**COUNT)
    medium = serializers.IntegerField(**COUNT)
    large = serializers.IntegerField(**COUNT)
    non_profit = serializers.IntegerField(**COUNT)
    unknown = serializers.IntegerField(
        **COUNT, help_text="Approved while their SME status was not declared (werk takes them)."
    )


class PQ244SizeClassSharesSerializer(serializers.Serializer):
    sme = serializers.DecimalField(**SHARE, help_text="SMEs (micro, small, medium) in percent.")
    non_profit = serializers.DecimalField(**SHARE, help_text="Non-profits in percent.")
    large = serializers.DecimalField(**SHARE, help_text="Large companies in percent.")
    unknown = serializers.DecimalField(**SHARE, help_text="Companies of unknown size in percent.")


class PQ244PeriodPlacesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    places = serializers.IntegerField(**COUNT, help_text="Places opened in the period.")
    taken = serializers.IntegerField(**COUNT, help_text="Places held by applications approved by then.")


class PQ244FundingSerializer(serializers.Serializer):
    total = serializers.DecimalField(**AMOUNT)
    eu = serializers.DecimalField(**AMOUNT, help_text="European (ESF+) funds.")
    flemish = serializers.DecimalField(**AMOUNT, help_text="Flemish subsidies.")
    own_promoter = serializers.DecimalField(**AMOUNT, help_text="The promoters' own contribution.")
    own_company = serializers.DecimalField(**AMOUNT, help_text="The companies' own means, when budgeted.")


class PQ244PartnerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)


class PQ244ProjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    partnership = serializers.CharField(
        allow_null=True, help_text="The partnership's name; null without one."
    )
    organisations = PQ244PartnerSerializer(many=True, help_text="Service providers and promoters first.")


class PQ244AverageScoresSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            **{
                field: serializers.DecimalField(
                    **SCORE, help_text="Average score out of 5; null without any."
                )
                for field in EVALUATION_SCORE_FIELDS
            },
            **{
                field: MaskedScoreField(
                    help_text="Average score out of 5 over the evaluations that gave it (asked since the "
                    "outcomes are measured); null without any;" + MASKED_NOTE
                )
                for field in OUTCOME_SCORE_FIELDS
            },
        }


class PQ244EvaluationsSerializer(serializers.Serializer):
    completed = serializers.IntegerField(**COUNT, help_text="Trajectories completed by then.")
    responses = serializers.IntegerField(**COUNT, help_text="Evaluations submitted by then.")
    response_rate = MaskedShareField(
        help_text="Evaluations received per trajectory completed, in percent; null while none was completed;"
        + MASKED_NOTE
    )
    follow_ups = FollowUpsSerializer(help_text="The follow-ups six months after completion.")
    follow_up_rate = MaskedShareField(
        help_text="Follow-ups received per trajectory whose follow-up fell due, in percent; null while none "
        "fell due;" + MASKED_NOTE
    )
    average_scores = PQ244AverageScoresSerializer()
    staff_reached = StaffReachedSerializer(help_text="Employees reached, one figure per trajectory.")
    training_policy = TrainingPolicySerializer(
        help_text="Companies with a training policy before and after the coaching, on the same scale."
    )
    barriers = BarriersSerializer(help_text="Per barrier to learning: met at intake and removed at closing.")
    recommendations = serializers.ListField(
        child=serializers.CharField(),
        help_text="The most frequent recommendations (at most 20), names and e-mail addresses blanked.",
    )


class PQ244ActionSerializer(serializers.Serializer):
    date = serializers.DateField()
    campaign = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    description = serializers.CharField(allow_blank=True)


class PQ244ReferralsSerializer(serializers.Serializer):
    total = serializers.IntegerField(**COUNT, help_text="Candidate companies referred by sector funds.")
    intakes = serializers.IntegerField(**COUNT, help_text="Of those, intakes done by the sector consultant.")
    by_sector_fund = serializers.DictField(
        child=serializers.IntegerField(**COUNT), help_text="Referrals per sector fund, by the fund's name."
    )
    intakes_by_sector_fund = serializers.DictField(
        child=serializers.IntegerField(**COUNT),
        help_text="Of those, intakes by the sector consultant, per sector fund with referrals.",
    )


class PQ244TrajectSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    start_date = serializers.DateField()
    approved_companies = serializers.IntegerField(**COUNT, help_text="Distinct companies approved by then.")
    size_classes = PQ244SizeClassesSerializer(help_text="Approved companies per size class.")
    size_class_shares = PQ244SizeClassSharesSerializer(help_text="Null while no company is approved.")
    places = PQ244PeriodPlacesSerializer(many=True, help_text="The capacity periods started by then.")
    funding = PQ244FundingSerializer(help_text="The budget per funding source, in euro.")
    own_company_share = serializers.DecimalField(
        **SHARE,
        help_text="The companies' own means on top of each coaching, in percent of its cost (the funding "
        "rule's); null without a rule.",
    )
    partners = PQ244PartnerSerializer(many=True, help_text="Every organisation once, by kind.")
    projects = PQ244ProjectSerializer(many=True, help_text="The projects in the order they were registered.")
    partnerships = serializers.ListField(child=serializers.CharField(), help_text="The partnerships' names.")
    evaluations = PQ244EvaluationsSerializer()
    stop_reasons = StopReasonsSerializer(help_text="Per stop reason code, the trajectories stopped by then.")
    communication_actions = PQ244ActionSerializer(many=True, help_text="The campaign actions up to then.")
    referrals = PQ244ReferralsSerializer()


class PQ244InitiativeSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()


class PQ244StatementSerializer(serializers.Serializer):
    answer = serializers.IntegerField(min_value=1)
    traject = serializers.CharField(
        allow_null=True, help_text="The traject's code; null for the whole answer."
    )
    text = serializers.CharField()


class PQ244FiguresSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    as_of = serializers.DateField(help_text="The date of the figures.")
    trajects = PQ244TrajectSerializer(many=True, help_text="Every traject, by start date.")
    companies_in_any_traject = serializers.IntegerField(
        **COUNT, help_text="Distinct companies approved in one or more trajects."
    )
    initiatives = PQ244InitiativeSerializer(many=True, help_text="Other initiatives (answer 8).")
    statements = PQ244StatementSerializer(
        many=True, help_text="The statements officers keep next to the figures, as they hold on the date."
    )
    fingerprint = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="SHA-256 of the figures.")
