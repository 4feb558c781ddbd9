"""The budget monitor's page with its chart, and its spreadsheet (its figures in the API: ``funding.api``).

The page and the spreadsheet are for officers, the financial service and administrators (others get 403,
anonymous visitors the login page); the API gives aggregates only, no company is named, so the cabinet
may read it too.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from funding.forms import BudgetFilterForm
from funding.selectors import budget_summary
from voorsprong.charts import Chart, Series, grouped_bars
from voorsprong.roles import Role
from voorsprong.spreadsheets import DATE, MONEY, TENTHS, Column, Sheet, write_workbook
from voorsprong.views import role_required

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- the officers' page ------------------------------------------------------------------------------

# The four amounts of each traject and source side by side, on one scale, each written beside its bar.
CHART_SERIES = (
    ("budget", gettext_lazy("Budget"), "#a9bcd0"),
    ("committed", gettext_lazy("Committed"), "#6fa8dc"),
    ("approved", gettext_lazy("Approved"), "#0b5394"),
    ("paid", gettext_lazy("Paid"), "#2e7d32"),
)


def budget_chart(rows: list[dict]) -> Chart:
    """Return the chart of the budget, committed, approved and paid amounts per traject and source; an
    own contribution has no budget bar."""
    return grouped_bars(
        _("Budget, committed, approved and paid"),
        [_row_label(row) for row in rows],
        [Series(str(label), colour) for _name, label, colour in CHART_SERIES],
        # Whole euros beside the bars (the table has the cents): one notation for every bar.
        [[_euros(row[name]) for name, _label, _colour in CHART_SERIES] for row in rows],
        unit=_("euro"),
    )


def _euros(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _row_label(row: dict) -> str:
    if row["own_contribution"]:
        return f"{row['traject_name']}\n{row['source_name']} ({_('no budget')})"
    return f"{row['traject_name']}\n{row['source_name']}"


def _filters_or_page(request) -> tuple[BudgetFilterForm, HttpResponse | None]:
    """Return the page's filters, and when they are invalid the page showing their errors and no figures
    (never today's figures in place of the date asked for)."""
    filters = BudgetFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        return filters, render(
            request, "funding/budget_monitor.html", {"filters": filters, "rows": None}, status=400
        )
    return filters, None


@role_required(Role.OFFICER, Role.FINANCE)
@require_GET
def budget_monitor(request):
    filters, refused = _filters_or_page(request)
    if refused:
        return refused
    criteria = filters.criteria()
    rows = budget_summary(**criteria)
    return render(
        request,
        "funding/budget_monitor.html",
        {
            "filters": filters,
            "as_of": criteria["as_of"],
            "rows": rows,
            "chart": budget_chart(rows),
            "has_own_contributions": any(row["own_contribution"] for row in rows),
        },
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


@role_required(Role.OFFICER, Role.FINANCE)
@require_GET
def budget_export(request):
    """Return the page's rows as a spreadsheet, amounts as numbers."""
    filters, refused = _filters_or_page(request)
    if refused:
        return refused
    criteria = filters.criteria()
    sheet = Sheet(
        _("Budget monitor"),
        [Column(str(label), number_format) for _key, label, number_format in EXPORT_COLUMNS],
        [[row[key] for key, _label, _format in EXPORT_COLUMNS] for row in budget_summary(**criteria)],
    )
    response = HttpResponse(write_workbook([sheet]), content_type=XLSX_CONTENT_TYPE)
    filename = f"{slugify(_('Budget monitor'))}-{criteria['as_of']:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
