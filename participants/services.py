"""State changes of applications: every workflow transition has one function here.

Each runs in one transaction, locks what it changes, and saves through django-simple-history with
the acting user and the reason, so the history answers who, when, from, to and why.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participants.models import APPROVED_STATUSES, Application, ApplicationStatus, Company
from trajects.models import CapacityPeriod, Project, Traject
from voorsprong.models import User
from voorsprong.roles import Role

S = ApplicationStatus


class WorkflowRefusal(Exception):
    """An action the rules do not allow; ``code`` is stable for API clients, the message is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _today() -> datetime.date:
    return timezone.localdate()


def _require_role(user: User, *roles: Role) -> None:
    if user.is_superuser or any(user.has_role(role) for role in (*roles, Role.ADMIN)):
        return
    raise WorkflowRefusal(_("You are not allowed to do this."), "forbidden")


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("company", "traject").get(pk=application.pk)


def _require_status(application: Application, allowed: tuple[str, ...], action: str) -> None:
    if application.status not in allowed:
        raise WorkflowRefusal(
            _("An application that is %(status)s cannot be %(action)s.")
            % {"status": application.get_status_display().lower(), "action": action},
            "invalid_transition",
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowRefusal(_("Give a reason."), "reason_required")
    return reason


def _begin(
    application: Application, by: User, roles: tuple[Role, ...], allowed: tuple[str, ...], action: str
):
    """The common start of a transition: who may, the application locked, and from where."""
    _require_role(by, *roles)
    application = _locked(application)
    _require_status(application, allowed, action)
    return application


def _save(application: Application, by: User, reason: str = "") -> None:
    application._history_user = by
    application._change_reason = reason
    application.save()


@transaction.atomic
def create_application(
    *, company: Company, traject: Traject, by: User, project: Project | None = None
) -> Application:
    _require_role(by, Role.OFFICER, Role.SECTOR_CONSULTANT)
    if project is not None and project.traject_id != traject.pk:
        raise WorkflowRefusal(_("The project belongs to another traject."), "invalid_project")
    application = Application(company=company, traject=traject, project=project, status=S.DRAFT)
    try:
        with transaction.atomic():
            _save(application, by)
    except IntegrityError as error:
        raise WorkflowRefusal(
            _("%(company)s already has an open application for %(traject)s.")
            % {"company": company.name, "traject": traject.name},
            "duplicate_application",
        ) from error
    return application


@transaction.atomic
def submit_application(application: Application, *, by: User, on: datetime.date | None = None) -> Application:
    application = _begin(application, by, (Role.OFFICER, Role.SECTOR_CONSULTANT), (S.DRAFT,), _("submitted"))
    application.status, application.submitted_on = S.SUBMITTED, on or _today()
    _save(application, by)
    return application


def check_eligibility(company: Company, traject: Traject) -> None:
    """Refuses a company the traject may not take, saying why.

    A valid KBO number needs no check here: the database refuses any other.
    """
    if not traject.allows(company.size_class):
        raise WorkflowRefusal(
            _("%(traject)s is not open to a company of size class %(size_class)s.")
            % {"traject": traject.name, "size_class": company.get_size_class_display().lower()},
            "not_eligible",
        )
    if not company.is_active:
        raise WorkflowRefusal(
            _("%(company)s is marked as stopped in the KBO.") % {"company": company.name}, "not_eligible"
        )


def _take_place(traject: Traject, day: datetime.date) -> CapacityPeriod:
    """Locks the capacity period of ``day`` and refuses when all its places are taken.

    The row lock (PostgreSQL) or the immediate write lock (SQLite) makes concurrent approvals wait
    for each other, so the count below cannot go stale before this transaction commits.
    """
    period = (
        CapacityPeriod.objects.select_for_update()
        .filter(traject=traject, start__lte=day, end__gte=day)
        .first()
    )
    if period is None:
        raise WorkflowRefusal(
            _("%(traject)s has no capacity period that contains %(day)s.")
            % {"traject": traject.name, "day": date_format(day, "SHORT_DATE_FORMAT")},
            "no_free_place",
        )
    taken = Application.objects.filter(capacity_period=period, status__in=APPROVED_STATUSES).count()
    if taken >= period.places:
        raise WorkflowRefusal(
            _("The period %(start)s – %(end)s has %(places)s places and all are taken.")
            % {
                "start": date_format(period.start, "SHORT_DATE_FORMAT"),
                "end": date_format(period.end, "SHORT_DATE_FORMAT"),
                "places": period.places,
            },
            "no_free_place",
        )
    return period


@transaction.atomic
def approve_application(
    application: Application, *, by: User, on: datetime.date | None = None
) -> Application:
    application = _begin(application, by, (Role.OFFICER,), (S.SUBMITTED,), _("approved"))
    check_eligibility(application.company, application.traject)
    day = on or _today()
    application.capacity_period = _take_place(application.traject, day)
    application.status, application.decided_on, application.decided_by = S.APPROVED, day, by
    _save(application, by)
    return application


@transaction.atomic
def reject_application(
    application: Application, *, by: User, reason: str, on: datetime.date | None = None
) -> Application:
    reason = _require_reason(reason)
    application = _begin(application, by, (Role.OFFICER,), (S.SUBMITTED,), _("rejected"))
    application.status, application.decided_on, application.decided_by = S.REJECTED, on or _today(), by
    application.reason = reason
    _save(application, by, reason)
    return application


@transaction.atomic
def withdraw_application(
    application: Application, *, by: User, reason: str, on: datetime.date | None = None
) -> Application:
    """On the company's request; an approved application gives its place back."""
    reason = _require_reason(reason)
    application = _begin(application, by, (Role.OFFICER,), (S.SUBMITTED, S.APPROVED), _("withdrawn"))
    application.status, application.ended_on, application.reason = S.WITHDRAWN, on or _today(), reason
    _save(application, by, reason)
    return application
