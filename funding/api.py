"""The funding API: cost declarations, approvals over the budget, the budget monitor's figures and the
State-aid headroom. Views are thin: the scoped querysets and the selectors read, services change."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
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
from participants.selectors import companies_visible_to
from voorsprong.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    TRANSITION_ERRORS,
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

SEES_DECLARATIONS = requires_permission("funding.view_declaration")
SEES_BUDGET_OVERRIDES = requires_permission("funding.view_budgetoverride")


def _decision_schema(summary: str, request=None, serializer=DeclarationSerializer):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: serializer, **error_responses(*TRANSITION_ERRORS)},
    )


@extend_schema_view(
    **{
        **model_viewset_schema(DeclarationSerializer, create=True),
        # An application the user may not see is not found (VisibleApplicationField): 404.
        "create": extend_schema(responses={201: DeclarationSerializer, **error_responses(*CHANGE_ERRORS)}),
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
    @_decision_schema("Approve a declaration")
    @action(detail=True, methods=["post"], permission_classes=[SEES_DECLARATIONS])
    def approve(self, request, pk=None):
        return self.act(services.approve_declaration)

    @_decision_schema("Reject a declaration", ReasonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_DECLARATIONS])
    def reject(self, request, pk=None):
        return self.act(services.reject_declaration, ReasonSerializer)

    @_decision_schema("Mark an approved declaration paid", PaymentSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", permission_classes=[SEES_DECLARATIONS])
    def mark_paid(self, request, pk=None):
        return self.act(services.mark_declaration_paid, PaymentSerializer)


@extend_schema_view(
    **{
        **model_viewset_schema(BudgetOverrideSerializer),
        # A refused request (the budget is not short, one is waiting already) answers 409.
        "create": extend_schema(
            summary="Request an approval over the budget, for another officer to sign off",
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
        "Sign off another officer's approval over the budget", serializer=BudgetOverrideSerializer
    )
    @action(detail=True, methods=["post"], url_path="sign-off", permission_classes=[SEES_BUDGET_OVERRIDES])
    def sign_off(self, request, pk=None):
        return self.act(services.sign_off_budget_override)

    @_decision_schema("Refuse an approval over the budget", ReasonSerializer, BudgetOverrideSerializer)
    @action(detail=True, methods=["post"], permission_classes=[SEES_BUDGET_OVERRIDES])
    def refuse(self, request, pk=None):
        return self.act(services.refuse_budget_override, ReasonSerializer)


class BudgetSummaryView(APIView):
    """``GET /api/v1/funding/summary/?traject=&source=&period=&as_of=``: the budget monitor's rows."""

    permission_classes = [role_permission(Role.OFFICER, Role.FINANCE, Role.CABINET)]

    @extend_schema(
        summary="The budget monitor's figures per traject and funding source",
        parameters=[
            OpenApiParameter("traject", str, description="A traject's code."),
            OpenApiParameter("source", str, enum=FundingSourceCode.values, description="A funding source."),
            OpenApiParameter("period", int, description="A capacity period's id."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="The figures' date; today if left out."),
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
            errors = filters.errors.get_json_data()
            raise ValidationError(
                {field: [error["message"] for error in found] for field, found in errors.items()}
            )
        criteria = filters.criteria()
        rows = budget_summary(**criteria)
        return Response({"as_of": criteria["as_of"], "rows": BudgetRowSerializer(rows, many=True).data})


class CompanyAidView(APIView):
    """``GET /api/v1/companies/{id}/aid/?as_of=``: the de-minimis headroom of the company's single
    undertaking. Officers see every company's; a promoter that of a company with an application of its
    organisation (any other company is not found)."""

    permission_classes = [role_permission(Role.OFFICER, Role.PROMOTER)]

    @extend_schema(
        summary="The de-minimis aid and headroom of a company's single undertaking",
        parameters=[AidAsOfSerializer],
        responses={200: AidPositionSerializer, **error_responses(400, *DETAIL_ERRORS)},
    )
    def get(self, request, pk: int):
        query = AidAsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        company = get_object_or_404(companies_visible_to(request.user), pk=pk)
        position = aid_position(company.pk, query.validated_data.get("as_of") or timezone.localdate())
        return Response(AidPositionSerializer(position).data)
