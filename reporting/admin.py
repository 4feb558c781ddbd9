from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import AnswerStatement, Initiative, ReportRequest, StatisticsSnapshot
from reporting.services import statements
from voorsprong.admin import NoDeleteMixin, NoRevertMixin, ReadOnlyMixin, RefusalInFormMixin


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Report requests, to read: users request reports in the portal and the API, and the report job
    builds them."""

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
class StatisticsSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Statistics snapshots, to read: the statistics job takes them."""

    list_display = ("question", "as_of", "fingerprint", "taken_at")
    list_filter = ("question",)
    readonly_fields = ("question", "as_of", "figures", "fingerprint", "taken_at")


@admin.register(AnswerStatement)
class AnswerStatementAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """The minister's statements next to the figures, through ``save_answer_statement``. A statement is
    replaced by a later one (or ended by an empty one), never deleted: the answers of earlier dates keep
    the words they had."""

    list_display = ("question", "answer", "traject", "valid_from", "excerpt")
    list_filter = ("question", "answer", "traject")
    list_select_related = ("traject",)
    search_fields = ("text",)
    date_hierarchy = "valid_from"

    @admin.display(description=_("text"))
    def excerpt(self, statement):
        return Truncator(statement.text).chars(80) or "–"

    def save_model(self, request, obj, form, change):
        statements.save_answer_statement(obj, by=request.user)
