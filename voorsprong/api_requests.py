"""How the API reads a request: DRF's parsers and session authentication, refusing in Dutch.

Kept apart from ``voorsprong.api``: DRF imports the classes of its settings while ``rest_framework.views``
is still loading, which ``voorsprong.api`` imports.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, parsers
from rest_framework.exceptions import ParseError, PermissionDenied


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a malformed body in Dutch, with where the JSON breaks off."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
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
