"""The budget monitor: the figures in the API, the officers' page with its chart, and the spreadsheet.

The API gives aggregates only, no company is named, so the cabinet may read it too; the page and the
spreadsheet are for officers, the financial service and administrators (others get 403, anonymous
visitors the login page).
"""

import io

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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from funding.models import FundingSourceCode
from funding.selectors import budget_summary
from trajects.models import CapacityPeriod, Traject
from voorsprong.api import error_responses, role_permission
from voorsprong.money import ZERO
from voorsprong.roles import Role
from voorsprong.views import role_required

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
TENTHS_FORMAT = "0.0"
DATE_FORMAT = "DD/MM/YYYY"


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

    permission_classes = [role_permission(Role.OFFICER, Role.FINANCE, Role.CABINET)]

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

CHART_WIDTH, CHART_LABEL_WIDTH, CHART_ROW_HEIGHT, CHART_LEGEND_HEIGHT = 900, 300, 32, 30
# Drawn over each other on one scale, each thinner than the one behind it, so all four stay visible.
CHART_SERIES = (
    ("budget", gettext_lazy("Budget"), 24, "#d9e2ec"),
    ("committed", gettext_lazy("Committed"), 16, "#6fa8dc"),
    ("approved", gettext_lazy("Approved"), 10, "#0b5394"),
    ("paid", gettext_lazy("Paid"), 4, "#2e7d32"),
)


def budget_chart(rows: list[dict]) -> dict:
    """The chart's geometry in whole pixels: per row its bars, scaled to the largest figure shown."""
    largest = max((row[name] for row in rows for name, *_rest in CHART_SERIES), default=ZERO)
    span = CHART_WIDTH - CHART_LABEL_WIDTH
    bars = [
        {
            "label": f"{row['traject_name']} – {row['source_name']}",
            "y": index * CHART_ROW_HEIGHT,
            "parts": [
                {
                    "label": label,
                    "amount": row[name],
                    "width": int(row[name] * span / largest) if largest else 0,
                    "height": height,
                    "y": (CHART_ROW_HEIGHT - height) // 2,
                    "colour": colour,
                }
                for name, label, height, colour in CHART_SERIES
            ],
        }
        for index, row in enumerate(rows)
    ]
    height = len(rows) * CHART_ROW_HEIGHT
    legend = [
        {"label": label, "colour": colour, "x": CHART_LABEL_WIDTH + index * 150}
        for index, (_name, label, _height, colour) in enumerate(CHART_SERIES)
    ]
    return {
        "width": CHART_WIDTH,
        "height": height + CHART_LEGEND_HEIGHT,
        "label_width": CHART_LABEL_WIDTH,
        "text_y": CHART_ROW_HEIGHT // 2 + 5,
        "legend_y": height + 10,
        "bars": bars,
        "legend": legend,
    }


@role_required(Role.OFFICER, Role.FINANCE)
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
    ("budget", gettext_lazy("Budget"), MONEY_FORMAT),
    ("share", gettext_lazy("Share of the traject's budget (%)"), TENTHS_FORMAT),
    ("committed", gettext_lazy("Committed"), MONEY_FORMAT),
    ("declared", gettext_lazy("Declared"), MONEY_FORMAT),
    ("approved", gettext_lazy("Approved"), MONEY_FORMAT),
    ("paid", gettext_lazy("Paid"), MONEY_FORMAT),
    ("remaining", gettext_lazy("Remaining"), MONEY_FORMAT),
    ("burn_rate", gettext_lazy("Burn rate per month"), MONEY_FORMAT),
    ("months_left", gettext_lazy("Months left"), TENTHS_FORMAT),
    ("period_end", gettext_lazy("Period end"), DATE_FORMAT),
    ("runs_out_on", gettext_lazy("Runs out on"), DATE_FORMAT),
)


def _cell(sheet, value, number_format: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


@role_required(Role.OFFICER, Role.FINANCE)
@require_GET
def budget_export(request):
    """The page's rows as a spreadsheet, amounts as numbers."""
    criteria = BudgetFilterForm(request.GET or None).criteria()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Budget monitor"))
    sheet.append([str(label) for _key, label, _format in EXPORT_COLUMNS])
    for row in budget_summary(**criteria):
        sheet.append([_cell(sheet, row[key], number_format) for key, _label, number_format in EXPORT_COLUMNS])
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"{slugify(_('Budget monitor'))}-{criteria['as_of']:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
