"""State changes of applications: every workflow transition has one function here.

Each runs in one transaction, locks what it changes, and saves through django-simple-history with
the acting user and the reason, so the history answers who, when, from, to and why.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.hooks import (
    Approval,
    eligibility_check_refusals,
    run_approval_steps,
    run_withdrawal_steps,
)
from participants.models import (
    Application,
    ApplicationStatus,
    CoachingSession,
    Company,
    Milestone,
    Questionnaire,
    Referral,
    StopReason,
)
from participants.selectors import applications_visible_to
from participants.services.capacity import free_place_refusal, take_place
from participants.services.outcomes import count_refusals
from participants.services.questionnaires import invite
from participants.tasks import send_decision_notification
from trajects.models import Project, Traject
from trajects.size_classes import SizeClass
from voorsprong import data_version, outbox
from voorsprong.formats import long_date
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, reason_refusal, require_role, required_reason, save_as


def _today() -> datetime.date:
    return timezone.localdate()


# The statuses each transition leaves from; every other status is refused (invalid_transition).
SUBMITTABLE = (ApplicationStatus.DRAFT,)
DECIDABLE = (ApplicationStatus.SUBMITTED,)
WITHDRAWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
ENDABLE = (ApplicationStatus.IN_PROGRESS,)


def _require_assigned(application: Application, user: User) -> None:
    """Refuse ``user`` an application not assigned to them: promoters act only on applications of a
    project their organisation runs; officers on all."""
    if not applications_visible_to(user).filter(pk=application.pk).exists():
        raise WorkflowRefusal(_("This application is not assigned to your organisation."), "forbidden")


def _locked(application: Application) -> Application:
    # Only the application's row: the State-aid step locks the companies of a whole group in a fixed order,
    # which the company's row taken here first would break (two approvals in a group would deadlock).
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("company", "traject")
        .get(pk=application.pk)
    )


def _require_status(application: Application, allowed: tuple[str, ...], action: str) -> None:
    if application.status not in allowed:
        raise WorkflowRefusal(
            _("An application that is %(status)s cannot be %(action)s.")
            % {"status": application.get_status_display().lower(), "action": action},
            "invalid_transition",
        )


def _begin(
    application: Application, by: User, roles: tuple[Role, ...], allowed: tuple[str, ...], action: str
):
    """Begin a transition the common way (who may, the application locked, and from where); return the
    locked application."""
    require_role(by, *roles)
    application = _locked(application)
    if Role.PROMOTER in roles:
        _require_assigned(application, by)
    _require_status(application, allowed, action)
    return application


def _notify_decision(application: Application) -> None:
    """Send the decision e-mail only once the decision is committed, and through Celery (by the outbox,
    so a broker that is down delays it but neither loses it nor fails the decision), so SMTP never
    blocks it."""
    outbox.enqueue(send_decision_notification, application.pk)


@transaction.atomic
def create_application(
    *,
    company: Company,
    traject: Traject,
    by: User,
    project: Project | None = None,
    referral: Referral | None = None,
    planned_cost: Decimal | None = None,
) -> Application:
    """Create a draft application; only an officer sets a planned cost (else the traject's default holds)."""
    require_role(by, Role.OFFICER, Role.SECTOR_CONSULTANT)
    if planned_cost is not None:
        require_role(by, Role.OFFICER)
    _require_project_of_traject(project, traject)
    application = Application(
        company=company,
        traject=traject,
        project=project,
        referral=referral,
        planned_cost=planned_cost,
        status=ApplicationStatus.DRAFT,
    )
    try:
        with transaction.atomic():
            save_as(application, by)
    except IntegrityError as error:
        raise WorkflowRefusal(
            _("%(company)s already has an open application for %(traject)s.")
            % {"company": company.name, "traject": traject.name},
            "duplicate_application",
        ) from error
    return application


def _require_project_of_traject(project: Project | None, traject: Traject) -> None:
    if project is not None and project.traject_id != traject.pk:
        raise WorkflowRefusal(_("The project belongs to another traject."), "invalid_project", "project")


def _project_refusal(application: Application) -> WorkflowRefusal | None:
    """Return why ``application`` may not be approved without a project, or None.

    Promoters see an application through its project, so approved without one nobody would ever coach
    it. Every project of the traject counts (a project has no end date or active flag); a traject
    without projects (motivatie) approves without one.
    """
    if application.project_id is None and application.traject.projects.exists():
        return WorkflowRefusal(
            _(
                "Choose a project for this application first: %(traject)s has projects, and an approved "
                "application without one is never seen by a promoter."
            )
            % {"traject": application.traject.name},
            # A state of the application, not a typed value: 409 in the API, like the other refusals.
            "project_required",
        )
    return None


@transaction.atomic
def update_application_details(
    application: Application,
    *,
    by: User,
    project: Project | None,
    referral: Referral | None,
    planned_cost: Decimal | None,
) -> Application:
    """Update what an officer may still change by hand: the project, the referral and, until the money
    is committed at approval, the planned cost. Status and decisions move only through the workflow."""
    require_role(by, Role.OFFICER)
    application = _locked(application)
    _require_project_of_traject(project, application.traject)
    if planned_cost != application.planned_cost and application.status not in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
    ):
        raise WorkflowRefusal(
            _("The planned cost was committed at the approval and can no longer change."),
            "invalid_transition",
            "planned_cost",
        )
    application.project, application.referral, application.planned_cost = project, referral, planned_cost
    save_as(application, by)
    return application


@transaction.atomic
def submit_application(application: Application, *, by: User, on: datetime.date | None = None) -> Application:
    application = _begin(application, by, (Role.OFFICER, Role.SECTOR_CONSULTANT), SUBMITTABLE, _("submitted"))
    application.status, application.submitted_on = ApplicationStatus.SUBMITTED, on or _today()
    save_as(application, by)
    return application


def eligibility_refusals(
    company: Company,
    traject: Traject,
    day: datetime.date | None = None,
    application: Application | None = None,
) -> list[WorkflowRefusal]:
    """Return every reason why the traject may not take the company on ``day`` (today by default).

    In the order the approval checks them: the size class (unknown, or not one the traject takes), the
    company stopped in the KBO, then the checks the higher layers add through ``participants.hooks``
    (the state-aid ceiling, for example). A valid KBO number needs no check: the database refuses others.
    """
    refusals = []
    if company.size_class == SizeClass.UNKNOWN and not traject.allows(company.size_class):
        refusals.append(
            WorkflowRefusal(
                _(
                    "Declare the SME status of %(company)s first: %(traject)s is open to SMEs only and the "
                    "size of the company is not known."
                )
                % {"company": company.name, "traject": traject.name},
                "size_unknown",
            )
        )
    elif not traject.allows(company.size_class):
        refusals.append(
            WorkflowRefusal(
                _("%(traject)s is not open to a company of size class %(size_class)s.")
                % {"traject": traject.name, "size_class": company.get_size_class_display().lower()},
                "not_eligible",
            )
        )
    if not company.is_active:
        refusals.append(
            WorkflowRefusal(
                _("%(company)s is marked as stopped in the KBO.") % {"company": company.name},
                "company_inactive",
            )
        )
    return refusals + eligibility_check_refusals(company, traject, day or _today(), application)


def check_eligibility(
    company: Company,
    traject: Traject,
    day: datetime.date | None = None,
    application: Application | None = None,
) -> None:
    """Refuse a company the traject may not take on ``day``, with the first of its reasons.

    The approval, the intake and the pre-check all decide through ``eligibility_refusals``, so they
    cannot disagree.
    """
    refusals = eligibility_refusals(company, traject, day, application)
    if refusals:
        raise refusals[0]


def approval_refusals(application: Application, day: datetime.date | None = None) -> list[WorkflowRefusal]:
    """Return every reason why approving ``application`` on ``day`` (today by default) would be refused,
    in the order the approval checks them: the project, the eligibility (with the higher layers'
    checks), a free place. Read without locks, for the officer deciding; the approval checks again
    under its locks, and the higher layers' approval steps (the budget) have their own say.
    """
    day = day or _today()
    refusals = [refusal] if (refusal := _project_refusal(application)) else []
    refusals += eligibility_refusals(application.company, application.traject, day, application)
    if refusal := free_place_refusal(application.traject, day):
        refusals.append(refusal)
    return refusals


@transaction.atomic
def approve_application(
    application: Application, *, by: User, on: datetime.date | None = None
) -> Application:
    """Take a place and run the approval steps of the higher layers (funding commits the money).

    An exhausted budget refuses; an approval over the budget is requested and signed off by two officers
    (``participants.hooks.request_budget_override``), the sign-off calling this again.
    """
    application = _begin(application, by, (Role.OFFICER,), DECIDABLE, _("approved"))
    day = on or _today()
    if refusal := _project_refusal(application):
        raise refusal
    check_eligibility(application.company, application.traject, day, application)
    application.capacity_period = take_place(application.traject, day)
    # The higher layers' steps (funding commits the money) run here, in this transaction.
    notes = run_approval_steps(Approval(application, by, day))
    application.status, application.decided_on, application.decided_by = ApplicationStatus.APPROVED, day, by
    # Frozen: the statistics count the company by the class this decision rested on, whatever it becomes.
    application.size_class_at_approval = application.company.size_class
    save_as(application, by, reason=" ".join(notes))
    _notify_decision(application)
    return application


@transaction.atomic
def reject_application(
    application: Application, *, by: User, reason: str, on: datetime.date | None = None
) -> Application:
    reason = required_reason(reason)
    application = _begin(application, by, (Role.OFFICER,), DECIDABLE, _("rejected"))
    application.status, application.decided_on, application.decided_by = (
        ApplicationStatus.REJECTED,
        on or _today(),
        by,
    )
    application.reason = reason
    save_as(application, by, reason=reason)
    _notify_decision(application)
    return application


@transaction.atomic
def withdraw_application(
    application: Application, *, by: User, reason: str, on: datetime.date | None = None
) -> Application:
    """Withdraw an application on the company's request; an approved one gives its place back."""
    reason = required_reason(reason)
    application = _begin(application, by, (Role.OFFICER,), WITHDRAWABLE, _("withdrawn"))
    was_approved = application.status == ApplicationStatus.APPROVED
    application.status, application.ended_on, application.reason = (
        ApplicationStatus.WITHDRAWN,
        on or _today(),
        reason,
    )
    save_as(application, by, reason=reason)
    if was_approved:
        # The higher layers give back what the approval took (committed money, aid).
        run_withdrawal_steps(application, by)
    return application


MAX_SESSION_HOURS = Decimal(12)


def session_refusals(
    application: Application,
    *,
    date: datetime.date | None = None,
    hours: Decimal | None = None,
    kind: str | None = None,
) -> list[WorkflowRefusal]:
    """Return every refusal of a session's values, each naming its field, so a form can show them all at
    once; a value that is None is left unchecked (the form already says it is missing)."""
    refusals = []
    if date is not None and date > _today():
        refusals.append(
            WorkflowRefusal(_("A session cannot be logged for a date in the future."), "invalid_date", "date")
        )
    elif date is not None and date < application.decided_on:
        refusals.append(
            WorkflowRefusal(
                _("A session cannot take place before the approval on %(day)s.")
                % {"day": long_date(application.decided_on)},
                "invalid_date",
                "date",
            )
        )
    if kind is not None and kind not in Milestone.values:
        refusals.append(WorkflowRefusal(_("Choose what the session worked on."), "invalid_kind", "kind"))
    if hours is not None and not 0 < hours <= MAX_SESSION_HOURS:
        refusals.append(
            WorkflowRefusal(
                _("A session lasts more than 0 and at most %(max)s hours.") % {"max": MAX_SESSION_HOURS},
                "invalid_hours",
                "hours",
            )
        )
    return refusals


@transaction.atomic
def log_coaching_session(
    application: Application,
    *,
    by: User,
    date: datetime.date,
    hours: Decimal,
    kind: str,
    employees_present: int = 0,
    notes: str = "",
) -> CoachingSession:
    """Record a session; the first one starts the trajectory (approved → in progress)."""
    application = _begin(
        application,
        by,
        (Role.PROMOTER, Role.OFFICER),
        (ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS),
        _("coached"),
    )
    refusals = session_refusals(application, date=date, hours=hours, kind=kind)
    if refusals:
        raise refusals[0]
    # Figures as of a day before the session's count neither it nor, by their dates, the trajectory it
    # starts: the cabinet's figures of a past date stay in the cache.
    with data_version.changes_from(date):
        session = CoachingSession(
            application=application,
            date=date,
            hours=hours,
            kind=kind,
            employees_present=employees_present,
            notes=notes,
            logged_by=by,
        )
        save_as(session, by)
        if application.status == ApplicationStatus.APPROVED:
            application.status, application.started_on = ApplicationStatus.IN_PROGRESS, date
            save_as(application, by)
        elif date < application.started_on:
            # A session logged late but held earlier moves the start back to when coaching really began.
            application.started_on = date
            save_as(application, by)
    return session


def _require_end_date(application: Application, day: datetime.date) -> datetime.date:
    if day < application.started_on:
        raise WorkflowRefusal(
            _("The trajectory cannot end before it started on %(day)s.")
            % {"day": long_date(application.started_on)},
            "invalid_date",
            "on",
        )
    return day


def staff_reached_refusals(
    staff_reached: int | None, low_skilled: int | None, aged_55_plus: int | None
) -> list[WorkflowRefusal]:
    """Return every refusal of the promoter's count of the staff reached: none at all, or all three numbers
    with the two groups within the total."""
    if staff_reached is None and low_skilled is None and aged_55_plus is None:
        return []
    return count_refusals(
        staff_reached,
        {"staff_reached_low_skilled": low_skilled, "staff_reached_aged_55_plus": aged_55_plus},
        "staff_reached",
    )


@transaction.atomic
def complete_application(
    application: Application,
    *,
    by: User,
    on: datetime.date | None = None,
    staff_reached: int | None = None,
    staff_reached_low_skilled: int | None = None,
    staff_reached_aged_55_plus: int | None = None,
) -> Application:
    """Complete a trajectory in progress, with the promoter's count of the distinct employees it reached
    (optional: the company's closing evaluation counts them too), and invite the company to evaluate it."""
    refusals = staff_reached_refusals(staff_reached, staff_reached_low_skilled, staff_reached_aged_55_plus)
    if refusals:
        raise refusals[0]
    application = _begin(application, by, (Role.PROMOTER, Role.OFFICER), ENDABLE, _("completed"))
    application.ended_on = _require_end_date(application, on or _today())
    application.status = ApplicationStatus.COMPLETED
    application.staff_reached = staff_reached
    application.staff_reached_low_skilled = staff_reached_low_skilled
    application.staff_reached_aged_55_plus = staff_reached_aged_55_plus
    save_as(application, by)
    invite(application, Questionnaire.EVALUATION, _today())
    return application


def stop_refusals(stop_reason: str | None, reason: str | None) -> list[WorkflowRefusal]:
    """Return every refusal of a stop's reason code and text: a known code is needed, "other" needs
    the text, and the text has a maximum length."""
    if stop_reason not in StopReason.values:
        return [WorkflowRefusal(_("Choose why the trajectory stops."), "stop_reason_required", "stop_reason")]
    if stop_reason == StopReason.OTHER and not (reason or "").strip():
        explain = _("Describe the other reason why the trajectory stops.")
        return [WorkflowRefusal(explain, "reason_required", "reason")]
    too_long = reason_refusal((reason or "").strip())
    return [too_long] if too_long else []


@transaction.atomic
def stop_application(
    application: Application,
    *,
    by: User,
    stop_reason: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> Application:
    """Stop a trajectory in progress with a reason code (``StopReason``) and optionally a text, which
    "other" requires."""
    refusals = stop_refusals(stop_reason, reason)
    if refusals:
        raise refusals[0]
    reason = reason.strip()
    application = _begin(application, by, (Role.PROMOTER, Role.OFFICER), ENDABLE, _("stopped"))
    application.ended_on = _require_end_date(application, on or _today())
    application.status = ApplicationStatus.STOPPED
    application.stop_reason, application.reason = stop_reason, reason
    # The history says why in words also when no text was given: the code's label, then the text.
    save_as(application, by, reason=": ".join(filter(None, (str(StopReason(stop_reason).label), reason))))
    invite(application, Questionnaire.EXIT, _today())
    return application


@dataclass(frozen=True)
class Transition:
    """A move an officer makes on one application: its service, the statuses it leaves from, and whether
    it takes a reason (and a stop reason code)."""

    name: str
    service: Callable[..., Application]
    leaves: tuple[str, ...]
    needs_reason: bool = False
    needs_stop_reason: bool = False


TRANSITIONS = {
    transition.name: transition
    for transition in (
        Transition("submit", submit_application, SUBMITTABLE),
        Transition("approve", approve_application, DECIDABLE),
        Transition("reject", reject_application, DECIDABLE, needs_reason=True),
        Transition("withdraw", withdraw_application, WITHDRAWABLE, needs_reason=True),
        Transition("complete", complete_application, ENDABLE),
        Transition("stop", stop_application, ENDABLE, needs_reason=True, needs_stop_reason=True),
    )
}


def transitions_from(status: str) -> list[Transition]:
    """Return the officers' moves an application in ``status`` allows, in the order of the workflow."""
    return [transition for transition in TRANSITIONS.values() if status in transition.leaves]
