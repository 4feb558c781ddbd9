"""Committing an application's money against the budget when it is approved, and declaring costs on it."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from funding.models import (
    ApplicationFunding,
    BudgetLine,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    DeclarationStatus,
    FundingRule,
    FundingSource,
    FundingSourceCode,
)
from funding.selectors import (
    budget_lines_for,
    committed_on,
    committed_total,
    declared_total,
    funding_rule_of,
    subsidy_shares,
)
from participants.hooks import Approval
from participants.models import Application, ApplicationStatus
from participants.selectors import applications_visible_to
from voorsprong.models import User
from voorsprong.money import ZERO, to_cents
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as


def euro(amount: Decimal) -> str:
    """Format an amount as people here write it: 1.234.567,89."""
    return number_format(amount, 2, force_grouping=True)


def split_in_proportion(total: Decimal, weights: dict) -> dict:
    """Split ``total`` over the keys of ``weights`` to the cent; the last key takes the rounding rest,
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
    """Split a planned cost per funding source code, following the traject's rule.

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
    """Return the application's planned cost (its own, else the traject's default) per funding source
    code."""
    rule = funding_rule_of(application.traject)
    if rule is None:
        return {}
    cost = application.planned_cost if application.planned_cost is not None else rule.default_planned_cost
    return split_cost(cost, rule, subsidy_shares(application.traject))


def _exhausted_lines(application: Application, split: dict[str, Decimal]) -> list[tuple[BudgetLine, Decimal]]:
    """Return the budget lines the commitment would overdraw, with what is left on each."""
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
    """Commit the application's planned cost per source; refuse when a budget line would be overdrawn,
    unless an officer overrides with a reason. Return whether the override was needed; this runs inside
    the approval's transaction."""
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


def commit_approved_funding(approval: Approval) -> str:
    """Commit the money of an approval under way (a step of ``participants.hooks``); return the history
    note of an override."""
    reason = approval.budget_override_reason
    if commit_funding(approval.application, by=approval.by, override_reason=reason):
        return _("Budget exceeded, approved anyway: %(reason)s") % {"reason": reason.strip()}
    return ""


# -- cost declarations -------------------------------------------------------------------------------
# Costs are declared once the coaching has started, also after it ended.
DECLARABLE_STATUSES = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED)


def _today() -> datetime.date:
    return timezone.localdate()


def _check_declared_values(
    period_start: datetime.date, period_end: datetime.date, amount: Decimal, hours: Decimal
) -> None:
    if period_end < period_start:
        raise WorkflowRefusal(_("The period cannot end before it starts."), "invalid_period", "period_end")
    if period_end > _today():
        raise WorkflowRefusal(
            _("Costs can be declared only for a period that has ended."), "invalid_period", "period_end"
        )
    if amount <= 0 or amount != to_cents(amount):
        raise WorkflowRefusal(
            _("Declare an amount of more than 0 euro, to the cent."), "invalid_amount", "amount"
        )
    if hours < 0:
        raise WorkflowRefusal(_("Hours cannot be negative."), "invalid_hours", "hours")


@transaction.atomic
def declare_costs(
    application: Application,
    *,
    by: User,
    period_start: datetime.date,
    period_end: datetime.date,
    amount: Decimal,
    hours: Decimal,
    description: str = "",
    files=(),
) -> Declaration:
    """Record the costs of one period and charge them to the sources in the application's committed
    proportions; refuse what would take the application over its committed amount."""
    require_role(by, Role.PROMOTER, Role.OFFICER)
    # Locked so that two declarations cannot both take the last euros of the commitment.
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("company").get(pk=application.pk)
    )
    if not applications_visible_to(by).filter(pk=application.pk).exists():
        raise WorkflowRefusal(_("This application is not assigned to your organisation."), "forbidden")
    if application.status not in DECLARABLE_STATUSES:
        raise WorkflowRefusal(
            _("Costs can be declared once the coaching has started; this application is %(status)s.")
            % {"status": application.get_status_display().lower()},
            "invalid_transition",
        )
    _check_declared_values(period_start, period_end, amount, hours)
    committed, declared = committed_total(application), declared_total(application)
    if declared + amount > committed:
        raise WorkflowRefusal(
            _(
                "%(company)s has %(left)s euro of its committed %(committed)s euro left to declare, "
                "less than the %(amount)s euro declared."
            )
            % {
                "company": application.company.name,
                "left": euro(committed - declared),
                "committed": euro(committed),
                "amount": euro(amount),
            },
            "over_commitment",
        )
    declaration = save_as(
        Declaration(
            application=application,
            period_start=period_start,
            period_end=period_end,
            amount=amount,
            hours=hours,
            description=description,
            declared_by=by,
            declared_on=_today(),
        ),
        by,
    )
    # The largest source takes the rounding rest, so no part can drop below zero.
    weights = dict(
        application.funding.filter(amount__gt=0)
        .order_by("amount", "-source_id")
        .values_list("source_id", "amount")
    )
    for source_id, part in split_in_proportion(amount, weights).items():
        DeclarationShare.objects.create(declaration=declaration, source_id=source_id, amount=part)
    for file in files:
        DeclarationAttachment.objects.create(declaration=declaration, file=file)
    return declaration


def _begin_decision(declaration: Declaration, by: User, allowed: tuple[str, ...], action: str) -> Declaration:
    """Return the declaration locked; refuse anyone but officers and any status not in ``allowed``."""
    require_role(by, Role.OFFICER)
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status not in allowed:
        raise WorkflowRefusal(
            _("A declaration that is %(status)s cannot be %(action)s.")
            % {"status": declaration.get_status_display().lower(), "action": action},
            "invalid_transition",
        )
    return declaration


@transaction.atomic
def approve_declaration(declaration: Declaration, *, by: User) -> Declaration:
    declaration = _begin_decision(declaration, by, (DeclarationStatus.SUBMITTED,), _("approved"))
    declaration.status = DeclarationStatus.APPROVED
    declaration.decided_on, declaration.decided_by = _today(), by
    return save_as(declaration, by)


@transaction.atomic
def reject_declaration(declaration: Declaration, *, by: User, reason: str) -> Declaration:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowRefusal(_("Give a reason."), "reason_required", "reason")
    declaration = _begin_decision(declaration, by, (DeclarationStatus.SUBMITTED,), _("rejected"))
    declaration.status = DeclarationStatus.REJECTED
    declaration.decided_on, declaration.decided_by = _today(), by
    declaration.reason = reason
    return save_as(declaration, by, reason=reason)


@transaction.atomic
def mark_declaration_paid(
    declaration: Declaration, *, by: User, on: datetime.date | None = None
) -> Declaration:
    declaration = _begin_decision(declaration, by, (DeclarationStatus.APPROVED,), _("marked as paid"))
    day = on or _today()
    if day > _today():
        raise WorkflowRefusal(_("A payment date cannot lie in the future."), "invalid_date", "on")
    if day < declaration.decided_on:
        raise WorkflowRefusal(
            _("A declaration cannot be paid before its approval on %(day)s.")
            % {"day": date_format(declaration.decided_on, "SHORT_DATE_FORMAT")},
            "invalid_date",
            "on",
        )
    declaration.status, declaration.paid_on = DeclarationStatus.PAID, day
    return save_as(declaration, by)
