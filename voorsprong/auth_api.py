"""Logging in, guarded by django-axes: the API token endpoint and the answer to a locked-out login.

Axes counts the failed logins of one username from one address; after ``AXES_FAILURE_LIMIT`` of them
that combination is refused for ``AXES_COOLOFF_TIME``, also with the right password. It can only count
a login whose ``authenticate()`` receives the request: the login page and the admin pass it, and the
token endpoint below passes Django's own request (not DRF's wrapper, on which axes' marks would be
lost to its middleware).
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from voorsprong.api import StrictBodyMixin, describe, error_responses
from voorsprong.two_factor import check_second_factor


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "Too many failed log-in attempts. This account is locked from this address for %(minutes)s minutes; "
        "try again later."
    ) % {"minutes": lockout_minutes()}


def is_locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out request (AXES_LOCKOUT_CALLABLE): a JSON 403 for the API, the login page's
    explanation for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=403)
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(), "minutes": lockout_minutes()},
        status=403,
    )


def client_ip(request) -> str | None:
    """Return the client's address (AXES_CLIENT_IP_CALLABLE): behind the reverse proxy
    (``AXES_TRUST_X_FORWARDED_FOR``), the address the proxy saw, which it appends last to X-Forwarded-For;
    otherwise the connection's address."""
    if settings.AXES_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


class RequestAuthTokenSerializer(AuthTokenSerializer):
    """DRF's serializer, authenticating with Django's request so axes counts and locks the attempt, and
    asking a user who must or does use two-step verification for its code (voorsprong.two_factor)."""

    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text="The code of the user's authenticator app, or one of its recovery codes (used up): "
        "required for officers, the financial service and administrators, and for anyone who set up "
        "two-step verification.",
    )

    def validate(self, attrs):
        username, password = attrs.get("username"), attrs.get("password")
        if not (username and password):
            raise serializers.ValidationError(
                gettext_lazy('Must include "username" and "password".'), code="authorization"
            )
        request = self.context["request"]
        user = authenticate(
            request=getattr(request, "_request", request), username=username, password=password
        )
        if not user:
            raise serializers.ValidationError(
                gettext_lazy("Unable to log in with provided credentials."), code="authorization"
            )
        check_second_factor(user, attrs.get("otp"))
        attrs["user"] = user
        return attrs


class AuthTokenView(StrictBodyMixin, ObtainAuthToken):
    """POST: username and password in, the user's token out. DELETE: revoke the caller's token."""

    serializer_class = RequestAuthTokenSerializer

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if is_locked_out(request._request):
                return Response({"detail": lockout_message(), "code": "locked_out"}, status=403)
            raise serializers.ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        **describe(
            "Revoke the caller's API token",
            "Delete the token of the user who calls: it no longer opens the API. The next POST gives a new "
            "one.",
            who="any logged-in user.",
        ),
        request=None,
        responses={
            204: OpenApiResponse(description="The token no longer opens the API."),
            **error_responses(401),
        },
    )
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
