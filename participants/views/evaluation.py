"""The public questionnaires a company reaches through the link in its e-mail, no login needed: the
closing evaluation, the follow-up six months later and the exit questionnaire after a stop."""

from collections.abc import Callable
from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from participants import services
from participants.forms.evaluation import EvaluationForm, ExitForm, FollowUpForm, QuestionnaireForm
from participants.models import Questionnaire
from participants.questionnaire_links import LINK_MAX_AGE
from voorsprong.services import WorkflowRefusal
from voorsprong.throttling import rate_limit

# Every look at a link and every answer sent count, per address: the links cannot be guessed, but trying
# them must stay cheap.
_questionnaire_rate_limit = rate_limit("questionnaire", "QUESTIONNAIRE_RATE_LIMIT", methods=("GET", "POST"))

# A link that was good once answers 410 Gone; anything we never issued answers 404.
_GONE = {"link_expired", "link_used"}


@dataclass(frozen=True)
class _Page:
    """What differs between the questionnaires: the form, the service that saves it, the template."""

    questionnaire: Questionnaire
    form: type[QuestionnaireForm]
    submit: Callable
    template: str


def _dead_link(request, refusal: WorkflowRefusal, questionnaire: Questionnaire):
    return render(
        request,
        "participants/evaluation/dead_link.html",
        {"code": refusal.code, "days": LINK_MAX_AGE.days, "questionnaire": questionnaire},
        status=410 if refusal.code in _GONE else 404,
    )


def _answer(request, token: str, page: _Page):
    """Show the questionnaire behind a live link and save the answers once; a dead link gets its page."""
    try:
        application = services.check_questionnaire_token(page.questionnaire, token, timezone.localdate())
    except WorkflowRefusal as refusal:
        return _dead_link(request, refusal, page.questionnaire)
    form = page.form(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            page.submit(token, **form.submission())
        except WorkflowRefusal as refusal:
            # A refusal of the link itself (used in the meantime) has no field; one of an answer has.
            if not refusal.field:
                return _dead_link(request, refusal, page.questionnaire)
            form.add_refusal(refusal)
        else:
            return redirect("evaluation:thanks")
    return render(request, page.template, {"form": form, "application": application})


_EVALUATION = _Page(
    Questionnaire.EVALUATION,
    EvaluationForm,
    services.submit_evaluation,
    "participants/evaluation/form.html",
)
_FOLLOW_UP = _Page(
    Questionnaire.FOLLOW_UP,
    FollowUpForm,
    services.submit_follow_up,
    "participants/evaluation/follow_up.html",
)
_EXIT = _Page(Questionnaire.EXIT, ExitForm, services.submit_exit_answer, "participants/evaluation/exit.html")


# never_cache: once used, the back button must not bring the form back from the browser's cache.
@never_cache
@require_http_methods(["GET", "POST"])
@_questionnaire_rate_limit
def evaluation_form(request, token):
    return _answer(request, token, _EVALUATION)


@never_cache
@require_http_methods(["GET", "POST"])
@_questionnaire_rate_limit
def follow_up_form(request, token):
    return _answer(request, token, _FOLLOW_UP)


@never_cache
@require_http_methods(["GET", "POST"])
@_questionnaire_rate_limit
def exit_form(request, token):
    return _answer(request, token, _EXIT)


def thanks(request):
    return render(request, "participants/evaluation/thanks.html")
