"""Company evaluations: the e-mail on completion, the single-use expiring link, the form, the summary."""

import datetime
import re
import threading
from functools import partial

import pytest
from django.core import mail, signing
from django.db import connection, transaction
from django.urls import reverse

from participants import services
from participants.models import ApplicationStatus, Evaluation, LearningSituation
from participants.questionnaire_links import LINK_MAX_AGE, make_questionnaire_token
from tests.clients import client_for
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    CompletedApplicationFactory,
    EvaluationFactory,
    TrajectFactory,
    UserFactory,
)
from tests.questionnaires import EVALUATION, form_data
from tests.questionnaires import token_made_days_ago as questionnaire_token_made_days_ago
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal

pytestmark = pytest.mark.django_db
ANSWERS = EVALUATION
POSTED = form_data(ANSWERS)


def form_url(token):
    return reverse("evaluation:form", args=[token])


make_evaluation_token = partial(make_questionnaire_token, "evaluation")
token_made_days_ago = partial(questionnaire_token_made_days_ago, "evaluation")


@pytest.fixture
def in_progress():
    company = CompanyFactory(
        name="Bakkerij Peeters BV", contact_name="An Peeters", contact_email="an@peeters.example"
    )
    return ApprovedApplicationFactory(
        company=company,
        traject=TrajectFactory(code="leren", name="Voorsprong in leren"),
        status=ApplicationStatus.IN_PROGRESS,
        started_on=datetime.date(2025, 4, 1),
    )


@pytest.fixture
def completed():
    return CompletedApplicationFactory(company=CompanyFactory(name="Bakkerij Peeters BV"))


@pytest.fixture
def token(completed):
    return make_evaluation_token(completed)


# -- the invitation ------------------------------------------------------------------------------
def test_completing_mails_the_contact_a_dutch_link_to_the_form(
    in_progress, officer, client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://voorsprong.example/"
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_application(in_progress, by=officer, on=datetime.date(2025, 6, 30))
    [message] = mail.outbox
    assert message.to == ["an@peeters.example"]
    assert "Voorsprong in leren" in message.subject
    assert "Beste An Peeters" in message.body
    assert "30 juni 2025" in message.body
    assert "Met vriendelijke groeten" in message.body
    [path] = re.findall(r"https://voorsprong\.example(/evaluatie/\S+/)", message.body)
    response = client.get(path)
    assert response.status_code == 200
    assert "Bakkerij Peeters BV" in response.text


def test_no_mail_without_a_contact_address(in_progress, officer, django_capture_on_commit_callbacks):
    in_progress.company.contact_email = ""
    in_progress.company.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_application(in_progress, by=officer, on=datetime.date(2025, 6, 30))
    assert mail.outbox == []


def test_no_mail_when_the_completion_rolls_back(in_progress, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.complete_application(in_progress, by=officer, on=datetime.date(2025, 6, 30))
            raise RuntimeError("something later in the same transaction fails")
        with pytest.raises(WorkflowRefusal):
            services.complete_application(
                in_progress, by=officer, on=datetime.date(2025, 3, 1)
            )  # before the start
    assert callbacks == []
    assert mail.outbox == []


# -- the form ------------------------------------------------------------------------------------
def test_the_form_shows_five_scores_per_question(client, token):
    response = client.get(form_url(token))
    assert response.status_code == 200
    assert "Bakkerij Peeters BV" in response.text
    scored = ("usefulness", "coach_quality", "learning_culture_effect", "would_recommend")
    for field in (*scored, "learning_transfer", "motivation"):
        for score in range(1, 6):
            assert f'name="{field}" value="{score}"' in response.text
    for field in ("recommendations", "will_keep_doing", "staff_participated", "headcount", "main_barrier"):
        assert f'name="{field}"' in response.text
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_submission_is_saved_and_the_link_dies(client, completed, token):
    response = client.post(form_url(token), POSTED)
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:thanks")
    assert client.get(response["Location"]).status_code == 200
    evaluation = Evaluation.objects.get()
    assert evaluation.application == completed
    asked = {field: value for field, value in ANSWERS.items() if field != "situation"}
    assert {field: getattr(evaluation, field) for field in asked} == asked

    again = client.post(form_url(token), {**POSTED, "usefulness": "1"})
    assert again.status_code == 410
    assert 'data-testid="link_used"' in again.text
    assert client.get(form_url(token)).status_code == 410
    assert list(Evaluation.objects.values_list("usefulness", flat=True)) == [5]


def test_recommendations_are_optional_and_trimmed(token):
    evaluation = services.submit_evaluation(token, **{**ANSWERS, "recommendations": "  \n"})
    assert evaluation.recommendations == ""


def test_an_expired_link_saves_nothing(client, completed):
    expired = token_made_days_ago(completed, LINK_MAX_AGE.days + 1)
    for response in (client.get(form_url(expired)), client.post(form_url(expired), POSTED)):
        assert response.status_code == 410
        assert 'data-testid="link_expired"' in response.text
    with pytest.raises(WorkflowRefusal) as refusal:
        services.submit_evaluation(expired, **ANSWERS)
    assert refusal.value.code == "link_expired"
    assert not Evaluation.objects.exists()


def test_a_link_works_until_its_sixtieth_day(client, completed):
    almost = token_made_days_ago(completed, LINK_MAX_AGE.days - 1)
    assert client.post(form_url(almost), POSTED).status_code == 302
    assert Evaluation.objects.get().application == completed


def test_a_tampered_link_is_not_found(client, completed, token):
    other = CompletedApplicationFactory()
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature edited
        # another application's number under this link's timestamp and signature
        make_evaluation_token(other).split(":")[0] + token[token.index(":") :],
        signing.dumps(completed.pk),  # signed, but not as an evaluation link
        "bedankt-niet",
    ]
    for bad in forged:
        for response in (client.get(form_url(bad)), client.post(form_url(bad), POSTED)):
            assert response.status_code == 404
            assert 'data-testid="link_invalid"' in response.text
        with pytest.raises(WorkflowRefusal) as refusal:
            services.submit_evaluation(bad, **ANSWERS)
        assert refusal.value.code == "link_invalid"
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "state",
    [
        {"status": ApplicationStatus.APPROVED},
        {"status": ApplicationStatus.IN_PROGRESS, "started_on": datetime.date(2025, 4, 1)},
        {
            "status": ApplicationStatus.STOPPED,
            "started_on": datetime.date(2025, 4, 1),
            "ended_on": datetime.date(2025, 5, 1),
            "stop_reason": "other",
            "reason": "Gestopt",
        },
    ],
)
def test_only_a_completed_trajectory_is_evaluated(client, state):
    application = ApprovedApplicationFactory(**state)
    token = make_evaluation_token(application)
    with pytest.raises(WorkflowRefusal) as refusal:
        services.submit_evaluation(token, **ANSWERS)
    assert refusal.value.code == "link_invalid"
    assert client.get(form_url(token)).status_code == 404
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "wrong", [{"usefulness": "0"}, {"coach_quality": "6"}, {"would_recommend": "veel"}, {"usefulness": ""}]
)
def test_scores_outside_one_to_five_or_missing_are_refused_on_the_form(client, token, wrong):
    answers = {**POSTED, **wrong}
    response = client.post(form_url(token), answers)
    assert response.status_code == 200
    [field] = wrong
    assert response.context["form"].errors == {field: ["Kies een score van 1 tot 5."]}
    assert f'id="id_{field}_error"' in response.text
    missing = {key: value for key, value in POSTED.items() if key != "learning_culture_effect"}
    assert "learning_culture_effect" in client.post(form_url(token), missing).context["form"].errors
    assert not Evaluation.objects.exists()
    assert not LearningSituation.objects.exists()


@pytest.mark.parametrize("score", [0, 6, None, True, "5", 4.0])
def test_the_service_refuses_a_bad_score_naming_the_field(token, score):
    with pytest.raises(WorkflowRefusal) as refusal:
        services.submit_evaluation(token, **{**ANSWERS, "coach_quality": score})
    assert (refusal.value.code, refusal.value.field) == ("invalid_score", "coach_quality")
    assert not Evaluation.objects.exists()


# Skipped before any set-up: a transactional test's flush would empty the role groups for later tests.
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_save_one_evaluation():
    token = make_evaluation_token(CompletedApplicationFactory())
    outcomes, barrier = [], threading.Barrier(5)

    def submit():
        try:
            barrier.wait()
            services.submit_evaluation(token, **ANSWERS)
            outcomes.append("saved")
        except WorkflowRefusal as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # anything else is a failure the assertion below shows
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["link_used"] * 4 + ["saved"]
    assert Evaluation.objects.count() == 1


# -- the summary for the cabinet -----------------------------------------------------------------
def _evaluate(period, scores, company_name):
    usefulness, coach, culture, recommend = scores
    return EvaluationFactory(
        application__capacity_period=period,
        application__traject=period.traject,
        application__company=CompanyFactory(name=company_name),
        usefulness=usefulness,
        coach_quality=coach,
        learning_culture_effect=culture,
        would_recommend=recommend,
    )


def test_the_summary_averages_each_score_per_traject_without_companies():
    leren, digitaal = (
        CapacityPeriodFactory(traject__code="leren"),
        CapacityPeriodFactory(traject__code="digitaal"),
    )
    for scores in [(5, 4, 3, 5), (4, 4, 2, 5), (4, 3, 2, 4)]:
        _evaluate(leren, scores, f"Leerbedrijf {''.join(map(str, scores))} BV")
    _evaluate(digitaal, (4, 4, 4, 4), "Pixel BV")
    CompletedApplicationFactory(traject=TrajectFactory(code="zonder"))  # not evaluated: not listed

    response = client_for(UserFactory(role=Role.CABINET)).get("/api/v1/evaluations/summary/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "traject": "digitaal",
            "evaluations": 1,
            "usefulness": "4.00",
            "coach_quality": "4.00",
            "learning_culture_effect": "4.00",
            "would_recommend": "4.00",
        },
        {
            "traject": "leren",
            "evaluations": 3,
            "usefulness": "4.33",
            "coach_quality": "3.67",
            "learning_culture_effect": "2.33",
            "would_recommend": "4.67",
        },
    ]
    assert "BV" not in response.content.decode()


def test_the_summary_rounds_a_tie_half_up_from_the_exact_sums():
    """Eight evaluations whose sums give averages ending in an exact 5 at the third decimal: half up
    gives 4.13, 3.63, 3.13 and 4.63 where rounding half to even would give 4.12, 3.62, 3.12, 4.62."""
    period = CapacityPeriodFactory(traject__code="leren")
    usefulness = [5, 5, 4, 4, 4, 4, 4, 3]  # 33 / 8 = 4.125
    coach = [4, 4, 4, 4, 4, 3, 3, 3]  # 29 / 8 = 3.625
    culture = [3, 3, 3, 3, 3, 3, 3, 4]  # 25 / 8 = 3.125
    recommend = [5, 5, 5, 5, 5, 4, 4, 4]  # 37 / 8 = 4.625
    for number, scores in enumerate(zip(usefulness, coach, culture, recommend, strict=True)):
        _evaluate(period, scores, f"Bedrijf {number} BV")

    [row] = client_for(UserFactory(role=Role.CABINET)).get("/api/v1/evaluations/summary/").json()

    assert row == {
        "traject": "leren",
        "evaluations": 8,
        "usefulness": "4.13",
        "coach_quality": "3.63",
        "learning_culture_effect": "3.13",
        "would_recommend": "4.63",
    }
