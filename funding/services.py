"""Committing an application's money against the budget when it is approved, approvals over the budget
signed off by a second officer, and declaring costs on it (approved by an officer, paid by the financial
service: never twice the same person)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from funding.models import (
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    BudgetOverrideStatus,
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
    signed_off_override,
    subsidy_shares,
)
from participants.hooks import Approval
from participants.models import Application, ApplicationStatus
from participants.selectors import applications_visible_to
from participants.services import approve_application
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


def commit_funding(application: Application, *, by: User) -> BudgetOverride | None:
    """Commit the application's planned cost per source; refuse when a budget line would be overdrawn,
    unless a second officer signed off an approval over the budget. Return that sign-off when the budget
    needed it; this runs inside the approval's transaction."""
    split = planned_cost_split(application)
    if not split:
        return None
    short = _exhausted_lines(application, split)
    override = signed_off_override(application) if short else None
    if short and override is None:
        line, left = short[0]
        raise WorkflowRefusal(
            _(
                "The budget of %(source)s for %(traject)s has %(left)s euro left, less than the "
                "%(needed)s euro this approval commits. To approve it anyway, request an approval over "
                "the budget with a reason, which another officer signs off."
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
    return override


def commit_approved_funding(approval: Approval) -> str:
    """Commit the money of an approval under way (a step of ``participants.hooks``); return the history
    note of an approval over the budget, naming both officers."""
    override = commit_funding(approval.application, by=approval.by)
    if override is None:
        return ""
    return _(
        "Budget exceeded, approved anyway: requested by %(requester)s, signed off by %(signer)s: %(reason)s"
    ) % {
        "requester": override.requested_by.get_username(),
        "signer": override.decided_by.get_username(),
        "reason": override.reason,
    }


# -- approvals over the budget -------------------------------------------------------------------------
def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowRefusal(_("Give a reason."), "reason_required", "reason")
    return reason


def _approval_refusal(application: Application, by: User) -> WorkflowRefusal | None:
    """Return the refusal that approving ``application`` now would meet, or None when it would pass.

    The approval runs for real in a savepoint that is rolled back whatever happens, so the answer is the
    approval's own (eligibility, places, budget, every step of the higher layers) and nothing of it stays,
    its decision e-mail included (Django drops the on-commit callbacks of a rolled-back savepoint).
    """
    with transaction.atomic():
        try:
            approve_application(application, by=by)
        except WorkflowRefusal as refusal:
            return refusal
        finally:
            transaction.set_rollback(True)
    return None


@transaction.atomic
def request_budget_override(application: Application, *, by: User, reason: str) -> BudgetOverride:
    """Ask another officer to sign off the approval of ``application`` although its budget is short; the
    application stays submitted and no money is committed until then.

    Refuse when the budget is not what stops the approval: when it would pass (approve it instead) or be
    refused for another reason (that refusal, which no sign-off lifts), and when a request is waiting.
    """
    require_role(by, Role.OFFICER)
    reason = _required_reason(reason)
    # Locked so that two requests for one application cannot both find none waiting.
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if application.budget_overrides.filter(status=BudgetOverrideStatus.PENDING).exists():
        raise WorkflowRefusal(
            _("An approval over the budget of this application already awaits a sign-off."),
            "override_pending",
        )
    refusal = _approval_refusal(application, by)
    if refusal is None:
        raise WorkflowRefusal(
            _("The budget covers this approval: approve the application without a sign-off."),
            "budget_not_exhausted",
        )
    if refusal.code != "budget_exhausted":
        raise refusal
    override = BudgetOverride(
        application=application, reason=reason, requested_by=by, requested_at=timezone.now()
    )
    return save_as(override, by, reason=reason)


def _begin_override_decision(override: BudgetOverride, by: User) -> BudgetOverride:
    """Return the request locked; refuse anyone but officers and a request that is no longer waiting."""
    require_role(by, Role.OFFICER)
    override = (
        BudgetOverride.objects.select_for_update(of=("self",))
        .select_related("application", "requested_by")
        .get(pk=override.pk)
    )
    if override.status != BudgetOverrideStatus.PENDING:
        raise WorkflowRefusal(
            _("This approval over the budget is %(status)s already.")
            % {"status": override.get_status_display().lower()},
            "invalid_transition",
        )
    return override


@transaction.atomic
def sign_off_budget_override(override: BudgetOverride, *, by: User) -> BudgetOverride:
    """Sign off another officer's request: approve the application, committing its money over the budget
    (or within it, when the budget covers it by now). A refusal of the approval (no free place any more,
    say) rolls the sign-off back with it, and the request keeps waiting."""
    override = _begin_override_decision(override, by)
    if override.requested_by_id == by.pk:
        raise WorkflowRefusal(
            _("You requested this approval over the budget yourself; another officer must sign it off."),
            "same_person",
        )
    override.status, override.decided_by, override.decided_at = (
        BudgetOverrideStatus.SIGNED_OFF,
        by,
        timezone.now(),
    )
    save_as(override, by)
    # The funding step of this approval finds the request signed off (signed_off_override).
    override.application = approve_application(override.application, by=by)
    return override


@transaction.atomic
def refuse_budget_override(override: BudgetOverride, *, by: User, reason: str) -> BudgetOverride:
    """Refuse a request with a reason; the application stays submitted. Refusing lets no money go, so
    the officer who asked may withdraw the request this way too."""
    reason = _required_reason(reason)
    override = _begin_override_decision(override, by)
    override.status, override.decided_by, override.decided_at = (
        BudgetOverrideStatus.REFUSED,
        by,
        timezone.now(),
    )
    override.refusal_reason = reason
    return save_as(override, by, reason=reason)


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


def charge_to_sources(amount: Decimal, committed: dict[int, Decimal]) -> dict[int, Decimal]:
    """Split a declared ``amount`` over the funding sources (by id) in the proportions of what each
    committed; the largest source takes the rounding rest, so no part can drop below zero."""
    weights = sorted(
        ((source_id, part) for source_id, part in committed.items() if part > 0),
        key=lambda item: (item[1], -item[0]),
    )
    return split_in_proportion(amount, dict(weights))


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
    committed_per_source = dict(application.funding.values_list("source_id", "amount"))
    for source_id, part in charge_to_sources(amount, committed_per_source).items():
        DeclarationShare.objects.create(declaration=declaration, source_id=source_id, amount=part)
    for file in files:
        DeclarationAttachment.objects.create(declaration=declaration, file=file)
    return declaration


def _begin_decision(
    declaration: Declaration, by: User, role: Role, allowed: tuple[str, ...], action: str
) -> Declaration:
    """Return the declaration locked; refuse anyone without ``role`` and any status not in ``allowed``."""
    require_role(by, role)
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
    """Approve a submitted declaration as an officer who did not declare it."""
    declaration = _begin_decision(
        declaration, by, Role.OFFICER, (DeclarationStatus.SUBMITTED,), _("approved")
    )
    if declaration.declared_by_id == by.pk:
        raise WorkflowRefusal(
            _("You declared these costs yourself; another officer must approve them."), "same_person"
        )
    declaration.status = DeclarationStatus.APPROVED
    declaration.decided_on, declaration.decided_by = _today(), by
    return save_as(declaration, by)


@transaction.atomic
def reject_declaration(declaration: Declaration, *, by: User, reason: str) -> Declaration:
    """Reject a submitted declaration with a reason; rejecting pays nothing, so whoever declared it may."""
    reason = _required_reason(reason)
    declaration = _begin_decision(
        declaration, by, Role.OFFICER, (DeclarationStatus.SUBMITTED,), _("rejected")
    )
    declaration.status = DeclarationStatus.REJECTED
    declaration.decided_on, declaration.decided_by = _today(), by
    declaration.reason = reason
    return save_as(declaration, by, reason=reason)


@transaction.atomic
def mark_declaration_paid(
    declaration: Declaration, *, by: User, on: datetime.date | None = None
) -> Declaration:
    """Record the payment of an approved declaration by the financial service, never by whoever
    approved it."""
    declaration = _begin_decision(
        declaration, by, Role.FINANCE, (DeclarationStatus.APPROVED,), _("marked as paid")
    )
    if declaration.decided_by_id == by.pk:
        raise WorkflowRefusal(
            _("You approved this declaration yourself; someone else must mark it paid."), "same_person"
        )
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
    declaration.status, declaration.paid_on, declaration.paid_by = DeclarationStatus.PAID, day, by
    return save_as(declaration, by)
