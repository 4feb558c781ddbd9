"""What the coaching changed: the company's learning situation at intake and at closing, and its answers
six months later or after a stop.

The situation is asked on the same closed questions at both moments (``SituationAnswers``), so the change
per barrier is measured on one scale. Numbers only: no names of persons.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import (
    Application,
    ApplicationStatus,
    Barrier,
    ExitAnswer,
    FollowUp,
    LearningForm,
    LearningSituation,
    Questionnaire,
    SituationMoment,
    StartAgain,
    StopReason,
    barrier_field,
    learning_form_field,
)
from participants.selectors import applications_visible_to
from participants.services.questionnaires import check_questionnaire_token, save_answer
from voorsprong.models import User
from voorsprong.money import number
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, save_as

# More employees than the largest employer of the country has: a typing error, not a company.
MAX_HEADCOUNT = 1_000_000
FOLLOW_UP_CHANGE_REASON = "Submitted by the company through its follow-up link"
EXIT_CHANGE_REASON = "Submitted by the company through its exit questionnaire link"
# The baseline is taken at the intake: from the approval until the trajectory ends.
BASELINE_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS)


@dataclass(frozen=True)
class SituationAnswers:
    """A company's answers to the closed questions of its learning situation."""

    has_training_policy: bool | None
    has_learning_jobs: bool | None
    headcount: int | None
    low_skilled: int | None
    aged_55_plus: int | None
    barriers: list[str] = field(default_factory=list)
    main_barrier: str = ""
    learning_forms: list[str] = field(default_factory=list)


def _is_count(value) -> bool:
    # bool is an int to Python, but True is no number of employees.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HEADCOUNT


def _count_refusal(name: str) -> WorkflowRefusal:
    message = _("Give a number of employees from 0 to %(most)s.") % {"most": number(MAX_HEADCOUNT, 0)}
    return WorkflowRefusal(message, "invalid_count", name)


def count_refusals(total, groups: dict[str, object], total_field: str) -> list[WorkflowRefusal]:
    """Return every refusal of a number of employees and of the groups within it (low-skilled, 55+)."""
    refusals = [] if _is_count(total) else [_count_refusal(total_field)]
    for name, value in groups.items():
        if not _is_count(value):
            refusals.append(_count_refusal(name))
        elif _is_count(total) and value > total:
            message = _("This group cannot be larger than the %(total)s employees in all.") % {"total": total}
            refusals.append(WorkflowRefusal(message, "group_exceeds_total", name))
    return refusals


def situation_refusals(answers: SituationAnswers) -> list[WorkflowRefusal]:
    """Return every refusal of a learning situation's answers at once."""
    refusals = []
    for name in ("has_training_policy", "has_learning_jobs"):
        if not isinstance(getattr(answers, name), bool):
            refusals.append(WorkflowRefusal(_("Answer yes or no."), "answer_required", name))
    if any(barrier not in Barrier.values for barrier in answers.barriers):
        refusals.append(WorkflowRefusal(_("Choose barriers from the list."), "invalid_choice", "barriers"))
    elif answers.barriers and answers.main_barrier not in answers.barriers:
        message = _("Choose which of the barriers met weighs most.")
        refusals.append(WorkflowRefusal(message, "main_barrier_required", "main_barrier"))
    elif not answers.barriers and answers.main_barrier:
        message = _("A barrier that weighs most must be one of the barriers met.")
        refusals.append(WorkflowRefusal(message, "main_barrier_not_met", "main_barrier"))
    if any(form not in LearningForm.values for form in answers.learning_forms):
        message = _("Choose learning forms from the list.")
        refusals.append(WorkflowRefusal(message, "invalid_choice", "learning_forms"))
    refusals += count_refusals(
        answers.headcount,
        {"low_skilled": answers.low_skilled, "aged_55_plus": answers.aged_55_plus},
        "headcount",
    )
    return refusals


def _require(refusals: list[WorkflowRefusal]) -> None:
    if refusals:
        raise refusals[0]


def situation_at(
    application: Application,
    moment: str,
    answers: SituationAnswers,
    *,
    on: datetime.date,
    by: User | None,
    existing: LearningSituation | None = None,
) -> LearningSituation:
    """Return the (unsaved) learning situation of ``application`` at ``moment`` with ``answers``; the
    answers must have passed ``situation_refusals``."""
    situation = existing or LearningSituation(application=application, moment=moment)
    for barrier in Barrier.values:
        setattr(situation, barrier_field(barrier), barrier in answers.barriers)
    for form in LearningForm.values:
        setattr(situation, learning_form_field(form), form in answers.learning_forms)
    situation.main_barrier = answers.main_barrier if answers.barriers else ""
    situation.has_training_policy = answers.has_training_policy
    situation.has_learning_jobs = answers.has_learning_jobs
    situation.headcount, situation.low_skilled = answers.headcount, answers.low_skilled
    situation.aged_55_plus = answers.aged_55_plus
    situation.recorded_on, situation.recorded_by = on, by
    return situation


def _may_record_baseline(application: Application, user: User) -> bool:
    """Return whether ``user`` may log the baseline: a promoter of the application's project or an officer,
    or the sector consultant who did the company's intake."""
    if user.acts_as(Role.OFFICER) or (
        user.acts_as(Role.PROMOTER) and applications_visible_to(user).filter(pk=application.pk).exists()
    ):
        return True
    referral = application.referral
    return user.acts_as(Role.SECTOR_CONSULTANT) and referral is not None and referral.intake_by_id == user.pk


@transaction.atomic
def record_baseline(
    application: Application, *, by: User, answers: SituationAnswers, on: datetime.date | None = None
) -> LearningSituation:
    """Record the company's learning situation at intake, or correct it while the trajectory runs (the
    history keeps what it said before, the day stays the intake's)."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("referral").get(pk=application.pk)
    )
    if not _may_record_baseline(application, by):
        raise WorkflowRefusal(_("You are not allowed to do this."), "forbidden")
    if application.status not in BASELINE_STATUSES:
        message = _("The situation at intake is recorded between the approval and the end of the trajectory.")
        raise WorkflowRefusal(message, "invalid_transition")
    _require(situation_refusals(answers))
    existing = LearningSituation.objects.filter(
        application=application, moment=SituationMoment.INTAKE
    ).first()
    situation = situation_at(
        application,
        SituationMoment.INTAKE,
        answers,
        # A correction keeps the day of the intake: the figures of a date in between still count the baseline.
        on=existing.recorded_on if existing else on or timezone.localdate(),
        by=by,
        existing=existing,
    )
    save_as(situation, by, reason="Corrected" if existing else "")
    return situation


@transaction.atomic
def submit_follow_up(
    token: str,
    *,
    training_policy_applied: bool | None,
    learning_continued: bool | None,
    employees_learned: int | None,
) -> FollowUp:
    """Save the company's answers six months after completion, once; the link is dead afterwards."""
    application = check_questionnaire_token(Questionnaire.FOLLOW_UP, token, timezone.localdate())
    refusals = [
        WorkflowRefusal(_("Answer yes or no."), "answer_required", name)
        for name, value in (
            ("training_policy_applied", training_policy_applied),
            ("learning_continued", learning_continued),
        )
        if not isinstance(value, bool)
    ]
    if not _is_count(employees_learned):
        refusals.append(_count_refusal("employees_learned"))
    _require(refusals)
    follow_up = FollowUp(
        application=application,
        training_policy_applied=training_policy_applied,
        learning_continued=learning_continued,
        employees_learned=employees_learned,
    )
    save_answer(follow_up, FOLLOW_UP_CHANGE_REASON)
    return follow_up


@transaction.atomic
def submit_exit_answer(
    token: str, *, main_reason: str | None, would_start_again: str | None, what_would_have_helped: str = ""
) -> ExitAnswer:
    """Save the company's exit questionnaire after a stop, once; the link is dead afterwards."""
    application = check_questionnaire_token(Questionnaire.EXIT, token, timezone.localdate())
    refusals = []
    if main_reason not in StopReason.values:
        refusals.append(
            WorkflowRefusal(_("Choose why the trajectory stopped."), "answer_required", "main_reason")
        )
    if would_start_again not in StartAgain.values:
        message = _("Choose yes, maybe or no.")
        refusals.append(WorkflowRefusal(message, "answer_required", "would_start_again"))
    _require(refusals)
    answer = ExitAnswer(
        application=application,
        main_reason=main_reason,
        would_start_again=would_start_again,
        what_would_have_helped=(what_would_have_helped or "").strip(),
    )
    save_answer(answer, EXIT_CHANGE_REASON)
    return answer
