"""The officers' workflow: every allowed move, every refused one, eligibility, places and history."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from participants import services
from participants.models import Application, ApplicationStatus, Milestone, StopReason
from participants.selectors import application_history, approved_company_counts
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def traject():
    traject = TrajectFactory(code="leren")
    CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31), places=2
    )
    return traject


def state(application):
    """Return everything a refused action must leave as it was."""
    fresh = Application.objects.get(pk=application.pk)
    return (
        fresh.status,
        fresh.decided_on,
        fresh.ended_on,
        fresh.started_on,
        fresh.capacity_period_id,
        fresh.reason,
        fresh.history.count(),
        fresh.sessions.count(),
    )


def refused(code, action, application, **kwargs):
    before = state(application)
    with pytest.raises(WorkflowRefusal) as refusal:
        action(application, **kwargs)
    assert refusal.value.code == code
    assert state(application) == before
    return refusal.value.message


# -- allowed moves -------------------------------------------------------------------------------
def test_draft_is_submitted_then_approved_taking_a_place(traject, officer):
    application = services.create_application(company=CompanyFactory(), traject=traject, by=officer)
    assert application.status == ApplicationStatus.DRAFT
    services.submit_application(application, by=officer, on=datetime.date(2025, 3, 1))
    approved = services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.decided_on == datetime.date(2025, 3, 10)
    assert approved.decided_by == officer
    assert approved.capacity_period.start == datetime.date(2025, 1, 1)


def test_a_sector_consultant_may_submit_after_the_intake(traject):
    consultant = UserFactory(role=Role.SECTOR_CONSULTANT)
    application = services.create_application(company=CompanyFactory(), traject=traject, by=consultant)
    assert services.submit_application(application, by=consultant).status == ApplicationStatus.SUBMITTED


def test_rejection_keeps_the_reason(traject, officer):
    application = ApplicationFactory(traject=traject)
    rejected = services.reject_application(
        application, by=officer, reason="Onvolledig dossier", on=datetime.date(2025, 3, 5)
    )
    assert (rejected.status, rejected.reason, rejected.decided_on) == (
        ApplicationStatus.REJECTED,
        "Onvolledig dossier",
        datetime.date(2025, 3, 5),
    )


def test_a_long_reason_is_kept_whole_in_the_history(traject, officer):
    """The history's reason column is text: PostgreSQL refused a reason of over 100 characters."""
    reason = "Het actieplan ontbreekt en de begroting is onvolledig. " * 30
    rejected = services.reject_application(ApplicationFactory(traject=traject), by=officer, reason=reason)
    assert rejected.history.latest().history_change_reason == reason.strip()


@pytest.mark.parametrize("approve_first", [False, True])
def test_withdrawal_from_submitted_or_approved_frees_the_place(traject, officer, approve_first):
    application = ApplicationFactory(traject=traject)
    if approve_first:
        services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    withdrawn = services.withdraw_application(
        application, by=officer, reason="Op vraag", on=datetime.date(2025, 4, 1)
    )
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    # Both places are free again: two more approvals fit.
    for _ in range(2):
        services.approve_application(
            ApplicationFactory(traject=traject), by=officer, on=datetime.date(2025, 4, 2)
        )


# -- coaching: start, complete, stop ------------------------------------------------------------
SESSION = {"date": datetime.date(2025, 4, 1), "hours": Decimal("2.50"), "kind": Milestone.INTAKE}


@pytest.fixture
def promoter():
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())


@pytest.fixture
def assigned(traject, promoter):
    """Return an approved application of a project that the promoter's organisation runs."""
    project = ProjectFactory(traject=traject, organisations=[promoter.organisation])
    return ApprovedApplicationFactory(
        traject=traject, project=project, capacity_period=traject.capacity_periods.get()
    )


def test_the_first_session_starts_the_trajectory(assigned, promoter):
    session = services.log_coaching_session(assigned, by=promoter, **SESSION, employees_present=4)
    assigned.refresh_from_db()
    assert (assigned.status, assigned.started_on) == (
        ApplicationStatus.IN_PROGRESS,
        datetime.date(2025, 4, 1),
    )
    assert (session.hours, session.logged_by, session.employees_present) == (Decimal("2.50"), promoter, 4)
    services.log_coaching_session(assigned, by=promoter, **{**SESSION, "date": datetime.date(2025, 5, 1)})
    assigned.refresh_from_db()
    assert (assigned.status, assigned.started_on, assigned.sessions.count()) == (
        ApplicationStatus.IN_PROGRESS,
        datetime.date(2025, 4, 1),
        2,
    )


def test_a_session_logged_late_moves_the_start_back(assigned, promoter):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    services.log_coaching_session(assigned, by=promoter, **{**SESSION, "date": datetime.date(2025, 3, 20)})
    assigned.refresh_from_db()
    assert assigned.started_on == datetime.date(2025, 3, 20)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"date": datetime.date(2025, 3, 14)}, "invalid_date", "date"),
        ({"hours": Decimal("0")}, "invalid_hours", "hours"),
        ({"hours": Decimal("12.25")}, "invalid_hours", "hours"),
        ({"kind": "lunch"}, "invalid_kind", "kind"),
    ],
)
def test_a_session_with_wrong_values_is_refused(assigned, promoter, change, code, field):
    before = state(assigned)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.log_coaching_session(assigned, by=promoter, **{**SESSION, **change})
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert state(assigned) == before


def test_a_session_in_the_future_is_refused(assigned, promoter):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    message = refused(
        "invalid_date", services.log_coaching_session, assigned, by=promoter, **{**SESSION, "date": tomorrow}
    )
    assert "future" in message or "toekomst" in message


def test_the_promoter_completes_or_stops_the_trajectory(assigned, promoter, traject):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    completed = services.complete_application(assigned, by=promoter, on=datetime.date(2025, 6, 1))
    assert (completed.status, completed.ended_on) == (ApplicationStatus.COMPLETED, datetime.date(2025, 6, 1))
    other = ApprovedApplicationFactory(
        traject=traject, project=assigned.project, capacity_period=assigned.capacity_period
    )
    services.log_coaching_session(other, by=promoter, **SESSION)
    stopped = services.stop_application(
        other,
        by=promoter,
        stop_reason=StopReason.REORGANISATION,
        reason=" Bedrijf herstructureert ",
        on=datetime.date(2025, 5, 1),
    )
    assert (stopped.status, stopped.stop_reason, stopped.reason) == (
        ApplicationStatus.STOPPED,
        "reorganisation",
        "Bedrijf herstructureert",
    )
    stopped.refresh_from_db()
    assert stopped.stop_reason == StopReason.REORGANISATION
    assert stopped.history.first().history_change_reason.endswith(": Bedrijf herstructureert")
    assert approved_company_counts(datetime.date(2025, 12, 31)) == {"leren": 2}


@pytest.mark.parametrize("code", [code for code in StopReason.values if code != StopReason.OTHER])
def test_every_stop_reason_code_but_other_stops_without_a_text(assigned, promoter, code):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    stopped = services.stop_application(assigned, by=promoter, stop_reason=code)
    stopped.refresh_from_db()
    assert (stopped.status, stopped.stop_reason, stopped.reason) == (ApplicationStatus.STOPPED, code, "")
    # The history still says why, in words.
    assert stopped.history.first().history_change_reason == str(StopReason(code).label)


def test_the_stop_reason_other_stops_with_its_text(assigned, promoter):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    stopped = services.stop_application(assigned, by=promoter, stop_reason="other", reason="Zaakvoerder ziek")
    stopped.refresh_from_db()
    assert (stopped.stop_reason, stopped.reason) == (StopReason.OTHER, "Zaakvoerder ziek")


@pytest.mark.parametrize("code", [None, "", "bankrupt", "OTHER", " no_time"])
def test_stopping_without_a_known_code_is_refused(assigned, promoter, code):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    message = refused(
        "stop_reason_required", services.stop_application, assigned, by=promoter, stop_reason=code, reason="x"
    )
    assert message in ("Choose why the trajectory stops.", "Kies waarom het traject stopt.")


@pytest.mark.parametrize("text", ["", "   "])
def test_the_stop_reason_other_needs_its_text(assigned, promoter, text):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    refused(
        "reason_required", services.stop_application, assigned, by=promoter, stop_reason="other", reason=text
    )


def test_ending_cannot_precede_the_start(assigned, promoter):
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    refused(
        "invalid_date", services.complete_application, assigned, by=promoter, on=datetime.date(2025, 3, 31)
    )


def test_a_promoter_of_another_organisation_is_refused(assigned, promoter):
    stranger = UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory())
    refused("forbidden", services.log_coaching_session, assigned, by=stranger, **SESSION)
    services.log_coaching_session(assigned, by=promoter, **SESSION)
    refused("forbidden", services.complete_application, assigned, by=stranger)
    refused("forbidden", services.stop_application, assigned, by=stranger, stop_reason="no_time")


@pytest.mark.parametrize("role", [Role.SECTOR_CONSULTANT, Role.CABINET])
def test_consultants_and_the_cabinet_do_not_coach(assigned, role):
    refused("forbidden", services.log_coaching_session, assigned, by=UserFactory(role=role), **SESSION)


# -- refused moves -------------------------------------------------------------------------------
ACTIONS = {
    "submit": (services.submit_application, {}),
    "approve": (services.approve_application, {"on": datetime.date(2025, 3, 10)}),
    "reject": (services.reject_application, {"reason": "Nee", "on": datetime.date(2025, 3, 10)}),
    "withdraw": (services.withdraw_application, {"reason": "Op vraag", "on": datetime.date(2025, 3, 10)}),
    "log_session": (services.log_coaching_session, SESSION),
    "complete": (services.complete_application, {"on": datetime.date(2025, 6, 1)}),
    "stop": (services.stop_application, {"stop_reason": "no_time", "on": datetime.date(2025, 6, 1)}),
}
ALLOWED_FROM = {
    "submit": {ApplicationStatus.DRAFT},
    "approve": {ApplicationStatus.SUBMITTED},
    "reject": {ApplicationStatus.SUBMITTED},
    "withdraw": {ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED},
    "log_session": {ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS},
    "complete": {ApplicationStatus.IN_PROGRESS},
    "stop": {ApplicationStatus.IN_PROGRESS},
}


def application_in(status, traject):
    fields = {
        ApplicationStatus.DRAFT: {"submitted_on": None},
        ApplicationStatus.SUBMITTED: {},
        ApplicationStatus.APPROVED: {},
        ApplicationStatus.REJECTED: {"decided_on": datetime.date(2025, 3, 2), "reason": "Nee"},
        ApplicationStatus.WITHDRAWN: {"ended_on": datetime.date(2025, 3, 2), "reason": "Op vraag"},
        ApplicationStatus.IN_PROGRESS: {"started_on": datetime.date(2025, 3, 20)},
        ApplicationStatus.COMPLETED: {
            "started_on": datetime.date(2025, 3, 20),
            "ended_on": datetime.date(2025, 6, 1),
        },
        ApplicationStatus.STOPPED: {
            "started_on": datetime.date(2025, 3, 20),
            "ended_on": datetime.date(2025, 6, 1),
            "stop_reason": StopReason.NO_TIME,
        },
    }[status]
    if status in (
        ApplicationStatus.APPROVED,
        ApplicationStatus.IN_PROGRESS,
        ApplicationStatus.COMPLETED,
        ApplicationStatus.STOPPED,
    ):
        return ApprovedApplicationFactory(
            traject=traject, status=status, capacity_period=traject.capacity_periods.get(), **fields
        )
    return ApplicationFactory(traject=traject, status=status, **fields)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (action, status)
        for action in ACTIONS
        for status in ApplicationStatus.values
        if status not in ALLOWED_FROM[action]
    ],
)
def test_every_other_move_is_refused_and_changes_nothing(traject, officer, action, status):
    function, kwargs = ACTIONS[action]
    message = refused("invalid_transition", function, application_in(status, traject), by=officer, **kwargs)
    assert "cannot be" in message or "kan niet" in message


@pytest.mark.parametrize("action", ["reject", "withdraw"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_and_withdrawing_need_a_reason(traject, officer, action, reason):
    function, _kwargs = ACTIONS[action]
    refused("reason_required", function, ApplicationFactory(traject=traject), by=officer, reason=reason)


@pytest.mark.parametrize("role", [Role.PROMOTER, Role.SECTOR_CONSULTANT, Role.CABINET])
def test_only_officers_decide(traject, role):
    user = UserFactory(role=role)
    application = ApplicationFactory(traject=traject)
    refused("forbidden", services.approve_application, application, by=user)
    refused("forbidden", services.reject_application, application, by=user, reason="Nee")


# -- eligibility and places ----------------------------------------------------------------------
def test_a_large_company_is_not_eligible_for_an_sme_traject(traject, officer):
    large = CompanyFactory(staff_headcount=400, turnover=None, balance_sheet_total=None)
    message = refused(
        "not_eligible",
        services.approve_application,
        ApplicationFactory(traject=traject, company=large),
        by=officer,
    )
    assert traject.name in message


def test_werk_takes_every_size_class(officer):
    werk = TrajectFactory(
        code="werk", allowed_size_classes=["micro", "small", "medium", "large", "non_profit"]
    )
    CapacityPeriodFactory(traject=werk)
    non_profit = CompanyFactory(legal_form="vzw", is_non_profit=True)
    application = ApplicationFactory(traject=werk, company=non_profit)
    assert (
        services.approve_application(application, by=officer, on=datetime.date(2025, 5, 1)).status
        == ApplicationStatus.APPROVED
    )


def test_a_stopped_company_is_not_eligible(traject, officer):
    application = ApplicationFactory(traject=traject, company=CompanyFactory(is_active=False))
    refused(
        "company_inactive",
        services.approve_application,
        application,
        by=officer,
        on=datetime.date(2025, 3, 10),
    )


def test_no_free_place_says_how_many_places_the_period_has(traject, officer):
    for _ in range(2):
        services.approve_application(
            ApplicationFactory(traject=traject), by=officer, on=datetime.date(2025, 3, 10)
        )
    message = refused(
        "no_free_place",
        services.approve_application,
        ApplicationFactory(traject=traject),
        by=officer,
        on=datetime.date(2025, 3, 11),
    )
    assert "2" in message


def test_no_capacity_period_on_the_decision_date_is_refused(traject, officer):
    refused(
        "no_free_place",
        services.approve_application,
        ApplicationFactory(traject=traject),
        by=officer,
        on=datetime.date(2026, 1, 5),
    )


def test_the_place_comes_from_the_period_of_the_decision_date(traject, officer):
    later = CapacityPeriodFactory(
        traject=traject, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), places=1
    )
    application = ApplicationFactory(traject=traject, submitted_on=datetime.date(2025, 12, 20))
    assert (
        services.approve_application(application, by=officer, on=datetime.date(2026, 1, 5)).capacity_period
        == later
    )


def test_one_open_application_per_company_and_traject(traject, officer):
    first = ApplicationFactory(traject=traject)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.create_application(company=first.company, traject=traject, by=officer)
    assert refusal.value.code == "duplicate_application"
    assert Application.objects.filter(company=first.company).count() == 1


def test_the_project_must_belong_to_the_traject(traject, officer):
    other = ProjectFactory()
    with pytest.raises(WorkflowRefusal) as refusal:
        services.create_application(company=CompanyFactory(), traject=traject, by=officer, project=other)
    assert refusal.value.code == "invalid_project"
    assert not Application.objects.exists()


# -- history and as-of counting ------------------------------------------------------------------
def test_history_says_who_when_from_to_and_why(traject, officer):
    application = services.create_application(company=CompanyFactory(), traject=traject, by=officer)
    services.submit_application(application, by=officer, on=datetime.date(2025, 3, 1))
    services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    services.withdraw_application(application, by=officer, reason="Op vraag van de zaakvoerder")
    history = application_history(application)
    assert [(row["from"], row["to"]) for row in history] == [
        (None, ApplicationStatus.DRAFT),
        (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED),
        (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED),
        (ApplicationStatus.APPROVED, ApplicationStatus.WITHDRAWN),
    ]
    assert {row["by"] for row in history} == {officer.username}
    assert history[-1]["reason"] == "Op vraag van de zaakvoerder"


def test_approved_before_and_withdrawn_after_the_date_still_counts(traject, officer):
    application = ApplicationFactory(traject=traject)
    services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
    services.withdraw_application(application, by=officer, reason="Op vraag", on=datetime.date(2025, 6, 1))
    assert approved_company_counts(datetime.date(2025, 3, 9)) == {}
    assert approved_company_counts(datetime.date(2025, 3, 10)) == {"leren": 1}
    assert approved_company_counts(datetime.date(2025, 5, 31)) == {"leren": 1}
    assert approved_company_counts(datetime.date(2025, 6, 1)) == {}


# -- concurrency ---------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_officers_racing_for_five_places_overbook_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises writers anyway)")
    traject = TrajectFactory(code="leren")
    CapacityPeriodFactory(
        traject=traject, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31), places=5
    )
    officer = UserFactory(role=Role.OFFICER)
    applications = [ApplicationFactory(traject=traject) for _ in range(20)]
    outcomes, barrier = [], threading.Barrier(20)

    def approve(application):
        try:
            barrier.wait()
            services.approve_application(application, by=officer, on=datetime.date(2025, 3, 10))
            outcomes.append("approved")
        except WorkflowRefusal as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # anything else is a failure the assertion below shows
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved"] * 5 + ["no_free_place"] * 15
    assert Application.objects.filter(status=ApplicationStatus.APPROVED).count() == 5


def test_a_higher_layers_eligibility_check_refuses_the_approval_and_the_withdrawal_runs_its_steps(
    traject, officer, monkeypatch
):
    from participants import hooks

    def no_bakeries(company, traject, day, application):
        if "Bakkerij" in company.name:
            raise WorkflowRefusal("Geen bakkerijen.", "not_eligible")

    given_back = []
    monkeypatch.setattr(hooks, "_eligibility_checks", [no_bakeries])
    monkeypatch.setattr(
        hooks, "_withdrawal_steps", [lambda application, by: given_back.append(application.pk)]
    )
    bakery = ApplicationFactory(traject=traject, company=CompanyFactory(name="Bakkerij Peeters"))
    other = ApplicationFactory(traject=traject)

    assert refused("not_eligible", services.approve_application, bakery, by=officer) == "Geen bakkerijen."
    services.approve_application(other, by=officer, on=datetime.date(2025, 3, 10))
    services.withdraw_application(bakery, by=officer, reason="Op vraag")
    assert given_back == []  # a submitted application gave nothing back
    services.withdraw_application(other, by=officer, reason="Op vraag", on=datetime.date(2025, 4, 1))
    assert given_back == [other.pk]
