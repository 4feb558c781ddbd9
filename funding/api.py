"""The funding API: cost declarations, approvals over the budget, the budget monitor's figures and the
State-aid headroom. Views are thin: the scoped querysets and the selectors read, services change."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from funding import services
from funding.filters import BudgetOverrideFilter, DeclarationFilter
from funding.forms import BudgetFilterForm
from funding.models import FundingSourceCode
from funding.selectors import aid_position, budget_overrides, budget_summary, declarations_visible_to
from funding.serializers import (
    AidAsOfSerializer,
    AidPositionSerializer,
    BudgetOverrideSerializer,
    BudgetRowSerializer,
    DeclarationSerializer,
    PaymentSerializer,
)
from participants.api import APPROVAL_REFUSALS
from participants.selectors import companies_visible_to
from voorsprong import uploads
from voorsprong.api import (
    CHANGE_ERRORS,
    DAY_SCHEMA,
    DETAIL_ERRORS,
    TRANSITION_ERRORS,
    FileRenderer,
    ModelPermissions,
    ObjectActionMixin,
    ReasonSerializer,
    StrictBodyMixin,
    attachment_download,
    attachment_download_schema,
    describe,
    error_responses,
    form_errors,
    model_viewset_schema,
    requires_permission,
    role_permission,
)
from voorsprong.roles import Role

SEES_DECLARATIONS = requires_permission("funding.view_declaration")
SEES_BUDGET_OVERRIDES = requires_permission("funding.view_budgetoverride")


def _decision_schema(
    summary: str, what: str, *, who: str, refusals, request=None, serializer=DeclarationSerializer
):
    return extend_schema(
        **describe(summary, what, who=who, refusals=refusals),
        request=request,
        responses={200: serializer, **error_responses(*TRANSITION_ERRORS)},
    )


DECLARATIONS_SEEN = "promoters (their own organisation's), officers and the financial service (every one)."
DECLARATION_DOCS = {
    "list": describe(
        "List cost declarations",
        "Cost declarations per application and period, latest declared first, with their shares per "
        "funding source and attachments. Filter on status, application and traject.",
        who=DECLARATIONS_SEEN,
    ),
    "retrieve": describe(
        "Get a cost declaration",
        "One cost declaration with its shares per funding source and attachments.",
        who=DECLARATIONS_SEEN + " Another organisation's answers 404.",
    ),
}


@extend_schema_view(
    **{
        **model_viewset_schema(DeclarationSerializer, docs=DECLARATION_DOCS),
        # An application the user may not see is not found (VisibleApplicationField): 404.
        "create": extend_schema(
            **describe(
                "Declare costs",
                "Declare the coaching costs of an application in progress (or closed) for a period, with "
                "optional attachments (multipart/form-data; each file judged by its content, see "
                "`attachments`). The amount is charged to the funding sources in the proportions committed "
                "at approval, and the declarations of an application never exceed what was committed.",
                who="promoters, for their organisation's applications (another application answers 404).",
                refusals={
                    400: (
                        "invalid",
                        "invalid_period",
                        "invalid_amount",
                        "invalid_hours",
                        uploads.UNSUPPORTED_FILE_TYPE,
                        uploads.FILE_TOO_LARGE,
                        uploads.EMPTY_FILE,
                        "parse_error",
                    ),
                    409: ("invalid_transition", "over_commitment"),
                },
            ),
            responses={201: DeclarationSerializer, **error_responses(*CHANGE_ERRORS, 409)},
        ),
    }
)
class DeclarationViewSet(
    StrictBodyMixin,
    ObjectActionMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DeclarationSerializer
    permission_classes = [ModelPermissions]
    filterset_class = DeclarationFilter
    ordering_fields = ["declared_on", "period_start", "amount", "status", "decided_on", "paid_on"]
    ordering = ["-declared_on", "-pk"]

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    # The services decide who may act (officers decide, the financial service pays); the scoped
    # queryset already answers 404 for a declaration the user may not see.
    @_decision_schema(
        "Approve a declaration",
        "Approve a declared cost declaration, as of today.",
        who="officers; never the person who declared it.",
        refusals={409: ("invalid_transition", "same_person")},
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_DECLARATIONS])
    def approve(self, request, pk=None):
        return self.act(services.approve_declaration)

    @_decision_schema(
        "Reject a declaration",
        "Reject a declared cost declaration with a reason; its amount is no longer charged.",
        who="officers.",
        refusals={409: ("invalid_transition", "reason_required")},
        request=ReasonSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_DECLARATIONS])
    def reject(self, request, pk=None):
        return self.act(services.reject_declaration, ReasonSerializer)

    @_decision_schema(
        "Mark an approved declaration paid",
        "Record the payment of an approved declaration, on the date given (today by default; not in the "
        "future, not before the approval).",
        who="the financial service; never the person who approved it.",
        refusals={
            400: ("invalid", "invalid_date", "parse_error"),
            409: ("invalid_transition", "same_person"),
        },
        request=PaymentSerializer,
    )
    @action(detail=True, methods=["post"], url_path="mark-paid", permission_classes=[SEES_DECLARATIONS])
    def mark_paid(self, request, pk=None):
        return self.act(services.mark_declaration_paid, PaymentSerializer)

    @extend_schema(
        **attachment_download_schema(
            "Download a declaration's attachment",
            "One attachment of a cost declaration, as it was uploaded, in the type its content was found "
            "to have.",
            who=DECLARATIONS_SEEN + " Another organisation's declaration, or an attachment of another "
            "declaration, answers 404.",
            types=uploads.ATTACHMENT_TYPES,
        ),
        parameters=[
            OpenApiParameter("attachment_id", int, OpenApiParameter.PATH, description="The attachment's id.")
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment",
        renderer_classes=[JSONRenderer, FileRenderer],
    )
    def attachment(self, request, pk=None, attachment_id=None):
        attachment = get_object_or_404(self.get_object().attachments.all(), pk=attachment_id)
        return attachment_download(attachment.file, attachment.original_name)


BUDGET_OVERRIDE_DOCS = {
    "list": describe(
        "List approvals over the budget",
        "Requests to approve an application although its budget is short, latest first; "
        "`?status=pending` lists those waiting for a sign-off. Filter on status, application and traject.",
        who="officers.",
    ),
    "retrieve": describe(
        "Get an approval over the budget",
        "One request to approve an application over its budget, with who asked, why, and its decision.",
        who="officers.",
    ),
}


@extend_schema_view(
    **{
        **model_viewset_schema(BudgetOverrideSerializer, docs=BUDGET_OVERRIDE_DOCS),
        # A refused request (the budget is not short, one is waiting already) answers 409.
        "create": extend_schema(
            **describe(
                "Request an approval over the budget",
                "Ask, with a reason, to approve a submitted application that the budget cannot cover; "
                "another officer signs it off. The approval is tried first and undone: the request is "
                "recorded only when the budget is what stops it, otherwise the approval's own refusal "
                "answers. One request waits per application.",
                who="officers.",
                refusals={409: ("budget_not_exhausted", "override_pending", *APPROVAL_REFUSALS)},
            ),
            responses={201: BudgetOverrideSerializer, **error_responses(*TRANSITION_ERRORS)},
        ),
    }
)
class BudgetOverrideViewSet(
    StrictBodyMixin,
    ObjectActionMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Approvals over the budget: one officer requests, another signs off (approving the application) or
    refuses. ``?status=pending`` lists those waiting for a sign-off."""

    serializer_class = BudgetOverrideSerializer
    permission_classes = [ModelPermissions]
    filterset_class = BudgetOverrideFilter
    ordering_fields = ["requested_at", "status", "decided_at"]
    ordering = ["-requested_at", "-pk"]
    queryset = budget_overrides()

    @_decision_schema(
        "Sign off an approval over the budget",
        "Sign off another officer's waiting request: the application is approved as of today in the same "
        "transaction (its place taken and its money committed). When the approval is refused at that "
        "moment, nothing changes and the request keeps waiting.",
        who="officers other than the one who asked.",
        refusals={409: ("same_person", *APPROVAL_REFUSALS)},
        serializer=BudgetOverrideSerializer,
    )
    @action(detail=True, methods=["post"], url_path="sign-off", permission_classes=[SEES_BUDGET_OVERRIDES])
    def sign_off(self, request, pk=None):
        return self.act(services.sign_off_budget_override)

    @_decision_schema(
        "Refuse an approval over the budget",
        "Refuse a waiting request with a reason; the application stays submitted.",
        who="officers, the one who asked too.",
        refusals={409: ("invalid_transition", "reason_required")},
        request=ReasonSerializer,
        serializer=BudgetOverrideSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[SEES_BUDGET_OVERRIDES])
    def refuse(self, request, pk=None):
        return self.act(services.refuse_budget_override, ReasonSerializer)


class BudgetSummaryView(APIView):
    """``GET /api/v1/funding/summary/?traject=&source=&period=&as_of=``: the budget monitor's rows."""

    permission_classes = [role_permission(Role.OFFICER, Role.FINANCE, Role.CABINET)]

    @extend_schema(
        **describe(
            "The budget monitor's figures",
            "Per traject and funding source on a date: budget, committed, declared, approved, paid, "
            "remaining, the share used and the burn rate. Filter on traject, source and capacity period.",
            who="officers, the financial service and the cabinet.",
        ),
        parameters=[
            OpenApiParameter("traject", str, description="A traject's code."),
            OpenApiParameter("source", str, enum=FundingSourceCode.values, description="A funding source."),
            OpenApiParameter("period", int, description="A capacity period's id."),
            OpenApiParameter("as_of", DAY_SCHEMA, description="The figures' date; today if left out."),
        ],
        responses={
            200: inline_serializer(
                "BudgetSummary",
                fields={"as_of": serializers.DateField(), "rows": BudgetRowSerializer(many=True)},
            ),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        filters = BudgetFilterForm(request.query_params)
        if not filters.is_valid():
            raise form_errors(filters)
        criteria = filters.criteria()
        rows = budget_summary(**criteria)
        return Response({"as_of": criteria["as_of"], "rows": BudgetRowSerializer(rows, many=True).data})


class CompanyAidView(APIView):
    """``GET /api/v1/companies/{id}/aid/?as_of=``: the de-minimis headroom of the company's single
    undertaking. Officers see every company's; a promoter that of a company with an application of its
    organisation (any other company is not found)."""

    permission_classes = [role_permission(Role.OFFICER, Role.PROMOTER)]

    @extend_schema(
        **describe(
            "The de-minimis aid and headroom of a company",
            "The de-minimis aid of the company's single undertaking (every company reached through its "
            "links) in the three years up to the date (today by default): the ceiling, what was granted, "
            "the headroom, and every aid line. Exempted aid is listed but not counted.",
            who="officers, and promoters for a company with an application of their organisation (another "
            "company answers 404).",
        ),
        parameters=[AidAsOfSerializer],
        responses={200: AidPositionSerializer, **error_responses(400, *DETAIL_ERRORS)},
    )
    def get(self, request, pk: int):
        query = AidAsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        company = get_object_or_404(companies_visible_to(request.user), pk=pk)
        position = aid_position(company.pk, query.validated_data.get("as_of") or timezone.localdate())
        return Response(AidPositionSerializer(position).data)
