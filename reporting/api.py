"""The figures of parliamentary question 244 for the cabinet and the officers."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.statistics import pq244_figures
from voorsprong.api import role_permission
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

    def get(self, request):
        return Response(pq244_figures(as_of_from(request.query_params)))
