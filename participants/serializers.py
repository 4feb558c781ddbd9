from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from participants import services
from participants.geography import Province
from participants.kbo import normalise_kbo_number
from participants.models import (
    EVALUATION_SCORE_FIELDS,
    Application,
    ApplicationStatus,
    Barrier,
    CoachingSession,
    Company,
    LearningForm,
    Referral,
    RelatedEnterprise,
    SMEDeclaration,
    StopReason,
)
from participants.selectors import baseline_of
from participants.services.outcomes import MAX_HEADCOUNT
from trajects.models import CapacityPeriod, Project
from trajects.serializers import TrajectCodeField
from trajects.size_classes import SizeClass
from voorsprong.services import WorkflowRefusal
from voorsprong.uploads import validate_scan
from voorsprong.validators import REASON_MAX_LENGTH, validate_multi_line


class KboNumberField(serializers.CharField):
    """Accepts the printed notations (``BE 0403.170.701``) and stores the ten digits."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)

    def to_internal_value(self, data):
        try:
            return normalise_kbo_number(super().to_internal_value(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class CompanySerializer(serializers.ModelSerializer):
    kbo_number = KboNumberField()
    # Blank when the postal code is not a Belgian one (or not given).
    province = serializers.ChoiceField(choices=Province.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "kbo_number",
            "name",
            "legal_form",
            "is_non_profit",
            "staff_headcount",
            "turnover",
            "balance_sheet_total",
            "size_class",
            "nace_code",
            "nace_version",
            "joint_committee",
            "postal_code",
            "municipality",
            "province",
            "founded_on",
            "is_active",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        read_only_fields = ["size_class", "province"]

    def validate_kbo_number(self, value):
        others = Company.objects.exclude(pk=self.instance.pk) if self.instance else Company.objects
        if others.filter(kbo_number=value).exists():
            raise serializers.ValidationError(_("A company with this KBO number is already registered."))
        return value

    def create(self, validated_data):
        return services.save_company(Company(**validated_data), by=self.context["request"].user)

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_company(instance, by=self.context["request"].user)


class StopSerializer(serializers.Serializer):
    """The body of stopping a trajectory: why, as a code, and a text that the code "other" needs."""

    # Required like every field the API needs (400); an empty code is the service's refusal (409
    # stop_reason_required), as in the portal and the admin.
    stop_reason = serializers.ChoiceField(
        choices=StopReason.choices, allow_blank=True, help_text=_("Why it stops.")
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        validators=[validate_multi_line],
        allow_blank=True,
        default="",
        help_text=_("The explanation; required with the code other."),
    )


def known_company_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), error_messages={"does_not_exist": _("Unknown company: {pk_value}.")}
    )


class ApplicationSerializer(serializers.ModelSerializer):
    company = known_company_field()
    company_name = serializers.CharField(source="company.name", read_only=True)
    kbo_number = serializers.CharField(source="company.kbo_number", read_only=True)
    size_class = serializers.CharField(source="company.size_class", read_only=True)
    traject = TrajectCodeField()
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown project: {pk_value}.")},
    )
    size_class_at_approval = serializers.ChoiceField(
        choices=SizeClass.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The company's size class the approval rested on; empty until approved."),
    )
    stop_reason = serializers.ChoiceField(
        choices=StopReason.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Why the trajectory stopped; only for a stopped application."),
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "company",
            "company_name",
            "kbo_number",
            "size_class",
            "traject",
            "project",
            "status",
            "submitted_on",
            "decided_on",
            "started_on",
            "ended_on",
            "reason",
            "stop_reason",
            "capacity_period",
            "size_class_at_approval",
            "planned_cost",
            "staff_reached",
            "staff_reached_low_skilled",
            "staff_reached_aged_55_plus",
        ]
        # The services answer a second open application with 409 duplicate_application.
        validators = []
        # Everything but the choices at creation (and the project and planned cost until the approval)
        # moves only through the workflow actions.
        read_only_fields = [
            "status",
            "submitted_on",
            "decided_on",
            "started_on",
            "ended_on",
            "reason",
            "stop_reason",
            "capacity_period",
            "size_class_at_approval",
            "staff_reached",
            "staff_reached_low_skilled",
            "staff_reached_aged_55_plus",
        ]
        extra_kwargs = {
            "staff_reached": {
                "help_text": _(
                    "Distinct employees the trajectory reached, each counted once, as the promoter counted "
                    "them at completion; empty when not given."
                )
            },
            "planned_cost": {
                "help_text": _(
                    "The cost the approval commits; empty: the traject's default. Officers may change it "
                    "until the approval."
                )
            },
        }

    def create(self, validated_data):
        return services.create_application(by=self.context["request"].user, **validated_data)


def _count_field(help_text):
    return serializers.IntegerField(min_value=0, max_value=MAX_HEADCOUNT, help_text=help_text)


class SituationSerializer(serializers.Serializer):
    """A company's learning situation: the closed questions asked at intake and again at closing. Numbers
    only, no names of persons."""

    barriers = serializers.ListField(
        child=serializers.ChoiceField(choices=Barrier.choices),
        default=list,
        help_text=_("The barriers to learning the company meets; empty: none."),
    )
    main_barrier = serializers.ChoiceField(
        choices=Barrier.choices,
        allow_blank=True,
        default="",
        help_text=_("The barrier that weighs most: one of the barriers met; empty when none is met."),
    )
    has_training_policy = serializers.BooleanField()
    has_learning_jobs = serializers.BooleanField()
    headcount = _count_field(_("Employees, in persons."))
    low_skilled = _count_field(_("Of the headcount: low-skilled employees."))
    aged_55_plus = _count_field(_("Of the headcount: employees aged 55 or over."))
    learning_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=LearningForm.choices),
        default=list,
        help_text=_("The forms of learning the company already uses; empty: none."),
    )
    recorded_on = serializers.DateField(read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application, with its company's learning situation at intake."""

    baseline = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "baseline"]

    @extend_schema_field(SituationSerializer(allow_null=True))
    def get_baseline(self, application):
        """Return the situation at intake, or None while it is not recorded."""
        baseline = baseline_of(application)
        return None if baseline is None else SituationSerializer(baseline).data


class CompleteSerializer(serializers.Serializer):
    """The body of completing a trajectory: optionally the promoter's count of the distinct employees it
    reached, all three numbers or none."""

    staff_reached = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Distinct employees the trajectory reached, each counted once."),
    )
    staff_reached_low_skilled = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Of them, low-skilled.")
    )
    staff_reached_aged_55_plus = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Of them, aged 55 or over.")
    )


class ApplicationChangeSerializer(ApplicationSerializer):
    """What a PATCH changes: the project and, until the approval, the planned cost. Company and traject
    make the application; another pairing is another application."""

    company = serializers.PrimaryKeyRelatedField(read_only=True)
    traject = serializers.SlugRelatedField(slug_field="code", read_only=True)

    def update(self, instance, validated_data):
        return services.update_application_details(
            instance,
            by=self.context["request"].user,
            project=validated_data.get("project", instance.project),
            referral=instance.referral,
            planned_cost=validated_data.get("planned_cost", instance.planned_cost),
        )


class CoachingSessionSerializer(serializers.ModelSerializer):
    logged_by = serializers.CharField(
        source="logged_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CoachingSession
        fields = ["id", "date", "hours", "kind", "employees_present", "notes", "logged_by"]


@extend_schema_serializer(deprecate_fields=["budget_override_reason"])
class ApprovalSerializer(serializers.Serializer):
    """The body of approve/: nothing. An approval over the budget takes two officers, so a reason to
    override the budget answers 409 ``sign_off_required``: the client requests a sign-off instead."""

    budget_override_reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        validators=[validate_multi_line],
        required=False,
        default="",
        help_text=_(
            "No longer accepted: an approval over the budget is requested with POST "
            "/api/v1/budget-overrides/ and signed off by another officer. A reason here answers 409 "
            "sign_off_required."
        ),
    )

    def validate(self, attrs):
        if attrs["budget_override_reason"].strip():
            raise WorkflowRefusal(
                gettext(
                    "An approval over the budget needs a second officer: request it with a reason under "
                    "approvals over the budget, and another officer signs it off."
                ),
                "sign_off_required",
            )
        return {}


class HistoryEntrySerializer(serializers.Serializer):
    """One status change; built in get_fields because ``from`` is a Python keyword."""

    def get_fields(self):
        return {
            "at": serializers.DateTimeField(),
            "by": serializers.CharField(allow_null=True),
            "from": serializers.ChoiceField(ApplicationStatus.choices, allow_null=True),
            "to": serializers.ChoiceField(ApplicationStatus.choices),
            "reason": serializers.CharField(),
        }


class ReferralSerializer(serializers.ModelSerializer):
    company = known_company_field()
    company_name = serializers.CharField(source="company.name", read_only=True)
    traject = TrajectCodeField()
    sector_fund = serializers.CharField(source="sector_fund.name", read_only=True)
    consultant = serializers.CharField(source="consultant.username", read_only=True)
    intake_done = serializers.BooleanField(write_only=True, default=False)
    application = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "company",
            "company_name",
            "traject",
            "sector_fund",
            "consultant",
            "referred_on",
            "follow_progress",
            "notes",
            "intake_done",
            "application",
        ]
        read_only_fields = ["referred_on"]

    def get_application(self, referral) -> dict | None:
        """Return the application's progress, only while the consultant follows it."""
        application = getattr(referral, "application", None)
        if application is None or not referral.follow_progress:
            return None
        return {"id": application.pk, "status": application.status}

    def create(self, validated_data):
        referral = services.refer_company(by=self.context["request"].user, **validated_data)
        # Read back: the referral in hand still caches the application as it was before submission.
        return Referral.objects.select_related("application").get(pk=referral.pk)


class EvaluationSummarySerializer(serializers.Serializer):
    traject = serializers.CharField()
    evaluations = serializers.IntegerField()

    def get_fields(self):
        scores = {
            field: serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
            for field in EVALUATION_SCORE_FIELDS
        }
        return {**super().get_fields(), **scores}


class CapacityPeriodSerializer(serializers.ModelSerializer):
    traject = TrajectCodeField()
    taken = serializers.IntegerField(read_only=True)
    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = CapacityPeriod
        fields = ["id", "traject", "start", "end", "places", "taken", "free"]
        # The model's clean() checks overlap; the (traject, start) unique constraint is one of its cases.
        validators = []

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": _("The period cannot end before it starts.")})
        return attrs

    def create(self, validated_data):
        return services.create_capacity_period(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.change_capacity_places(
            instance, places=validated_data.get("places", instance.places), by=self.context["request"].user
        )


class CapacityPeriodChangeSerializer(CapacityPeriodSerializer):
    """What PUT and PATCH change: the number of places. Once created, a period keeps its traject and
    dates, which its approvals hold; they are read-only here, so the contract does not offer them."""

    traject = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(CapacityPeriodSerializer.Meta):
        read_only_fields = ["start", "end"]


class RelatedEnterpriseSerializer(serializers.ModelSerializer):
    kbo_number = KboNumberField(required=False, allow_blank=True, default="")

    class Meta:
        model = RelatedEnterprise
        fields = ["relation", "name", "kbo_number", "share", "staff_awu", "turnover", "balance_sheet_total"]
        extra_kwargs = {"share": {"min_value": 0, "max_value": 100}}


class SMEDeclarationSerializer(serializers.ModelSerializer):
    """An SME declaration: the own figures and the partner and linked enterprises in; the totals and the
    size class that follow from them out. With an attachment the body is multipart (``enterprises[0]name``
    and so on); without one, JSON."""

    enterprises = RelatedEnterpriseSerializer(many=True, required=False, default=list)
    declared_by = serializers.CharField(source="declared_by.username", read_only=True)
    # Empty files too reach the upload rule, which refuses them with its own code (empty_file).
    attachment = serializers.FileField(
        required=False,
        write_only=True,
        allow_empty_file=True,
        validators=[validate_scan],
        help_text=validate_scan.describe(),
    )
    attachment_url = serializers.SerializerMethodField(
        help_text=_("Where to download the attachment; null without one.")
    )

    class Meta:
        model = SMEDeclaration
        fields = [
            "id",
            "company",
            "reference_year",
            "staff_awu",
            "turnover",
            "balance_sheet_total",
            "enterprises",
            "total_staff_awu",
            "total_turnover",
            "total_balance_sheet_total",
            "size_class",
            "declared_by",
            "declared_at",
            "attachment",
            "attachment_name",
            "attachment_url",
        ]
        read_only_fields = [
            "company",
            "attachment_name",
            "total_staff_awu",
            "total_turnover",
            "total_balance_sheet_total",
            "size_class",
            "declared_at",
        ]
        extra_kwargs = {"staff_awu": {"min_value": 0}, "turnover": {"min_value": 0}}

    def get_attachment_url(self, declaration) -> str | None:
        if not declaration.attachment:
            return None
        url = reverse("company-sme-declaration-attachment", args=[declaration.company_id, declaration.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def create(self, validated_data):
        enterprises = [services.EnterpriseFigures(**row) for row in validated_data.pop("enterprises", [])]
        return services.declare_sme_status(
            self.context["company"],
            by=self.context["request"].user,
            enterprises=enterprises,
            **validated_data,
        )


class EligibilityQuerySerializer(serializers.Serializer):
    kbo_number = KboNumberField(help_text=_("In any notation, e.g. BE 0403.170.701."))
    traject = TrajectCodeField(help_text=_("The traject's code, e.g. leren."))


class EligibilityReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="unknown_company, duplicate_application, size_unknown, not_eligible, company_inactive, "
        "de_minimis_exceeded, no_free_place, or another refusal code of the approval."
    )
    detail = serializers.CharField(help_text="A fixed sentence for the code, never amounts.")


class EligibilitySerializer(serializers.Serializer):
    """The pre-check's answer: every reason, in the order an application would meet them."""

    eligible = serializers.BooleanField()
    kbo_number = serializers.CharField()
    company_name = serializers.CharField(allow_null=True)
    traject = serializers.CharField()
    traject_name = serializers.CharField()
    day = serializers.DateField()
    reasons = EligibilityReasonSerializer(many=True)

    def to_representation(self, verdict):
        return super().to_representation(
            {
                "eligible": verdict.eligible,
                "kbo_number": verdict.kbo_number,
                "company_name": verdict.company.name if verdict.company else None,
                "traject": verdict.traject.code,
                "traject_name": verdict.traject.name,
                "day": verdict.day,
                "reasons": verdict.reasons,
            }
        )
