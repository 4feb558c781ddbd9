"""The company's questionnaires behind its personal links: the closing evaluation with the learning situation
at closing, the follow-up six months later, the exit questionnaire after a stop; their invitations, the
reminders on days 14 and 30, and the links that no longer open them."""

import dataclasses
import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.forms.outcomes import SituationForm
from participants.models import (
    Application,
    ApplicationStatus,
    Barrier,
    Evaluation,
    ExitAnswer,
    FollowUp,
    Invitation,
    LearningSituation,
    Questionnaire,
    SituationMoment,
)
from participants.questionnaire_links import LINK_MAX_AGE, make_questionnaire_token
from participants.services.questionnaires import reminder_due
from participants.tasks import invite_to_follow_ups, remind_unanswered_questionnaires
from tests.factories import ApprovedApplicationFactory, CapacityPeriodFactory, CompanyFactory, TrajectFactory
from tests.questionnaires import EVALUATION, EXIT, FOLLOW_UP, SITUATION, form_data, token_made_days_ago
from trajects.models import CapacityPeriod
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PAGES = {
    Questionnaire.EVALUATION: "evaluation:form",
    Questionnaire.FOLLOW_UP: "evaluation:follow_up",
    Questionnaire.EXIT: "evaluation:exit",
}
SUBMIT = {
    Questionnaire.EVALUATION: (services.submit_evaluation, EVALUATION, Evaluation),
    Questionnaire.FOLLOW_UP: (services.submit_follow_up, FOLLOW_UP, FollowUp),
    Questionnaire.EXIT: (services.submit_exit_answer, EXIT, ExitAnswer),
}
LINK = re.compile(r"https://voorsprong\.example(/evaluatie/\S+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://voorsprong.example"


@pytest.fixture
def today():
    return timezone.localdate()


def _company(**fields):
    fields = {"contact_name": "An Peeters", "contact_email": "an@peeters.example", **fields}
    return CompanyFactory(name="Bakkerij Peeters BV", **fields)


def _application(status, ended_on=None, **fields) -> Application:
    """Return an application of a company with a contact address, in ``status``, ended on ``ended_on``."""
    ended_on = ended_on or timezone.localdate() - DAY
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    period = CapacityPeriod.objects.filter(traject=traject).first() or CapacityPeriodFactory(traject=traject)
    return ApprovedApplicationFactory(
        company=fields.pop("company", None) or _company(),
        traject=traject,
        capacity_period=period,
        status=status,
        decided_on=ended_on - 120 * DAY,
        started_on=ended_on - 100 * DAY,
        ended_on=None if status == ApplicationStatus.IN_PROGRESS else ended_on,
        **fields,
    )


def asked(questionnaire: str, today: datetime.date) -> Application:
    """Return an application whose company is asked ``questionnaire`` today."""
    if questionnaire == Questionnaire.EXIT:
        return _application(ApplicationStatus.STOPPED, stop_reason="no_time")
    if questionnaire == Questionnaire.FOLLOW_UP:
        return _application(ApplicationStatus.COMPLETED, ended_on=today - relativedelta(months=6))
    return _application(ApplicationStatus.COMPLETED)


def url(questionnaire: str, token: str) -> str:
    return reverse(PAGES[questionnaire], args=[token])


def answer(questionnaire: str, token: str, **changes):
    submit, answers, _model = SUBMIT[questionnaire]
    return submit(token, **{**answers, **changes})


def nothing_saved() -> bool:
    return not any(model.objects.exists() for model in (Evaluation, LearningSituation, FollowUp, ExitAnswer))


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


# -- the closing evaluation ----------------------------------------------------------------------
def test_a_full_closing_evaluation_saves_the_evaluation_and_the_situation_at_closing(client, today):
    application = asked(Questionnaire.EVALUATION, today)
    token = make_questionnaire_token(Questionnaire.EVALUATION, application)

    response = client.post(url(Questionnaire.EVALUATION, token), form_data(EVALUATION))

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Bedankt voor uw antwoorden" in thanks.text
    evaluation = Evaluation.objects.get(application=application)
    asked_fields = {name: value for name, value in EVALUATION.items() if name != "situation"}
    assert {name: getattr(evaluation, name) for name in asked_fields} == asked_fields
    [closing] = LearningSituation.objects.filter(application=application)
    assert closing.moment == SituationMoment.CLOSING
    assert closing.barriers == ["situational", "informational"]
    assert closing.main_barrier == "situational"
    assert closing.learning_forms == ["informal", "during_working_hours"]
    assert (closing.has_training_policy, closing.has_learning_jobs) == (True, False)
    assert (closing.headcount, closing.low_skilled, closing.aged_55_plus) == (40, 12, 6)
    # The company answered itself: no user recorded it.
    assert (closing.recorded_on, closing.recorded_by) == (today, None)


def test_a_baseline_and_a_closing_evaluation_give_the_change_per_barrier(
    client, officer, today, django_capture_on_commit_callbacks
):
    application = _application(ApplicationStatus.IN_PROGRESS)
    at_intake = dataclasses.replace(
        SITUATION,
        has_training_policy=False,
        barriers=["situational", "informational", "financial"],
        main_barrier="financial",
    )
    services.record_baseline(application, by=officer, answers=at_intake, on=today - 90 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_application(application, by=officer, on=today)
    [link] = links_in(mail.outbox[0])
    at_closing = dataclasses.replace(SITUATION, barriers=["situational", "digital"])
    assert client.post(link, form_data({**EVALUATION, "situation": at_closing})).status_code == 302

    intake, closing = (
        LearningSituation.objects.get(application=application, moment=moment)
        for moment in (SituationMoment.INTAKE, SituationMoment.CLOSING)
    )
    change = {
        barrier: (barrier in intake.barriers, barrier in closing.barriers) for barrier in Barrier.values
    }
    assert change == {
        "dispositional": (False, False),
        "situational": (True, True),
        "institutional": (False, False),
        "informational": (True, False),
        "financial": (True, False),
        "digital": (False, True),
    }
    removed = [barrier for barrier, (before, after) in change.items() if before and not after]
    assert removed == ["informational", "financial"]
    assert (intake.has_training_policy, closing.has_training_policy) == (False, True)
    assert (intake.recorded_by, intake.recorded_on) == (officer, today - 90 * DAY)


def _situation(**changes) -> dict:
    return {"situation": dataclasses.replace(SITUATION, **changes)}


# (what is wrong, the changed answers, the refusal's code and field)
EVALUATION_REFUSALS = [
    ("a score missing", {"motivation": None}, "invalid_score", "motivation"),
    ("a score out of range", {"learning_transfer": 6}, "invalid_score", "learning_transfer"),
    ("no count of who took part", {"staff_participated": None}, "invalid_count", "staff_participated"),
    ("a bool for who took part", {"staff_participated": True}, "invalid_count", "staff_participated"),
    ("more aged 55+ than took part", {"staff_aged_55_plus": 10}, "group_exceeds_total", "staff_aged_55_plus"),
    (
        "training policy unanswered",
        _situation(has_training_policy=None),
        "answer_required",
        "has_training_policy",
    ),
    ("learning jobs unanswered", _situation(has_learning_jobs=None), "answer_required", "has_learning_jobs"),
    ("no headcount", _situation(headcount=None), "invalid_count", "headcount"),
    ("a bool for the headcount", _situation(headcount=True), "invalid_count", "headcount"),
    ("a negative headcount", _situation(headcount=-1), "invalid_count", "headcount"),
    ("more low-skilled than employees", _situation(low_skilled=41), "group_exceeds_total", "low_skilled"),
    (
        "the main barrier not met",
        _situation(main_barrier="financial"),
        "main_barrier_required",
        "main_barrier",
    ),
    ("no main barrier", _situation(main_barrier=""), "main_barrier_required", "main_barrier"),
    (
        "a main barrier without barriers",
        _situation(barriers=[], main_barrier="financial"),
        "main_barrier_not_met",
        "main_barrier",
    ),
    ("an unknown barrier", _situation(barriers=["laziness"]), "invalid_choice", "barriers"),
    ("an unknown learning form", _situation(learning_forms=["osmosis"]), "invalid_choice", "learning_forms"),
]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [case[1:] for case in EVALUATION_REFUSALS],
    ids=[case[0] for case in EVALUATION_REFUSALS],
)
def test_a_refused_evaluation_changes_nothing(client, today, changes, code, field):
    application = asked(Questionnaire.EVALUATION, today)
    token = make_questionnaire_token(Questionnaire.EVALUATION, application)
    with pytest.raises(WorkflowRefusal) as refusal:
        answer(Questionnaire.EVALUATION, token, **changes)
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert nothing_saved()
    # The link still works: nothing was answered.
    assert services.check_questionnaire_token(Questionnaire.EVALUATION, token, today) == application


SITUATION_REFUSALS = [case for case in EVALUATION_REFUSALS if "situation" in case[1]]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [case[1:] for case in SITUATION_REFUSALS],
    ids=[case[0] for case in SITUATION_REFUSALS],
)
def test_a_refused_baseline_changes_nothing(officer, changes, code, field):
    application = _application(ApplicationStatus.IN_PROGRESS)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.record_baseline(application, by=officer, answers=changes["situation"])
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert not LearningSituation.objects.exists()


# (the changed answers as posted, the field and its Dutch error)
FORM_REFUSALS = [
    (
        {"low_skilled": "41"},
        "low_skilled",
        "Deze groep kan niet groter zijn dan de 40 medewerkers in totaal.",
    ),
    (
        {"main_barrier": "financial"},
        "main_barrier",
        "Kies welke van de aangevinkte drempels het zwaarst weegt.",
    ),
    ({"has_training_policy": ""}, "has_training_policy", "Antwoord ja of nee."),
    ({"headcount": "-3"}, "headcount", "Geef een aantal medewerkers van 0 tot 1.000.000."),
    (
        {"staff_low_skilled": "10"},
        "staff_low_skilled",
        "Deze groep kan niet groter zijn dan de 9 medewerkers",
    ),
    ({"motivation": ""}, "motivation", "Kies een score van 1 tot 5."),
]


@pytest.mark.parametrize(("changes", "field", "error"), FORM_REFUSALS)
def test_the_form_shows_each_refusal_at_its_question_and_saves_nothing(client, today, changes, field, error):
    token = make_questionnaire_token(Questionnaire.EVALUATION, asked(Questionnaire.EVALUATION, today))
    response = client.post(url(Questionnaire.EVALUATION, token), {**form_data(EVALUATION), **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert error in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.text
    assert 'data-testid="form-errors"' in response.text
    assert nothing_saved()


def test_the_form_shows_every_refusal_at_once(client, today):
    token = make_questionnaire_token(Questionnaire.EVALUATION, asked(Questionnaire.EVALUATION, today))
    posted = {**form_data(EVALUATION), "low_skilled": "41", "barriers": [], "staff_aged_55_plus": "99"}
    response = client.post(url(Questionnaire.EVALUATION, token), posted)
    assert set(response.context["form"].errors) == {"low_skilled", "main_barrier", "staff_aged_55_plus"}
    assert nothing_saved()


def test_the_form_keeps_the_answers_given(client, today):
    token = make_questionnaire_token(Questionnaire.EVALUATION, asked(Questionnaire.EVALUATION, today))
    response = client.post(
        url(Questionnaire.EVALUATION, token), {**form_data(EVALUATION), "low_skilled": "41"}
    )
    for name, value in [("barriers", "informational"), ("has_learning_jobs", "no"), ("motivation", "2")]:
        assert re.search(rf'<input [^>]*name="{name}" value="{value}"[^>]*checked', response.text)
    assert "Elke maand een leermoment.</textarea>" in response.text


@pytest.mark.parametrize(
    ("questionnaire", "changes", "code", "field"),
    [
        (
            Questionnaire.FOLLOW_UP,
            {"training_policy_applied": None},
            "answer_required",
            "training_policy_applied",
        ),
        (Questionnaire.FOLLOW_UP, {"learning_continued": 1}, "answer_required", "learning_continued"),
        (Questionnaire.FOLLOW_UP, {"employees_learned": True}, "invalid_count", "employees_learned"),
        (Questionnaire.FOLLOW_UP, {"employees_learned": None}, "invalid_count", "employees_learned"),
        (Questionnaire.EXIT, {"main_reason": "boredom"}, "answer_required", "main_reason"),
        (Questionnaire.EXIT, {"would_start_again": None}, "answer_required", "would_start_again"),
    ],
)
def test_a_refused_follow_up_or_exit_answer_changes_nothing(
    client, today, questionnaire, changes, code, field
):
    token = make_questionnaire_token(questionnaire, asked(questionnaire, today))
    with pytest.raises(WorkflowRefusal) as refusal:
        answer(questionnaire, token, **changes)
    assert (refusal.value.code, refusal.value.field) == (code, field)
    response = client.post(url(questionnaire, token), form_data({**SUBMIT[questionnaire][1], **changes}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert nothing_saved()


@pytest.mark.parametrize("questionnaire", [Questionnaire.FOLLOW_UP, Questionnaire.EXIT])
def test_the_follow_up_and_the_exit_questionnaire_are_saved_once(client, today, questionnaire):
    application = asked(questionnaire, today)
    token = make_questionnaire_token(questionnaire, application)
    page = client.get(url(questionnaire, token))
    assert page.status_code == 200
    assert "Bakkerij Peeters BV" in page.text

    response = client.post(url(questionnaire, token), form_data(SUBMIT[questionnaire][1]))

    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:thanks")
    model = SUBMIT[questionnaire][2]
    saved = model.objects.get(application=application)
    assert {name: getattr(saved, name) for name in SUBMIT[questionnaire][1]} == SUBMIT[questionnaire][1]
    again = client.post(url(questionnaire, token), form_data(SUBMIT[questionnaire][1]))
    assert again.status_code == 410
    assert 'data-testid="link_used"' in again.text
    assert model.objects.count() == 1


# -- links that no longer open a questionnaire ---------------------------------------------------
@pytest.mark.parametrize("questionnaire", Questionnaire.values)
def test_an_expired_link_is_gone_and_saves_nothing(client, today, questionnaire):
    application = asked(questionnaire, today)
    expired = token_made_days_ago(questionnaire, application, LINK_MAX_AGE.days + 1)
    posted = form_data(SUBMIT[questionnaire][1])
    for response in (
        client.get(url(questionnaire, expired)),
        client.post(url(questionnaire, expired), posted),
    ):
        assert response.status_code == 410
        assert 'data-testid="link_expired"' in response.text
        assert "Deze link is verlopen" in response.text
    with pytest.raises(WorkflowRefusal) as refusal:
        answer(questionnaire, expired)
    assert refusal.value.code == "link_expired"
    assert nothing_saved()
    almost = token_made_days_ago(questionnaire, application, LINK_MAX_AGE.days - 1)
    assert client.get(url(questionnaire, almost)).status_code == 200


@pytest.mark.parametrize("questionnaire", Questionnaire.values)
def test_a_used_link_is_gone(client, today, questionnaire):
    token = make_questionnaire_token(questionnaire, asked(questionnaire, today))
    answer(questionnaire, token)
    for response in (
        client.get(url(questionnaire, token)),
        client.post(url(questionnaire, token), form_data(SUBMIT[questionnaire][1])),
    ):
        assert response.status_code == 410
        assert "Deze vragen zijn al beantwoord" in response.text
    with pytest.raises(WorkflowRefusal) as refusal:
        answer(questionnaire, token)
    assert refusal.value.code == "link_used"
    assert SUBMIT[questionnaire][2].objects.count() == 1


@pytest.mark.parametrize("questionnaire", Questionnaire.values)
def test_a_forged_link_or_one_for_another_questionnaire_is_not_found(client, today, questionnaire):
    application = asked(questionnaire, today)
    token = make_questionnaire_token(questionnaire, application)
    other = asked(questionnaire, today)
    others = [kind for kind in Questionnaire.values if kind != questionnaire]
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature edited
        # another application's number under this link's timestamp and signature
        make_questionnaire_token(questionnaire, other).split(":")[0] + token[token.index(":") :],
        signing.dumps(application.pk),  # signed, but not as a questionnaire link
        # the same application's link to another questionnaire
        *(make_questionnaire_token(kind, application) for kind in others),
        "niet-geldig",
    ]
    for bad in forged:
        for response in (client.get(url(questionnaire, bad)), client.post(url(questionnaire, bad), {})):
            assert response.status_code == 404
            assert 'data-testid="link_invalid"' in response.text
        with pytest.raises(WorkflowRefusal) as refusal:
            answer(questionnaire, bad)
        assert refusal.value.code == "link_invalid"
    assert nothing_saved()


@pytest.mark.parametrize(
    ("questionnaire", "status"),
    [
        (Questionnaire.EVALUATION, ApplicationStatus.STOPPED),
        (Questionnaire.FOLLOW_UP, ApplicationStatus.STOPPED),
        (Questionnaire.EXIT, ApplicationStatus.COMPLETED),
        (Questionnaire.EVALUATION, ApplicationStatus.IN_PROGRESS),
    ],
)
def test_a_link_to_a_questionnaire_the_company_is_not_asked_is_not_found(client, questionnaire, status):
    fields = {"stop_reason": "no_time"} if status == ApplicationStatus.STOPPED else {}
    application = _application(status, ended_on=timezone.localdate() - 200 * DAY, **fields)
    token = make_questionnaire_token(questionnaire, application)
    assert client.get(url(questionnaire, token)).status_code == 404
    assert nothing_saved()


def test_the_follow_up_link_opens_six_months_after_completion_not_before(client, today):
    early = _application(ApplicationStatus.COMPLETED, ended_on=today - relativedelta(months=6) + DAY)
    token = make_questionnaire_token(Questionnaire.FOLLOW_UP, early)
    response = client.get(url(Questionnaire.FOLLOW_UP, token))
    assert response.status_code == 404
    with pytest.raises(WorkflowRefusal) as refusal:
        answer(Questionnaire.FOLLOW_UP, token)
    assert refusal.value.code == "link_invalid"
    assert not FollowUp.objects.exists()

    due = _application(ApplicationStatus.COMPLETED, ended_on=today - relativedelta(months=6))
    assert (
        client.get(url(Questionnaire.FOLLOW_UP, make_questionnaire_token("follow_up", due))).status_code
        == 200
    )


# -- invitations ---------------------------------------------------------------------------------
def test_completing_invites_to_the_evaluation_with_a_working_link(
    client, officer, today, django_capture_on_commit_callbacks
):
    application = _application(ApplicationStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_application(application, by=officer, on=today)
    invitation = Invitation.objects.get()
    assert (invitation.application, invitation.questionnaire) == (application, Questionnaire.EVALUATION)
    assert (invitation.sent_on, invitation.reminders_sent) == (today, 0)
    [message] = mail.outbox
    assert message.to == ["an@peeters.example"]
    assert message.subject == "Hoe verliep Voorsprong in leren? Uw evaluatie"
    [link] = links_in(message)
    assert link.startswith("/evaluatie/")
    assert "Evaluatie van uw traject" in client.get(link).text


def test_stopping_invites_to_the_exit_questionnaire_with_a_working_link(
    client, officer, today, django_capture_on_commit_callbacks
):
    application = _application(ApplicationStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        services.stop_application(application, by=officer, stop_reason="reorganisation", on=today)
    invitation = Invitation.objects.get()
    assert (invitation.questionnaire, invitation.sent_on) == (Questionnaire.EXIT, today)
    [message] = mail.outbox
    assert message.subject == "Uw traject Voorsprong in leren stopte: drie korte vragen"
    [link] = links_in(message)
    assert link.startswith("/evaluatie/stopzetting/")
    assert client.get(link).status_code == 200
    assert client.post(link, form_data(EXIT)).status_code == 302
    assert ExitAnswer.objects.get().application == application


def test_a_company_without_a_contact_address_is_not_invited(
    officer, today, django_capture_on_commit_callbacks
):
    completing, stopping = (
        _application(ApplicationStatus.IN_PROGRESS, company=_company(contact_email="")) for _ in range(2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_application(completing, by=officer, on=today)
        services.stop_application(stopping, by=officer, stop_reason="no_time", on=today)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_beat_invites_to_a_follow_up_once_when_it_falls_due(
    client, today, django_capture_on_commit_callbacks
):
    due = _application(ApplicationStatus.COMPLETED, ended_on=today - relativedelta(months=6))
    _application(ApplicationStatus.COMPLETED, ended_on=today - relativedelta(months=6) + DAY)  # tomorrow
    _application(  # due, but no address to write to
        ApplicationStatus.COMPLETED,
        ended_on=today - relativedelta(months=6),
        company=_company(contact_email=""),
    )
    with django_capture_on_commit_callbacks(execute=True):
        first, second = invite_to_follow_ups(), invite_to_follow_ups()

    assert (first, second) == (1, 0)
    invitation = Invitation.objects.get()
    assert (invitation.application, invitation.questionnaire) == (due, Questionnaire.FOLLOW_UP)
    [message] = mail.outbox
    assert message.subject == "Zes maanden na Voorsprong in leren: wat bleef?"
    [link] = links_in(message)
    assert "Zes maanden later" in client.get(link).text
    assert client.post(link, form_data(FOLLOW_UP)).status_code == 302
    assert FollowUp.objects.get().application == due


# -- reminders -----------------------------------------------------------------------------------
def _invited(questionnaire, today, days_ago, django_capture_on_commit_callbacks) -> Invitation:
    """Return the invitation the company got ``days_ago``, its mail left out of the outbox."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(asked(questionnaire, today), questionnaire, today - days_ago * DAY)
    mail.outbox.clear()
    return invitation


def _beat(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return remind_unanswered_questionnaires()


@pytest.mark.parametrize(
    ("days", "reminders_sent", "due"),
    [
        (13, 0, 0),
        (14, 0, 1),
        (29, 0, 1),
        (14, 1, 0),
        (29, 1, 0),
        (30, 1, 2),
        (30, 0, 2),  # the day-14 reminder was missed: only day 30's is due
        (30, 2, 0),
        (59, 2, 0),
    ],
)
def test_a_reminder_is_due_on_day_14_and_on_day_30(days, reminders_sent, due):
    sent_on = datetime.date(2026, 7, 1)
    invitation = Invitation(sent_on=sent_on, reminders_sent=reminders_sent)
    assert reminder_due(invitation, sent_on + days * DAY) == due


def test_the_beat_reminds_on_day_14_and_on_day_30_never_twice(
    client, today, django_capture_on_commit_callbacks
):
    invitation = _invited(Questionnaire.EVALUATION, today, 14, django_capture_on_commit_callbacks)

    assert (_beat(django_capture_on_commit_callbacks), _beat(django_capture_on_commit_callbacks)) == (1, 0)
    [first] = mail.outbox
    assert first.subject == "Herinnering: Hoe verliep Voorsprong in leren? Uw evaluatie"
    assert "We hebben uw antwoorden nog niet ontvangen" in first.body
    [link] = links_in(first)
    assert client.get(link).status_code == 200
    invitation.refresh_from_db()
    assert (invitation.reminders_sent, invitation.last_reminded_on) == (1, today)

    # Sixteen days later, as the beat sees it: the invitation went out 30 days ago.
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_on=today - 30 * DAY, last_reminded_on=today - 16 * DAY
    )
    assert (_beat(django_capture_on_commit_callbacks), _beat(django_capture_on_commit_callbacks)) == (1, 0)
    assert len(mail.outbox) == 2
    invitation.refresh_from_db()
    assert (invitation.reminders_sent, invitation.last_reminded_on) == (2, today)

    # Then it counts as not answered: no third reminder.
    Invitation.objects.filter(pk=invitation.pk).update(sent_on=today - 45 * DAY)
    assert _beat(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_a_missed_day_14_reminder_is_not_sent_late_next_to_day_30s(today, django_capture_on_commit_callbacks):
    invitation = _invited(Questionnaire.FOLLOW_UP, today, 30, django_capture_on_commit_callbacks)
    assert (_beat(django_capture_on_commit_callbacks), _beat(django_capture_on_commit_callbacks)) == (1, 0)
    [reminder] = mail.outbox
    assert reminder.subject.startswith("Herinnering: Zes maanden na")
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2


def test_two_reminders_from_the_same_stale_invitation_send_one(today, django_capture_on_commit_callbacks):
    invitation = _invited(Questionnaire.EXIT, today, 14, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        # The second call still sees no reminder sent on its copy, as a second process would.
        numbers = (services.remind(invitation, today), services.remind(invitation, today))
    assert numbers == (1, 0)
    assert len(mail.outbox) == 1
    assert Invitation.objects.get().reminders_sent == 1


@pytest.mark.parametrize("questionnaire", Questionnaire.values)
def test_no_reminder_after_an_answer(today, questionnaire, django_capture_on_commit_callbacks):
    invitation = _invited(questionnaire, today, 14, django_capture_on_commit_callbacks)
    answer(questionnaire, make_questionnaire_token(questionnaire, invitation.application))
    assert _beat(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert Invitation.objects.get().reminders_sent == 0


def test_a_reminder_is_not_sent_for_a_questionnaire_answered_since_it_was_read(
    today, django_capture_on_commit_callbacks
):
    invitation = _invited(Questionnaire.EVALUATION, today, 14, django_capture_on_commit_callbacks)
    answer(
        Questionnaire.EVALUATION, make_questionnaire_token(Questionnaire.EVALUATION, invitation.application)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind(invitation, today) == 0
    assert mail.outbox == []


def test_no_reminder_once_the_link_has_expired(today, django_capture_on_commit_callbacks):
    _invited(Questionnaire.EVALUATION, today, LINK_MAX_AGE.days, django_capture_on_commit_callbacks)
    assert _beat(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


# -- the situation's questions on their own (the baseline's form reuses them) --------------------------
def test_the_situation_form_gives_the_answers_the_services_take(officer):
    posted = form_data({"situation": SITUATION})
    form = SituationForm(posted)
    assert form.is_valid(), form.errors
    assert form.answers() == SITUATION

    recorded = services.record_baseline(
        _application(ApplicationStatus.IN_PROGRESS), by=officer, answers=form.answers()
    )
    # A recorded situation fills the form again, to correct it, with the same answers.
    again = SituationForm(SituationForm.initial_for(recorded))
    assert again.is_valid(), again.errors
    assert again.answers() == SITUATION
    assert [fieldset.legend for fieldset in form.fieldsets()] == [
        "Drempels om te leren",
        "Leren op het werk",
        "Personeel",
    ]


def test_the_situation_form_shows_every_refusal_at_its_question():
    form = SituationForm(
        {**form_data({"situation": SITUATION}), "aged_55_plus": "41", "main_barrier": "digital"}
    )
    assert not form.is_valid()
    assert form.errors == {
        "main_barrier": ["Kies welke van de aangevinkte drempels het zwaarst weegt."],
        "aged_55_plus": ["Deze groep kan niet groter zijn dan de 40 medewerkers in totaal."],
    }
