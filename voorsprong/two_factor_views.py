"""The pages of two-step verification (voorsprong.two_factor): the overview every user reaches from the
header, setting up an authenticator app, the code step after the password, and the recovery codes, shown
once."""

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from voorsprong import two_factor
from voorsprong.services import WorkflowRefusal

app_name = "two_factor"

# The secret being set up, until the app's first code confirms it, and the recovery codes until shown.
_SECRET = "two_factor_secret"
_CODES = "two_factor_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


def _next(request) -> str:
    """Return the page to go on to after a step: ``next`` if it is one of this site's, else the start."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def _verified(request, device) -> None:
    """Mark the session as passed the second step, under a new key (as a log-in does)."""
    django_otp.login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
def overview(request):
    user = request.user
    device = two_factor.authenticator(user)
    context = {
        "device": device,
        "required": two_factor.is_required(user),
        "codes_left": two_factor.recovery_codes_left(user) if device else 0,
    }
    return render(request, "two_factor/overview.html", context)


@never_cache
@login_required
def enrol(request):
    """Show a new secret as a QR code and as text; the app's first code makes it the user's authenticator.

    A user who has one and has not given its code in this session gives it first: setting up another is
    no way around it."""
    pending = two_factor.pending_step(request)
    if pending == two_factor.CODE:
        return redirect(_with_next("two_factor:code", reverse("two_factor:enrol")))
    secret = request.session.get(_SECRET) or two_factor.new_secret()
    request.session[_SECRET] = secret
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = two_factor.enrol(request.user, secret, form.cleaned_data["code"])
        except WorkflowRefusal as refusal:
            form.add_error("code", refusal.message)
        else:
            del request.session[_SECRET]
            _verified(request, device)
            request.session[_CODES] = codes
            return redirect(_with_next("two_factor:recovery_codes", _next(request)))
    qr = segno.make(two_factor.setup_url(request.user, secret), error="m")
    context = {
        "form": form,
        "qr": qr.svg_data_uri(scale=5, border=2),
        "secret": two_factor.readable_secret(secret),
        "required": two_factor.is_required(request.user),
        "replacing": two_factor.authenticator(request.user) is not None,
        "pending": pending,
        "next": _next(request),
    }
    return render(request, "two_factor/enrol.html", context)


@never_cache
@login_required
def code(request):
    """The step after the password: a code of the authenticator app, or a recovery code."""
    if two_factor.pending_step(request) != two_factor.CODE:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = two_factor.verify_code(request.user, form.cleaned_data["code"])
        except WorkflowRefusal as refusal:
            form.add_error("code", refusal.message)
        else:
            _verified(request, device)
            return redirect(_next(request))
    context = {"form": form, "pending": two_factor.CODE, "next": _next(request)}
    return render(request, "two_factor/code.html", context)


@never_cache
@login_required
def recovery_codes(request):
    """GET: show the recovery codes just made, once. POST: replace them by ten new ones."""
    if request.method == "POST":
        if two_factor.authenticator(request.user) is None:
            return redirect("two_factor:overview")
        request.session[_CODES] = two_factor.new_recovery_codes(request.user)
        return redirect("two_factor:recovery_codes")
    codes = request.session.pop(_CODES, None)
    if codes is None:
        messages.info(request, _("Recovery codes are shown only once. Make new ones if you lost them."))
        return redirect("two_factor:overview")
    return render(request, "two_factor/recovery_codes.html", {"codes": codes, "next": _next(request)})


@require_POST
@login_required
def turn_off(request):
    try:
        two_factor.turn_off(request.user)
    except WorkflowRefusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Two-step verification is off."))
    return redirect("two_factor:overview")


urlpatterns = [
    path("", overview, name="overview"),
    path("instellen/", enrol, name="enrol"),
    path("code/", code, name="code"),
    path("herstelcodes/", recovery_codes, name="recovery_codes"),
    path("uitschakelen/", turn_off, name="turn_off"),
]
