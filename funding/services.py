"""Committing an application's money against the budget when it is approved."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funding.models import ApplicationFunding, BudgetLine, FundingRule, FundingSource, FundingSourceCode
from funding.selectors import ZERO, budget_lines_for, committed_on, funding_rule_of, subsidy_shares
from participants.models import Application
from voorsprong.models import User
from voorsprong.services import WorkflowRefusal, save_as

CENT = Decimal("0.01")


def euro(amount: Decimal) -> str:
    """An amount as people here write it: 1.234.567,89."""
    return number_format(amount, 2, force_grouping=True)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def split_in_proportion(total: Decimal, weights: dict) -> dict:
    """Splits ``total`` over the keys of ``weights`` to the cent; the last key takes the rounding rest,
    so the parts always add up to the total."""
    parts, rest = {}, total
    weight_sum = sum(weights.values(), Decimal(0))
    keys = list(weights)
    for key in keys[:-1]:
        parts[key] = to_cents(total * weights[key] / weight_sum) if weight_sum else ZERO
        rest -= parts[key]
    if keys:
        parts[keys[-1]] = rest
    return parts


def split_cost(cost: Decimal, rule: FundingRule, shares: dict[str, Decimal]) -> dict[str, Decimal]:
    """A planned cost per funding source code, following the traject's rule.

    werk: the promoters bring their share of the cost, the subsidy pays the rest; motivatie: the
    company adds its surcharge on top of the subsidised cost. The subsidy is split over the EU and
    the Flemish government as the traject's budget is (``shares``).
    """
    cost = to_cents(cost)
    promoter_part = to_cents(cost * rule.promoter_share)
    split = split_in_proportion(cost - promoter_part, shares)
    if promoter_part:
        split[FundingSourceCode.OWN_PROMOTER] = promoter_part
    company_part = to_cents(cost * rule.company_surcharge)
    if company_part:
        split[FundingSourceCode.OWN_COMPANY] = company_part
    return split


def planned_cost_split(application: Application) -> dict[str, Decimal]:
    """The application's planned cost (its own, else the traject's default) per funding source code."""
    rule = funding_rule_of(application.traject)
    if rule is None:
        return {}
    cost = application.planned_cost if application.planned_cost is not None else rule.default_planned_cost
    return split_cost(cost, rule, subsidy_shares(application.traject))


def _exhausted_lines(application: Application, split: dict[str, Decimal]) -> list[tuple[BudgetLine, Decimal]]:
    """Budget lines the commitment would overdraw, with what is left on each."""
    # Locked so that two approvals cannot both spend the last euros of a line.
    lines = budget_lines_for(application).select_for_update(of=("self",))
    chosen: dict[str, BudgetLine] = {}
    for line in lines:
        # A period's own line wins over the traject's line of the same source.
        if line.source.code not in chosen or line.capacity_period_id:
            chosen[line.source.code] = line
    short = []
    for code, line in chosen.items():
        left = line.amount - committed_on(line)
        if split.get(code, ZERO) > left:
            short.append((line, left))
    return short


def commit_funding(application: Application, *, by: User, override_reason: str = "") -> bool:
    """Commits the application's planned cost per source; refuses when a budget line would be overdrawn,
    unless an officer overrides with a reason. Runs inside the approval's transaction; says whether the
    override was needed."""
    split = planned_cost_split(application)
    if not split:
        return False
    short = _exhausted_lines(application, split)
    if short and not override_reason.strip():
        line, left = short[0]
        raise WorkflowRefusal(
            _(
                "The budget of %(source)s for %(traject)s has %(left)s euro left, less than the "
                "%(needed)s euro this approval commits. An officer can approve it anyway, giving a reason."
            )
            % {
                "source": line.source.name,
                "traject": application.traject.name,
                "left": euro(left),
                "needed": euro(split[line.source.code]),
            },
            "budget_exhausted",
        )
    sources = {source.code: source for source in FundingSource.objects.filter(code__in=split)}
    for code, amount in split.items():
        save_as(ApplicationFunding(application=application, source=sources[code], amount=amount), by)
    return bool(short)
