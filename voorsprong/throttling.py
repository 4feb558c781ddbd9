"""Rate limits for what anyone may use without logging in, counted in the cache by django-ratelimit."""

import ipaddress
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from voorsprong.api import error_body
from voorsprong.proxies import client_ip

# One IPv6 client usually holds a whole /64: counting per address would let it change address freely.
_IPV6_PREFIX = 64


def _address_key(group: str, request) -> str:
    """Return the client's address as a rate limit counts it (IPv6 by /64)."""
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "address:unknown"
    if parsed.version == 6:
        return f"address:{ipaddress.ip_network(f'{parsed}/{_IPV6_PREFIX}', strict=False).network_address}"
    return f"address:{parsed}"


def _client_key(group: str, request) -> str:
    """Return whom a request counts for: its user, or when not logged in its address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return _address_key(group, request)


def seconds_to_wait(request, *, group: str, rate: str, per_address: bool = False) -> int | None:
    """Count ``request`` against ``rate`` (e.g. ``60/h``) of ``group``, per user (per address when not logged
    in, or always with ``per_address``); return the seconds until the client may ask again when it is over
    the limit, None when it is not.

    A cache that does not answer counts as over the limit (django-ratelimit fails closed).
    """
    key = _address_key if per_address else _client_key
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


def too_many_requests(request, seconds: int) -> HttpResponse:
    """Answer 429 with ``Retry-After``: JSON ``{detail, code}`` under /api/, the Dutch page for people."""
    if request.path.startswith("/api/"):
        detail = _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds}
        response = JsonResponse(error_body(detail, "rate_limited"), status=429)
    else:
        page = loader.render_to_string("429.html", {"seconds": seconds}, request)
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limit(group: str, rate_setting: str, *, methods: tuple[str, ...] = ("POST",)):
    """Decorate a view: its ``methods`` may be called ``settings.<rate_setting>`` times (e.g. ``10/m``) per
    address, views of one ``group`` counting together. The count is checked before the view runs, so over
    the limit no work is done (no password is hashed) and the answer is ``too_many_requests``."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method in methods:
                rate = getattr(settings, rate_setting)
                wait = seconds_to_wait(request, group=group, rate=rate, per_address=True)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorator


# The log-in form, the admin's and the API token endpoint count together: one budget of password checks.
login_rate_limit = rate_limit("login", "LOGIN_RATE_LIMIT")
