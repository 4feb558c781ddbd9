from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(SimpleHistoryAdmin):
    list_display = ("question", "as_of", "format", "status", "progress", "requested_by", "created_at")
    list_filter = ("status", "format", "question")
    list_select_related = ("requested_by",)
    search_fields = ("fingerprint", "requested_by__username")
    date_hierarchy = "created_at"
    readonly_fields = ("status", "progress", "step", "file", "fingerprint", "error", "finished_at")
