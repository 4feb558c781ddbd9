"""What every API view shares: model permissions that also guard reading, and one error vocabulary."""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal


class ModelPermissions(DjangoModelPermissions):
    """DRF's model permissions, with reading requiring the ``view`` permission (the cabinet has none)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def requires_permission(permission: str) -> type[BasePermission]:
    """For workflow actions: the user must hold ``permission`` (seeing the model); the services decide
    the rest. Without it the answer is 403, as on the model's own routes, not the scoped 404."""

    class HasPermission(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user.is_authenticated and request.user.has_perm(permission))

    return HasPermission


class PageByKeys(Paginator):
    """Reads a page's primary keys first, then only those rows with their joins.

    The keys come from the index of the list's order, so a page deep in a long list costs an index
    walk rather than joining every row it skips (page 650 of the applications at 100 times today's
    volume: 230 ms the plain way). One query more, whatever the page.
    """

    def page(self, number):
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys], number, self)


class StableOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=a,-b``: only a view's ``ordering_fields`` are taken, others are ignored (without
    a valid one the list keeps its default ``ordering``). The primary key is added as the last key,
    in the direction of the last field, so rows with equal values keep one order from page to page."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if valid and not {field.lstrip("-") for field in valid} & {"pk", "id"}:
            valid.append("-pk" if valid[-1].startswith("-") else "pk")
        return valid

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, (list, tuple)):
            for parameter in parameters:
                parameter["description"] = (
                    f"Sort by one or more of {', '.join(fields)}, comma-separated; a leading - sorts "
                    "descending. Other fields are ignored."
                )
                parameter["schema"] = {"type": "string", "example": f"-{fields[0]}"}
        return parameters


class ObjectActionMixin:
    """For a viewset's workflow actions: the action's body is validated first, then ``service`` acts
    on the scoped object as the requesting user, and the answer is the object as it is now."""

    def act(self, service, body: type[serializers.Serializer] | None = None) -> Response:
        fields = {}
        if body is not None:
            serializer = body(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            fields = serializer.validated_data
        changed = service(self.get_object(), by=self.request.user, **fields)
        return Response(self.get_serializer(changed).data)


class Pagination(PageNumberPagination):
    """Pages of 50 by default; a client may ask for up to 500 rows a page with ``page_size``."""

    django_paginator_class = PageByKeys
    page_size_query_param = "page_size"
    max_page_size = 500


def role_permission(*roles: Role) -> type[BasePermission]:
    """A permission class letting in users with one of ``roles`` (and administrators)."""

    class HasRole(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user.is_authenticated and request.user.acts_as(*roles))

    return HasRole


class StrictBodyMixin:
    """For API views: a write's body is read before the view acts, also by actions that take no fields,
    so a malformed, oversized or non-object body answers 400 and never reaches the services.

    DRF's JSON and form parsers read the stream themselves, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    check; the limit is applied here (not to multipart uploads, whose files have their own handling).
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not request.content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise ParseError(
                    _("The request body has %(size)s bytes; at most %(max)s are allowed.")
                    % {"size": length, "max": limit}
                )
        if not isinstance(request.data, Mapping):
            raise ParseError(_("The request body must be a JSON object with the fields by name."))


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


class ReasonSerializer(serializers.Serializer):
    """The body of an action that needs a reason (reject, withdraw, stop)."""

    reason = serializers.CharField(max_length=2000)


# -- the OpenAPI contract (drf-spectacular) ----------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    """The body of a 401, 403, 404, 409 or 410: a message, and a code for the workflow's refusals."""

    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.CharField(
        required=False,
        help_text="Machine-readable reason, e.g. forbidden or invalid_status (absent on 401 and 404).",
    )


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: per field, a list of messages; ``non_field_errors`` for the request as a whole.

    Its schema is written by ``ValidationErrorSchema`` below: the field names vary per endpoint.
    """


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Per field, a list of messages; non_field_errors for the request as a whole; detail for "
                "a body that cannot be read as fields at all (not a JSON object, too large)."
            ),
            # StrictBodyMixin's and DRF's ParseError answer {"detail": "..."}, not a list per field.
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


ERROR_DESCRIPTIONS = {
    400: "Invalid input: a list of messages per field.",
    401: "Not logged in: no valid token or session.",
    403: "The user's role may not do this.",
    404: "No such object, or not one the user may see.",
    409: "The object's state does not allow this.",
    410: "The object's file is gone.",
}
ERROR_EXAMPLES = {
    400: OpenApiExample(
        "Invalid field", value={"some_field": ["This field is required."]}, status_codes=[400]
    ),
    409: OpenApiExample(
        "Refused by the workflow",
        value={"detail": "Only a submitted application can be approved.", "code": "invalid_status"},
        status_codes=[409],
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers for ``codes``, each with its body (see ``exception_handler``)."""
    return {
        code: OpenApiResponse(
            response=ValidationErrorSerializer if code == 400 else ErrorSerializer,
            description=ERROR_DESCRIPTIONS[code],
            examples=[ERROR_EXAMPLES[code]] if code in ERROR_EXAMPLES else [],
        )
        for code in codes
    }


READ_ERRORS = (401, 403)
DETAIL_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403)
CHANGE_ERRORS = (400, 401, 403, 404)
TRANSITION_ERRORS = (400, 401, 403, 404, 409)


def list_error_responses(*, filtered=True) -> dict[int, OpenApiResponse]:
    """A paginated list's errors: those of reading, 400 for a filter's wrong value (when it has filters)
    and 404 for a ``page`` past the last or not a page."""
    no_page = OpenApiResponse(ErrorSerializer, description="No such page: past the last, or not a number.")
    return {**error_responses(*((400,) if filtered else ()), *READ_ERRORS), 404: no_page}


def model_viewset_schema(serializer, *, create=False, update=False, filtered=True) -> dict:
    """``extend_schema_view`` arguments for a model viewset's standard actions and their errors."""
    schema = {
        "list": extend_schema(
            responses={200: serializer(many=True), **list_error_responses(filtered=filtered)}
        ),
        "retrieve": extend_schema(responses={200: serializer, **error_responses(*DETAIL_ERRORS)}),
    }
    if create:
        schema["create"] = extend_schema(responses={201: serializer, **error_responses(*WRITE_ERRORS)})
    if update:
        for name in ("update", "partial_update"):
            schema[name] = extend_schema(responses={200: serializer, **error_responses(*CHANGE_ERRORS)})
    return schema


def document_unsupported_media_type(result, generator, request, public):
    """POSTPROCESSING_HOOKS: every operation that takes a body answers 415 to a body whose Content-Type
    none of DRF's parsers reads (JSON, form, multipart), also to a body without one."""
    unsupported = {
        "description": "The body's Content-Type is not JSON, a form or multipart (or is missing).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault("415", unsupported)
    return result


class ScopedViewSchema(OpenApiViewExtension):
    """For the schema only: a model viewset whose ``get_queryset`` scopes by user, which the generator
    cannot call (it has no user); ``queryset`` names the model for path types and filters."""

    def view_replacement(self):
        model = self.target.serializer_class.Meta.model
        return type(self.target.__name__, (self.target,), {"queryset": model._default_manager.none()})


# drf-spectacular registers every subclass; these name the views scoped by user.
for _name in (
    "participants.api.CompanyViewSet",
    "participants.api.ApplicationViewSet",
    "participants.api.ReferralViewSet",
    "funding.api.DeclarationViewSet",
):
    type(f"{_name.rsplit('.', 1)[1]}Schema", (ScopedViewSchema,), {"target_class": _name})


class TrajectsSchema(OpenApiViewExtension):
    """The trajects' and capacity periods' viewsets, documented from here to leave their module alone."""

    target_class = "trajects.api.TrajectViewSet"

    def view_replacement(self):
        serializer = self.target.serializer_class
        return extend_schema_view(**model_viewset_schema(serializer))(
            type(self.target.__name__, (self.target,), {})
        )


class CapacityPeriodsSchema(OpenApiViewExtension):
    target_class = "participants.api.CapacityPeriodViewSet"

    def view_replacement(self):
        serializer = self.target.serializer_class
        schema = model_viewset_schema(serializer, create=True, update=True)
        return extend_schema_view(**schema)(type(self.target.__name__, (self.target,), {}))


class AuthTokenSchema(OpenApiViewExtension):
    """DRF's ``obtain_auth_token``: username and password in, the user's token out."""

    target_class = "rest_framework.authtoken.views.ObtainAuthToken"
    match_subclasses = True
    priority = 1  # before drf-spectacular's own extension for this view

    def view_replacement(self):
        locked_out = OpenApiResponse(ErrorSerializer, description="Locked out after too many failed logins.")
        schema = {
            "post": extend_schema(
                summary="Get the user's API token",
                responses={200: TokenSerializer, **error_responses(400), 403: locked_out},
                auth=[],
            )
        }
        if hasattr(self.target, "delete"):  # revoking the token needs one
            revoked = OpenApiResponse(description="The token no longer opens the API.")
            schema["delete"] = extend_schema(request=None, responses={204: revoked, **error_responses(401)})
        return extend_schema_view(**schema)(type(self.target.__name__, (self.target,), {}))
