"""Reads over budgets and commitments."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from funding.models import ApplicationFunding, BudgetLine, FundingRule, FundingSourceCode
from participants.models import APPROVED_STATUSES, Application

ZERO = Decimal("0.00")


def funding_rule_of(traject) -> FundingRule | None:
    return FundingRule.objects.filter(traject=traject).first()


def budget_lines_for(application: Application) -> QuerySet[BudgetLine]:
    """The lines an application's money is charged to: its period's line of a source, else the traject's."""
    return (
        BudgetLine.objects.filter(traject_id=application.traject_id)
        .filter(Q(capacity_period__isnull=True) | Q(capacity_period_id=application.capacity_period_id))
        .select_related("source", "capacity_period")
        .order_by("source_id", "capacity_period_id")
    )


def subsidy_shares(traject) -> dict[str, Decimal]:
    """The EU and Flemish parts of a traject's subsidy budget, as fractions of it (e.g. 0.4 and 0.6)."""
    amounts = dict(
        BudgetLine.objects.filter(
            traject=traject,
            capacity_period__isnull=True,
            source__code__in=[FundingSourceCode.EU, FundingSourceCode.FLEMISH],
        ).values_list("source__code", "amount")
    )
    total = sum(amounts.values(), ZERO)
    if not total:
        return {}
    return {code: amount / total for code, amount in amounts.items()}


def committed_on(line: BudgetLine) -> Decimal:
    """What approved applications hold of a budget line; a withdrawn application gave its money back."""
    commitments = ApplicationFunding.objects.filter(
        source_id=line.source_id,
        application__traject_id=line.traject_id,
        application__status__in=APPROVED_STATUSES,
    )
    if line.capacity_period_id:
        commitments = commitments.filter(application__capacity_period_id=line.capacity_period_id)
    return commitments.aggregate(total=Sum("amount"))["total"] or ZERO


def committed_total(application: Application) -> Decimal:
    return application.funding.aggregate(total=Sum("amount"))["total"] or ZERO
