"""The hooks through which a higher layer takes part in an application's workflow.

``participants`` sits below ``funding`` in the stack and never imports it. Where an approval must also
commit money (and state aid), the higher app registers its work here from its ``AppConfig.ready()``:

- an **eligibility check** runs wherever eligibility is decided (the approval, the intake, the public
  pre-check), so they always agree; it refuses by raising ``WorkflowRefusal``;
- an **approval step** runs inside the approval's own transaction, after the place is taken and before the
  decision is saved; it refuses by raising ``WorkflowRefusal``, which rolls the whole approval back, and
  may return a note that the application's history keeps with the decision;
- a **withdrawal step** runs inside the withdrawal's transaction (giving back what the approval took);
- a **decision note** adds a paragraph to the decision e-mail (the aid granted, for example).

Registering the same function twice has no effect; they run in the order they were registered.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from participants.models import Application, Company
from trajects.models import Traject
from voorsprong.models import User
from voorsprong.services import WorkflowRefusal


@dataclass(frozen=True)
class Approval:
    """An approval under way: the application (locked, its capacity period taken), who, on which day."""

    application: Application
    by: User
    day: datetime.date
    budget_override_reason: str = ""


EligibilityCheck = Callable[[Company, Traject, datetime.date, Application | None], None]
ApprovalStep = Callable[[Approval], str]
WithdrawalStep = Callable[[Application, User], None]
DecisionNote = Callable[[Application], str]

_eligibility_checks: list[EligibilityCheck] = []
_approval_steps: list[ApprovalStep] = []
_withdrawal_steps: list[WithdrawalStep] = []
_decision_notes: list[DecisionNote] = []


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
