"""The company's evaluation of a completed trajectory, through a personal link that needs no login.

The link (``participants.evaluation_links``) works once because an application has at most one
evaluation.
"""

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from participants.evaluation_links import read_evaluation_token
from participants.models import Application, ApplicationStatus, Evaluation
from voorsprong.services import WorkflowRefusal, save_as

SCORES = range(1, 6)
# The history row of an evaluation names no user; this says who answered instead.
EVALUATION_CHANGE_REASON = "Submitted by the company through its evaluation link"


def check_evaluation_token(token: str) -> Application:
    """Return the completed application the link is for, still without an evaluation; refuse any other
    link."""
    try:
        application_id = read_evaluation_token(token)
    except signing.SignatureExpired as error:
        raise WorkflowRefusal(_("This evaluation link has expired."), "link_expired") from error
    except signing.BadSignature as error:
        raise WorkflowRefusal(_("This evaluation link is not valid."), "link_invalid") from error
    application = Application.objects.select_related("company", "traject").filter(pk=application_id).first()
    if application is None:
        raise WorkflowRefusal(_("This evaluation link is not valid."), "link_invalid")
    if application.status != ApplicationStatus.COMPLETED:
        # Only completed trajectories are evaluated; a signed link to any other application was never sent.
        raise WorkflowRefusal(_("Only a completed trajectory can be evaluated."), "not_completed")
    if Evaluation.objects.filter(application=application).exists():
        raise WorkflowRefusal(_("This evaluation link has already been used."), "link_used")
    return application


def _require_score(field: str, value) -> int:
    # bool is an int to Python, but True is no answer to a 1-to-5 question.
    if not isinstance(value, int) or isinstance(value, bool) or value not in SCORES:
        raise WorkflowRefusal(_("Choose a score from 1 to 5."), "invalid_score", field)
    return value


@transaction.atomic
def submit_evaluation(
    token: str,
    *,
    usefulness: int | None,
    coach_quality: int | None,
    learning_culture_effect: int | None,
    would_recommend: int | None,
    recommendations: str = "",
) -> Evaluation:
    """Save the company's answers once; the link is dead afterwards."""
    application = check_evaluation_token(token)
    evaluation = Evaluation(
        application=application,
        usefulness=_require_score("usefulness", usefulness),
        coach_quality=_require_score("coach_quality", coach_quality),
        learning_culture_effect=_require_score("learning_culture_effect", learning_culture_effect),
        would_recommend=_require_score("would_recommend", would_recommend),
        recommendations=(recommendations or "").strip(),
    )
    try:
        # Two submissions at once both pass the check above; the one-to-one unique lets only one in.
        with transaction.atomic():
            # No user made this row: the company answered through its link. Naming none explicitly
            # also keeps a user who happens to be logged in on that browser out of the history.
            save_as(evaluation, None, reason=EVALUATION_CHANGE_REASON)
    except IntegrityError as error:
        raise WorkflowRefusal(_("This evaluation link has already been used."), "link_used") from error
    return evaluation
