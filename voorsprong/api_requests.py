"""How the API reads a request: DRF's parsers, token and session authentication, refusing in Dutch.

Kept apart from ``voorsprong.api``: DRF imports the classes of its settings while ``rest_framework.views``
is still loading, which ``voorsprong.api`` imports.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, parsers
from rest_framework.exceptions import AuthenticationFailed, ParseError, PermissionDenied

# No body the API takes nests deeper than a few levels (an SME declaration's enterprises: 3).
MAX_JSON_DEPTH = 32


def json_depth(value) -> int:
    """Return how deep lists and objects nest in ``value`` (0 for a plain value), without recursing."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth + 1)
            pending.extend((item, depth + 1) for item in value)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing in Dutch a malformed body (with where the JSON breaks off) and one nested
    deeper than ``MAX_JSON_DEPTH`` (Python's own parser gives up past a thousand levels with an error of
    its own, which was a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(
            _("The body nests lists and objects deeper than %(max)s levels.") % {"max": MAX_JSON_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        except ParseError as error:
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _("The body is not valid JSON (line %(line)s, column %(column)s).") % {
                    "line": cause.lineno,
                    "column": cause.colno,
                }
            else:
                message = _("The body is not valid JSON in UTF-8.")
            raise ParseError(message) from error
        if json_depth(data) > MAX_JSON_DEPTH:
            raise too_deep
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing a malformed body in Dutch."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError(_("The body is not a valid multipart form.")) from error


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, refusing a missing or wrong CSRF token in Dutch (403 ``csrf_failed``)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied as error:
            raise PermissionDenied(
                _("The CSRF token is missing or wrong: send the csrftoken cookie's value as X-CSRFToken."),
                code="csrf_failed",
            ) from error


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``) on the kernel's tokens: looked up by the
    key's digest, refused once expired (401 ``token_expired``), their last use noted.

    The models and services are imported when a request comes: DRF imports this class while the apps
    may still be loading.
    """

    def authenticate_credentials(self, key):
        from voorsprong.models import ApiToken
        from voorsprong.services import note_api_token_use

        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
        # DRF's own texts, which its catalogue translates.
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise AuthenticationFailed(
                _("This API key has expired. Make a new one on the page API keys or with POST %(path)s.")
                % {"path": "/api/v1/auth/token/"},
                code="token_expired",
            )
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        note_api_token_use(token)
        return token.user, token
