"""Rate limits for what anyone may use without logging in, counted in the cache by django-ratelimit."""

import ipaddress

from django_ratelimit.core import get_usage

from voorsprong.auth_api import client_ip

# One IPv6 client usually holds a whole /64: counting per address would let it change address freely.
_IPV6_PREFIX = 64


def _client_key(group: str, request) -> str:
    """Return whom a request counts for: its user, or when not logged in its address (IPv6 by /64)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "address:unknown"
    if parsed.version == 6:
        return f"address:{ipaddress.ip_network(f'{parsed}/{_IPV6_PREFIX}', strict=False).network_address}"
    return f"address:{parsed}"


def seconds_to_wait(request, *, group: str, rate: str) -> int | None:
    """Count ``request`` against ``rate`` (e.g. ``60/h``) of ``group``; return the seconds until the client
    may ask again when it is over the limit, None when it is not.

    A cache that does not answer counts as over the limit (django-ratelimit fails closed).
    """
    usage = get_usage(request, group=group, key=_client_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])
