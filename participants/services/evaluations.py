"""The company's closing evaluation of a completed trajectory, through a personal link that needs no login.

The evaluation asks the four scores and recommendations, learning transfer and motivation, the distinct
employees who took part, what the company keeps doing, and its learning situation again on the intake's
questions (``participants.services.outcomes``), so the change is measured on one scale.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Application, Evaluation, Questionnaire, SituationMoment
from participants.services.outcomes import SituationAnswers, count_refusals, situation_at, situation_refusals
from participants.services.questionnaires import check_questionnaire_token, save_answer
from voorsprong.services import WorkflowRefusal, save_as

SCORES = range(1, 6)
# The history row of an evaluation names no user; this says who answered instead.
EVALUATION_CHANGE_REASON = "Submitted by the company through its evaluation link"


def check_evaluation_token(token: str) -> Application:
    """Return the completed application the link is for, still without an evaluation; refuse any other
    link."""
    return check_questionnaire_token(Questionnaire.EVALUATION, token, timezone.localdate())


def _score_refusals(scores: dict[str, object]) -> list[WorkflowRefusal]:
    # bool is an int to Python, but True is no answer to a 1-to-5 question.
    return [
        WorkflowRefusal(_("Choose a score from 1 to 5."), "invalid_score", field)
        for field, value in scores.items()
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCORES
    ]


@transaction.atomic
def submit_evaluation(
    token: str,
    *,
    usefulness: int | None,
    coach_quality: int | None,
    learning_culture_effect: int | None,
    would_recommend: int | None,
    learning_transfer: int | None,
    motivation: int | None,
    staff_participated: int | None,
    staff_low_skilled: int | None,
    staff_aged_55_plus: int | None,
    situation: SituationAnswers,
    will_keep_doing: str = "",
    recommendations: str = "",
) -> Evaluation:
    """Save the company's answers once, with its learning situation at closing; the link is dead
    afterwards."""
    application = check_evaluation_token(token)
    scores = {
        "usefulness": usefulness,
        "coach_quality": coach_quality,
        "learning_culture_effect": learning_culture_effect,
        "would_recommend": would_recommend,
        "learning_transfer": learning_transfer,
        "motivation": motivation,
    }
    refusals = _score_refusals(scores) + count_refusals(
        staff_participated,
        {"staff_low_skilled": staff_low_skilled, "staff_aged_55_plus": staff_aged_55_plus},
        "staff_participated",
    )
    refusals += situation_refusals(situation)
    if refusals:
        raise refusals[0]
    evaluation = Evaluation(
        application=application,
        **scores,
        staff_participated=staff_participated,
        staff_low_skilled=staff_low_skilled,
        staff_aged_55_plus=staff_aged_55_plus,
        will_keep_doing=(will_keep_doing or "").strip(),
        recommendations=(recommendations or "").strip(),
    )
    save_answer(evaluation, EVALUATION_CHANGE_REASON)
    closing = situation_at(application, SituationMoment.CLOSING, situation, on=timezone.localdate(), by=None)
    save_as(closing, None, reason=EVALUATION_CHANGE_REASON)
    return evaluation
