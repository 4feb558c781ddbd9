from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participants.geography import Province
from reporting.documents import CONTENT_TYPES
from reporting.models import (
    AnswerStatement,
    Initiative,
    PersonalDataAction,
    PersonalDataRecord,
    RecordChannel,
    ReportRequest,
    RetentionRule,
    SizeTable,
    SizeTableRow,
    StatisticsSnapshot,
)
from reporting.services import personal_data, size_tables, statements
from reporting.size_bands import SIZE_CLASSES_WITH_BANDS
from voorsprong import money
from voorsprong.admin import NoDeleteMixin, NoRevertMixin, ReadOnlyMixin, RefusalInFormMixin
from voorsprong.services import WorkflowRefusal

SIZE_CLASS_CHOICES = [(size_class.value, size_class.label) for size_class in SIZE_CLASSES_WITH_BANDS]


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Report requests, to read: users request reports in the portal and the API, and the report job
    builds them."""

    list_display = ("kind", "as_of", "format", "status", "progress", "requested_by", "created_at", "built_by")
    list_filter = ("status", "format", "kind", "built_by")
    list_select_related = ("requested_by",)
    search_fields = ("fingerprint", "requested_by__username")
    date_hierarchy = "created_at"
    # The request first, then its run: the run's fields come from the abstract WorkerJob, which would put
    # them at the top.
    fields = (
        "kind",
        "parameters",
        "as_of",
        "format",
        "status",
        "progress",
        "step",
        "file",
        "fingerprint",
        "error",
        "requested_by",
        "finished_at",
        "heartbeat_at",
        "requeues",
        "built_by",
    )
    readonly_fields = (
        "status",
        "progress",
        "step",
        "file",
        "fingerprint",
        "error",
        "finished_at",
        "built_by",
    )


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


class SizeTableUploadForm(forms.ModelForm):
    """The upload of a table: its reference date and source, and the CSV file, checked line by line."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns sectie, grootteklasse, provincie, ondernemingen; separated by ; or ,; UTF-8."),
    )

    class Meta:
        model = SizeTable
        fields = ["reference_date", "source"]

    def clean(self):
        data = super().clean()
        try:
            if "reference_date" in data and "source" in data:
                data["source"] = size_tables.check_table_details(data["reference_date"], data["source"])
            if data.get("file"):
                size_tables.read_size_table(data["file"])
                data["file"].seek(0)
        except size_tables.SizeTableRefusal as refusal:
            messages = [message for _line, message in refusal.errors] or [refusal.message]
            self.add_error(refusal.field, messages if refusal.errors else refusal.message)
            if refusal.errors:
                self.add_error(None, refusal.message)
        return data


@admin.register(SizeTableRow)
class SizeTableRowAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The cells of every uploaded size table, to check what an upload brought: they come with their table
    (``SizeTableAdmin``) and are never changed."""

    list_display = (
        "table",
        "line",
        "nace_section",
        "province",
        "staff_from",
        "staff_to",
        "size_class",
        "enterprises",
    )
    list_filter = ("table", "size_class", "province", "nace_section")
    list_select_related = ("table",)


@admin.register(SizeTable)
class SizeTableAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """The tables of enterprises per NACE section, size band and province that officers upload, the
    denominators of the reach per size class. Uploaded through the import service, never changed."""

    form = SizeTableUploadForm
    add_form_template = "admin/reporting/sizetable/upload.html"
    list_display = (
        "reference_date",
        "source",
        "total_enterprises",
        "row_count",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("uploaded_by",)
    date_hierarchy = "reference_date"
    readonly_fields = ("reference_date", "source", "file_name", "uploaded_by", "uploaded_at", "summary")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(enterprises=Sum("rows__enterprises"), row_count=Count("rows"))
        )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return ["reference_date", "source", "file"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description=_("enterprises"), ordering="enterprises")
    def total_enterprises(self, table):
        return money.number(table.enterprises or 0)

    @admin.display(description=_("lines"), ordering="row_count")
    def row_count(self, table):
        return table.row_count

    @admin.display(description=_("enterprises per size class and province"))
    def summary(self, table):
        counts = {
            (row["province"], row["size_class"]): row["enterprises"]
            for row in table.rows.values("province", "size_class")
            .annotate(enterprises=Sum("enterprises"))
            .order_by()
        }
        provinces = [province for province in Province if any(key[0] == province for key in counts)]
        head = format_html_join("", "<th>{}</th>", ((label,) for _code, label in SIZE_CLASS_CHOICES))
        body = format_html_join(
            "",
            "<tr><th>{}</th>{}</tr>",
            (
                (
                    province.label,
                    format_html_join(
                        "",
                        '<td class="numeric">{}</td>',
                        (
                            (money.number(counts.get((province.value, code), 0)),)
                            for code, _label in SIZE_CLASS_CHOICES
                        ),
                    ),
                )
                for province in provinces
            ),
        )
        return format_html("<table><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table>", head, body)

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["file"]
        created = size_tables.import_size_table(
            upload,
            reference_date=obj.reference_date,
            source=obj.source,
            by=request.user,
            file_name=upload.name,
        )
        # The admin goes on with obj (log entry, message, redirect), so it takes the saved row's key.
        obj.pk = created.pk


# -- Personal data (the GDPR) ---------------------------------------------------------------------------
@admin.register(RetentionRule)
class RetentionRuleAdmin(RefusalInFormMixin, NoDeleteMixin, NoRevertMixin, SimpleHistoryAdmin):
    """The retention schedule: how many years each kind of personal data is kept, through
    ``save_retention_rule``. The kinds are fixed (the purge knows where each lives): none is added."""

    list_display = ("kind", "years")
    fields = ("kind", "years")
    readonly_fields = ("kind",)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        personal_data.save_retention_rule(obj, by=request.user)


class AccessExportForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=personal_data.MAX_ADDRESS_LENGTH,
        help_text=_("The address of the person who asked to see their data."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF, to read")), ("json", _("JSON, to process"))],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def clean_email(self):
        try:
            return personal_data.check_address(self.cleaned_data["email"])
        except WorkflowRefusal as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


@admin.register(PersonalDataRecord)
class PersonalDataRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The record of every purge and access export, to read; the access export itself is a page here."""

    list_display = ("done_at", "action", "channel", "by", "as_of", "subject", "format", "summary")
    list_filter = ("action", "channel")
    list_select_related = ("by",)
    search_fields = ("subject", "by__username")
    date_hierarchy = "done_at"
    readonly_fields = ("action", "done_at", "by", "channel", "as_of", "subject", "format", "counts")

    @admin.display(description=_("counts"))
    def summary(self, record):
        if record.action == PersonalDataAction.EXPORT:
            counted = [record.counts]
        else:
            counted = list(record.counts.values())
        rows = sum(count.get("rows", 0) for count in counted)
        history_rows = sum(count.get("history_rows", 0) for count in counted)
        return _("rows: %(rows)s, history rows: %(history_rows)s") % {
            "rows": rows,
            "history_rows": history_rows,
        }

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "access-export/",
                self.admin_site.admin_view(self.access_export_view),
                name=f"{prefix}_access_export",
            ),
            *super().get_urls(),
        ]

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.export_{self.opts.model_name}")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_export": self.has_export_permission(request)}
        return super().changelist_view(request, extra_context)

    def access_export_view(self, request):
        """Answer an access request: the file of every row that holds an address, recorded as sent."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        form = AccessExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            file_format = form.cleaned_data["file_format"]
            try:
                content = personal_data.export_personal_data(
                    form.cleaned_data["email"],
                    file_format=file_format,
                    channel=RecordChannel.ADMIN,
                    by=request.user,
                )
            except WorkflowRefusal as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
                filename = f"inzage-{timezone.localdate():%Y-%m-%d}.{file_format}"
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
        return TemplateResponse(
            request,
            "admin/reporting/personaldatarecord/access_export.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Answer an access request"),
                "opts": self.opts,
                "form": form,
            },
        )
