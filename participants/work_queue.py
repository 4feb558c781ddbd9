"""The work-queue sections of participants: the applications to decide or to give a promoter, the
trajectories to follow up, and the capacity periods nearly full (``participants.apps`` registers them;
``funding`` adds the declarations and the budget)."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from participants import selectors
from participants.hooks import WorkItem, WorkQueueSection, register_work_queue_section
from participants.models import Application, ApplicationStatus
from trajects.models import CapacityPeriod
from voorsprong.roles import Role


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _application_page(application: Application) -> str:
    # The officers decide and follow an application up on its admin page.
    return reverse("admin:participants_application_change", args=[application.pk])


def _changelist(**filters) -> str:
    return f"{reverse('admin:participants_application_changelist')}?{urlencode(filters)}"


def _decision_target() -> datetime.timedelta:
    return datetime.timedelta(days=settings.DECISION_TARGET_DAYS)


def _decision_target_note() -> str:
    days = settings.DECISION_TARGET_DAYS
    return ngettext(
        "An application waiting longer than %(days)s day for a decision is late.",
        "An application waiting longer than %(days)s days for a decision is late.",
        days,
    ) % {"days": days}


def _awaiting_decision(application: Application, today: datetime.date) -> WorkItem:
    days = (today - application.submitted_on).days
    return WorkItem(
        label=application.company.name,
        url=_application_page(application),
        detail=_("%(traject)s · submitted on %(day)s")
        % {"traject": application.traject.name, "day": _day(application.submitted_on)},
        days=days,
        overdue=days > settings.DECISION_TARGET_DAYS,
    )


def _without_promoter(application: Application, today: datetime.date) -> WorkItem:
    if application.project is None:
        missing = _("no project")
    else:
        missing = _("nobody runs the project %(project)s") % {"project": application.project.name}
    return WorkItem(
        label=application.company.name,
        url=_application_page(application),
        detail=_("%(traject)s · approved on %(day)s · %(missing)s")
        % {"traject": application.traject.name, "day": _day(application.decided_on), "missing": missing},
        days=(today - application.decided_on).days,
    )


def _quiet(application: Application, today: datetime.date) -> WorkItem:
    if application.last_session_on:
        when = _("last session on %(day)s") % {"day": _day(application.last_session_on)}
    else:
        when = _("no session yet, started on %(day)s") % {"day": _day(application.started_on)}
    return WorkItem(
        label=application.company.name,
        # The coaching timeline, where officers see the sessions as the promoter logs them.
        url=reverse("coaching:application", args=[application.pk]),
        detail=f"{application.traject.name} · {when}",
        days=(today - application.quiet_since).days,
    )


def _unanswered(application: Application, today: datetime.date) -> WorkItem:
    return WorkItem(
        label=application.company.name,
        url=_application_page(application),
        detail=_("%(traject)s · completed on %(day)s")
        % {"traject": application.traject.name, "day": _day(application.ended_on)},
        days=(today - application.ended_on).days,
    )


def _nearly_full(period: CapacityPeriod, today: datetime.date) -> WorkItem:
    percent = period.taken * 100 // period.places
    return WorkItem(
        label=_("%(traject)s, %(start)s – %(end)s")
        % {"traject": period.traject.name, "start": _day(period.start), "end": _day(period.end)},
        url=reverse("admin:trajects_capacityperiod_change", args=[period.pk]),
        detail=_("%(taken)s of %(places)s places taken (%(percent)s)")
        % {"taken": period.taken, "places": period.places, "percent": f"{percent} %"},
        overdue=period.taken >= period.places,
    )


SECTIONS = (
    WorkQueueSection(
        key="applications-to-decide",
        title=gettext_lazy("Applications awaiting a decision"),
        roles=(Role.OFFICER,),
        order=10,
        rows=selectors.applications_awaiting_decision,
        item=_awaiting_decision,
        overdue=lambda today: Q(submitted_on__lt=today - _decision_target()),
        note=_decision_target_note,
        full_list=lambda: _changelist(status__exact=ApplicationStatus.SUBMITTED),
        empty=gettext_lazy("No application is waiting for a decision."),
    ),
    WorkQueueSection(
        key="approved-without-promoter",
        title=gettext_lazy("Approved applications without a project or promoter"),
        roles=(Role.OFFICER,),
        order=20,
        rows=selectors.approved_without_promoter,
        item=_without_promoter,
        empty=gettext_lazy("Every approved application has a project that a promoter runs."),
    ),
    WorkQueueSection(
        key="quiet-trajectories",
        title=gettext_lazy("Trajectories without a coaching session for 60 days"),
        roles=(Role.OFFICER,),
        order=40,
        rows=selectors.quiet_trajectories,
        item=_quiet,
        empty=gettext_lazy("Every trajectory in progress had a session in the last 60 days."),
    ),
    WorkQueueSection(
        key="unanswered-evaluations",
        title=gettext_lazy("Completed trajectories without an evaluation after 30 days"),
        roles=(Role.OFFICER,),
        order=50,
        rows=selectors.unanswered_evaluations,
        item=_unanswered,
        empty=gettext_lazy("No evaluation is overdue."),
    ),
    WorkQueueSection(
        key="capacity-warnings",
        title=gettext_lazy("Capacity periods more than 90% taken"),
        roles=(Role.OFFICER,),
        order=70,
        rows=selectors.nearly_full_capacity_periods,
        item=_nearly_full,
        empty=gettext_lazy("Every current capacity period has more than a tenth of its places free."),
    ),
)


def register_sections() -> None:
    for section in SECTIONS:
        register_work_queue_section(section)
