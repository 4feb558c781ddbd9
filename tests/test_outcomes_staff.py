"""The staff side of the outcomes: the situation at intake logged by the promoter or the consultant who
did the intake, the status of the company's questionnaires in the portal, the employees reached at
completion, the answers on the officers' decision page, and the API."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from participants import services
from participants.models import (
    FOLLOW_UP_AFTER,
    Application,
    ApplicationStatus,
    Evaluation,
    ExitAnswer,
    FollowUp,
    Invitation,
    LearningSituation,
    Questionnaire,
    SituationMoment,
)
from participants.selectors import coaching_overview, outcome_status, situation_rows
from tests.clients import client_for as api_client_for
from tests.factories import (
    ApplicationFactory,
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
)
from trajects.models import OrganisationKind
from voorsprong.formats import short_date
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
LIST = "/trajecten/"
# The answers as the portal's form posts them: two barriers, the first weighing most.
FORM = {
    "barriers": ["situational", "digital"],
    "main_barrier": "situational",
    "has_training_policy": "no",
    "has_learning_jobs": "yes",
    "headcount": "40",
    "low_skilled": "12",
    "aged_55_plus": "6",
    "learning_forms": ["informal", "during_working_hours"],
}
# The same answers as the API takes them.
BODY = {**FORM, "has_training_policy": False, "has_learning_jobs": True, "headcount": 40, "low_skilled": 12}
BODY["aged_55_plus"] = 6
STAFF = {"staff_reached": "12", "staff_reached_low_skilled": "3", "staff_reached_aged_55_plus": "2"}


@pytest.fixture(autouse=True)
def _english():
    # English pages, so the assertions read the msgids; the Dutch ones are tested with ``dutch``.
    with translation.override("en"):
        yield


@pytest.fixture
def traject():
    traject = TrajectFactory(code="leren", name="Voorsprong Leren")
    CapacityPeriodFactory(traject=traject)
    return traject


@pytest.fixture
def promoter():
    return UserFactory(
        username="sofie",
        first_name="Sofie",
        last_name="Maes",
        role=Role.PROMOTER,
        organisation=OrganisationFactory(),
    )


@pytest.fixture
def stranger():
    """A promoter of another organisation."""
    return UserFactory(role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo"))


@pytest.fixture
def project(traject, promoter):
    return ProjectFactory(traject=traject, organisations=[promoter.organisation])


@pytest.fixture
def fund():
    return OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)


@pytest.fixture
def consultant(fund):
    return UserFactory(username="wouter", role=Role.SECTOR_CONSULTANT, organisation=fund)


def coached(project, status=ApplicationStatus.APPROVED, **fields):
    """Return an application of ``project`` approved on 15/03/2025, in ``status``."""
    if status != ApplicationStatus.APPROVED:
        fields.setdefault("started_on", datetime.date(2025, 4, 1))
    if status in (ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED):
        fields.setdefault("ended_on", TODAY - 10 * DAY)
    if status == ApplicationStatus.STOPPED:
        fields.setdefault("stop_reason", "no_time")
    return ApprovedApplicationFactory(
        traject=project.traject,
        project=project,
        capacity_period=project.traject.capacity_periods.get(),
        status=status,
        **fields,
    )


@pytest.fixture
def application(project):
    return coached(project, company=CompanyFactory(name="Bakkerij Peeters BV"))


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def baseline_url(application):
    return reverse("coaching:baseline", args=[application.pk])


def answers(**changes) -> services.SituationAnswers:
    fields = {
        "has_training_policy": False,
        "has_learning_jobs": True,
        "headcount": 40,
        "low_skilled": 12,
        "aged_55_plus": 6,
        "barriers": ["situational", "digital"],
        "main_barrier": "situational",
        "learning_forms": ["informal", "during_working_hours"],
    }
    return services.SituationAnswers(**{**fields, **changes})


def baseline_state(application):
    """Return the application's learning situations as they are saved, to compare before and after."""
    return list(LearningSituation.objects.filter(application=application).values())


# -- the promoter logs the situation at intake --------------------------------------------------------
def test_the_promoter_records_the_situation_at_intake_on_the_applications_page(application, promoter):
    client = page_client(promoter)
    page = client.get(reverse("coaching:application", args=[application.pk]))
    assert 'id="baseline-form"' in page.text
    assert "Record the situation at intake" in page.text

    response = client.post(baseline_url(application), FORM)

    assert response.status_code == 302
    situation = LearningSituation.objects.get(application=application)
    assert (situation.moment, situation.recorded_by, situation.recorded_on) == (
        SituationMoment.INTAKE,
        promoter,
        TODAY,
    )
    assert situation.barriers == ["situational", "digital"]
    assert situation.main_barrier == "situational"
    assert (situation.has_training_policy, situation.has_learning_jobs) == (False, True)
    assert (situation.headcount, situation.low_skilled, situation.aged_55_plus) == (40, 12, 6)
    assert situation.learning_forms == ["informal", "during_working_hours"]
    page = client.get(response["Location"]).text
    assert "The situation at intake is saved." in page
    assert f"Recorded on {short_date(TODAY)} by Sofie Maes." in page
    assert "Correct the situation at intake" in page


def test_the_page_shows_the_answers_and_offers_them_for_correction(application, promoter):
    services.record_baseline(application, by=promoter, answers=answers())
    response = page_client(promoter).get(reverse("coaching:application", args=[application.pk]))
    rows = {row.question: row.intake for row in response.context["baseline_rows"]}
    assert rows["Situational: time, workload, family"] is True
    assert rows["Financial"] is False
    assert rows["Staff headcount"] == 40
    assert rows["Barrier that weighs most"] == "Situational: time, workload, family"
    form = response.context["baseline_form"]
    assert form["barriers"].value() == ["situational", "digital"]
    assert form["headcount"].value() == 40
    assert re.search(r'value="no"[^>]*id="id_has_training_policy_1"[^>]*checked', response.text)


def test_the_promoter_corrects_the_situation_while_the_trajectory_runs(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    services.record_baseline(application, by=promoter, answers=answers(), on=TODAY - 30 * DAY)

    response = page_client(promoter).post(
        baseline_url(application), {**FORM, "headcount": "45", "barriers": [], "main_barrier": ""}
    )

    assert response.status_code == 302
    situation = LearningSituation.objects.get(application=application)
    assert (situation.headcount, situation.barriers, situation.main_barrier) == (45, [], "")
    # Still the intake's day: a report of a date since then keeps counting the baseline.
    assert situation.recorded_on == TODAY - 30 * DAY
    assert situation.history.first().history_change_reason == "Corrected"


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        (ApplicationStatus.COMPLETED, {}),
        (ApplicationStatus.STOPPED, {}),
    ],
)
def test_no_baseline_once_the_trajectory_ended(project, promoter, status, fields):
    application = coached(project, status, **fields)
    client = page_client(promoter)
    page = client.get(reverse("coaching:application", args=[application.pk]))
    assert 'id="baseline-form"' not in page.text
    assert "The situation at intake was not recorded." in page.text

    response = client.post(baseline_url(application), FORM)

    assert response.status_code == 200
    assert "The situation at intake is recorded between the approval and the end of the trajectory." in (
        response.text
    )
    assert baseline_state(application) == []


def test_another_organisations_promoter_gets_404_and_saves_nothing(application, stranger):
    response = page_client(stranger).post(baseline_url(application), FORM)
    assert response.status_code == 404
    assert baseline_state(application) == []


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"low_skilled": "41", "aged_55_plus": "50"},
            {
                "low_skilled": ["This group cannot be larger than the 40 employees in all."],
                "aged_55_plus": ["This group cannot be larger than the 40 employees in all."],
            },
        ),
        ({"main_barrier": "financial"}, {"main_barrier": ["Choose which of the barriers met weighs most."]}),
        (
            {"barriers": [], "main_barrier": "financial"},
            {"main_barrier": ["A barrier that weighs most must be one of the barriers met."]},
        ),
        ({"has_training_policy": ""}, {"has_training_policy": ["Answer yes or no."]}),
        ({"headcount": "-1"}, {"headcount": ["Give a number of employees from 0 to 1.000.000."]}),
    ],
)
def test_answers_that_do_not_fit_are_refused_at_their_field_and_save_nothing(
    project, promoter, changes, errors
):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    services.record_baseline(application, by=promoter, answers=answers(), on=TODAY - DAY)
    before = baseline_state(application)

    response = page_client(promoter).post(baseline_url(application), {**FORM, **changes})

    assert response.status_code == 200
    assert response.context["baseline_form"].errors == errors
    # The form opens again with the errors, the rest of the page as it was.
    assert '<details class="baseline" open>' in response.text
    assert baseline_state(application) == before


def test_every_error_of_the_baseline_is_shown_at_once_in_dutch(application, promoter):
    with translation.override("nl-be"):
        response = page_client(promoter).post(
            baseline_url(application), {**FORM, "headcount": "", "has_learning_jobs": "", "main_barrier": ""}
        )
        errors = response.context["baseline_form"].errors
        assert set(errors) == {"headcount", "has_learning_jobs", "main_barrier"}
        assert errors["has_learning_jobs"] == ["Antwoord ja of nee."]
    assert "Kies welke van de aangevinkte drempels het zwaarst weegt." in response.text
    assert "Welke drempels om te leren zijn er?" in response.text
    assert baseline_state(application) == []


# -- the status of the outcomes in the portal ---------------------------------------------------------
def invite(application, questionnaire, sent_on, reminders=0, last=None):
    return Invitation.objects.create(
        application=application,
        questionnaire=questionnaire,
        sent_on=sent_on,
        reminders_sent=reminders,
        last_reminded_on=last,
    )


def status_of(application):
    """Return the application's outcome status as the portal reads it."""
    read = coaching_overview(UserFactory(role=Role.OFFICER)).get(pk=application.pk)
    status = outcome_status(read, TODAY)
    return status.baseline_on, [(q.questionnaire, q.state, q.on, q.reminders) for q in status.questionnaires]


def test_a_running_trajectory_shows_only_its_baseline(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    assert status_of(application) == (None, [])
    services.record_baseline(application, by=promoter, answers=answers(), on=TODAY - 3 * DAY)
    assert status_of(application) == (TODAY - 3 * DAY, [])


def test_a_completed_trajectory_shows_the_evaluation_and_the_follow_up(project):
    application = coached(project, ApplicationStatus.COMPLETED, ended_on=TODAY - 20 * DAY)
    assert status_of(application)[1] == [
        ("evaluation", "not_invited", None, 0),
        # Six months after the end, the beat asks it.
        ("follow_up", "due", TODAY - 20 * DAY + FOLLOW_UP_AFTER, 0),
    ]
    invite(application, Questionnaire.EVALUATION, TODAY - 20 * DAY)
    assert status_of(application)[1][0] == ("evaluation", "invited", TODAY - 20 * DAY, 0)
    Invitation.objects.update(reminders_sent=1, last_reminded_on=TODAY - 6 * DAY)
    assert status_of(application)[1][0] == ("evaluation", "reminded", TODAY - 6 * DAY, 1)
    Evaluation.objects.create(
        application=application, usefulness=4, coach_quality=4, learning_culture_effect=3, would_recommend=5
    )
    assert status_of(application)[1][0] == ("evaluation", "answered", TODAY, 0)


def test_a_questionnaire_whose_last_link_expired_counts_as_no_answer(project):
    application = coached(project, ApplicationStatus.COMPLETED, ended_on=TODAY - 400 * DAY)
    # Reminded twice, the last time 61 days ago: that link, valid 60 days, expired yesterday.
    invite(application, Questionnaire.EVALUATION, TODAY - 91 * DAY, reminders=2, last=TODAY - 61 * DAY)
    invite(application, Questionnaire.FOLLOW_UP, TODAY - 10 * DAY)
    FollowUp.objects.create(
        application=application, training_policy_applied=True, learning_continued=True, employees_learned=4
    )
    assert status_of(application)[1] == [
        ("evaluation", "no_answer", TODAY - 61 * DAY, 2),
        ("follow_up", "answered", TODAY, 0),
    ]


def test_a_stopped_trajectory_shows_the_exit_questionnaire(project):
    application = coached(project, ApplicationStatus.STOPPED)
    assert status_of(application)[1] == [("exit", "not_invited", None, 0)]
    invite(application, Questionnaire.EXIT, TODAY - 2 * DAY)
    assert status_of(application)[1] == [("exit", "invited", TODAY - 2 * DAY, 0)]


def test_the_list_shows_each_rows_outcomes(project, promoter):
    running = coached(project, ApplicationStatus.IN_PROGRESS, company=CompanyFactory(name="A BV"))
    services.record_baseline(running, by=promoter, answers=answers())
    completed = coached(project, ApplicationStatus.COMPLETED, company=CompanyFactory(name="B BV"))
    invite(completed, Questionnaire.EVALUATION, TODAY - 20 * DAY, reminders=1, last=TODAY - 6 * DAY)
    stopped = coached(project, ApplicationStatus.STOPPED, company=CompanyFactory(name="C BV"))

    text = page_client(promoter).get(LIST).text

    rows = text.split('data-testid="application"')[1:]
    assert 'data-testid="baseline" data-state="recorded"' in rows[0]
    assert 'data-questionnaire="evaluation" data-state="reminded"' in rows[1]
    assert "1× reminded" in rows[1]
    assert 'data-questionnaire="follow_up" data-state="due"' in rows[1]
    assert 'data-testid="baseline" data-state="missing"' in rows[2]
    assert 'data-questionnaire="exit" data-state="not_invited"' in rows[2]
    assert [running.pk, completed.pk, stopped.pk] == [
        application.pk for application in page_client(promoter).get(LIST).context["page"]
    ]


def _list_queries(promoter) -> int:
    client = page_client(promoter)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_lists_outcomes_take_the_same_queries_for_3_and_30_applications(project, promoter):
    def add(count):
        for number in range(count):
            running = coached(project, ApplicationStatus.IN_PROGRESS)
            services.record_baseline(running, by=promoter, answers=answers())
            completed = coached(project, ApplicationStatus.COMPLETED)
            reminded = number % 3 and 1
            invite(
                completed,
                Questionnaire.EVALUATION,
                TODAY - 20 * DAY,
                reminders=reminded,
                last=TODAY - 6 * DAY if reminded else None,
            )
            stopped = coached(project, ApplicationStatus.STOPPED)
            invite(stopped, Questionnaire.EXIT, TODAY - DAY)

    Invitation.objects.all().delete()
    add(1)
    few = _list_queries(promoter)
    add(9)
    assert _list_queries(promoter) == few


# -- completing: the employees reached ----------------------------------------------------------------
def close_url(application):
    return reverse("coaching:close", args=[application.pk])


def test_completing_asks_the_employees_reached_and_says_the_sessions_are_not_added_up(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    for present in (4, 9, 6):
        CoachingSessionFactory(
            application=application, date=datetime.date(2025, 4, present), employees_present=present
        )
    response = page_client(promoter).get(close_url(application), {"outcome": "completed"})
    form = response.context["close_form"]
    assert all(form.fields[name].required for name in STAFF)
    assert "The numbers present at the sessions are not added up" in response.text
    assert "At most 9 employees were present at one session." in response.text


def test_completing_saves_the_employees_reached(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    response = page_client(promoter).post(
        close_url(application), {"outcome": "completed", "confirm": "on", **STAFF}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.staff_reached) == (ApplicationStatus.COMPLETED, 12)
    assert (application.staff_reached_low_skilled, application.staff_reached_aged_55_plus) == (3, 2)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"staff_reached": "", "staff_reached_low_skilled": "", "staff_reached_aged_55_plus": ""},
            {
                "staff_reached": ["Give the number of employees, 0 if none."],
                "staff_reached_low_skilled": ["Give the number of employees, 0 if none."],
                "staff_reached_aged_55_plus": ["Give the number of employees, 0 if none."],
            },
        ),
        (
            {"staff_reached_low_skilled": "13", "staff_reached_aged_55_plus": "20"},
            {
                "staff_reached_low_skilled": ["This group cannot be larger than the 12 employees in all."],
                "staff_reached_aged_55_plus": ["This group cannot be larger than the 12 employees in all."],
            },
        ),
    ],
)
def test_completing_without_a_fitting_count_changes_nothing(project, promoter, changes, errors):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    response = page_client(promoter).post(
        close_url(application), {"outcome": "completed", "confirm": "on", **STAFF, **changes}
    )
    assert response.status_code == 200
    assert response.context["close_form"].errors == errors
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.status, fresh.staff_reached, Invitation.objects.count()) == (
        ApplicationStatus.IN_PROGRESS,
        None,
        0,
    )


def test_stopping_asks_no_count(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    response = page_client(promoter).post(
        close_url(application), {"outcome": "stopped", "stop_reason": "no_time", "confirm": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.staff_reached) == (ApplicationStatus.STOPPED, None)


def test_the_session_count_is_labelled_present_at_this_session(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    with translation.override("nl-be"):
        response = page_client(promoter).get(reverse("coaching:application", args=[application.pk]))
        assert response.context["session_form"].fields["employees_present"].label == "Aanwezig op deze sessie"
    header = response.text.split('data-testid="sessions"', 1)[1].split("</thead>", 1)[0]
    assert "Aanwezig op deze sessie" in header
    assert "Bereikte werknemers" not in header


# -- the sector consultant who did the intake ---------------------------------------------------------
def referred(project, consultant, *, intake_by, status=ApplicationStatus.APPROVED, follow_progress=True):
    company = CompanyFactory(name="Schrijnwerkerij Claes")
    referral = ReferralFactory(
        company=company,
        traject=project.traject,
        sector_fund=consultant.organisation,
        consultant=consultant,
        intake_by=intake_by,
        follow_progress=follow_progress,
    )
    application = coached(project, status, company=company, referral=referral)
    return referral, application


def consultant_url(referral):
    return reverse("referrals:baseline", args=[referral.pk])


def test_the_consultant_who_did_the_intake_records_the_situation_from_the_referrals(project, consultant):
    referral, application = referred(project, consultant, intake_by=consultant)
    client = page_client(consultant)
    listed = client.get(reverse("referrals:list")).text
    assert f'href="{consultant_url(referral)}" data-testid="baseline-link">Record</a>' in listed

    assert 'id="baseline-form"' in client.get(consultant_url(referral)).text
    response = client.post(consultant_url(referral), FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:list")
    situation = LearningSituation.objects.get(application=application)
    assert (situation.recorded_by, situation.headcount) == (consultant, 40)
    listed = client.get(reverse("referrals:list"))
    assert [str(message) for message in get_messages(listed.wsgi_request)] == [
        "The situation at intake of Schrijnwerkerij Claes is saved."
    ]
    assert f"recorded on {short_date(TODAY)}" in listed.text
    assert ">Correct</a>" in listed.text


def test_the_consultant_may_record_it_also_when_not_following_the_progress(project, consultant):
    referral, application = referred(project, consultant, intake_by=consultant, follow_progress=False)
    assert page_client(consultant).post(consultant_url(referral), FORM).status_code == 302
    assert LearningSituation.objects.filter(application=application).exists()


def test_a_consultant_who_did_not_do_the_intake_is_refused(project, consultant, fund):
    colleague = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    # The consultant referred the company, but the colleague did the intake.
    referral, application = referred(project, consultant, intake_by=colleague)
    client = page_client(consultant)
    assert "baseline-link" not in client.get(reverse("referrals:list")).text
    assert client.get(consultant_url(referral)).status_code == 404
    assert client.post(consultant_url(referral), FORM).status_code == 404
    assert page_client(colleague).get(consultant_url(referral)).status_code == 200
    assert baseline_state(application) == []


def test_the_consultant_records_nothing_before_the_approval(project, consultant):
    referral, application = referred(project, consultant, intake_by=consultant)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, decided_on=None, capacity_period=None, size_class_at_approval=""
    )
    client = page_client(consultant)
    assert "baseline-link" not in client.get(reverse("referrals:list")).text
    page = client.get(consultant_url(referral))
    assert 'id="baseline-form"' not in page.text
    response = client.post(consultant_url(referral), FORM)
    assert response.status_code == 200
    assert "The situation at intake is recorded between the approval and the end of the trajectory." in (
        response.text
    )
    assert baseline_state(application) == []


def test_the_consultants_page_refuses_counts_above_the_headcount(project, consultant):
    referral, application = referred(project, consultant, intake_by=consultant)
    response = page_client(consultant).post(consultant_url(referral), {**FORM, "low_skilled": "41"})
    assert response.context["form"].errors == {
        "low_skilled": ["This group cannot be larger than the 40 employees in all."]
    }
    assert baseline_state(application) == []


# -- the API ------------------------------------------------------------------------------------------
def api_url(application, action=""):
    return f"/api/v1/applications/{application.pk}/{action + '/' if action else ''}"


def test_the_api_records_reads_and_corrects_the_baseline(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    api = api_client_for(promoter)
    assert api.get(api_url(application, "baseline")).json() == {
        "detail": "The situation at intake is not recorded yet.",
        "code": "not_found",
    }
    assert api.get(api_url(application)).json()["baseline"] is None

    response = api.post(api_url(application, "baseline"), BODY, format="json")

    assert response.status_code == 200, response.json()
    expected = {**BODY, "recorded_on": TODAY.isoformat(), "recorded_by": promoter.username}
    assert response.json() == expected
    assert api.get(api_url(application, "baseline")).json() == expected
    assert api.get(api_url(application)).json()["baseline"] == expected
    corrected = api.post(api_url(application, "baseline"), {**BODY, "headcount": 50}, format="json")
    assert corrected.json()["headcount"] == 50
    assert LearningSituation.objects.filter(application=application).count() == 1


@pytest.mark.parametrize(
    ("status", "changes", "answer", "code"),
    [
        (ApplicationStatus.IN_PROGRESS, {"low_skilled": 41}, 400, "group_exceeds_total"),
        (ApplicationStatus.IN_PROGRESS, {"main_barrier": "financial"}, 400, "main_barrier_required"),
        (ApplicationStatus.IN_PROGRESS, {"headcount": -1}, 400, "invalid"),
        (ApplicationStatus.COMPLETED, {}, 409, "invalid_transition"),
        (ApplicationStatus.STOPPED, {}, 409, "invalid_transition"),
    ],
)
def test_the_api_refuses_a_baseline_and_saves_nothing(project, promoter, status, changes, answer, code):
    application = coached(project, status)
    response = api_client_for(promoter).post(
        api_url(application, "baseline"), {**BODY, **changes}, format="json"
    )
    assert response.status_code == answer
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert baseline_state(application) == []


def test_the_api_refuses_another_organisation_and_a_consultant_without_the_intake(
    application, stranger, project, consultant, fund
):
    response = api_client_for(stranger).post(api_url(application, "baseline"), BODY, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    colleague = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=fund)
    _referral, followed = referred(project, consultant, intake_by=colleague)
    response = api_client_for(consultant).post(api_url(followed, "baseline"), BODY, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert baseline_state(application) == baseline_state(followed) == []
    # The consultant who did the intake may.
    _referral, own = referred(project, consultant, intake_by=consultant)
    assert api_client_for(consultant).post(api_url(own, "baseline"), BODY, format="json").status_code == 200


def test_the_api_completes_with_the_employees_reached(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    counts = {"staff_reached": 12, "staff_reached_low_skilled": 3, "staff_reached_aged_55_plus": 2}
    response = api_client_for(promoter).post(api_url(application, "complete"), counts, format="json")
    assert response.status_code == 200, response.json()
    assert {name: response.json()[name] for name in counts} == counts
    assert response.json()["status"] == "completed"


def test_the_api_completes_without_a_count(project, promoter):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    response = api_client_for(promoter).post(api_url(application, "complete"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["staff_reached"] is None


@pytest.mark.parametrize(
    ("counts", "code", "field"),
    [
        ({"staff_reached": 12}, "invalid_count", "staff_reached_low_skilled"),
        ({"staff_reached": 12, "staff_reached_low_skilled": 13, "staff_reached_aged_55_plus": 0},
         "group_exceeds_total", "staff_reached_low_skilled"),
        ({"staff_reached": -1, "staff_reached_low_skilled": 0, "staff_reached_aged_55_plus": 0},
         "invalid_count", "staff_reached"),
    ],
)  # fmt: skip
def test_the_api_refuses_counts_that_do_not_fit_and_completes_nothing(project, promoter, counts, code, field):
    application = coached(project, ApplicationStatus.IN_PROGRESS)
    response = api_client_for(promoter).post(api_url(application, "complete"), counts, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert field in response.json()
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.status, fresh.staff_reached, Invitation.objects.count()) == (
        ApplicationStatus.IN_PROGRESS,
        None,
        0,
    )


# -- the officers' decision page ----------------------------------------------------------------------
def situation(application, moment, **fields):
    defaults = {
        "has_training_policy": False,
        "has_learning_jobs": False,
        "headcount": 40,
        "low_skilled": 12,
        "aged_55_plus": 6,
        "recorded_on": TODAY - 200 * DAY,
    }
    return LearningSituation.objects.create(application=application, moment=moment, **{**defaults, **fields})


@pytest.fixture
def answered(project, promoter):
    """Return a completed application with both situations, its evaluation, follow-up and invitations."""
    application = coached(
        project,
        ApplicationStatus.COMPLETED,
        ended_on=TODAY - 200 * DAY,
        staff_reached=25,
        staff_reached_low_skilled=10,
        staff_reached_aged_55_plus=3,
    )
    situation(
        application,
        SituationMoment.INTAKE,
        barrier_situational=True,
        barrier_digital=True,
        main_barrier="digital",
        recorded_by=promoter,
    )
    situation(
        application,
        SituationMoment.CLOSING,
        barrier_situational=True,
        barrier_financial=True,
        main_barrier="financial",
        has_training_policy=True,
        headcount=45,
        recorded_on=TODAY - 190 * DAY,
    )
    Evaluation.objects.create(
        application=application,
        usefulness=4,
        coach_quality=5,
        learning_culture_effect=3,
        would_recommend=4,
        learning_transfer=2,
        motivation=5,
        staff_participated=23,
        staff_low_skilled=9,
        staff_aged_55_plus=3,
        will_keep_doing="Elke maand een leermoment op de werkvloer.",
    )
    FollowUp.objects.create(
        application=application, training_policy_applied=True, learning_continued=False, employees_learned=18
    )
    invite(application, Questionnaire.EVALUATION, TODAY - 200 * DAY, reminders=1, last=TODAY - 186 * DAY)
    invite(application, Questionnaire.FOLLOW_UP, TODAY - 17 * DAY)
    return application


def decision_page(client, officer, application):
    client.force_login(officer)
    return client.get(reverse("admin:participants_application_change", args=[application.pk]))


def test_officers_see_the_situations_side_by_side_with_the_change_per_barrier(client, officer, answered):
    response = decision_page(client, officer, answered)
    outcomes = response.context["decision"]["outcomes"]
    changes = {row.question: (row.intake, row.closing, row.change) for row in outcomes["rows"]}
    assert changes["Situational: time, workload, family"] == (True, True, "remains")
    assert changes["Digital"] == (True, False, "removed")
    assert changes["Financial"] == (False, True, "new")
    assert changes["Informational: not knowing the offer"] == (False, False, "")
    assert changes["Has a training policy"] == (False, True, "")
    assert changes["Staff headcount"] == (40, 45, "")
    section = response.text.split('id="decision-outcomes"', 1)[1].split("</section>", 1)[0]
    assert '<tr data-change="removed">' in section
    assert "25, of whom 10 low-skilled and 3 aged 55 or over" in section


def test_officers_read_the_evaluation_the_follow_up_and_the_invitations(client, officer, answered):
    response = decision_page(client, officer, answered)
    answers_shown = dict(response.context["decision"]["outcomes"]["answers"])
    evaluation = dict(answers_shown["Evaluation"])
    assert (evaluation["Learning transfer"], evaluation["Motivation to learn"]) == ("2", "5")
    assert evaluation["Employees who took part"] == "23"
    assert evaluation["What the company will keep doing"] == "Elke maand een leermoment op de werkvloer."
    follow_up = dict(answers_shown["Follow-up"])
    assert follow_up["Employees who learned in the last six months"] == "18"
    section = response.text.split('id="decision-invitations"', 1)[1].split("</table>", 1)[0]
    assert "Closing evaluation" in section and "Follow-up after six months" in section
    assert short_date(TODAY - 186 * DAY) in section


def test_the_exit_answer_is_on_the_page_of_a_stopped_trajectory(client, officer, project):
    stopped = coached(project, ApplicationStatus.STOPPED)
    ExitAnswer.objects.create(
        application=stopped,
        main_reason="no_time",
        would_start_again="maybe",
        what_would_have_helped="Minder papier",
    )
    answers_shown = dict(decision_page(client, officer, stopped).context["decision"]["outcomes"]["answers"])
    exit_answer = dict(answers_shown["Exit questionnaire"])
    assert exit_answer["What would have helped"] == "Minder papier"
    assert exit_answer["Would start a trajectory again later"] == "Maybe"


def test_an_undecided_application_has_no_outcomes_section(client, officer, traject):
    submitted = ApplicationFactory(traject=traject)
    response = decision_page(client, officer, submitted)
    assert response.context["decision"]["outcomes"] is None
    assert 'id="decision-outcomes"' not in response.text


@pytest.mark.parametrize("model", ["learningsituation", "followup", "exitanswer", "invitation"])
def test_officers_read_the_companys_answers_but_change_none(client, officer, answered, model):
    client.force_login(officer)
    row = {
        "learningsituation": LearningSituation.objects.filter(application=answered).first(),
        "followup": answered.follow_up,
        "exitanswer": None,
        "invitation": answered.invitations.first(),
    }[model]
    assert client.get(reverse(f"admin:participants_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:participants_{model}_add")).status_code == 403
    if row is not None:
        url = reverse(f"admin:participants_{model}_change", args=[row.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.text
        assert client.post(url, {}).status_code == 403


def test_promoters_have_no_admin_access_to_the_answers(client, promoter):
    client.force_login(promoter)
    response = client.get(reverse("admin:participants_learningsituation_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_situation_rows_follow_the_order_of_the_questions():
    rows = situation_rows(None)
    assert [row.group for row in rows] == ["barriers"] * 7 + ["policy"] * 5 + ["forms"] * 5
    assert all(row.intake is None and row.closing is None and row.change == "" for row in rows)
