"""``Idempotency-Key`` on the API's POSTs: a retried request answers what the first one answered.

A client that may send a POST twice (a time-out, a lost answer) adds ``Idempotency-Key: <unique value>``.
The first request with that key runs as usual; a later one from the same user with the same key and the
same body changes nothing and gets the first answer again (status and JSON body, and its ``Location``),
marked ``Idempotent-Replayed: true``. The same key with another body or on another path answers 422
``idempotency_key_reused``. Keys are per user and expire after ``IDEMPOTENCY_KEY_TTL`` (24 hours).

How (``IdempotencyMiddleware``, for POSTs under ``/api/v1/`` carrying the header):

* The user is found with DRF's own authenticators (a token is checked in the view, after the middleware
  stack, so ``request.user`` alone would miss it), on a copy of the request so the view authenticates
  as before. Anonymous or refused requests are passed on untouched: the view answers 401/403 itself.
* The request runs inside one transaction that first inserts the key's row. Two identical requests at
  the same time cannot both run: on PostgreSQL the second insert waits for the first transaction, then
  hits the unique (user, key) constraint and replays the stored answer (it waits; it never answers 409
  "in progress"). SQLite serialises writers anyway.
* Answers below 500 are stored and replayed, refusals (400, 403, 409, ...) included: retrying a refused
  request with the same key gives the same refusal. A 5xx rolls everything back, the key included, so the
  client may retry it with the same key.
* Expired keys are removed lazily: when a user sends a key, their rows older than the TTL go first.
  Without a header nothing changes: no transaction, no row.
"""

import copy
import datetime
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from voorsprong.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
IDEMPOTENCY_KEY_TTL = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("Location",)


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _user_of(request):
    """Return the authenticated user as DRF's authenticators see it, or None."""
    probe = copy.copy(request)
    drf_request = Request(
        probe, authenticators=[auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    )
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def _body_of(response):
    """Return the response's JSON body, or None when it has none (or is not JSON)."""
    if response.streaming or not response.content:
        return None
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _replay(record) -> HttpResponse:
    if record.response_body is None:
        response = HttpResponse(status=record.response_status)
    else:
        response = JsonResponse(record.response_body, status=record.response_status, safe=False)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response[REPLAY_HEADER] = "true"
    return response


def _reused() -> JsonResponse:
    return JsonResponse(
        {
            "detail": _("This Idempotency-Key was already used for another request."),
            "code": "idempotency_key_reused",
        },
        status=422,
    )


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return JsonResponse(
                {
                    "detail": _("An Idempotency-Key has at most %(max)d characters.")
                    % {"max": MAX_KEY_LENGTH},
                    "code": "invalid_idempotency_key",
                },
                status=400,
            )
        body = request.body  # read (and cached) before anything parses the request
        user = _user_of(request)
        if user is None:
            return self.get_response(request)
        return self._once(request, user, key, fingerprint(body))

    def _once(self, request, user, key: str, body_fingerprint: str):
        with transaction.atomic():
            IdempotentRequest.objects.filter(
                user=user, created_at__lt=timezone.now() - IDEMPOTENCY_KEY_TTL
            ).delete()
            try:
                with transaction.atomic():
                    # Waits here while another transaction holds the same (user, key).
                    record = IdempotentRequest.objects.create(
                        key=key,
                        user=user,
                        method=request.method,
                        path=request.path,
                        fingerprint=body_fingerprint,
                        response_status=0,
                    )
            except IntegrityError:
                record = None
            if record is None:
                existing = IdempotentRequest.objects.get(user=user, key=key)
                if existing.fingerprint != body_fingerprint or existing.path != request.path:
                    return _reused()
                return _replay(existing)

            response = self.get_response(request)
            if response.status_code >= 500 or transaction.get_connection().needs_rollback:
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = _body_of(response)
            record.response_headers = {
                name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)
            }
            record.save(update_fields=["response_status", "response_body", "response_headers"])
        return response
