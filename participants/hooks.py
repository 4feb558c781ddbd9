"""The hooks through which a higher layer takes part in an application's workflow.

``participants`` sits below ``funding`` in the stack and never imports it. Where an approval must also
commit money (and state aid), the higher app registers its work here from its ``AppConfig.ready()``:

- an **eligibility check** runs wherever eligibility is decided (the approval, the intake, the public
  pre-check), so they always agree; it refuses by raising ``WorkflowRefusal``;
- an **approval step** runs inside the approval's own transaction, after the place is taken and before the
  decision is saved; it refuses by raising ``WorkflowRefusal``, which rolls the whole approval back, and
  may return a note that the application's history keeps with the decision;
- a **withdrawal step** runs inside the withdrawal's transaction (giving back what the approval took);
- a **decision note** adds a paragraph to the decision e-mail (the aid granted, for example);
- a **budget override request**: an approval over the budget is not one officer's decision, so an officer's
  request for one goes to the layer that keeps the budget, where a second officer signs it off;
- a **work-queue section**: a list of things waiting for someone on the officers' work queue (the
  declarations to decide, the budget lines nearly spent); ``participants`` registers its own from its
  ``AppConfig.ready()`` too.
- a **decision panel** adds a section to the page where an officer decides one application (the money per
  source and the State-aid headroom, for example), rendered by the layer that knows it.

Registering the same function twice has no effect; they run in the order they were registered.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from participants.models import Application, Company
from trajects.models import CapacityPeriod, Traject
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal


@dataclass(frozen=True)
class Approval:
    """An approval under way: the application (locked, its capacity period taken), who, on which day."""

    application: Application
    by: User
    day: datetime.date


@dataclass(frozen=True)
class DecisionSubject:
    """What the decision page is about: the application, the day it is read on and the capacity period
    its approval took, or would take that day (None when no period contains the day)."""

    application: Application
    day: datetime.date
    capacity_period: CapacityPeriod | None


@dataclass(frozen=True)
class DecisionPanel:
    """A section of the decision page: a title and its HTML, rendered from a template (so escaped)."""

    title: str
    html: SafeString


EligibilityCheck = Callable[[Company, Traject, datetime.date, Application | None], None]
ApprovalStep = Callable[[Approval], str]
WithdrawalStep = Callable[[Application, User], None]
DecisionNote = Callable[[Application], str]
BudgetOverrideRequest = Callable[..., object]  # request(application, *, by, reason)
DecisionPanelFunction = Callable[[DecisionSubject], DecisionPanel | None]

_eligibility_checks: list[EligibilityCheck] = []
_approval_steps: list[ApprovalStep] = []
_withdrawal_steps: list[WithdrawalStep] = []
_decision_notes: list[DecisionNote] = []
_decision_panels: list[DecisionPanelFunction] = []
# One layer keeps the budget, so one function (at most) records the requests.
_budget_override_request: list[BudgetOverrideRequest] = []


@dataclass(frozen=True)
class WorkItem:
    """One line of the work queue: what waits, where it is dealt with, and since how many days."""

    label: str
    url: str
    detail: str = ""
    days: int | None = None
    overdue: bool = False


@dataclass(frozen=True)
class WorkQueueSection:
    """A section of the officers' work queue.

    ``rows(today)`` returns the rows waiting, in the order they are to be dealt with; the work queue
    counts them and reads the first few in one query (``participants.selectors.work_queue``), and
    ``item(row, today)`` turns each into a line. ``overdue(today)``, when given, is the condition of the
    rows that are late, counted apart, and ``note()`` says when a row is late. ``roles`` may open it
    (administrators always); ``order`` places it among the others; ``full_list()`` is the address of every
    row, where a list of them exists; ``empty`` is said when no row waits.
    """

    key: str
    title: str | Promise
    roles: tuple[Role, ...]
    order: int
    rows: Callable[[datetime.date], QuerySet]
    item: Callable[[Model, datetime.date], WorkItem]
    overdue: Callable[[datetime.date], Q] | None = None
    note: Callable[[], str] | None = None
    full_list: Callable[[], str] | None = None
    empty: str | Promise = ""


_work_queue_sections: list[WorkQueueSection] = []


def _register(registry: list, function):
    if function not in registry:
        registry.append(function)
    return function


def register_eligibility_check(check: EligibilityCheck) -> EligibilityCheck:
    """Run ``check(company, traject, day, application)`` wherever eligibility is decided from now on.

    ``application`` is the application being decided, or None for a company that has not applied yet (the
    pre-check), where the traject's defaults stand in for the application's own figures.
    """
    return _register(_eligibility_checks, check)


def register_approval_step(step: ApprovalStep) -> ApprovalStep:
    """Run ``step`` in every approval from now on."""
    return _register(_approval_steps, step)


def register_withdrawal_step(step: WithdrawalStep) -> WithdrawalStep:
    """Run ``step(application, by)`` in every withdrawal from now on."""
    return _register(_withdrawal_steps, step)


def register_decision_note(note: DecisionNote) -> DecisionNote:
    """Add the paragraph ``note(application)`` returns (when not empty) to every decision e-mail."""
    return _register(_decision_notes, note)


def register_decision_panel(panel: DecisionPanelFunction) -> DecisionPanelFunction:
    """Show the section ``panel(subject)`` returns (when not None) on every decision page from now on.

    A panel only reads, with a number of queries that does not grow with the data.
    """
    return _register(_decision_panels, panel)


def register_budget_override_request(request: BudgetOverrideRequest) -> BudgetOverrideRequest:
    """Let ``request(application, by=by, reason=reason)`` record an officer's request to approve an
    application over its budget, for a second officer to sign off, and return what it recorded; it
    replaces any earlier one."""
    _budget_override_request[:] = [request]
    return request


def register_work_queue_section(section: WorkQueueSection) -> WorkQueueSection:
    """Show ``section`` on the work queue from now on; a section of the same key replaces it."""
    _work_queue_sections[:] = [known for known in _work_queue_sections if known.key != section.key]
    _work_queue_sections.append(section)
    return section


def work_queue_sections() -> list[WorkQueueSection]:
    """Return the registered work-queue sections in their order."""
    return sorted(_work_queue_sections, key=lambda section: section.order)


def eligibility_check_refusals(
    company: Company, traject: Traject, day: datetime.date, application: Application | None = None
) -> list[WorkflowRefusal]:
    """Run every registered eligibility check; return their refusals in the order they were registered.

    Every check runs, so the pre-check can tell all the reasons; the approval refuses with the first.
    """
    refusals = []
    for check in _eligibility_checks:
        try:
            check(company, traject, day, application)
        except WorkflowRefusal as refusal:
            refusals.append(refusal)
    return refusals


def run_approval_steps(approval: Approval) -> list[str]:
    """Run the registered approval steps; return their non-empty notes."""
    return [note for step in _approval_steps if (note := step(approval))]


def run_withdrawal_steps(application: Application, by: User) -> None:
    """Run the registered withdrawal steps."""
    for step in _withdrawal_steps:
        step(application, by)


def decision_notes(application: Application) -> list[str]:
    """Return the registered decision notes for ``application``'s e-mail, the empty ones left out."""
    return [text for note in _decision_notes if (text := note(application))]


def decision_panels(subject: DecisionSubject) -> list[DecisionPanel]:
    """Return the registered decision panels for ``subject``, the empty ones left out."""
    return [section for panel in _decision_panels if (section := panel(subject)) is not None]


def request_budget_override(application: Application, *, by: User, reason: str):
    """Pass an officer's request to approve ``application`` over its budget to the layer that keeps the
    budget; return what it recorded (with a ``get_status_display``). Refuse when no layer keeps one."""
    if not _budget_override_request:
        raise WorkflowRefusal(
            _("No budget is kept for this application: approve it without a sign-off."),
            "budget_not_exhausted",
        )
    [request] = _budget_override_request
    return request(application, by=by, reason=reason)
