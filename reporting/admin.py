from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import Initiative, ReportRequest, StatisticsSnapshot


@admin.register(ReportRequest)
class ReportRequestAdmin(SimpleHistoryAdmin):
    list_display = ("question", "as_of", "format", "status", "progress", "requested_by", "created_at")
    list_filter = ("status", "format", "question")
    list_select_related = ("requested_by",)
    search_fields = ("fingerprint", "requested_by__username")
    date_hierarchy = "created_at"
    readonly_fields = ("status", "progress", "step", "file", "fingerprint", "error", "finished_at")


@admin.register(Initiative)
class InitiativeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("title", "text")


@admin.register(StatisticsSnapshot)
class StatisticsSnapshotAdmin(admin.ModelAdmin):
    list_display = ("question", "as_of", "fingerprint", "taken_at")
    list_filter = ("question",)
    readonly_fields = ("question", "as_of", "figures", "fingerprint", "taken_at")
