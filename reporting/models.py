import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participants.geography import Province
from participants.nace import NaceSection
from trajects.size_classes import SizeClass
from voorsprong.models import WorkerJob
from voorsprong.validators import validate_day, validate_multi_line, validate_one_line


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


class ReportRequest(WorkerJob):
    """A request for a report of a registered kind (``reporting.kinds``: a parliamentary question, the
    breakdown, ...) as of a date, with the kind's parameters, built by a Celery job. Its heartbeat is set
    when it is queued and at every step and progress of its build; its worker when a build starts."""

    kind = models.CharField(_("kind of report"), max_length=40, help_text=_("E.g. pq244 or breakdown."))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    as_of = models.DateField(_("as of"), validators=[validate_day])
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="report_requests",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
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

    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    text = models.TextField(_("text"), validators=[validate_multi_line])
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
    as_of = models.DateField(_("as of"), validators=[validate_day])
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


SAME_DAY_STATEMENT = _("This answer already has a statement from that date; change that one.")


class AnswerStatement(models.Model):
    """What the minister states in an answer that no figure can know, kept by officers next to the figures:
    "Ik verwacht de resultaten van de evaluaties in de zomer van 2026." (answer 6 of question 244, werk).

    A statement holds from ``valid_from`` until the next one of the same question, answer and traject; an
    empty text ends the one before it. A statement without a traject belongs to the answer as a whole.
    """

    question = models.PositiveIntegerField(_("parliamentary question"))
    answer = models.PositiveSmallIntegerField(_("answer"))
    traject = models.ForeignKey(
        "trajects.Traject",
        verbose_name=_("traject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answer_statements",
        help_text=_("Empty for a statement about the answer as a whole."),
    )
    valid_from = models.DateField(_("valid from"), validators=[validate_day])
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("As the minister says it, in Dutch. Leave empty to end the previous statement."),
        validators=[validate_multi_line],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer statement")
        verbose_name_plural = _("answer statements")
        ordering = ["question", "answer", "traject", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(question__gte=1), name="answerstatement_question_positive"),
            models.CheckConstraint(condition=Q(answer__gte=1), name="answerstatement_answer_positive"),
            models.UniqueConstraint(
                fields=["question", "answer", "traject", "valid_from"],
                condition=Q(traject__isnull=False),
                name="answerstatement_unique_per_traject_and_day",
                violation_error_message=SAME_DAY_STATEMENT,
            ),
            models.UniqueConstraint(
                fields=["question", "answer", "valid_from"],
                condition=Q(traject__isnull=True),
                name="answerstatement_unique_per_answer_and_day",
                violation_error_message=SAME_DAY_STATEMENT,
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Question')} {self.question}.{self.answer} ({self.valid_from:%d/%m/%Y})"


class SizeTable(models.Model):
    """An aggregate table of enterprises by NACE section, staff band and province, as a statistics office
    publishes it (Statbel, say): the denominators of the reach per size class, which the KBO cannot give.

    An upload is kept as it came, never changed: a corrected table for the same reference date is
    uploaded again, and the latest upload for a date replaces the earlier ones in the figures.
    """

    reference_date = models.DateField(
        _("reference date"),
        help_text=_("The day the counts describe, e.g. 31/12/2024."),
        validators=[validate_day],
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Who published the counts, and which table."),
        validators=[validate_one_line],
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="size_tables",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise size table")
        verbose_name_plural = _("enterprise size tables")
        ordering = ["-reference_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.reference_date:%d/%m/%Y})"


class SizeTableRow(models.Model):
    """One cell of a size table: the enterprises of a NACE section, staff band and province.

    A band is a range of staff (``staff_from`` to ``staff_to``, open-ended without ``staff_to``) that lies
    within one size class of the EU definition, which the row keeps (``reporting.size_bands``).
    """

    table = models.ForeignKey(
        SizeTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="rows"
    )
    line = models.PositiveIntegerField(_("line"), help_text=_("The line of the uploaded file."))
    nace_section = models.CharField(_("NACE section"), max_length=1, choices=NaceSection.choices)
    province = models.CharField(_("province"), max_length=20, choices=Province.choices)
    staff_from = models.PositiveIntegerField(_("staff from"))
    staff_to = models.PositiveIntegerField(_("staff up to"), null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=12, choices=SizeClass.choices)
    enterprises = models.PositiveIntegerField(_("enterprises"))

    class Meta:
        verbose_name = _("size table row")
        verbose_name_plural = _("size table rows")
        ordering = ["table", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "nace_section", "province", "staff_from"], name="sizetablerow_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(nace_section__in=NaceSection.values), name="sizetablerow_nace_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(province__in=Province.values), name="sizetablerow_province_valid"
            ),
            models.CheckConstraint(
                condition=Q(staff_to__isnull=True) | Q(staff_to__gte=F("staff_from")),
                name="sizetablerow_band_ordered",
            ),
            # The band lies within the class's staff range (Recommendation 2003/361/EC): 0-9, 10-49,
            # 50-249, 250 and more.
            models.CheckConstraint(
                condition=(
                    Q(size_class=SizeClass.MICRO, staff_to__isnull=False, staff_to__lte=9)
                    | Q(
                        size_class=SizeClass.SMALL,
                        staff_from__gte=10,
                        staff_to__isnull=False,
                        staff_to__lte=49,
                    )
                    | Q(
                        size_class=SizeClass.MEDIUM,
                        staff_from__gte=50,
                        staff_to__isnull=False,
                        staff_to__lte=249,
                    )
                    | Q(size_class=SizeClass.LARGE, staff_from__gte=250)
                ),
                name="sizetablerow_band_within_size_class",
            ),
        ]

    def __str__(self) -> str:
        band = f"{self.staff_from}+" if self.staff_to is None else f"{self.staff_from}-{self.staff_to}"
        return f"{self.nace_section} {self.province} {band}: {self.enterprises}"


# -- Personal data (the GDPR) ---------------------------------------------------------------------------
class PersonalDataKind(models.TextChoices):
    """The kinds of personal data the retention schedule keeps for a while and the purge then removes
    (``reporting.personal_data`` says where each lives)."""

    COMPANY_CONTACTS = "company_contacts", _("Contact persons of companies")
    SESSION_NOTES = "session_notes", _("Notes of coaching sessions")
    REFERRAL_NOTES = "referral_notes", _("Notes of referrals")
    EVALUATION_TEXTS = "evaluation_texts", _("Free texts of evaluations and exit questionnaires")
    FORMER_USERS = "former_users", _("Accounts of people who left")
    ACCESS_REQUESTS = "access_requests", _("Addresses in the register of access requests")


# The period for which ESF+ files are kept: five years from 31 December of the year of the last payment.
DEFAULT_RETENTION_YEARS = 5
MAX_RETENTION_YEARS = 30


class RetentionRule(models.Model):
    """How long one kind of personal data is kept, in whole years counted from 31 December of the year its
    file closed (``reporting.personal_data``); officers change the years, the kinds are fixed."""

    kind = models.CharField(_("personal data"), max_length=20, choices=PersonalDataKind.choices, unique=True)
    years = models.PositiveSmallIntegerField(
        _("years kept"),
        default=DEFAULT_RETENTION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_YEARS)],
        help_text=_(
            "Counted from 31 December of the year of the last payment (or of the end, when nothing was "
            "paid); the data is removed on 1 January after that many years."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PersonalDataKind.values), name="retentionrule_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(years__gte=1, years__lte=MAX_RETENTION_YEARS), name="retentionrule_years_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class PersonalDataAction(models.TextChoices):
    PURGE = "purge", _("Purge")
    EXPORT = "export", _("Access export")


class RecordChannel(models.TextChoices):
    """Where a purge or an export was started from."""

    ADMIN = "admin", _("Administration")
    COMMAND = "command", _("Command line")
    BEAT = "beat", _("Nightly job")


class PersonalDataRecord(models.Model):
    """A record of one purge or access export: when, by whom, and what — the counts per kind of a purge,
    the address an export searched (kept as the proof that the request was answered, until the retention
    period of ``access_requests`` removes it)."""

    action = models.CharField(_("action"), max_length=10, choices=PersonalDataAction.choices)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personal_data_records",
        help_text=_("Empty for the nightly job and the command line."),
    )
    channel = models.CharField(_("started from"), max_length=10, choices=RecordChannel.choices)
    as_of = models.DateField(
        _("as of"), null=True, blank=True, help_text=_("The day a purge counted as today.")
    )
    subject = models.CharField(
        _("e-mail address searched"), max_length=254, blank=True, validators=[validate_one_line]
    )
    format = models.CharField(_("format"), max_length=4, blank=True)
    counts = models.JSONField(
        _("counts"),
        default=dict,
        blank=True,
        help_text=_("A purge: the rows and history rows changed per kind. An export: the rows found."),
    )

    class Meta:
        verbose_name = _("purge or access request")
        verbose_name_plural = _("purges and access requests")
        ordering = ["-done_at", "-pk"]
        permissions = [("export_personaldatarecord", _("Can answer access requests"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=PersonalDataAction.values), name="personaldatarecord_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=RecordChannel.values), name="personaldatarecord_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(action=PersonalDataAction.PURGE, as_of__isnull=False, subject="", format="")
                | Q(action=PersonalDataAction.EXPORT, as_of__isnull=True, format__in=["json", "pdf"]),
                name="personaldatarecord_fields_of_action",
            ),
            # The administration is always somebody; the nightly job never is.
            models.CheckConstraint(
                condition=~Q(channel=RecordChannel.ADMIN) | Q(by__isnull=False),
                name="personaldatarecord_admin_by",
            ),
            models.CheckConstraint(
                condition=~Q(channel=RecordChannel.BEAT) | Q(by__isnull=True),
                name="personaldatarecord_beat_nobody",
            ),
        ]

    def __str__(self) -> str:
        when = f" {timezone.localtime(self.done_at):%d/%m/%Y %H:%M}" if self.done_at else ""
        return f"{self.get_action_display()}{when}"
