"""The work-queue sections of funding: the declarations waiting for an officer's decision or for the
financial service's payment, and the budget lines nearly committed (registered in ``funding.apps``)."""

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import selectors
from funding.models import BudgetLine, Declaration, DeclarationStatus
from participants.hooks import WorkItem, WorkQueueSection, register_work_queue_section
from voorsprong.money import number
from voorsprong.roles import Role


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _declarations(status: DeclarationStatus) -> str:
    return f"{reverse('admin:funding_declaration_changelist')}?{urlencode({'status__exact': status})}"


def _declaration(declaration: Declaration, today: datetime.date) -> WorkItem:
    """Return the line of a declaration waiting since it was declared (to decide) or approved (to pay)."""
    application = declaration.application
    if declaration.status == DeclarationStatus.SUBMITTED:
        since, step = declaration.declared_on, _("declared on %(day)s")
    else:
        since, step = declaration.decided_on, _("approved on %(day)s")
    return WorkItem(
        label=_("%(company)s, %(start)s – %(end)s")
        % {
            "company": application.company.name,
            "start": _day(declaration.period_start),
            "end": _day(declaration.period_end),
        },
        url=reverse("admin:funding_declaration_change", args=[declaration.pk]),
        detail=_("%(traject)s · € %(amount)s · %(step)s")
        % {
            "traject": application.traject.name,
            "amount": number(declaration.amount, 2),
            "step": step % {"day": _day(since)},
        },
        days=(today - since).days,
    )


def _budget_line(line: BudgetLine, today: datetime.date) -> WorkItem:
    label = f"{line.traject.name} – {line.source.name}"
    filters = {"traject": line.traject.code, "source": line.source.code}
    if line.capacity_period:
        label += f", {_day(line.capacity_period.start)} – {_day(line.capacity_period.end)}"
        filters["period"] = line.capacity_period_id
    return WorkItem(
        label=label,
        url=f"{reverse('funding:budget_monitor')}?{urlencode(filters)}",
        detail=_("€ %(committed)s of € %(amount)s committed (%(percent)s)")
        % {
            "committed": number(line.committed, 2),
            "amount": number(line.amount, 2),
            "percent": f"{line.committed * 100 // line.amount} %",
        },
        overdue=line.committed >= line.amount,
    )


SECTIONS = (
    WorkQueueSection(
        key="declarations-to-decide",
        title=gettext_lazy("Declarations awaiting a decision"),
        roles=(Role.OFFICER,),
        order=30,
        rows=lambda today: selectors.declarations_in_status(DeclarationStatus.SUBMITTED),
        item=_declaration,
        full_list=lambda: _declarations(DeclarationStatus.SUBMITTED),
        empty=gettext_lazy("No declaration is waiting for a decision."),
    ),
    WorkQueueSection(
        key="declarations-to-pay",
        title=gettext_lazy("Approved declarations awaiting payment"),
        roles=(Role.FINANCE,),
        order=35,
        rows=lambda today: selectors.declarations_in_status(DeclarationStatus.APPROVED),
        item=_declaration,
        full_list=lambda: _declarations(DeclarationStatus.APPROVED),
        empty=gettext_lazy("No approved declaration is waiting for payment."),
    ),
    WorkQueueSection(
        key="budget-warnings",
        title=gettext_lazy("Budget lines nearly or fully committed"),
        roles=(Role.OFFICER, Role.FINANCE),
        order=60,
        rows=selectors.nearly_committed_budget_lines,
        item=_budget_line,
        full_list=lambda: reverse("funding:budget_monitor"),
        empty=gettext_lazy("Every budget line has more than a tenth of its amount uncommitted."),
    ),
)


def register_sections() -> None:
    for section in SECTIONS:
        register_work_queue_section(section)
