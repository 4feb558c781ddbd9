import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A parliamentary question's report kind is ``pq<number>`` (``reporting.questions``).
QUESTION_KIND = re.compile(r"pq(\d+)")


class ReportRequest(models.Model):
    """A request for a report of a registered kind (``reporting.kinds``: a parliamentary question, the
    breakdown, ...) as of a date, with the kind's parameters, built by a Celery job."""

    kind = models.CharField(_("kind of report"), max_length=40, help_text=_("E.g. pq244 or breakdown."))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    as_of = models.DateField(_("as of"))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="report_requests",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ReportFormat.values), name="reportrequest_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="reportrequest_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportrequest_progress_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE) | (Q(progress=100) & ~Q(file="")),
                name="reportrequest_done_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.FAILED) | ~Q(error=""), name="reportrequest_failed_says_why"
            ),
            models.CheckConstraint(condition=~Q(kind=""), name="reportrequest_kind_given"),
            # A question takes no parameters.
            models.CheckConstraint(
                condition=~Q(kind__startswith="pq") | Q(parameters={}),
                name="reportrequest_question_no_parameters",
            ),
        ]
        indexes = [models.Index(fields=["kind", "as_of", "format"], name="reportrequest_identical")]

    def __str__(self) -> str:
        if self.question is not None:
            return f"{_('Question')} {self.question} ({self.as_of:%d/%m/%Y}, {self.format})"
        return f"{self.kind} ({self.as_of:%d/%m/%Y}, {self.format})"

    @property
    def question(self) -> int | None:
        """Return the number of the parliamentary question the report answers; None for another kind."""
        match = QUESTION_KIND.fullmatch(self.kind)
        return int(match.group(1)) if match else None


class Initiative(models.Model):
    """Another initiative of the Flemish Government, kept as text by officers (answer 8 of question 244)."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("shown in reports"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class StatisticsSnapshot(models.Model):
    """The figures of a question as they stood on a day, stored nightly so two dates can be compared."""

    question = models.PositiveIntegerField(_("parliamentary question"))
    as_of = models.DateField(_("as of"))
    figures = models.JSONField(_("figures"))
    fingerprint = models.CharField(_("data fingerprint"), max_length=64)
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["question", "as_of"], name="statisticssnapshot_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{_('Question')} {self.question} ({self.as_of:%d/%m/%Y})"
