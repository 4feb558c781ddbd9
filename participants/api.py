"""The companies and applications API. Views are thin: selectors scope, services change."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from participants import services
from participants.filters import ApplicationFilter, CompanyFilter, ReferralFilter
from participants.selectors import (
    application_history,
    applications_visible_to,
    capacity_periods_with_use,
    coaching_sessions_of,
    companies_visible_to,
    evaluation_scores,
    referrals_visible_to,
    sme_declarations_of,
)
from participants.serializers import (
    ApplicationChangeSerializer,
    ApplicationSerializer,
    ApprovalSerializer,
    CapacityPeriodSerializer,
    CoachingSessionSerializer,
    CompanySerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    EvaluationSummarySerializer,
    HistoryEntrySerializer,
    ReferralSerializer,
    SMEDeclarationSerializer,
)
from trajects.filters import CapacityPeriodFilter
from voorsprong.api import (
    DETAIL_ERRORS,
    READ_ERRORS,
    TRANSITION_ERRORS,
    ErrorSerializer,
    ModelPermissions,
    ObjectActionMixin,
    ReasonSerializer,
    StrictBodyMixin,
    error_responses,
    model_viewset_schema,
    requires_permission,
    role_permission,
)
from voorsprong.roles import Role
from voorsprong.throttling import seconds_to_wait

SEES_APPLICATIONS = requires_permission("participants.view_application")


@extend_schema_view(**model_viewset_schema(CompanySerializer, create=True, update=True))
class CompanyViewSet(
    StrictBodyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CompanySerializer
    permission_classes = [ModelPermissions]
    filterset_class = CompanyFilter
    ordering_fields = ["name", "kbo_number", "size_class", "province"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        return companies_visible_to(self.request.user).order_by(*self.ordering)

    @extend_schema(
        methods=["GET"],
        summary="The company's SME declarations, latest first",
        filters=False,
        responses={200: SMEDeclarationSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Declare the company's SME status",
        description="The size class follows from the totals and becomes the company's. Officers declare for "
        "any company; a sector consultant for a company whose size is unknown or that they referred.",
        request=SMEDeclarationSerializer,
        responses={201: SMEDeclarationSerializer, **error_responses(*TRANSITION_ERRORS)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="sme-declarations",
        permission_classes=[requires_permission("participants.view_smedeclaration")],
        serializer_class=SMEDeclarationSerializer,
    )
    def sme_declarations(self, request, pk=None):
        company = self.get_object()
        if request.method == "POST":
            serializer = self.get_serializer(
                data=request.data, context={**self.get_serializer_context(), "company": company}
            )
            serializer.is_valid(raise_exception=True)
            declaration = serializer.save()
            return Response(self.get_serializer(declaration).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(sme_declarations_of(company))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _transition_schema(summary: str, request=None):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: ApplicationSerializer, **error_responses(*TRANSITION_ERRORS)},
    )


@extend_schema_view(**model_viewset_schema(ApplicationSerializer, create=True, update=True))
class ApplicationViewSet(
    StrictBodyMixin,
    ObjectActionMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # PATCH changes what an officer may still change by hand (the project, the planned cost until the
    # approval); there is no PUT: most of an application moves only through the workflow actions.
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = ApplicationSerializer
    permission_classes = [ModelPermissions]
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_on", "decided_on", "started_on", "ended_on", "status"]
    ordering = ["-submitted_on", "-pk"]  # the model's, read from its index

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    def get_serializer_class(self):
        return ApplicationChangeSerializer if self.action == "partial_update" else self.serializer_class

    # The workflow services decide who may act (a consultant may submit, not approve); the
    # scoped queryset already answers 404 for an application the user may not see.
    @_transition_schema("Submit a draft application")
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def submit(self, request, pk=None):
        return self.act(services.submit_application)

    @_transition_schema("Approve a submitted application", ApprovalSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def approve(self, request, pk=None):
        return self.act(services.approve_application, ApprovalSerializer)

    @_transition_schema("Reject a submitted application", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def reject(self, request, pk=None):
        return self.act(services.reject_application, ReasonSerializer)

    @_transition_schema("Withdraw an application", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def withdraw(self, request, pk=None):
        return self.act(services.withdraw_application, ReasonSerializer)

    @_transition_schema("Complete an approved application")
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def complete(self, request, pk=None):
        return self.act(services.complete_application)

    @_transition_schema("Stop an approved application early", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def stop(self, request, pk=None):
        return self.act(services.stop_application, ReasonSerializer)

    @extend_schema(
        methods=["GET"],
        summary="The application's coaching sessions",
        filters=False,
        responses={200: CoachingSessionSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Log a coaching session",
        request=CoachingSessionSerializer,
        responses={201: CoachingSessionSerializer, **error_responses(*TRANSITION_ERRORS)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        # Reading sessions (notes included) needs their own permission, which consultants lack.
        permission_classes=[requires_permission("participants.view_coachingsession")],
        serializer_class=CoachingSessionSerializer,
    )
    def sessions(self, request, pk=None):
        application = self.get_object()
        if request.method == "POST":
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            session = services.log_coaching_session(application, by=request.user, **serializer.validated_data)
            return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(coaching_sessions_of(application))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="The application's status changes, oldest first",
        filters=False,
        responses={200: HistoryEntrySerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    # Not paginated: an application has a handful of status changes.
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        return Response(HistoryEntrySerializer(application_history(self.get_object()), many=True).data)


@extend_schema_view(**model_viewset_schema(ReferralSerializer, create=True))
class ReferralViewSet(
    StrictBodyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReferralSerializer
    permission_classes = [ModelPermissions]
    filterset_class = ReferralFilter
    ordering_fields = ["referred_on", "follow_progress"]
    ordering = ["-referred_on", "-pk"]

    def get_queryset(self):
        return referrals_visible_to(self.request.user).order_by(*self.ordering)


class EvaluationSummaryView(APIView):
    """The companies' evaluations per traject, aggregated: no company is named, so the cabinet may see it."""

    permission_classes = [role_permission(Role.CABINET, Role.OFFICER)]

    @extend_schema(
        summary="The evaluations per traject, aggregated",
        responses={200: EvaluationSummarySerializer(many=True), **error_responses(*READ_ERRORS)},
    )
    def get(self, request):
        rows = [
            {"traject": code, "evaluations": scores["responses"], **scores["average_scores"]}
            for code, scores in evaluation_scores().items()
        ]
        return Response(EvaluationSummarySerializer(rows, many=True).data)


class CapacityPeriodViewSet(
    StrictBodyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CapacityPeriodSerializer
    permission_classes = [ModelPermissions]
    filterset_class = CapacityPeriodFilter
    ordering_fields = ["start", "end", "places"]
    ordering = ["traject__code", "start"]

    def get_queryset(self):
        return capacity_periods_with_use().order_by(*self.ordering)

    def perform_create(self, serializer):
        serializer.save()
        # Answer with the derived taken/free counts, which only the annotated queryset has.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    perform_update = perform_create


RATE_LIMITED = OpenApiResponse(
    ErrorSerializer,
    description="Too many checks from this user or address: the Retry-After header says how many seconds "
    "to wait (code rate_limited).",
)


class EligibilityView(APIView):
    """The eligibility pre-check, for anyone, also without logging in; rate limited per user or address."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Can a company apply for a traject, and if not, why not",
        description="Every reason is given, in the order an application would meet them (the first is the "
        "approval's refusal). The reasons are fixed sentences per code: no amounts, no one's figures. "
        "No login needed; a token or session that is sent must be valid (401 otherwise).",
        parameters=[EligibilityQuerySerializer],
        responses={
            200: EligibilitySerializer,
            **error_responses(400, 401),
            429: RATE_LIMITED,
        },
    )
    def get(self, request):
        wait = seconds_to_wait(request, group="eligibility", rate=settings.ELIGIBILITY_RATE_LIMIT)
        if wait is not None:
            return Response(
                {
                    "detail": _("Too many checks. Try again in %(seconds)s seconds.") % {"seconds": wait},
                    "code": "rate_limited",
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        query = EligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        verdict = services.precheck_eligibility(
            query.validated_data["kbo_number"], query.validated_data["traject"]
        )
        return Response(EligibilitySerializer(verdict).data)
