"""The reporting API: the figures of a report kind as of a date, and the report requests.

``/api/v1/statistics/pq<number>/`` gives every figure of a registered question as of a date,
``/api/v1/statistics/<key>/`` those of every other registered kind (the breakdown, the reach, the ESF+
monitoring), with its parameters in the query string.
``/api/v1/report-requests/`` asks for a report, follows its progress, downloads it and retries a failed one.
The cabinet, officers and administrators share the requests (they hold aggregated figures only, and an
identical request returns the one already there, whoever asked for it); everyone else gets 403.
"""

import datetime

from django import forms
from django.core.cache import cache
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from reporting.documents import CONTENT_TYPES
from reporting.filters import ReportRequestFilter
from reporting.kinds import ReportKind, kinds
from reporting.models import ReportRequest, ReportStatus
from reporting.questions import Question
from reporting.selectors import question_figures, report_figures
from reporting.serializers import NewReportRequestSerializer, ReportRequestSerializer
from reporting.services import report_jobs, report_requests
from voorsprong.api import (
    DAY_SCHEMA,
    DETAIL_ERRORS,
    FileRenderer,
    StrictBodyMixin,
    describe,
    error_responses,
    form_errors,
    list_error_responses,
    role_permission,
)
from voorsprong.data_version import FIGURE_CACHE_TIMEOUT
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal
from voorsprong.validators import validate_day


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        input_formats=["%Y-%m-%d"],
        validators=[validate_day],
        error_messages={
            "required": _("Give the date of the figures: as_of=YYYY-MM-DD."),
            "invalid": _("Not a date: give it as YYYY-MM-DD."),
        },
    )


def as_of_from(params) -> datetime.date:
    """Return the ``as_of`` query parameter as a date; refuse (400) anything else, saying how to give it."""
    form = AsOfForm(params)
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data["as_of"]


def represented(serializer: type[Serializer], figures: dict) -> dict:
    """Return ``serializer``'s representation of ``figures``, kept in the cache under their fingerprint: the
    same figures are always represented alike, and building question 244's nested serializers cost a
    cached request more than everything else it does."""
    key = f"representation:{serializer.__module__}.{serializer.__qualname__}:{figures['fingerprint']}"
    data = cache.get(key)
    if data is None:
        data = serializer(figures).data
        cache.set(key, data, FIGURE_CACHE_TIMEOUT)
    return data


def figures_view(question: Question) -> type[APIView]:
    """Return the view of ``GET ...?as_of=YYYY-MM-DD``: every figure of ``question`` on that date, as its
    serializer documents them.

    Aggregates only, never a company, so the cabinet may see it.
    """

    class FiguresView(APIView):
        permission_classes = [role_permission(Role.CABINET, Role.OFFICER)]

        @extend_schema(
            **describe(
                f"The figures of parliamentary question {question.number}",
                f"Every figure of question {question.number} as it stood on a date (`as_of`, required), by "
                "the dates of decisions, sessions and submissions, with a fingerprint of the figures. "
                "Aggregates only, never a company.",
                who="the cabinet and officers.",
            ),
            parameters=[
                OpenApiParameter("as_of", DAY_SCHEMA, required=True, description="The figures' date."),
            ],
            responses={200: question.serializer, **error_responses(400, 401, 403)},
        )
        def get(self, request):
            figures = question_figures(question.number, as_of_from(request.query_params))
            return Response(represented(question.serializer, figures))

    FiguresView.__name__ = FiguresView.__qualname__ = f"PQ{question.number}View"
    return FiguresView


# Query parameters that are not the kind's: the date, and DRF's choice of renderer.
_NOT_PARAMETERS = ("as_of", "format")


def checked_as_of(params) -> datetime.date:
    """Return the ``as_of`` query parameter as a date up to today; refuse (400 ``invalid_date``,
    ``future_date``) anything else, saying how to give it."""
    form = AsOfForm(params)
    if not form.is_valid():
        raise WorkflowRefusal(str(form.errors["as_of"][0]), "invalid_date", field="as_of")
    as_of = form.cleaned_data["as_of"]
    if as_of > timezone.localdate():
        raise WorkflowRefusal(_("Figures cannot be given as of a future date."), "future_date", field="as_of")
    return as_of


def kind_figures_view(kind: ReportKind) -> type[APIView]:
    """Return the view of ``GET ...?as_of=YYYY-MM-DD&<parameters>``: the figures of ``kind`` on that date
    with the parameters its serializer validates (a list comma-separated), as its serializer documents
    them. Aggregates only, never a company, so the cabinet may see it."""

    class KindFiguresView(APIView):
        permission_classes = [role_permission(*report_requests.REPORT_ROLES)]

        @extend_schema(
            **describe(
                f"The figures of the report kind {kind.key}",
                f"{kind.description}\n\nThe figures as they stood on a date (`as_of`, required, up to "
                "today), with a fingerprint of the figures; the same as the kind's report files. Aggregates "
                "only, never a company.",
                who="the cabinet and officers.",
                refusals={400: ("invalid_date", "future_date", *kind.refusals)},
            ),
            parameters=[
                OpenApiParameter("as_of", DAY_SCHEMA, required=True, description="The figures' date."),
                *([kind.parameters] if kind.parameters else []),
            ],
            responses={200: kind.serializer, **error_responses(400, 401, 403)},
        )
        def get(self, request):
            as_of = checked_as_of(request.query_params)
            given = {
                name: request.query_params.get(name)
                for name in request.query_params
                if name not in _NOT_PARAMETERS
            }
            figures = report_figures(kind.key, as_of, kind.clean_parameters(given))
            return Response(represented(kind.serializer, figures))

    KindFiguresView.__name__ = KindFiguresView.__qualname__ = (
        f"{kind.key.title().replace('_', '')}FiguresView"
    )
    return KindFiguresView


@extend_schema_view(
    list=extend_schema(
        **describe(
            "List report requests",
            "The report requests, latest first, with status, progress and the step being worked on. "
            "Filter on status and file format.",
            who="the cabinet and officers (they share the requests).",
        ),
        responses={200: ReportRequestSerializer(many=True), **list_error_responses()},
    ),
    retrieve=extend_schema(
        **describe(
            "Get a report request",
            "One report request: status, progress, step and, once done, its `download_url`.",
            who="the cabinet and officers.",
        ),
        responses={200: ReportRequestSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
)
class ReportRequestViewSet(
    StrictBodyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReportRequestSerializer
    permission_classes = [role_permission(*report_requests.REPORT_ROLES)]
    filterset_class = ReportRequestFilter
    ordering_fields = ["created_at", "as_of", "status", "format", "finished_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return ReportRequest.objects.select_related("requested_by").order_by(*self.ordering)

    @extend_schema(
        **describe(
            "Ask for a report",
            "Ask for a report of a registered kind as of a date (today by default) in one of its formats "
            "(PDF, DOCX, XLSX, CSV or JSON): the answer to a parliamentary question (`question`: 244, or "
            "`kind`: pq244) or another kind (`kind`: breakdown, with its `parameters`, e.g. "
            '`{"by": ["province", "traject"], "measure": "approved_companies"}`); 202 with the request, '
            "which a background job builds. An identical request (same kind, parameters, date and "
            "format) still queued or running is returned instead of a new one.",
            who="the cabinet and officers.",
            refusals={
                400: (
                    "invalid",
                    "unknown_question",
                    "unknown_kind",
                    "unknown_format",
                    "invalid_date",
                    "future_date",
                    "no_parameters",
                    *sorted({code for kind in kinds() for code in kind.refusals}),
                    "parse_error",
                )
            },
        ),
        request=NewReportRequestSerializer,
        responses={202: ReportRequestSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        """202 with the request: a new one queued, or the identical one already queued, running or done."""
        serializer = NewReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_requests.request_report(
            kind=data.get("kind"),
            question=data.get("question"),
            parameters=data.get("parameters"),
            as_of=data.get("as_of") or timezone.localdate(),
            fmt=data["format"],
            by=request.user,
        )
        return self._accepted(report)

    @extend_schema(
        **describe(
            "Queue a failed report again",
            "Queue a failed report request again; 202 with the request.",
            who="the cabinet and officers.",
            refusals={409: ("not_failed",)},
        ),
        request=None,
        responses={202: ReportRequestSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._accepted(report_requests.retry_report(self.get_object(), by=request.user))

    @extend_schema(
        **describe(
            "Download a finished report",
            "The report's file, in its own content type, once the request is done.",
            who="the cabinet and officers.",
            refusals={409: ("not_ready",), 410: ("file_gone",)},
        ),
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The report's file.")
            for media_type in (
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/csv",
                "application/json",
            )
        }
        | error_responses(401, 403, 404, 409, 410),
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        report = self.get_object()
        if report.status != ReportStatus.DONE or not report.file:
            return Response(
                {"detail": _("The report is not ready."), "code": "not_ready"},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            content = report.file.open("rb")
        except FileNotFoundError:
            return Response(
                {"detail": _("The report's file is gone; ask for the report again."), "code": "file_gone"},
                status=status.HTTP_410_GONE,
            )
        return FileResponse(
            content,
            as_attachment=True,
            filename=report_jobs.report_filename(report),
            content_type=CONTENT_TYPES.get(report.format, "application/octet-stream"),
        )

    def _accepted(self, report: ReportRequest) -> Response:
        url = reverse("report-request-detail", args=[report.pk])
        return Response(
            self.get_serializer(report).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": self.request.build_absolute_uri(url)},
        )
