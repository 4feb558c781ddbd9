"""The public evaluation form a company reaches through the link in its e-mail; no login needed."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from participants import services
from participants.forms.evaluation import EvaluationForm
from participants.questionnaire_links import LINK_MAX_AGE
from voorsprong.services import WorkflowRefusal

# A link that was good once answers 410 Gone; anything we never issued answers 404.
_GONE = {"link_expired", "link_used"}


def _dead_link(request, refusal: WorkflowRefusal):
    return render(
        request,
        "participants/evaluation/dead_link.html",
        {"code": refusal.code, "days": LINK_MAX_AGE.days},
        status=410 if refusal.code in _GONE else 404,
    )


# never_cache: once used, the back button must not bring the form back from the browser's cache.
@never_cache
@require_http_methods(["GET", "POST"])
def evaluation_form(request, token):
    try:
        application = services.check_evaluation_token(token)
    except WorkflowRefusal as refusal:
        return _dead_link(request, refusal)
    form = EvaluationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.submit_evaluation(token, **form.cleaned_data)
        except WorkflowRefusal as refusal:
            if not refusal.field:
                return _dead_link(request, refusal)
            form.add_error(refusal.field, refusal.message)
        else:
            return redirect("evaluation:thanks")
    return render(request, "participants/evaluation/form.html", {"form": form, "application": application})


def thanks(request):
    return render(request, "participants/evaluation/thanks.html")
