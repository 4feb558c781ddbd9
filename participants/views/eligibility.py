"""The public pre-check: can a company take part in a traject, and if not, why not (no login)."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from participants import services
from participants.forms.eligibility import EligibilityForm
from participants.kbo import format_kbo_number
from voorsprong.throttling import seconds_to_wait


@require_safe
def precheck(request):
    """Ask a KBO number and a traject (a GET form, so an answer can be bookmarked); answer yes, or no with
    every reason. Only a question asked counts towards the rate limit, not the empty form."""
    form = EligibilityForm(request.GET if "kbo" in request.GET else None)
    verdict = None
    if form.is_bound:
        wait = seconds_to_wait(request, group="eligibility", rate=settings.ELIGIBILITY_RATE_LIMIT)
        if wait is not None:
            response = render(
                request, "participants/eligibility/rate_limited.html", {"seconds": wait}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            verdict = services.precheck_eligibility(form.cleaned_data["kbo"], form.cleaned_data["traject"])
    return render(
        request,
        "participants/eligibility/precheck.html",
        {
            "form": form,
            "verdict": verdict,
            "kbo_display": format_kbo_number(verdict.kbo_number) if verdict else "",
        },
    )
