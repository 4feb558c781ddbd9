"""The promoters' portal ("Mijn trajecten"): their applications, the coaching sessions, closing a trajectory.

Who may use it: promoters, who see the applications of the projects their organisation runs, and
officers and administrators, who see all of them (``applications_visible_to`` decides) so they can help
a promoter. Everyone else (sector consultants, the cabinet) is refused with 403; anonymous visitors are
sent to the login page. An application outside the user's scope answers 404, whatever the method.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import services
from participants.forms.coaching import CloseForm, CoachingFilterForm, SessionForm
from participants.forms.outcomes import SituationForm
from participants.models import Application, ApplicationStatus, Milestone
from participants.selectors import (
    baseline_of,
    coaching_milestones,
    coaching_overview,
    coaching_sessions_of,
    most_present_at_a_session,
    outcome_status,
    situation_rows,
)
from participants.services.outcomes import BASELINE_STATUSES
from voorsprong.data_version import CachedCountPaginator
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal
from voorsprong.views import role_required

# Each row renders its outcome badges; 25 fill a screen and keep the page light, the rest is a page away.
PAGE_SIZE = 25


@role_required(Role.PROMOTER, Role.OFFICER)
@require_GET
def application_list(request):
    filters = CoachingFilterForm(request.GET or None, user=request.user)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    rows = coaching_overview(request.user, **criteria)
    page = CachedCountPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read once here, so the status of each row is computed from the rows the page holds.
    page.object_list, today = list(page.object_list), timezone.localdate()
    for application in page.object_list:
        application.outcome = outcome_status(application, today)
    return render(
        request,
        "participants/coaching/application_list.html",
        {"filters": filters, "page": page, "milestone_count": len(Milestone)},
    )


def _coached_application(request, pk: int) -> Application:
    return get_object_or_404(coaching_overview(request.user), pk=pk)


def _detail(request, application: Application, session_form=None, baseline_form=None):
    milestones = coaching_milestones(application)
    baseline = baseline_of(application)
    can_record_baseline = application.status in BASELINE_STATUSES
    if baseline_form is None and can_record_baseline:
        baseline_form = SituationForm(initial=SituationForm.initial_for(baseline))
    if session_form is None:
        # Suggest the first milestone still to reach; the promoter rarely has to change it.
        upcoming = [milestone["value"] for milestone in milestones if not milestone["reached"]]
        session_form = SessionForm(
            application=application, initial={"kind": upcoming[0] if upcoming else Milestone.CLOSING}
        )
    return render(
        request,
        "participants/coaching/application_detail.html",
        {
            "application": application,
            "sessions": coaching_sessions_of(application),
            "milestones": milestones,
            "milestone_count": len(milestones),
            "can_log": application.status in (ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS),
            "can_close": application.status == ApplicationStatus.IN_PROGRESS,
            "session_form": session_form,
            "baseline": baseline,
            "baseline_rows": situation_rows(baseline),
            "can_record_baseline": can_record_baseline,
            "baseline_form": baseline_form,
            "outcome": outcome_status(application, timezone.localdate()),
        },
    )


@role_required(Role.PROMOTER, Role.OFFICER)
@require_GET
def application_detail(request, pk):
    return _detail(request, _coached_application(request, pk))


@role_required(Role.PROMOTER, Role.OFFICER)
@require_POST
def log_session(request, pk):
    application = _coached_application(request, pk)
    form = SessionForm(request.POST, application=application)
    if form.is_valid():
        try:
            services.log_coaching_session(application, by=request.user, **form.cleaned_data)
        except WorkflowRefusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, _("The session is logged."))
            return redirect("coaching:application", pk=application.pk)
    return _detail(request, application, session_form=form)


@role_required(Role.PROMOTER, Role.OFFICER)
@require_POST
def record_baseline(request, pk):
    """Record the company's situation at intake, or correct it while the trajectory runs."""
    application = _coached_application(request, pk)
    form = SituationForm(request.POST)
    if form.is_valid():
        try:
            services.record_baseline(application, by=request.user, answers=form.answers())
        except WorkflowRefusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, _("The situation at intake is saved."))
            return redirect("coaching:application", pk=application.pk)
    return _detail(request, application, baseline_form=form)


def _closing(request, application: Application, close_form):
    milestones = coaching_milestones(application)
    return render(
        request,
        "participants/coaching/close.html",
        {
            "application": application,
            "milestones": milestones,
            "milestones_reached": sum(milestone["reached"] for milestone in milestones),
            "most_present": most_present_at_a_session(application),
            "close_form": close_form,
        },
    )


@role_required(Role.PROMOTER, Role.OFFICER)
@require_http_methods(["GET", "POST"])
def close_application(request, pk):
    """Ask the promoter to confirm the closing, showing the milestones reached; close once confirmed."""
    application = _coached_application(request, pk)
    if request.method == "GET":
        if application.status != ApplicationStatus.IN_PROGRESS:
            return redirect("coaching:application", pk=application.pk)
        return _closing(request, application, CloseForm(initial={"outcome": request.GET.get("outcome")}))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["outcome"] == ApplicationStatus.COMPLETED:
                services.complete_application(application, by=request.user, **form.staff_counts())
                done = _("The trajectory is marked as completed.")
            else:
                services.stop_application(
                    application,
                    by=request.user,
                    stop_reason=form.cleaned_data["stop_reason"],
                    reason=form.cleaned_data["reason"],
                )
                done = _("The trajectory is stopped.")
        except WorkflowRefusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, done)
            return redirect("coaching:application", pk=application.pk)
    return _closing(request, application, form)
