"""The client's address, the one rule for the log-in lock-outs (AXES_CLIENT_IP_CALLABLE) and the rate limits.

A client talking to the app directly can write any ``X-Forwarded-For`` it likes, so the header is only read
when the connection comes from a trusted proxy, and only as far as trusted proxies wrote it: each proxy
appends the address it was called from, so the chain is read from the right, past the trusted proxies, and
the first address no trusted proxy stands behind is the client's. Whatever a client put in front of that
is ignored.
"""

import ipaddress

from django.conf import settings


def _is_trusted_proxy(address: ipaddress.IPv4Address | ipaddress.IPv6Address, hops: int) -> bool:
    """Return whether ``address``, ``hops`` steps before the app (0: the connection), is a trusted proxy."""
    if settings.TRUSTED_PROXIES:
        return any(address in network for network in settings.TRUSTED_PROXIES)
    return hops < settings.TRUSTED_PROXY_COUNT


def client_ip(request) -> str | None:
    """Return the address of the client behind ``request`` (see the module's docstring); None when the
    connection has none."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",")] + [request.META.get("REMOTE_ADDR") or ""]
    nearest = None
    for hops, value in enumerate(reversed(chain)):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            # Not an address where a trusted proxy should have written one: the nearest trusted proxy is
            # all we know (it stands for everyone it passes such a header for).
            return nearest
        if not _is_trusted_proxy(address, hops):
            return str(address)
        nearest = str(address)
    return nearest
