"""The figures of parliamentary question 244 for the cabinet and the officers."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.statistics import pq244_figures
from voorsprong.api import error_responses, role_permission
from voorsprong.roles import Role


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Give the date of the figures: as_of=YYYY-MM-DD."),
            "invalid": _("Not a date: give it as YYYY-MM-DD."),
        },
    )


def as_of_from(params) -> datetime.date:
    """The ``as_of`` query parameter as a date, or a 400 that says how to give it."""
    form = AsOfForm(params)
    if not form.is_valid():
        raise ValidationError({"as_of": [str(message) for message in form.errors["as_of"]]})
    return form.cleaned_data["as_of"]


class PQ244View(APIView):
    """``GET /api/v1/statistics/pq244/?as_of=YYYY-MM-DD``: every figure of question 244 on that date.

    Aggregates only, never a company, so the cabinet may see it.
    """

    permission_classes = [role_permission(Role.CABINET, Role.OFFICER)]

    @extend_schema(
        summary="The figures of parliamentary question 244",
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, required=True, description="The figures' date."),
        ],
        responses={
            200: inline_serializer(
                "PQ244Figures",
                fields={
                    "question": serializers.IntegerField(),
                    "as_of": serializers.DateField(),
                    "trajects": serializers.ListField(
                        child=serializers.DictField(), help_text="The figures per traject."
                    ),
                    "companies_in_any_traject": serializers.IntegerField(),
                    "initiatives": serializers.ListField(
                        child=serializers.DictField(child=serializers.CharField())
                    ),
                    "fingerprint": serializers.CharField(help_text="SHA-256 of the figures."),
                },
            ),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        return Response(pq244_figures(as_of_from(request.query_params)))
