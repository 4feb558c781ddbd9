import re
from decimal import Decimal

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import get_object_or_404

from funding import services
from funding.models import AidBasis, BudgetOverride, Declaration, DeclarationShare
from participants.models import ApplicationStatus
from participants.selectors import applications_visible_to
from voorsprong import uploads
from voorsprong.uploads import validate_attachment
from voorsprong.validators import REASON_MAX_LENGTH, validate_day, validate_multi_line


class VisibleApplicationField(serializers.PrimaryKeyRelatedField):
    """An application the user may not see is not found (404), as on every other route."""

    def get_queryset(self):
        return applications_visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        # Not a whole number at all is a wrong value (400); any whole number is looked up, so an id the
        # user may not see, and one no row can have (negative, beyond 64 bits), is not found (404).
        if (
            isinstance(data, bool)
            or not isinstance(data, (int, str))
            or not re.fullmatch(r"-?[0-9]{1,100}", str(data))
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return get_object_or_404(self.get_queryset(), pk=int(data))


# How many files one declaration takes; with ATTACHMENT_MAX_BYTES each, what a request body may hold.
MAX_ATTACHMENTS = 5


class AttachmentsField(serializers.ListField):
    """Uploaded files in (multipart, each checked by ``voorsprong.uploads``); the saved attachments out, by
    id, original name and the address of their download."""

    # Empty files too reach the upload rule, which refuses them with its own code (empty_file).
    child = serializers.FileField(allow_empty_file=True, validators=[validate_attachment])

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_ATTACHMENTS, **kwargs)

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as error:
            # A 400 has a list of messages per field (voorsprong.api.ValidationErrorSerializer), not a
            # dict per file: each message says which file, by its position in the list, and keeps its code.
            raise serializers.ValidationError(
                [
                    ErrorDetail(f"[{index}] {message}", message.code)
                    for index, messages in error.detail.items()
                    for message in messages
                ]
            ) from error

    def get_attribute(self, declaration):
        return declaration.attachments.all()

    def to_representation(self, attachments):
        request = self.context.get("request")
        return [
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "url": _absolute(
                    request,
                    reverse("declaration-attachment", args=[attachment.declaration_id, attachment.pk]),
                ),
            }
            for attachment in attachments
        ]


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request else url


class AttachmentsFieldSchema(OpenApiSerializerFieldExtension):
    """Files in, as multipart sends them; the saved attachments out, as ``to_representation`` gives them."""

    target_class = AttachmentsField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "array",
                "maxItems": MAX_ATTACHMENTS,
                "items": {"type": "string", "format": "binary"},
                "description": (
                    f"Up to {MAX_ATTACHMENTS} files, sent as multipart/form-data (the field repeated). "
                    f"{validate_attachment.describe()} A refused file answers 400 with the code "
                    f"{uploads.UNSUPPORTED_FILE_TYPE}, {uploads.FILE_TOO_LARGE} or {uploads.EMPTY_FILE}."
                ),
            }
        return {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string", "description": "The file's name as it was uploaded."},
                    "url": {"type": "string", "format": "uri", "description": "Where to download it."},
                },
                "required": ["id", "name", "url"],
            },
        }


class DeclarationShareSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.code")

    class Meta:
        model = DeclarationShare
        fields = ["source", "amount"]


class DeclarationSerializer(serializers.ModelSerializer):
    application = VisibleApplicationField()
    company_name = serializers.CharField(source="application.company.name", read_only=True)
    traject = serializers.CharField(source="application.traject.code", read_only=True)
    declared_by = serializers.CharField(source="declared_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    paid_by = serializers.CharField(source="paid_by.username", read_only=True, default=None, allow_null=True)
    shares = DeclarationShareSerializer(many=True, read_only=True)
    attachments = AttachmentsField(required=False)

    class Meta:
        model = Declaration
        fields = [
            "id",
            "application",
            "company_name",
            "traject",
            "period_start",
            "period_end",
            "amount",
            "hours",
            "description",
            "status",
            "declared_by",
            "declared_on",
            "decided_by",
            "decided_on",
            "reason",
            "paid_on",
            "paid_by",
            "shares",
            "attachments",
        ]
        # Everything but what is declared moves only through the approve, reject and mark-paid actions.
        read_only_fields = ["status", "declared_on", "decided_on", "reason", "paid_on"]
        extra_kwargs = {"hours": {"default": Decimal("0.00")}}

    def create(self, validated_data):
        files = validated_data.pop("attachments", ())
        return services.declare_costs(by=self.context["request"].user, files=files, **validated_data)


class PaymentSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, default=None, validators=[validate_day])


class BudgetOverrideSerializer(serializers.ModelSerializer):
    """A request to approve an application over its budget: created with the application and the reason,
    then signed off or refused by another officer through the actions."""

    application = VisibleApplicationField()
    company_name = serializers.CharField(source="application.company.name", read_only=True)
    traject = serializers.CharField(source="application.traject.code", read_only=True)
    application_status = serializers.ChoiceField(
        choices=ApplicationStatus.choices, source="application.status", read_only=True
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, validators=[validate_multi_line])
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = BudgetOverride
        fields = [
            "id",
            "application",
            "company_name",
            "traject",
            "application_status",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "refusal_reason",
        ]
        read_only_fields = ["status", "requested_at", "decided_at", "refusal_reason"]

    def create(self, validated_data):
        return services.request_budget_override(by=self.context["request"].user, **validated_data)


# -- the budget monitor ---------------------------------------------------------------------------
def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class BudgetRowSerializer(serializers.Serializer):
    traject = serializers.CharField()
    traject_name = serializers.CharField()
    source = serializers.CharField()
    source_name = serializers.CharField()
    own_contribution = serializers.BooleanField(
        help_text="An own contribution without a budget line (the companies' own means): what approvals "
        "committed on top of the subsidy; budget and remaining are null."
    )
    budget = _money(allow_null=True)
    committed = _money()
    declared = _money()
    approved = _money()
    paid = _money()
    remaining = _money(allow_null=True)
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    burn_rate = _money(allow_null=True)
    months_left = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    runs_out_on = serializers.DateField(allow_null=True)
    low_remaining = serializers.BooleanField()
    runs_out_early = serializers.BooleanField()


# -- State aid ----------------------------------------------------------------------------------------
class AidAsOfSerializer(serializers.Serializer):
    """The headroom's query: the day it is computed for."""

    as_of = serializers.DateField(
        required=False, help_text="The day of the figures; today if left out.", validators=[validate_day]
    )


class AidPositionLineSerializer(serializers.Serializer):
    granted_on = serializers.DateField()
    amount = _money()
    basis = serializers.ChoiceField(AidBasis.choices)
    source = serializers.CharField(help_text="The authority that granted the aid.")
    application = serializers.IntegerField(help_text="The application it was granted or declared with.")
    company = serializers.IntegerField(help_text="The company of the single undertaking that received it.")


class AidPositionSerializer(serializers.Serializer):
    """A single undertaking's de-minimis aid over the three years up to and including ``as_of``."""

    as_of = serializers.DateField()
    window_start = serializers.DateField(help_text="The first day that counts: as_of three years earlier.")
    ceiling = _money()
    granted = _money(help_text="The de-minimis aid granted in the window (exempted aid does not count).")
    headroom = _money(help_text="What may still be granted: the ceiling less the aid granted, at least 0.")
    companies = serializers.ListField(
        child=serializers.IntegerField(), help_text="The companies of the single undertaking."
    )
    lines = AidPositionLineSerializer(many=True)
