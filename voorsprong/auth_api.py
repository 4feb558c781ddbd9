"""Logging in, guarded by django-axes: the API token endpoints and the answer to a locked-out login.

Axes counts failed logins in layers (voorsprong.lockout); a username locked at an address is refused there
for ``AXES_COOLOFF_TIME``, also with the right password. It can only count a login whose
``authenticate()`` receives the request: the login page and the admin pass it, and the token endpoint
below passes Django's own request (not DRF's wrapper, on which axes' marks would be lost to its
middleware). Before that, every log-in POST is rate limited (voorsprong.throttling, applied in urls.py).

A token expires after API_TOKEN_TTL_DAYS; a user has one per script or machine, lists them at
``/api/v1/auth/tokens/`` (or on the page API-sleutels) and revokes any of them there.
"""

import django_filters
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from voorsprong.api import (
    DETAIL_ERRORS,
    StrictBodyMixin,
    StrictBooleanFilter,
    TokenSerializer,
    describe,
    error_responses,
    list_error_responses,
)
from voorsprong.models import ApiToken
from voorsprong.services import issue_api_token, revoke_api_token
from voorsprong.two_factor import check_second_factor
from voorsprong.validators import validate_one_line


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


class RequestAuthTokenSerializer(AuthTokenSerializer):
    """DRF's serializer, authenticating with Django's request so axes counts and locks the attempt, and
    asking a user who must or does use two-step verification for its code (voorsprong.two_factor); with
    the new token's label."""

    label = serializers.CharField(
        max_length=ApiToken._meta.get_field("label").max_length,
        required=False,
        allow_blank=True,
        validators=[validate_one_line],
        help_text="What the token is for (a script, a machine), to tell it apart in the list of tokens.",
    )
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
    """POST: username and password in, a new token of the user out. DELETE: revoke the token of the call."""

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
        token, key = issue_api_token(
            serializer.validated_data["user"],
            label=serializer.validated_data.get("label", ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(TokenSerializer({"token": key, "id": token.pk, "expires_at": token.expires_at}).data)

    @extend_schema(
        **describe(
            "Revoke the API token of the call",
            "Revoke the token this call is made with: it no longer opens the API; the user's other tokens "
            "keep working. Called with a session rather than a token, it revokes nothing (revoke a token "
            "by its id at `/api/v1/auth/tokens/{id}/`).",
            who="any logged-in user.",
        ),
        request=None,
        responses={
            204: OpenApiResponse(description="The token no longer opens the API."),
            **error_responses(401),
        },
    )
    def delete(self, request, *args, **kwargs):
        if isinstance(request.auth, ApiToken):
            revoke_api_token(request.auth, reason="revoked by its user through the API")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    expired = serializers.SerializerMethodField(help_text="Whether the token has expired.")

    class Meta:
        model = ApiToken
        fields = ["id", "label", "user_agent", "created_at", "expires_at", "last_used_at", "expired"]
        extra_kwargs = {"user_agent": {"help_text": "The User-Agent of the request that made the token."}}

    def get_expired(self, token: ApiToken) -> bool:
        return token.is_expired


class ApiTokenFilter(django_filters.FilterSet):
    active = StrictBooleanFilter(
        method="filter_active", label=gettext_lazy("Not expired (true) or expired (false)")
    )

    class Meta:
        model = ApiToken
        fields = ["active"]

    def filter_active(self, queryset, name, value: bool):
        now = timezone.now()
        return queryset.filter(expires_at__gt=now) if value else queryset.filter(expires_at__lte=now)


@extend_schema_view(
    list=extend_schema(
        **describe(
            "List your API tokens",
            "The caller's own tokens, newest first, each with its label, when it was made, when it expires "
            "and when it was last used (noted at most once a minute); never the key itself, which is "
            "shown once, when the token is made. Filter on `active`.",
            who="any logged-in user, for their own tokens.",
        ),
        responses={200: ApiTokenSerializer(many=True), **list_error_responses()},
    ),
    destroy=extend_schema(
        **describe(
            "Revoke one of your API tokens",
            "Revoke one of the caller's tokens by its id: it no longer opens the API. Another user's token "
            "answers 404.",
            who="any logged-in user, for their own tokens.",
        ),
        responses={
            204: OpenApiResponse(description="The token no longer opens the API."),
            **error_responses(*DETAIL_ERRORS),
        },
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own tokens: list and revoke. Tokens are made at /api/v1/auth/token/."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ApiTokenFilter
    ordering_fields = ["created_at", "expires_at", "last_used_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by(*self.ordering)

    def perform_destroy(self, instance: ApiToken) -> None:
        revoke_api_token(instance, reason="revoked by its user through the API")
