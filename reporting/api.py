"""The figures of a parliamentary question as of a date, for the cabinet and the officers."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.questions import Question, pq244
from reporting.selectors import question_figures
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
    """Return the ``as_of`` query parameter as a date; refuse (400) anything else, saying how to give it."""
    form = AsOfForm(params)
    if not form.is_valid():
        raise ValidationError({"as_of": [str(message) for message in form.errors["as_of"]]})
    return form.cleaned_data["as_of"]


def figures_view(question: Question) -> type[APIView]:
    """Return the view of ``GET ...?as_of=YYYY-MM-DD``: every figure of ``question`` on that date, as its
    serializer documents them.

    Aggregates only, never a company, so the cabinet may see it.
    """

    class FiguresView(APIView):
        permission_classes = [role_permission(Role.CABINET, Role.OFFICER)]

        @extend_schema(
            summary=f"The figures of parliamentary question {question.number}",
            parameters=[
                OpenApiParameter("as_of", OpenApiTypes.DATE, required=True, description="The figures' date."),
            ],
            responses={200: question.serializer, **error_responses(400, 401, 403)},
        )
        def get(self, request):
            figures = question_figures(question.number, as_of_from(request.query_params))
            return Response(question.serializer(figures).data)

    FiguresView.__name__ = FiguresView.__qualname__ = f"PQ{question.number}View"
    return FiguresView


# ``GET /api/v1/statistics/pq244/``, as voorsprong/urls.py routes it.
PQ244View = figures_view(pq244.QUESTION)
