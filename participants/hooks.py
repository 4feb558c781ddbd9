"""The hooks through which a higher layer takes part in an application's workflow.

``participants`` sits below ``funding`` in the stack and never imports it. Where an approval must also
commit money (and later state aid), the higher app registers a step here from its ``AppConfig.ready()``;
the workflow runs every registered step inside the approval's own transaction, after the place is taken
and before the decision is saved. A step refuses by raising ``WorkflowRefusal``, which rolls the whole
approval back; it may return a note that the application's history keeps with the decision.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from participants.models import Application
from voorsprong.models import User


@dataclass(frozen=True)
class Approval:
    """An approval under way: the application (locked, its capacity period taken), who, on which day."""

    application: Application
    by: User
    day: datetime.date
    budget_override_reason: str = ""


ApprovalStep = Callable[[Approval], str]

_approval_steps: list[ApprovalStep] = []


def register_approval_step(step: ApprovalStep) -> ApprovalStep:
    """Run ``step`` in every approval from now on; registering the same step twice has no effect."""
    if step not in _approval_steps:
        _approval_steps.append(step)
    return step


def run_approval_steps(approval: Approval) -> list[str]:
    """Run the registered steps in the order they were registered; return their non-empty notes."""
    return [note for step in _approval_steps if (note := step(approval))]
