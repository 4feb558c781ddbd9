"""GET /health/: is the database reachable, and the Celery broker (when there is one)?"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


# A probe that hangs (an address that drops packets) must not hold a web worker: one try, half a second,
# and the answer kept a few seconds so a load balancer polling often opens one connection, not one each.
BROKER_CONNECT_TIMEOUT = 0.5
BROKER_STATUS_SECONDS = 5


def _probe_broker() -> str:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_CONNECT_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_CONNECT_TIMEOUT)
    except Exception:  # any failure to reach the broker means "unavailable"; the kind does not matter here
        return "unavailable"
    return "ok"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    key = f"health:broker:{settings.CELERY_BROKER_URL}"
    status = cache.get(key)
    if status is None:
        status = _probe_broker()
        cache.set(key, status, BROKER_STATUS_SECONDS)
    return status


@never_cache
@require_GET
def health(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(status in ("ok", "in-process") for status in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
