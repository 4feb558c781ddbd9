"""A company's complete answers to its questionnaires, as the services take them and as the forms post
them (a test changes only what it is about), and its links as they were sent some days ago."""

import dataclasses
import datetime
import time
from unittest.mock import patch

from participants.questionnaire_links import make_questionnaire_token
from participants.services import SituationAnswers

SITUATION = SituationAnswers(
    has_training_policy=True,
    has_learning_jobs=False,
    headcount=40,
    low_skilled=12,
    aged_55_plus=6,
    barriers=["situational", "informational"],
    main_barrier="situational",
    learning_forms=["informal", "during_working_hours"],
)

# The keyword arguments of services.submit_evaluation after the token.
EVALUATION = {
    "usefulness": 5,
    "coach_quality": 4,
    "learning_culture_effect": 3,
    "would_recommend": 5,
    "learning_transfer": 4,
    "motivation": 2,
    "staff_participated": 9,
    "staff_low_skilled": 3,
    "staff_aged_55_plus": 2,
    "will_keep_doing": "Elke maand een leermoment.",
    "recommendations": "Meer praktijkvoorbeelden graag.",
    "situation": SITUATION,
}
FOLLOW_UP = {"training_policy_applied": True, "learning_continued": False, "employees_learned": 7}
EXIT = {
    "main_reason": "no_time",
    "would_start_again": "maybe",
    "what_would_have_helped": "Minder papierwerk.",
}


def _posted(value):
    """Return a value as a browser posts it: yes/no radios, numbers as text, ticked boxes as a list."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return value if isinstance(value, list) else str(value)


def form_data(answers: dict) -> dict:
    """Return a questionnaire's answers as its form posts them; a situation's answers join the others."""
    data = {}
    for name, value in answers.items():
        if isinstance(value, SituationAnswers):
            data.update(form_data(dataclasses.asdict(value)))
        else:
            data[name] = _posted(value)
    return data


def token_made_days_ago(questionnaire: str, application, days: int) -> str:
    """Return the link's token as it was signed ``days`` ago."""
    # Only the signer's clock is moved back; the check later runs at the real time.
    with patch("time.time", return_value=time.time() - datetime.timedelta(days=days).total_seconds()):
        return make_questionnaire_token(questionnaire, application)
