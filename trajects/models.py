from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trajects.size_classes import SizeClass
from voorsprong.validators import validate_day, validate_multi_line, validate_one_line


class Traject(models.Model):
    """One of the Voorsprong programmes (leren, werk, motivatie)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True, validators=[validate_one_line])
    start_date = models.DateField(_("start date"), validators=[validate_day])
    allowed_size_classes = models.JSONField(
        _("allowed size classes"),
        default=list,
        help_text=_("Size classes of companies that may take part, e.g. only SMEs."),
    )
    description = models.TextField(_("description"), blank=True, validators=[validate_multi_line])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("traject")
        verbose_name_plural = _("trajects")
        ordering = ["start_date", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.allowed_size_classes or []) - set(SizeClass.values)
        if unknown:
            raise ValidationError(
                {
                    "allowed_size_classes": _("Unknown size classes: %(codes)s")
                    % {"codes": ", ".join(sorted(unknown))}
                }
            )

    def allows(self, size_class: str) -> bool:
        return size_class in self.allowed_size_classes


class OrganisationKind(models.TextChoices):
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    PROMOTER = "promoter", _("Promoter")
    SECTOR_FUND = "sector_fund", _("Sector fund")
    UNION = "union", _("Union")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_one_line])
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    website = models.URLField(_("website"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A group of organisations that together run projects of one traject."""

    traject = models.ForeignKey(
        Traject, verbose_name=_("traject"), on_delete=models.PROTECT, related_name="partnerships"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), related_name="partnerships"
    )
    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["traject", "name"]
        constraints = [
            models.UniqueConstraint(fields=["traject", "name"], name="partnership_unique_name_per_traject"),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """An administrative project of a traject; applications are assigned to one."""

    traject = models.ForeignKey(
        Traject, verbose_name=_("traject"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), related_name="projects"
    )
    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["traject", "name"]
        constraints = [
            models.UniqueConstraint(fields=["traject", "name"], name="project_unique_name_per_traject"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.partnership_id and self.traject_id and self.partnership.traject_id != self.traject_id:
            raise ValidationError({"partnership": _("The partnership belongs to another traject.")})


class CapacityPeriod(models.Model):
    """A period in which a traject offers a number of places (e.g. 90 per calendar year)."""

    traject = models.ForeignKey(
        Traject, verbose_name=_("traject"), on_delete=models.PROTECT, related_name="capacity_periods"
    )
    start = models.DateField(_("start"), validators=[validate_day])
    end = models.DateField(_("end"), validators=[validate_day])
    places = models.PositiveIntegerField(_("places"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capacity period")
        verbose_name_plural = _("capacity periods")
        ordering = ["traject", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="capacityperiod_end_after_start"),
            models.UniqueConstraint(fields=["traject", "start"], name="capacityperiod_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.traject} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    def clean(self) -> None:
        if not (self.traject_id and self.start and self.end):
            return
        overlapping = CapacityPeriod.objects.filter(
            traject_id=self.traject_id, start__lte=self.end, end__gte=self.start
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("This period overlaps another capacity period of the same traject."))


class Channel(models.TextChoices):
    WEBSITE = "website", _("Website")
    MAILING = "mailing", _("Targeted mailing")
    SOCIAL_MEDIA = "social_media", _("Social media")
    NEWSLETTER = "newsletter", _("Newsletter")
    PRINT = "print", _("Print and advertisements")
    EVENT = "event", _("Event")
    PARTNER_KIT = "partner_kit", _("Kit for intermediaries")
    OTHER = "other", _("Other")


class CommunicationAction(models.Model):
    """A campaign action that promotes the trajects (answer 7 of question 244)."""

    campaign = models.CharField(_("campaign"), max_length=200, validators=[validate_one_line])
    date = models.DateField(_("date"), validators=[validate_day])
    announced_on = models.DateField(
        _("announced on"),
        null=True,
        blank=True,
        help_text=_(
            "For an action planned ahead: the day it was announced, from which answers say it is coming. "
            "Empty: answers name it from its own date."
        ),
        validators=[validate_day],
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    description = models.TextField(_("description"), validators=[validate_multi_line])
    trajects = models.ManyToManyField(
        Traject, verbose_name=_("trajects"), related_name="communication_actions"
    )
    history = HistoricalRecords(m2m_fields=[trajects])

    class Meta:
        verbose_name = _("communication action")
        verbose_name_plural = _("communication actions")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="communicationaction_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(announced_on__isnull=True) | Q(announced_on__lte=F("date")),
                name="communicationaction_announced_before_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%m/%Y} {self.get_channel_display()}"
