"""The money section of the page where an officer decides one application (a decision panel of
``participants.hooks``): the planned cost per funding source with each source's budget left, the approval
over the budget that may be waiting, and the single undertaking's de-minimis headroom."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from funding.models import AidBasis, FundingSource, FundingSourceCode
from funding.selectors import (
    aid_line_of,
    aid_position,
    budget_left_per_source,
    funding_rule_of,
    pending_override,
    undertaking_members,
)
from funding.services import AID_SOURCE_CODES, rule_cost_split
from participants.hooks import DecisionPanel, DecisionSubject
from participants.models import WAS_APPROVED, Application
from voorsprong.money import ZERO


def funding_decision_panel(subject: DecisionSubject) -> DecisionPanel | None:
    """Return the money and State-aid section of ``subject``'s decision page; None for a traject
    without a funding rule. A fixed number of queries, whatever the volume."""
    application = subject.application
    rule = funding_rule_of(application.traject)
    if rule is None:
        return None
    decided = Application.objects.filter(WAS_APPROVED, pk=application.pk).exists()
    if decided:
        # What the approval committed, never recomputed: a changed rule splits later approvals only.
        amounts = {row.source.code: row.amount for row in application.funding.select_related("source")}
    else:
        amounts = rule_cost_split(rule, application.planned_cost)
    budgets = budget_left_per_source(application, subject.capacity_period and subject.capacity_period.pk)
    names = dict(FundingSource.objects.filter(code__in=amounts).values_list("code", "name"))
    sources = []
    for code, amount in amounts.items():
        budget = budgets.get(code)
        sources.append(
            {
                "name": names.get(code) or FundingSourceCode(code).label,
                "amount": amount,
                "budget": budget,
                # Only an undecided application still needs the money it plans.
                "short": budget is not None and not decided and amount > budget["left"],
            }
        )
    position = aid_position(application.company_id, subject.day)
    aid_line = aid_line_of(application) if decided else None
    planned_aid = sum((amounts.get(code, ZERO) for code in AID_SOURCE_CODES), ZERO)
    html = render_to_string(
        "admin/funding/decision_panel.html",
        {
            "application": application,
            "rule": rule,
            "decided": decided,
            "cost": application.planned_cost
            if application.planned_cost is not None
            else rule.default_planned_cost,
            "sources": sources,
            "override": pending_override(application),
            "de_minimis": rule.aid_basis == AidBasis.DE_MINIMIS,
            "aid_basis": AidBasis(rule.aid_basis).label,
            "planned_aid": aid_line.amount if aid_line else planned_aid,
            "position": position,
            "exceeds": not decided
            and rule.aid_basis == AidBasis.DE_MINIMIS
            and planned_aid > position.headroom,
            "members": undertaking_members(position.companies, application.company_id),
        },
    )
    return DecisionPanel(title=_("Money and State aid"), html=html)
