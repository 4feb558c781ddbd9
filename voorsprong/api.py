"""What every API view shares: model permissions that also guard reading, and one error vocabulary."""

import re
from collections.abc import Iterable, Mapping

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
    OpenApiViewExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, NotFound, ParseError, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, DjangoModelPermissions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from voorsprong import uploads
from voorsprong.data_version import CachedCountPaginator
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal
from voorsprong.validators import (
    DAY_OUT_OF_RANGE,
    FORBIDDEN_CHARACTERS,
    REASON_MAX_LENGTH,
    DayRangeValidator,
    PlainTextValidator,
    validate_day,
    validate_multi_line,
)


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


class PageByKeysCachedCount(CachedCountPaginator, PageByKeys):
    """:class:`PageByKeys` with the count kept in the figure cache: for lists of the tables it tracks."""


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
    """Pages of 50 by default; a client may ask for up to 500 rows a page with ``page_size``.

    A ``page`` or ``page_size`` that is not a whole number in its range answers 400 (code ``invalid``)
    like a filter's wrong value, rather than DRF's silent default size or 404; a page past the last is
    still 404. The schema documents both ranges.
    """

    django_paginator_class = PageByKeys
    page_size_query_param = "page_size"
    max_page_size = 500
    # Beyond any list's last page; also bounds the digits read.
    max_page = 2**31 - 1
    last_page_strings = ()

    def get_page_size(self, request):
        return self._whole_number(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return self._whole_number(request, self.page_query_param, 1, self.max_page)

    @staticmethod
    def _whole_number(request, name: str, default: int, maximum: int) -> int:
        """Return the query parameter ``name`` as a number from 1 to ``maximum``, ``default`` without it."""
        value = request.query_params.get(name)
        if value is None:
            return default
        field = serializers.IntegerField(min_value=1, max_value=maximum)
        try:
            # Plain ASCII digits: DRF's IntegerField also takes "5.0", " 5" and other scripts' digits.
            if not re.fullmatch(r"[0-9]{1,12}", value):
                field.fail("invalid")
            return field.run_validation(value)
        except ValidationError as error:
            raise ValidationError({name: error.detail}) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        maxima = {self.page_query_param: self.max_page, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": maxima[parameter["name"]]}
        return parameters


class CachedCountPagination(Pagination):
    """:class:`Pagination` counting through the figure cache: for lists of the tables it tracks, where a
    page's count would otherwise read every row of the list on every request."""

    django_paginator_class = PageByKeysCachedCount


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


def error_body(detail, code: str) -> dict:
    """Return the body of every error but a 400's field messages: a Dutch sentence and a stable code."""
    return {"detail": str(detail), "code": code}


# DRF's own codes, where the API names them otherwise: every 403 is ``forbidden`` (or more specific).
_API_CODES = {"permission_denied": "forbidden"}
_RESERVED_KEYS = ("detail", "code")
# A 400 whose every message has one of these codes answers with that code rather than ``invalid``.
_INPUT_CODES = {
    DAY_OUT_OF_RANGE,
    FORBIDDEN_CHARACTERS,
    uploads.EMPTY_FILE,
    uploads.FILE_TOO_LARGE,
    uploads.UNSUPPORTED_FILE_TYPE,
}


def _input_code(codes) -> str:
    """Return the one code of ``_INPUT_CODES`` that every message of a refusal has, else ``invalid``."""
    leaves, pending = set(), [codes]
    while pending:
        value = pending.pop()
        if isinstance(value, Mapping):
            pending.extend(value.values())
        elif isinstance(value, (list, tuple)):
            pending.extend(value)
        else:
            leaves.add(value)
    return leaves.pop() if len(leaves) == 1 and leaves <= _INPUT_CODES else "invalid"


def form_errors(form) -> ValidationError:
    """Return a Django form's errors (a query's parameters) as the API's 400, keeping each message's code."""
    return ValidationError(
        {
            field: [ErrorDetail(error["message"], error["code"]) for error in errors]
            for field, errors in form.errors.get_json_data().items()
        }
    )


def validation_body(errors, code: str = "invalid") -> dict:
    """Return the body of a 400: ``detail`` and ``code`` as every error has them, then per field a list of
    messages (``non_field_errors`` for the request as a whole), as before.

    A field named ``detail`` or ``code`` (the trajects list's ``?code=`` filter) would collide with the
    two keys: its messages go to ``non_field_errors``, prefixed with its name.
    """
    if not isinstance(errors, Mapping):
        errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
    body = error_body(_("The input is not valid: see the messages per field."), code)
    for field, messages in errors.items():
        if field in _RESERVED_KEYS:
            body.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(
                f"{field}: {message}" for message in messages
            )
        else:
            body[field] = messages
    return body


def refusal_response(refusal: WorkflowRefusal) -> Response:
    """403 for a role that may not act, 400 for a wrong value, 409 for a state that does not allow it."""
    if refusal.code == "forbidden":
        return Response(error_body(refusal.message, refusal.code), status=status.HTTP_403_FORBIDDEN)
    if refusal.field:
        return Response(
            validation_body({refusal.field: [refusal.message]}, refusal.code),
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response(error_body(refusal.message, refusal.code), status=status.HTTP_409_CONFLICT)


def exception_handler(exc, context):
    """Answer every error of the API in one shape: Dutch, with a ``code`` (see ``ErrorSerializer`` and
    ``ValidationErrorSchema`` for the bodies)."""
    if isinstance(exc, WorkflowRefusal):
        return refusal_response(exc)
    if isinstance(exc, DjangoValidationError):
        # A model's full_clean speaks Django; answer in DRF's shape, field by field.
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        exc = ValidationError(
            {
                (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
                for field, messages in errors.items()
            }
        )
    elif isinstance(exc, Http404):
        # get_object_or_404's message names the model in English ("No Application matches ...").
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = validation_body(response.data, _input_code(exc.get_codes()))
    elif isinstance(response.data, Mapping) and "detail" in response.data:
        detail = response.data["detail"]
        code = str(
            response.data.get("code")
            or getattr(detail, "code", None)
            or getattr(exc, "default_code", "error")
        )
        response.data = {**response.data, **error_body(detail, _API_CODES.get(code, code))}
    return response


class FileRenderer(BaseRenderer):
    """Lets a client that asks for a download's own type (``Accept: application/pdf``) reach it; the file
    itself is a FileResponse, so this renders only errors, as JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def attachment_download(field_file, name: str):
    """Return an uploaded file as its download (``voorsprong.uploads.download``), or 410 ``file_gone``
    when the stored file is missing."""
    try:
        return uploads.download(field_file, name)
    except FileNotFoundError:
        return Response(
            error_body(_("The file is no longer stored."), "file_gone"), status=status.HTTP_410_GONE
        )


def attachment_download_schema(summary: str, what: str, *, who: str, types) -> dict:
    """Return the ``extend_schema`` arguments of an attachment's download: the file in the content type
    of each type it can have, or the errors."""
    return {
        **describe(summary, what, who=who),
        "responses": {
            (200, kind.content_type): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=(
                    "The file, as an attachment (Content-Disposition with the original name, RFC 5987 "
                    "for names beyond ASCII), never sniffed (X-Content-Type-Options: nosniff)."
                ),
            )
            for kind in types
        }
        | error_responses(401, 403, 404, 410),
    }


class ReasonSerializer(serializers.Serializer):
    """The body of an action that needs a reason (reject, withdraw, stop)."""

    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, validators=[validate_multi_line])


# A day a user types, in the contract: a query parameter's schema (``OpenApiParameter``).
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": validate_day.pattern}


@extend_schema_field(DAY_SCHEMA)
class DayFilter(django_filters.DateFilter):
    """A filter on a day, refusing one outside 2000-2100 like every day a user types (``validate_day``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validators=[validate_day], **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also ``1`` and ``0``); any other value is an error, not "no filter"."""

    widget = forms.TextInput  # NullBooleanSelect would read an unknown value as "no filter"

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise DjangoValidationError(_("Give true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


# -- the OpenAPI contract (drf-spectacular) ----------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    """The body of every error but a 400: a Dutch message for people and a stable code for programs."""

    detail = serializers.CharField(help_text="What went wrong, in Dutch, for people.")
    code = serializers.CharField(
        help_text="Why, for programs: not_authenticated, authentication_failed, token_expired, forbidden, "
        "csrf_failed, locked_out, two_factor_required, not_found, method_not_allowed, "
        "unsupported_media_type, rate_limited, or the refusal's own code (invalid_transition, "
        "no_free_place, …) listed per operation."
    )


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: ``detail`` and ``code`` as every error has them, then per field a list of
    messages (``non_field_errors`` for the request as a whole).

    Its schema is written by ``ValidationErrorSchema`` below: the field names vary per endpoint.
    """


class ValidatedFieldSchema:
    """For request bodies: a field with the range of days or the characters of plain text
    (``voorsprong.validators``) says so with a ``pattern``, so generated examples agree with the API."""

    match_subclasses = True
    validator_class: type

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            for validator in self.target.validators:
                if isinstance(validator, self.validator_class):
                    schema["pattern"] = validator.pattern
        return schema


class DayFieldSchema(ValidatedFieldSchema, OpenApiSerializerFieldExtension):
    target_class = serializers.DateField
    validator_class = DayRangeValidator


class PlainTextFieldSchema(ValidatedFieldSchema, OpenApiSerializerFieldExtension):
    target_class = serializers.CharField
    validator_class = PlainTextValidator


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "detail and code as in every error; code is invalid for input that is not valid (or a "
                "more specific one, such as invalid_date), with per field a list of messages and "
                "non_field_errors for the request as a whole; code is parse_error for a body that cannot "
                "be read as fields at all (not JSON, not an object, too large), without field messages. "
                "A field holding a list has its messages per position instead: a list of objects (an SME "
                'declaration\'s enterprises) per position and field, {"0": {"share": [...]}}, a list of '
                'choices (a situation\'s barriers) per position, {"0": [...]}.'
            ),
            "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
            "required": ["detail", "code"],
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {
                        "type": "object",
                        "additionalProperties": {
                            "anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "string"}}]
                        },
                    },
                ]
            },
        }


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>`. It is shown this once: only a digest is kept."
    )
    id = serializers.IntegerField(help_text="The token's id in `/api/v1/auth/tokens/`, to revoke it by.")
    expires_at = serializers.DateTimeField(help_text="From then on it answers 401 `token_expired`.")


ERROR_DESCRIPTIONS = {
    400: "Invalid input (code invalid, messages per field), or a body that cannot be read (parse_error).",
    401: (
        "Not logged in (not_authenticated), a token or session not valid (authentication_failed), or a token "
        "past its expiry (token_expired)."
    ),
    403: "The user's role may not do this (forbidden).",
    404: "No such object, or not one the user may see (not_found).",
    409: "The object's state does not allow this: the code says why (listed in the operation's description).",
    410: "The object's file is gone (file_gone).",
}
ERROR_EXAMPLES = {
    400: OpenApiExample(
        "Invalid field",
        value={
            "detail": "De invoer is niet geldig: zie de meldingen per veld.",
            "code": "invalid",
            "traject": ["Onbekend traject: bogus."],
        },
        status_codes=[400],
    ),
    409: OpenApiExample(
        "Refused by the workflow",
        value={
            "detail": "Een aanvraag die afgerond is, kan niet goedgekeurd worden.",
            "code": "invalid_transition",
        },
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


def list_error_responses() -> dict[int, OpenApiResponse]:
    """A paginated list's errors: those of reading, 400 for a filter's or ``page``/``page_size``'s wrong
    value and 404 for a ``page`` past the last."""
    no_page = OpenApiResponse(ErrorSerializer, description="No such page: past the last.")
    return {**error_responses(400, *READ_ERRORS), 404: no_page}


def model_viewset_schema(serializer, *, docs: Mapping[str, dict], create=False, update=False) -> dict:
    """``extend_schema_view`` arguments for a model viewset's standard actions and their errors; ``docs``
    gives each action's summary and description (``describe``), ``update`` those of PUT and PATCH."""
    schema = {
        "list": extend_schema(
            **docs["list"], responses={200: serializer(many=True), **list_error_responses()}
        ),
        "retrieve": extend_schema(
            **docs["retrieve"], responses={200: serializer, **error_responses(*DETAIL_ERRORS)}
        ),
    }
    if create:
        schema["create"] = extend_schema(
            **docs["create"], responses={201: serializer, **error_responses(*WRITE_ERRORS)}
        )
    if update:
        for name in ("update", "partial_update"):
            schema[name] = extend_schema(
                **docs.get(name, docs["update"]),
                responses={200: serializer, **error_responses(*CHANGE_ERRORS)},
            )
    return schema


ERRORS_LABEL = "**Errors:**"
_ERROR_PART = re.compile(r"(\d{3}) ([^;]+)")


def _error_codes(codes: Iterable[str]) -> str:
    return ", ".join(f"`{code}`" for code in codes)


def describe(
    summary: str, what: str, *, who: str, refusals: Mapping[int, Iterable[str]] | None = None
) -> dict[str, str]:
    """Return ``extend_schema``'s summary and description of an operation, for integrators: what it does,
    who may call it, and per status the codes particular to it (a workflow's 409s, a specific 400 or
    403); ``document_error_codes`` adds the codes every operation shares for the other statuses it
    documents."""
    text = f"{what}\n\n**Who may call it:** {who}"
    if refusals:
        parts = (f"{answer} {_error_codes(codes)}" for answer, codes in sorted(refusals.items()))
        text += f"\n\n{ERRORS_LABEL} " + "; ".join(parts) + "."
    return {"summary": summary, "description": text}


# The codes an answer of each status has on every operation that documents it (exception_handler).
SHARED_ERROR_CODES = {
    400: ("invalid",),
    401: ("not_authenticated", "authentication_failed", "token_expired"),
    403: ("forbidden",),
    404: ("not_found",),
    410: ("file_gone",),
    415: ("unsupported_media_type",),
    429: ("rate_limited",),
}
WRITES = ("post", "put", "patch", "delete")


def document_error_codes(result, generator, request, public):
    """POSTPROCESSING_HOOKS: end each operation's description with the codes of every error status it
    documents: the ones ``describe`` named, then the shared ones of the other statuses (a body that
    cannot be read: ``parse_error``; a session without its CSRF token on a write: ``csrf_failed``)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            text, _label, named = operation.get("description", "").partition(f"\n\n{ERRORS_LABEL} ")
            codes = {int(answer): part.strip(" .") for answer, part in _ERROR_PART.findall(named)}
            documented = sorted(int(answer) for answer in operation.get("responses", {}) if answer.isdigit())
            for answer in documented:
                if answer in codes or answer not in SHARED_ERROR_CODES:
                    continue
                shared = list(SHARED_ERROR_CODES[answer])
                if answer == 400 and "requestBody" in operation:
                    shared.append("parse_error")
                if answer == 403 and method in WRITES:
                    shared.append("csrf_failed")
                codes[answer] = _error_codes(shared)
            if codes:
                parts = "; ".join(f"{answer} {codes[answer]}" for answer in sorted(codes))
                operation["description"] = f"{text}\n\n{ERRORS_LABEL} {parts}."
    return result


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
    "voorsprong.auth_api.ApiTokenViewSet",
):
    type(f"{_name.rsplit('.', 1)[1]}Schema", (ScopedViewSchema,), {"target_class": _name})


class TrajectsSchema(OpenApiViewExtension):
    """The trajects' and capacity periods' viewsets, documented from here to leave their module alone."""

    target_class = "trajects.api.TrajectViewSet"

    def view_replacement(self):
        seen_by = "officers, promoters, sector consultants and the cabinet."
        docs = {
            "list": describe(
                "List the trajects",
                "The trajects (leren, werk, motivatie), by start date, with the size classes each takes; "
                "filter on `code`.",
                who=seen_by,
            ),
            "retrieve": describe(
                "Get a traject",
                "One traject with its code, name, start date and the size classes it takes.",
                who=seen_by,
            ),
        }
        serializer = self.target.serializer_class
        return extend_schema_view(**model_viewset_schema(serializer, docs=docs))(
            type(self.target.__name__, (self.target,), {})
        )


class CapacityPeriodsSchema(OpenApiViewExtension):
    target_class = "participants.api.CapacityPeriodViewSet"

    def view_replacement(self):
        docs = {
            "list": describe(
                "List capacity periods",
                "The capacity periods per traject with their places, the places taken by approvals and "
                "those free; filter on traject.",
                who="officers.",
            ),
            "retrieve": describe(
                "Get a capacity period",
                "One capacity period with its places, taken and free.",
                who="officers.",
            ),
            "create": describe(
                "Open a capacity period",
                "Open a period of places for a traject; periods of one traject do not overlap.",
                who="officers.",
            ),
            "update": describe(
                "Change a period's places",
                "Change the number of places of a period, never below the places taken (400 "
                "`places_taken`); its traject and dates stay as they are.",
                who="officers.",
                refusals={400: ("invalid", "places_taken")},
            ),
        }
        serializer = self.target.serializer_class
        schema = model_viewset_schema(serializer, docs=docs, create=True, update=True)
        return extend_schema_view(**schema)(type(self.target.__name__, (self.target,), {}))


class DutchSessionScheme(SessionScheme):
    """The session log-in, as drf-spectacular documents DRF's (the class only words its refusal in Dutch)."""

    target_class = "voorsprong.api_requests.SessionAuthentication"


class AuthTokenSchema(OpenApiViewExtension):
    """DRF's ``obtain_auth_token``: username and password in, the user's token out."""

    target_class = "rest_framework.authtoken.views.ObtainAuthToken"
    match_subclasses = True
    priority = 1  # before drf-spectacular's own extension for this view

    def view_replacement(self):
        rate_limited = OpenApiResponse(
            ErrorSerializer,
            description="Too many log-ins from this address: the Retry-After header says how many seconds "
            "to wait (code rate_limited).",
        )
        schema = {
            "post": extend_schema(
                **describe(
                    "Get the user's API token",
                    "Log in with username and password (form or JSON) and get a new token of the user, "
                    "with an optional `label` saying what it is for; send it as `Authorization: Token "
                    "<token>`. The key is shown this once. It expires after `API_TOKEN_TTL_DAYS` (30 by "
                    "default) and is revoked sooner by its user (`DELETE` here or at "
                    "`/api/v1/auth/tokens/{id}/`), a lock-out, a deactivation or a new password. After too "
                    "many failed log-ins a username is locked from that address for a while (30 minutes by "
                    "default): 5 failures of that username from that address, 20 from the address across "
                    "usernames or 30 of the username across addresses, by default. Log-ins from one address "
                    "are rate limited (10 a minute by default, with the login page's and the admin's): over "
                    "it 429 with Retry-After.\n\n"
                    "Officers, the financial service and administrators, and anyone who set up two-step "
                    "verification on the site, also send `otp`: the code their authenticator app shows, or "
                    "one of their recovery codes (each works once). Without it the answer is 400 "
                    "`otp_required`, with a wrong one 400 `otp_invalid` (wrong codes in a row make the next "
                    "attempts wait, 1, 2, 4, … seconds). One whose role needs two-step verification but "
                    "who has not set it up gets 403 `two_factor_enrolment_required`: set it up on the site "
                    "first.",
                    who="anyone with an account.",
                    refusals={
                        400: ("invalid", "parse_error", "otp_required", "otp_invalid"),
                        403: ("locked_out", "two_factor_enrolment_required"),
                        429: ("rate_limited",),
                    },
                ),
                responses={
                    200: TokenSerializer,
                    **error_responses(400),
                    403: OpenApiResponse(
                        ErrorSerializer,
                        description="Locked out after too many failed logins (locked_out), or two-step "
                        "verification is needed and not set up (two_factor_enrolment_required).",
                    ),
                    429: rate_limited,
                },
                auth=[],
            )
        }
        if hasattr(self.target, "delete"):  # revoking the token needs one
            revoked = OpenApiResponse(description="The token no longer opens the API.")
            schema["delete"] = extend_schema(request=None, responses={204: revoked, **error_responses(401)})
        return extend_schema_view(**schema)(type(self.target.__name__, (self.target,), {}))
