"""The bodies of the report-request API."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reporting.models import ReportFormat, ReportRequest, ReportStatus
from voorsprong.validators import validate_day


class ReportRequestSerializer(serializers.ModelSerializer):
    question = serializers.SerializerMethodField(
        help_text="The parliamentary question's number when the kind is one (pq244: 244), else null."
    )
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "kind",
            "question",
            "parameters",
            "as_of",
            "format",
            "status",
            "progress",
            "step",
            "fingerprint",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_question(self, report: ReportRequest) -> int | None:
        return report.question

    def get_download_url(self, report: ReportRequest) -> str | None:
        if report.status != ReportStatus.DONE or not report.file:
            return None
        url = reverse("report-request-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class NewReportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(
        required=False,
        max_length=40,
        help_text="The kind of report: pq244, breakdown, ... Give it or question.",
    )
    question = serializers.IntegerField(
        required=False, help_text="A parliamentary question's number: the same as kind pq<number>."
    )
    parameters = serializers.DictField(
        required=False,
        help_text="The kind's parameters by name (the breakdown: by, measure); none for a question.",
    )
    as_of = serializers.DateField(required=False, validators=[validate_day])
    format = serializers.ChoiceField(choices=ReportFormat.choices)

    def validate(self, data):
        if "kind" not in data and "question" not in data:
            raise serializers.ValidationError(
                {"question": [_("Give the question's number, or the kind of report.")]}
            )
        if "kind" in data and "question" in data:
            raise serializers.ValidationError(
                {"kind": [_("Give the kind of report or the question, not both.")]}
            )
        return data
