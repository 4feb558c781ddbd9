import sys
from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import NotFound

from voorsprong.api import error_body
from voorsprong.forms import ApiTokenForm
from voorsprong.roles import Role
from voorsprong.services import issue_api_token, revoke_api_token
from voorsprong.throttling import login_rate_limit

# Where each role starts after logging in: officers (and administrators) at their work queue, the
# financial service at the declarations it pays in the admin.
_START_PAGE = {
    Role.PROMOTER: "coaching:applications",
    Role.SECTOR_CONSULTANT: "referrals:list",
    Role.CABINET: "reports:list",
    Role.FINANCE: "admin:funding_declaration_changelist",
}


@login_required
def home(request):
    for role, page in _START_PAGE.items():
        if request.user.has_role(role):
            return redirect(page)
    if request.user.acts_as(Role.OFFICER):
        return redirect("work_queue")
    return redirect("admin:index")


@login_rate_limit
def admin_login(request, extra_context=None):
    """Show the admin's login page, but refuse a logged-in user who may not use the admin (a promoter, the
    cabinet) with the 403 page and its way back, rather than asking them to log in as someone else."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied
    return admin.site.login(request, extra_context)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # the page may show a new key: no cache keeps it
def api_tokens(request):
    """Show the user's API keys (never a key itself) and make a new one, whose key is shown this once."""
    form, new_key = ApiTokenForm(request.POST if request.method == "POST" else None), None
    if form.is_valid():
        _token, new_key = issue_api_token(
            request.user, label=form.cleaned_data["label"], user_agent=request.headers.get("User-Agent", "")
        )
        form = ApiTokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": request.user.api_tokens.all(),
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
    }
    return render(request, "voorsprong/api_tokens.html", context)


@login_required
@require_POST
def revoke_token(request, pk: int):
    """Revoke one of the user's API keys; another user's answers 404."""
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    revoke_api_token(token, reason="revoked by its user on the page")
    messages.success(request, _("The key is revoked: it no longer opens the API."))
    return redirect("api_tokens")


def role_required(*roles: Role):
    """Restrict a page to users who may act in one of ``roles`` (administrators always); others get 403,
    anonymous visitors the login page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.acts_as(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorator


# The errors Django raises before or around a view (handler400, 403, 404, 500) answer under /api/ in JSON,
# like the API's own, with a generic Dutch detail: the exception's own text may hold internals.
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    """Answer an address that matches nothing (handler404): one under /api/ that matches no route
    (``/api/v1/declarations/0.5/approve/``) in JSON, like the API's own 404s; any other with the page."""
    if _is_api(request):
        return JsonResponse(error_body(NotFound.default_detail, NotFound.default_code), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """handler400: a request Django cannot take (a body over the size limit, too many fields, a host it
    does not serve)."""
    if _is_api(request):
        detail = _("The request cannot be handled: it is too large or not valid.")
        return JsonResponse(error_body(detail, "bad_request"), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """handler403: a refusal raised outside the API's views (a middleware's)."""
    if _is_api(request):
        return JsonResponse(error_body(_("You are not allowed to do this."), "forbidden"), status=403)
    return defaults.permission_denied(request, exception)


# How long a client should wait before trying again when the database does not answer.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500, for an exception anywhere (view, middleware); Django has logged it already.

    A database that cannot be reached (the connection lost or refused: psycopg's OperationalError or
    InterfaceError, as Django wraps them) is not a fault of the request: 503 with ``Retry-After``. The
    answers touch no database.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if _is_api(request):
            detail = _("The service is temporarily unavailable. Try again in a moment.")
            response = JsonResponse(error_body(detail, "service_unavailable"), status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        detail = _("Something went wrong on our side; the error has been recorded. Try again later.")
        return JsonResponse(error_body(detail, "server_error"), status=500)
    return defaults.server_error(request)
