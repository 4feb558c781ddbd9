"""Committing an application's money against the budget when it is approved, approvals over the budget
signed off by a second officer, and declaring costs on it (approved by an officer, paid by the financial
service: never twice the same person)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.models import (
    DEFAULT_DECLARED_REGULATION,
    AidBasis,
    AidLine,
    ApplicationFunding,
    BudgetLine,
    BudgetOverride,
    BudgetOverrideStatus,
    CompanyLink,
    Declaration,
    DeclarationAttachment,
    DeclarationShare,
    DeclarationStatus,
    DeclaredAid,
    FundingRule,
    FundingSource,
    FundingSourceCode,
    LinkKind,
)
from funding.selectors import (
    aid_line_of,
    aid_position,
    budget_lines_for,
    charged_lines,
    committed_on,
    committed_total,
    declared_total,
    funding_rule_of,
    signed_off_override,
    single_undertaking,
    subsidy_shares,
)
from participants.hooks import Approval
from participants.models import Application, ApplicationStatus, Company
from participants.selectors import applications_visible_to
from participants.services import approve_application
from trajects.models import Traject
from voorsprong import uploads
from voorsprong.formats import long_date
from voorsprong.models import User
from voorsprong.money import ZERO, to_cents
from voorsprong.money import amount as euro  # 1.234.567,89 in the refusals
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, required_reason, save_as


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


def rule_cost_split(rule: FundingRule, planned_cost: Decimal | None = None) -> dict[str, Decimal]:
    """Return ``planned_cost`` (the rule's default planned cost when None) per funding source code."""
    cost = planned_cost if planned_cost is not None else rule.default_planned_cost
    return split_cost(cost, rule, subsidy_shares(rule.traject_id))


def planned_cost_split(application: Application) -> dict[str, Decimal]:
    """Return the application's planned cost (its own, else the traject's default) per funding source
    code."""
    rule = funding_rule_of(application.traject)
    if rule is None:
        return {}
    return rule_cost_split(rule, application.planned_cost)


def _exhausted_lines(application: Application, split: dict[str, Decimal]) -> list[tuple[BudgetLine, Decimal]]:
    """Return the budget lines the commitment would overdraw, with what is left on each."""
    # Locked so that two approvals cannot both spend the last euros of a line.
    lines = budget_lines_for(application).select_for_update(of=("self",))
    short = []
    for code, line in charged_lines(lines).items():
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


# -- budget lines and funding rules --------------------------------------------------------------------
@transaction.atomic
def save_budget_line(line: BudgetLine, *, by: User) -> BudgetLine:
    """Save a new or changed budget line; refuse an amount below what approved applications hold of it.

    An existing line is locked as approvals lock it, so the money an approval commits meanwhile is
    counted before the amount is checked.
    """
    if line.pk is not None:
        BudgetLine.objects.select_for_update().get(pk=line.pk)
    committed = committed_on(line)
    if line.amount is not None and line.amount < committed:
        raise WorkflowRefusal(
            _(
                "Approved applications already hold %(committed)s euro of this budget line; its amount "
                "cannot be lower."
            )
            % {"committed": euro(committed)},
            "below_committed",
            field="amount",
        )
    return save_as(line, by, validate=True)


@transaction.atomic
def save_funding_rule(rule: FundingRule, *, by: User) -> FundingRule:
    """Save a traject's funding rule, validated.

    A rule splits the money of later approvals only: what earlier approvals committed stays as it was
    committed, and is never computed again from a changed rule.
    """
    return save_as(rule, by, validate=True)


# -- approvals over the budget -------------------------------------------------------------------------
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
    reason = required_reason(reason, field="reason")
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
    reason = required_reason(reason, field="reason")
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
    # Every file is judged before anything is stored: a refusal leaves no file behind.
    files = list(files)
    kinds = [uploads.accepted_type(file, uploads.ATTACHMENT_TYPES, "attachments") for file in files]
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
    for file, kind in zip(files, kinds, strict=True):
        attachment = DeclarationAttachment(
            declaration=declaration, original_name=uploads.original_name(file.name)
        )
        attachment.file.save(uploads.stored_name(kind), file)
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
    reason = required_reason(reason, field="reason")
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
            % {"day": long_date(declaration.decided_on)},
            "invalid_date",
            "on",
        )
    declaration.status, declaration.paid_on, declaration.paid_by = DeclarationStatus.PAID, day, by
    return save_as(declaration, by)


# -- State aid ---------------------------------------------------------------------------------------
# The aid in an application's money: what the EU and the Flemish government pay, never own contributions.
AID_SOURCE_CODES = (FundingSourceCode.EU, FundingSourceCode.FLEMISH)
# Copied onto each aid line, as the register reports it.
LEGAL_BASIS = {
    AidBasis.DE_MINIMIS: "Verordening (EU) 2023/2831 van de Commissie (de-minimissteun)",
    AidBasis.GBER_TRAINING: "Verordening (EU) nr. 651/2014 van de Commissie, artikel 31 (opleidingssteun)",
}


def planned_aid(rule: FundingRule, planned_cost: Decimal | None = None) -> Decimal:
    """Return the aid of a planned cost (the rule's default when None): its EU and Flemish parts."""
    split = rule_cost_split(rule, planned_cost)
    return sum((split.get(code, ZERO) for code in AID_SOURCE_CODES), ZERO)


def lock_single_undertaking(*company_ids: int) -> list[int]:
    """Lock the company rows of the single undertakings of ``company_ids`` and return their ids.

    The rows are taken in ascending id order, so two transactions needing companies of one group wait for
    each other and never deadlock. A link recorded meanwhile may widen a group: the group is read again
    once its rows are held, and any company it gained is locked before the answer is given.
    """
    locked: set[int] = set()
    while True:
        companies = sorted({member for company in company_ids for member in single_undertaking(company)})
        missing = [company_id for company_id in companies if company_id not in locked]
        if not missing:
            return companies
        list(Company.objects.select_for_update().filter(pk__in=missing).order_by("pk").values_list("pk"))
        locked.update(missing)


def _require_de_minimis_headroom(
    company: Company, day: datetime.date, amount: Decimal, companies: list[int] | None = None
) -> None:
    """Refuse ``amount`` of new de-minimis aid on ``day`` when it takes ``company``'s single undertaking
    over the ceiling."""
    position = aid_position(company.pk, day, companies)
    if position.granted + amount <= position.ceiling:
        return
    raise WorkflowRefusal(
        _(
            "%(company)s, together with the companies it forms a single undertaking with, may receive at "
            "most %(ceiling)s euro of de-minimis aid over three years. From %(start)s up to and including "
            "%(day)s they received %(granted)s euro, so %(headroom)s euro is left: less than the "
            "%(amount)s euro of this aid."
        )
        % {
            "company": company.name,
            "ceiling": euro(position.ceiling),
            "start": long_date(position.window_start),
            "day": long_date(day),
            "granted": euro(position.granted),
            "headroom": euro(position.headroom),
            "amount": euro(amount),
        },
        "de_minimis_exceeded",
    )


def check_de_minimis(
    company: Company, traject: Traject, day: datetime.date, application: Application | None = None
) -> None:
    """Refuse a company whose single undertaking lacks the headroom for the traject's de-minimis aid
    (an eligibility check of ``participants.hooks``).

    The aid is the application's planned aid, or the traject's default one for a company that has not
    applied yet (the pre-check). No lock: the approval checks again under its locks.
    """
    rule = funding_rule_of(traject)
    if rule is None or rule.aid_basis != AidBasis.DE_MINIMIS:
        return
    planned_cost = application.planned_cost if application is not None else None
    _require_de_minimis_headroom(company, day, planned_aid(rule, planned_cost))


def record_approved_aid(approval: Approval) -> str:
    """Write the aid line of an approval under way (a step of ``participants.hooks``, after the money is
    committed); refuse de-minimis aid that would take the single undertaking over the ceiling.

    The undertaking's company rows stay locked until the approval commits, so two approvals for
    companies of one group are decided one after the other. There is no override.
    """
    application = approval.application
    rule = funding_rule_of(application.traject)
    if rule is None:
        return ""
    amount = planned_aid(rule, application.planned_cost)
    if rule.aid_basis == AidBasis.DE_MINIMIS:
        companies = lock_single_undertaking(application.company_id)
        _require_de_minimis_headroom(application.company, approval.day, amount, companies)
    line = AidLine(
        company_id=application.company_id,
        application=application,
        granted_on=approval.day,
        amount=amount,
        basis=rule.aid_basis,
        legal_basis=LEGAL_BASIS[rule.aid_basis],
        grantor=settings.AID_GRANTING_AUTHORITY,
    )
    save_as(line, approval.by)
    return ""


def cancel_withdrawn_aid(application: Application, by: User) -> None:
    """Cancel the aid line of an approved application that is withdrawn (a withdrawal step of
    ``participants.hooks``), unless part of the aid was paid: then the company received it.

    The line is kept, with the day and the reason of its cancellation; its history says who.
    """
    line = aid_line_of(application)
    if line is None or application.declarations.filter(status=DeclarationStatus.PAID).exists():
        return
    if application.ended_on < line.granted_on:
        raise WorkflowRefusal(
            _("An approved application cannot be withdrawn before its approval on %(day)s.")
            % {"day": long_date(line.granted_on)},
            "invalid_date",
            "on",
        )
    line.cancelled_on, line.cancellation_reason = application.ended_on, application.reason
    save_as(line, by, reason=application.reason)


def aid_decision_note(application: Application) -> str:
    """Return the decision e-mail's paragraph on the aid the approval granted (a decision note of
    ``participants.hooks``); empty when it granted none."""
    line = aid_line_of(application)
    if line is None:
        return ""
    if line.basis == AidBasis.GBER_TRAINING:
        text = _(
            "The aid granted with this approval amounts to %(amount)s euro. It is training aid exempted "
            "under Article 31 of Commission Regulation (EU) No 651/2014 (the General Block Exemption "
            "Regulation); it does not count towards the de-minimis ceiling."
        )
    else:
        text = _(
            "The aid granted with this approval amounts to %(amount)s euro. It is de-minimis aid under "
            "Commission Regulation (EU) 2023/2831 of 13 December 2023 on the application of Articles 107 "
            "and 108 of the Treaty on the Functioning of the European Union to de minimis aid. Keep this "
            "letter: when you apply for other de-minimis aid, you will be asked for this amount."
        )
    return text % {"amount": euro(line.amount)}


def _require_distinct_companies(controlling: Company, controlled: Company) -> None:
    if controlling.pk == controlled.pk:
        raise WorkflowRefusal(
            _("A company cannot be linked to itself."), "invalid_link", "controlled_company"
        )


@transaction.atomic
def record_company_link(
    *, controlling_company: Company, controlled_company: Company, kind: str, by: User
) -> CompanyLink:
    """Record that one company controls another, so that both count as one single undertaking; refuse a
    second link between the same two companies.

    The rows of both undertakings are locked as an approval locks them, so no approval decides on
    either group while it grows.
    """
    require_role(by, Role.OFFICER)
    _require_distinct_companies(controlling_company, controlled_company)
    _require_link_kind(kind)
    lock_single_undertaking(controlling_company.pk, controlled_company.pk)
    pair = {controlling_company.pk, controlled_company.pk}
    if CompanyLink.objects.filter(controlling_company__in=pair, controlled_company__in=pair).exists():
        raise WorkflowRefusal(
            _("%(first)s and %(second)s are already linked.")
            % {"first": controlling_company.name, "second": controlled_company.name},
            "duplicate_link",
        )
    return save_as(
        CompanyLink(
            controlling_company=controlling_company, controlled_company=controlled_company, kind=kind
        ),
        by,
    )


def _require_link_kind(kind: str) -> None:
    if kind not in LinkKind.values:
        raise WorkflowRefusal(_("Choose how the companies are linked."), "invalid_kind", "kind")


@transaction.atomic
def change_company_link(link: CompanyLink, *, kind: str, by: User) -> CompanyLink:
    """Change how two linked companies are linked; the companies themselves stay (a link between others
    is recorded anew)."""
    require_role(by, Role.OFFICER)
    _require_link_kind(kind)
    link = CompanyLink.objects.select_for_update().get(pk=link.pk)
    link.kind = kind
    return save_as(link, by)


@transaction.atomic
def remove_company_link(link: CompanyLink, *, by: User) -> None:
    """Remove a link recorded in error (administrators only); the history keeps it and who removed it."""
    require_role(by, Role.ADMIN)
    lock_single_undertaking(link.controlling_company_id)
    link._history_user = by
    link.delete()


def _checked_declared_aid(grantor: str, granted_on: datetime.date, amount: Decimal) -> str:
    """Return the grantor's name trimmed; refuse what a declared grant cannot be."""
    grantor = (grantor or "").strip()
    if not grantor:
        raise WorkflowRefusal(_("Name the authority that granted the aid."), "invalid_grantor", "grantor")
    if granted_on > _today():
        raise WorkflowRefusal(_("Aid cannot be granted in the future."), "invalid_date", "granted_on")
    if amount <= 0 or amount != to_cents(amount):
        raise WorkflowRefusal(
            _("Declare an amount of more than 0 euro, to the cent."), "invalid_amount", "amount"
        )
    return grantor


def _save_declared_aid(aid: DeclaredAid, by: User) -> DeclaredAid:
    """Save ``aid`` under its undertaking's lock; refuse a grant the company declared before."""
    lock_single_undertaking(aid.company_id)
    same = DeclaredAid.objects.filter(
        company_id=aid.company_id, grantor=aid.grantor, granted_on=aid.granted_on, amount=aid.amount
    ).exclude(pk=aid.pk)
    if same.exists():
        raise WorkflowRefusal(
            _("This company already declared %(amount)s euro granted by %(grantor)s on %(day)s.")
            % {
                "amount": euro(aid.amount),
                "grantor": aid.grantor,
                "day": long_date(aid.granted_on),
            },
            "duplicate_aid",
        )
    return save_as(aid, by)


@transaction.atomic
def declare_other_aid(
    application: Application,
    *,
    grantor: str,
    granted_on: datetime.date,
    amount: Decimal,
    regulation: str = DEFAULT_DECLARED_REGULATION,
    by: User,
) -> DeclaredAid:
    """Record de-minimis aid the company declares with its application, granted by another authority;
    it counts towards the ceiling of the company's single undertaking."""
    require_role(by, Role.OFFICER)
    grantor = _checked_declared_aid(grantor, granted_on, amount)
    aid = DeclaredAid(
        company_id=application.company_id,
        application=application,
        grantor=grantor,
        granted_on=granted_on,
        amount=amount,
        regulation=(regulation or "").strip() or DEFAULT_DECLARED_REGULATION,
    )
    return _save_declared_aid(aid, by)


@transaction.atomic
def change_declared_aid(
    aid: DeclaredAid,
    *,
    grantor: str,
    granted_on: datetime.date,
    amount: Decimal,
    regulation: str,
    by: User,
) -> DeclaredAid:
    """Correct declared aid; its application (and so its company) stays."""
    require_role(by, Role.OFFICER)
    grantor = _checked_declared_aid(grantor, granted_on, amount)
    aid = DeclaredAid.objects.select_for_update().get(pk=aid.pk)
    aid.grantor, aid.granted_on, aid.amount = grantor, granted_on, amount
    aid.regulation = (regulation or "").strip() or DEFAULT_DECLARED_REGULATION
    return _save_declared_aid(aid, by)


@transaction.atomic
def remove_declared_aid(aid: DeclaredAid, *, by: User) -> None:
    """Remove aid declared in error (administrators only); the history keeps it and who removed it."""
    require_role(by, Role.ADMIN)
    aid._history_user = by
    aid.delete()
