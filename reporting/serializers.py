"""The bodies of the report-request API."""

from django.urls import reverse
from rest_framework import serializers

from reporting.models import ReportFormat, ReportRequest, ReportStatus


class ReportRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "question",
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

    def get_download_url(self, report: ReportRequest) -> str | None:
        if report.status != ReportStatus.DONE or not report.file:
            return None
        url = reverse("report-request-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class NewReportRequestSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    as_of = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=ReportFormat.choices)
