"""The cost declarations and approvals over the budget API. Views are thin: the scoped queryset reads,
services change."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from funding import services
from funding.filters import BudgetOverrideFilter, DeclarationFilter
from funding.selectors import budget_overrides, declarations_visible_to
from funding.serializers import BudgetOverrideSerializer, DeclarationSerializer, PaymentSerializer
from voorsprong.api import (
    CHANGE_ERRORS,
    TRANSITION_ERRORS,
    ModelPermissions,
    ObjectActionMixin,
    ReasonSerializer,
    StrictBodyMixin,
    error_responses,
    model_viewset_schema,
    requires_permission,
)

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
