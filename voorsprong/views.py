from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound

from voorsprong.api import error_body
from voorsprong.roles import Role

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


def admin_login(request, extra_context=None):
    """Show the admin's login page, but refuse a logged-in user who may not use the admin (a promoter, the
    cabinet) with the 403 page and its way back, rather than asking them to log in as someone else."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied
    return admin.site.login(request, extra_context)


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


def not_found(request, exception):
    """Answer an address that matches nothing (handler404): one under /api/ that matches no route
    (``/api/v1/declarations/0.5/approve/``) in JSON, like the API's own 404s; any other with the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(NotFound.default_detail, NotFound.default_code), status=404)
    return page_not_found(request, exception)
