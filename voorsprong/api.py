"""What every API view shares: model permissions that also guard reading, and one error vocabulary."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from participants.services import WorkflowRefusal
from voorsprong.roles import Role


class ModelPermissions(DjangoModelPermissions):
    """DRF's model permissions, with reading requiring the ``view`` permission (the cabinet has none)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def role_permission(*roles: Role) -> type[BasePermission]:
    """A permission class letting in users with one of ``roles`` (and administrators)."""

    class HasRole(BasePermission):
        def has_permission(self, request, view):
            user = request.user
            return bool(
                user.is_authenticated
                and (user.is_superuser or any(user.has_role(role) for role in (*roles, Role.ADMIN)))
            )

    return HasRole


def refusal_response(refusal: WorkflowRefusal) -> Response:
    """403 for a role that may not act, 400 for a wrong value, 409 for a state that does not allow it."""
    if refusal.code == "forbidden":
        return Response({"detail": refusal.message, "code": refusal.code}, status=status.HTTP_403_FORBIDDEN)
    if refusal.field:
        return Response({refusal.field: [refusal.message]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": refusal.message, "code": refusal.code}, status=status.HTTP_409_CONFLICT)


def exception_handler(exc, context):
    if isinstance(exc, WorkflowRefusal):
        return refusal_response(exc)
    if isinstance(exc, DjangoValidationError):
        # A model's full_clean speaks Django; answer in DRF's shape, field by field.
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        body = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in errors.items()
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
