from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import Initiative, ReportRequest, StatisticsSnapshot
from voorsprong.admin import ReadOnlyMixin


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Report requests, to read: users request reports in the portal and the API, and the report job
    builds them."""

    list_display = ("kind", "as_of", "format", "status", "progress", "requested_by", "created_at")
    list_filter = ("status", "format", "kind")
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
class StatisticsSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Statistics snapshots, to read: the statistics job takes them."""

    list_display = ("question", "as_of", "fingerprint", "taken_at")
    list_filter = ("question",)
    readonly_fields = ("question", "as_of", "figures", "fingerprint", "taken_at")
