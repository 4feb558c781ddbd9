"""The companies and applications API. Views are thin: selectors scope, services change."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from participants import services
from participants.filters import ApplicationFilter, CompanyFilter, ReferralFilter
from participants.selectors import (
    application_history,
    applications_visible_to,
    baseline_of,
    capacity_periods_with_use,
    coaching_sessions_of,
    companies_visible_to,
    evaluation_scores,
    referrals_visible_to,
    sme_declarations_of,
    sme_declarations_with_attachment_visible_to,
)
from participants.serializers import (
    ApplicationChangeSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApprovalSerializer,
    CapacityPeriodChangeSerializer,
    CapacityPeriodSerializer,
    CoachingSessionSerializer,
    CompanySerializer,
    CompleteSerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    EvaluationSummarySerializer,
    HistoryEntrySerializer,
    ReferralSerializer,
    SituationSerializer,
    SMEDeclarationSerializer,
    StopSerializer,
)
from trajects.filters import CapacityPeriodFilter
from voorsprong import uploads
from voorsprong.api import (
    DETAIL_ERRORS,
    READ_ERRORS,
    TRANSITION_ERRORS,
    CachedCountPagination,
    ErrorSerializer,
    FileRenderer,
    ModelPermissions,
    ObjectActionMixin,
    ReasonSerializer,
    StrictBodyMixin,
    attachment_download,
    attachment_download_schema,
    describe,
    error_responses,
    model_viewset_schema,
    requires_permission,
    role_permission,
)
from voorsprong.roles import Role
from voorsprong.throttling import seconds_to_wait

SEES_APPLICATIONS = requires_permission("participants.view_application")

# Who sees which companies and applications (participants.selectors), as the contract words it.
COMPANIES_SEEN = (
    "officers and sector consultants (every company), promoters (the companies with an application of "
    "their organisation's projects)."
)
APPLICATIONS_SEEN = (
    "officers (every application), promoters (those of their organisation's projects), sector consultants "
    "(those of their referrals whose progress they follow)."
)
# Why an approval can be refused, in the order it checks (the budget's refusal comes from funding).
APPROVAL_REFUSALS = (
    "invalid_transition",
    "project_required",
    "size_unknown",
    "not_eligible",
    "company_inactive",
    "de_minimis_exceeded",
    "no_free_place",
    "budget_exhausted",
)
# The baseline's refusals of answers that do not fit together (400, at the field).
BASELINE_CHOICE_REFUSALS = ("main_barrier_required", "main_barrier_not_met")
ELIGIBILITY_REFUSALS = ("size_unknown", "not_eligible", "company_inactive", "de_minimis_exceeded")

COMPANY_DOCS = {
    "list": describe(
        "List companies",
        "The registered companies, by name; filter on size class, province, NACE code (or its first "
        "digits), KBO number (any notation) or a search on name, KBO number or municipality.",
        who=COMPANIES_SEEN,
    ),
    "retrieve": describe(
        "Get a company",
        "One company with its KBO number, figures, size class and contact.",
        who=COMPANIES_SEEN + " Another company answers 404.",
    ),
    "create": describe(
        "Register a company",
        "Register a company by its KBO number (any notation; stored as ten digits). Its size class follows "
        "from the staff and figures given, and is unknown while no staff is declared.",
        who="officers and sector consultants.",
        refusals={400: ("invalid",)},
    ),
    "update": describe(
        "Change a company",
        "Change a company's details; the size class follows from the figures again. PUT replaces every "
        "field, PATCH the ones sent.",
        who="officers.",
    ),
}


@extend_schema_view(**model_viewset_schema(CompanySerializer, docs=COMPANY_DOCS, create=True, update=True))
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
        **describe(
            "List the company's SME declarations",
            "The company's SME declarations, latest first: figures, partner and linked enterprises, the "
            "totals and the size class that follows.",
            who="officers (every company) and sector consultants.",
        ),
        filters=False,
        responses={200: SMEDeclarationSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        **describe(
            "Declare the company's SME status",
            "Save an SME declaration (the reference year's own staff and figures, with the partner and "
            "linked enterprises); the size class follows from the totals and becomes the company's. With an "
            "attachment (a PDF or a scan, judged by its content; see `attachment`) send multipart/form-data, "
            "the enterprises as `enterprises[0]name` and so on; without one, JSON.",
            who="officers for any company; sector consultants for a company whose size is unknown or that "
            "they referred.",
            refusals={
                400: (
                    "invalid",
                    "invalid_reference_year",
                    "invalid_relation",
                    "invalid_enterprise",
                    "invalid_share",
                    uploads.UNSUPPORTED_FILE_TYPE,
                    uploads.FILE_TOO_LARGE,
                    uploads.EMPTY_FILE,
                    "parse_error",
                ),
                403: ("forbidden", "csrf_failed"),
                409: ("invalid_amount",),
            },
        ),
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

    @extend_schema(
        **attachment_download_schema(
            "Download an SME declaration's attachment",
            "The signed declaration or the accounts uploaded with an SME declaration, in the type its "
            "content was found to have.",
            who="officers (every declaration's) and sector consultants (those declared by their own sector "
            "fund); another declaration, or one without an attachment, answers 404.",
            types=uploads.SCAN_TYPES,
        ),
        parameters=[
            OpenApiParameter(
                "declaration_id", int, OpenApiParameter.PATH, description="The SME declaration's id."
            )
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"sme-declarations/(?P<declaration_id>[0-9]+)/attachment",
        url_name="sme-declaration-attachment",
        permission_classes=[requires_permission("participants.view_smedeclaration")],
        renderer_classes=[JSONRenderer, FileRenderer],
        filter_backends=[],
    )
    def sme_declaration_attachment(self, request, pk=None, declaration_id=None):
        declaration = get_object_or_404(
            sme_declarations_with_attachment_visible_to(request.user).filter(company=self.get_object()),
            pk=declaration_id,
        )
        return attachment_download(declaration.attachment, declaration.attachment_name)


def _transition_schema(
    summary: str,
    what: str,
    *,
    who: str,
    refusals: tuple[str, ...],
    request=None,
    invalid: tuple[str, ...] = (),
):
    """Document a workflow action: its 409 ``refusals`` and the codes of a wrong value (400) it has."""
    answers = {409: refusals, **({400: ("invalid", *invalid)} if invalid else {})}
    return extend_schema(
        **describe(summary, what, who=who, refusals=answers),
        request=request,
        responses={200: ApplicationSerializer, **error_responses(*TRANSITION_ERRORS)},
    )


APPLICATION_DOCS = {
    "list": describe(
        "List applications",
        "Applications, latest submitted first. Filter on traject, status (repeatable), the company's size "
        "class, project and decision date, or with `approved_as_of=YYYY-MM-DD` on exactly the applications "
        "the statistics (question 244) count as approved on that date: per company and traject the latest "
        "approved by then, also when it was started, completed, stopped or withdrawn after it.",
        who=APPLICATIONS_SEEN,
    ),
    "retrieve": describe(
        "Get an application",
        "One application with its company, traject, project, status and dates, the size class its approval "
        "rested on, the planned cost, the promoter's count of the employees reached at completion, and the "
        "company's learning situation at intake (`baseline`, null while it is not recorded).",
        who=APPLICATIONS_SEEN + " Another application answers 404.",
    ),
    "create": describe(
        "Create a draft application",
        "Create a draft application of a company for a traject (by its code), optionally with a project of "
        "that traject and a planned cost (empty: the traject's default). A company has at most one open "
        "application per traject. Submit it next.",
        who="officers (sector consultants apply through a referral with the intake done).",
        refusals={400: ("invalid", "invalid_project"), 409: ("duplicate_application",)},
    ),
    "update": describe(
        "Change an application's project or planned cost",
        "Change the project (one of the application's traject) and, until the approval commits it, the "
        "planned cost. Everything else moves through the workflow actions.",
        who="officers.",
        refusals={400: ("invalid", "invalid_project", "invalid_transition")},
    ),
}


@extend_schema_view(
    **{
        **model_viewset_schema(ApplicationSerializer, docs=APPLICATION_DOCS, create=True, update=True),
        "retrieve": extend_schema(
            **APPLICATION_DOCS["retrieve"],
            responses={200: ApplicationDetailSerializer, **error_responses(*DETAIL_ERRORS)},
        ),
    }
)
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
    pagination_class = CachedCountPagination
    ordering_fields = ["submitted_on", "decided_on", "started_on", "ended_on", "status"]
    ordering = ["-submitted_on", "-pk"]  # the model's, read from its index

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "partial_update":
            return ApplicationChangeSerializer
        # The baseline costs a query per application: on the detail only.
        return ApplicationDetailSerializer if self.action == "retrieve" else self.serializer_class

    # The workflow services decide who may act (a consultant may submit, not approve); the
    # scoped queryset already answers 404 for an application the user may not see.
    @_transition_schema(
        "Submit a draft application",
        "Submit a draft application for a decision; it is submitted as of today.",
        who="officers, and sector consultants for the applications of their referrals.",
        refusals=("invalid_transition",),
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def submit(self, request, pk=None):
        return self.act(services.submit_application)

    @_transition_schema(
        "Approve a submitted application",
        "Approve a submitted application as of today: check that the traject may take the company, take a "
        "place in the traject's current capacity period, commit the planned cost per funding source and "
        "record the State aid, all or nothing. The company's size class of that moment is kept on the "
        "application. The company and the project's promoters are e-mailed. An approval that the budget "
        "cannot cover needs two officers: see budget-overrides.",
        who="officers.",
        refusals=(*APPROVAL_REFUSALS, "sign_off_required"),
        request=ApprovalSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def approve(self, request, pk=None):
        return self.act(services.approve_application, ApprovalSerializer)

    @_transition_schema(
        "Reject a submitted application",
        "Reject a submitted application with a reason, as of today; the company and the project's promoters "
        "are e-mailed.",
        who="officers.",
        refusals=("invalid_transition", "reason_required"),
        request=ReasonSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def reject(self, request, pk=None):
        return self.act(services.reject_application, ReasonSerializer)

    @_transition_schema(
        "Withdraw an application",
        "Withdraw a submitted or approved application at the company's request, with a reason. An approved "
        "one gives back its place and its committed money, and its State aid is cancelled when nothing was "
        "paid yet.",
        who="officers.",
        refusals=("invalid_transition", "reason_required"),
        request=ReasonSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def withdraw(self, request, pk=None):
        return self.act(services.withdraw_application, ReasonSerializer)

    @_transition_schema(
        "Complete a trajectory",
        "Close a trajectory in progress as completed, as of today; the company is e-mailed a link to "
        "evaluate it. Optionally with the promoter's count of the distinct employees the trajectory "
        "reached, each counted once (`staff_reached`, and of them `staff_reached_low_skilled` and "
        "`staff_reached_aged_55_plus`): all three or none, the groups within the total. The sessions' "
        "`employees_present` are never added up for it: the same people attend several sessions.",
        who="promoters (their organisation's applications) and officers.",
        refusals=("invalid_transition",),
        invalid=("invalid_count", "group_exceeds_total"),
        request=CompleteSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def complete(self, request, pk=None):
        return self.act(services.complete_application, CompleteSerializer)

    @_transition_schema(
        "Stop a trajectory early",
        "Close a trajectory in progress as stopped, as of today, with the reason as a code "
        "(`stop_reason`: administrative_burden, no_time, reorganisation, bankruptcy_or_stop, goal_reached or "
        "other) and optionally a text (`reason`), which the code other requires.",
        who="promoters (their organisation's applications) and officers.",
        refusals=("invalid_transition",),
        invalid=("stop_reason_required", "reason_required"),
        request=StopSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_APPLICATIONS])
    def stop(self, request, pk=None):
        return self.act(services.stop_application, StopSerializer)

    @extend_schema(
        methods=["GET"],
        **describe(
            "List the application's coaching sessions",
            "The coaching sessions logged for the application, oldest first, with hours, what they worked "
            "on and the notes.",
            who="officers and promoters (their organisation's applications).",
        ),
        filters=False,
        responses={200: CoachingSessionSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        **describe(
            "Log a coaching session",
            "Record a session of an approved application or one in progress: its date (from the approval "
            "to today), hours (more than 0, at most 12), what it worked on and how many employees it "
            "reached. The first session starts the trajectory: the application moves from approved to "
            "in progress, started on the session's date.",
            who="promoters (their organisation's applications) and officers.",
            refusals={
                400: ("invalid", "invalid_date", "invalid_hours", "invalid_kind", "parse_error"),
                409: ("invalid_transition",),
            },
        ),
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
        methods=["GET"],
        **describe(
            "Get the company's learning situation at intake",
            "The baseline of the outcomes: the barriers to learning the company met at intake and the one "
            "that weighs most, whether it had a training policy and learning jobs, its staff headcount with "
            "the low-skilled and those aged 55 or over, and the forms of learning it already used. The "
            "closing evaluation asks the same questions. 404 while it is not recorded.",
            who=APPLICATIONS_SEEN,
        ),
        filters=False,
        responses={200: SituationSerializer, **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        **describe(
            "Record the company's learning situation at intake",
            "Record the baseline, or correct it: each POST replaces every answer (200 either way). Numbers "
            "only, no names of persons. Recorded from the approval until the trajectory ends: a completed or "
            "stopped trajectory keeps the baseline it has.",
            who="promoters (their organisation's applications), officers, and the sector consultant who did "
            "the company's intake (for the referrals whose progress they follow).",
            refusals={
                400: ("invalid", "invalid_count", "group_exceeds_total", *BASELINE_CHOICE_REFUSALS),
                403: ("forbidden", "csrf_failed"),
                409: ("invalid_transition",),
            },
        ),
        request=SituationSerializer,
        responses={200: SituationSerializer, **error_responses(*TRANSITION_ERRORS)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[SEES_APPLICATIONS],
        serializer_class=SituationSerializer,
        pagination_class=None,
    )
    def baseline(self, request, pk=None):
        application = self.get_object()
        if request.method == "POST":
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            answers = services.SituationAnswers(**serializer.validated_data)
            baseline = services.record_baseline(application, by=request.user, answers=answers)
            return Response(self.get_serializer(baseline).data)
        baseline = baseline_of(application)
        if baseline is None:
            raise NotFound(_("The situation at intake is not recorded yet."))
        return Response(self.get_serializer(baseline).data)

    @extend_schema(
        **describe(
            "The application's status changes",
            "Every status change of the application, oldest first: when, by whom, from and to which "
            "status, and the reason.",
            who=APPLICATIONS_SEEN,
        ),
        filters=False,
        responses={200: HistoryEntrySerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    # Not paginated: an application has a handful of status changes.
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        return Response(HistoryEntrySerializer(application_history(self.get_object()), many=True).data)


REFERRAL_DOCS = {
    "list": describe(
        "List referrals",
        "Referrals of companies by sector consultants, latest first, with the application's progress while "
        "the consultant follows it. Filter on traject, followed or not, and the referral date.",
        who="sector consultants (their own) and officers (every referral).",
    ),
    "retrieve": describe(
        "Get a referral",
        "One referral, with the application's progress while the consultant follows it.",
        who="sector consultants (their own; another's answers 404) and officers.",
    ),
    "create": describe(
        "Refer a company",
        "Refer a company for a traject on behalf of the consultant's sector fund, after the same "
        "eligibility checks as an approval. With `intake_done` the consultant did the intake: the "
        "application is created and submitted at once.",
        who="sector consultants of a sector fund.",
        refusals={409: (*ELIGIBILITY_REFUSALS, "duplicate_application")},
    ),
}


@extend_schema_view(**model_viewset_schema(ReferralSerializer, docs=REFERRAL_DOCS, create=True))
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
        **describe(
            "The evaluations per traject",
            "Per traject the number of evaluations the companies sent and the average of each score, "
            "without naming any company.",
            who="the cabinet and officers.",
        ),
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

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return CapacityPeriodChangeSerializer
        return self.serializer_class

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
        **describe(
            "Can a company apply for a traject, and if not, why not",
            "Whether the company (a KBO number in any notation) could apply for the traject today and be "
            "approved. Every reason why not is given, in the order an application would meet them (the "
            "first is the approval's refusal): `unknown_company`, `duplicate_application`, `size_unknown`, "
            "`not_eligible`, `company_inactive`, `de_minimis_exceeded`, `no_free_place`. The reasons are "
            "fixed sentences per code: no amounts, no one's figures.",
            who="anyone, also without logging in; a token or session that is sent must be valid. Rate "
            "limited per user or address: over the limit 429 with Retry-After.",
        ),
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
