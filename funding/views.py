"""The budget monitor: the figures in the API, the officers' page with its chart, and the spreadsheet.

The API gives aggregates only, no company is named, so the cabinet may read it too; the page and the
spreadsheet are for officers and administrators (others get 403, anonymous visitors the login page).
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from funding.models import FundingSourceCode
from funding.selectors import budget_summary
from trajects.models import CapacityPeriod, Traject
from voorsprong.api import error_responses, role_permission
from voorsprong.charts import Chart, Series, grouped_bars
from voorsprong.roles import Role
from voorsprong.spreadsheets import DATE, MONEY, TENTHS, Column, Sheet, write_workbook
from voorsprong.views import role_required

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BudgetFilterForm(forms.Form):
    traject = forms.ModelChoiceField(
        Traject.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Traject")
    )
    source = forms.ChoiceField(
        choices=[("", "---------"), *FundingSourceCode.choices],
        required=False,
        label=gettext_lazy("Funding source"),
    )
    period = forms.ModelChoiceField(
        CapacityPeriod.objects.select_related("traject"),
        required=False,
        label=gettext_lazy("Capacity period"),
    )
    as_of = forms.DateField(
        required=False,
        label=gettext_lazy("As of"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def criteria(self) -> dict:
        """The selector's arguments; without valid filters, everything as of today."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "traject_code": data["traject"].code if data.get("traject") else None,
            "source_code": data.get("source") or None,
            "period": data["period"].pk if data.get("period") else None,
            "as_of": data.get("as_of") or timezone.localdate(),
        }


# -- API ---------------------------------------------------------------------------------------------
def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class BudgetRowSerializer(serializers.Serializer):
    traject = serializers.CharField()
    traject_name = serializers.CharField()
    source = serializers.CharField()
    source_name = serializers.CharField()
    budget = _money()
    committed = _money()
    declared = _money()
    approved = _money()
    paid = _money()
    remaining = _money()
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    burn_rate = _money(allow_null=True)
    months_left = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    runs_out_on = serializers.DateField(allow_null=True)
    low_remaining = serializers.BooleanField()
    runs_out_early = serializers.BooleanField()


class BudgetSummaryView(APIView):
    """``GET /api/v1/funding/summary/?traject=&source=&period=&as_of=``: the budget monitor's rows."""

    permission_classes = [role_permission(Role.OFFICER, Role.CABINET)]

    @extend_schema(
        summary="The budget monitor's figures per traject and funding source",
        parameters=[
            OpenApiParameter("traject", str, description="A traject's code."),
            OpenApiParameter("source", str, enum=FundingSourceCode.values, description="A funding source."),
            OpenApiParameter("period", int, description="A capacity period's id."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="The figures' date; today if left out."),
        ],
        responses={
            200: inline_serializer(
                "BudgetSummary",
                fields={"as_of": serializers.DateField(), "rows": BudgetRowSerializer(many=True)},
            ),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request):
        filters = BudgetFilterForm(request.query_params)
        if not filters.is_valid():
            errors = filters.errors.get_json_data()
            raise ValidationError(
                {field: [error["message"] for error in found] for field, found in errors.items()}
            )
        criteria = filters.criteria()
        rows = budget_summary(**criteria)
        return Response({"as_of": criteria["as_of"], "rows": BudgetRowSerializer(rows, many=True).data})


# -- the officers' page ------------------------------------------------------------------------------

# The four amounts of each traject and source side by side, on one scale, each written beside its bar.
CHART_SERIES = (
    ("budget", gettext_lazy("Budget"), "#a9bcd0"),
    ("committed", gettext_lazy("Committed"), "#6fa8dc"),
    ("approved", gettext_lazy("Approved"), "#0b5394"),
    ("paid", gettext_lazy("Paid"), "#2e7d32"),
)


def budget_chart(rows: list[dict]) -> Chart:
    """Return the chart of the budget, committed, approved and paid amounts per traject and source."""
    return grouped_bars(
        _("Budget, committed, approved and paid"),
        [f"{row['traject_name']}\n{row['source_name']}" for row in rows],
        [Series(str(label), colour) for _name, label, colour in CHART_SERIES],
        [[row[name] for name, _label, _colour in CHART_SERIES] for row in rows],
        unit=_("euro"),
    )


@role_required(Role.OFFICER)
@require_GET
def budget_monitor(request):
    filters = BudgetFilterForm(request.GET or None)
    criteria = filters.criteria()
    rows = budget_summary(**criteria)
    return render(
        request,
        "funding/budget_monitor.html",
        {"filters": filters, "as_of": criteria["as_of"], "rows": rows, "chart": budget_chart(rows)},
    )


# -- the spreadsheet ---------------------------------------------------------------------------------
EXPORT_COLUMNS = (
    ("traject_name", gettext_lazy("Traject"), None),
    ("source_name", gettext_lazy("Funding source"), None),
    ("budget", gettext_lazy("Budget"), MONEY),
    ("share", gettext_lazy("Share of the traject's budget (%)"), TENTHS),
    ("committed", gettext_lazy("Committed"), MONEY),
    ("declared", gettext_lazy("Declared"), MONEY),
    ("approved", gettext_lazy("Approved"), MONEY),
    ("paid", gettext_lazy("Paid"), MONEY),
    ("remaining", gettext_lazy("Remaining"), MONEY),
    ("burn_rate", gettext_lazy("Burn rate per month"), MONEY),
    ("months_left", gettext_lazy("Months left"), TENTHS),
    ("period_end", gettext_lazy("Period end"), DATE),
    ("runs_out_on", gettext_lazy("Runs out on"), DATE),
)


@role_required(Role.OFFICER)
@require_GET
def budget_export(request):
    """Return the page's rows as a spreadsheet, amounts as numbers."""
    criteria = BudgetFilterForm(request.GET or None).criteria()
    sheet = Sheet(
        _("Budget monitor"),
        [Column(str(label), number_format) for _key, label, number_format in EXPORT_COLUMNS],
        [[row[key] for key, _label, _format in EXPORT_COLUMNS] for row in budget_summary(**criteria)],
    )
    response = HttpResponse(write_workbook([sheet]), content_type=XLSX_CONTENT_TYPE)
    filename = f"{slugify(_('Budget monitor'))}-{criteria['as_of']:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
