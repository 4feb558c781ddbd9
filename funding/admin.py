from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from funding.models import ApplicationFunding, BudgetLine, FundingSource


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "is_subsidy")
    list_filter = ("is_subsidy",)
    search_fields = ("name", "code")


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("traject", "source", "capacity_period", "amount")
    list_filter = ("traject", "source")
    list_select_related = ("traject", "source", "capacity_period__traject")


@admin.register(ApplicationFunding)
class ApplicationFundingAdmin(SimpleHistoryAdmin):
    list_display = ("application", "source", "amount")
    list_filter = ("source", "application__traject")
    list_select_related = ("application__company", "application__traject", "source")
    search_fields = ("application__company__name", "application__company__kbo_number")
    raw_id_fields = ("application",)
