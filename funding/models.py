from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FundingSourceCode(models.TextChoices):
    EU = "eu", _("European Union (ESF+)")
    FLEMISH = "flemish", _("Flemish government")
    OWN_PROMOTER = "own_promoter", _("Own contribution of the promoters")
    OWN_COMPANY = "own_company", _("Own contribution of the companies")


class FundingSource(models.Model):
    """Where money comes from: the EU (ESF+), the Flemish government or own contributions."""

    code = models.CharField(_("code"), max_length=20, unique=True, choices=FundingSourceCode.choices)
    name = models.CharField(_("name"), max_length=120)
    is_subsidy = models.BooleanField(
        _("subsidy"), help_text=_("Public money, as opposed to an own contribution.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=FundingSourceCode.values), name="fundingsource_code_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    """The amount a funding source brings to a traject, optionally for one capacity period."""

    traject = models.ForeignKey(
        "trajects.Traject", verbose_name=_("traject"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    source = models.ForeignKey(
        FundingSource, verbose_name=_("funding source"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    capacity_period = models.ForeignKey(
        "trajects.CapacityPeriod",
        verbose_name=_("capacity period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["traject", "source", "capacity_period"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_amount_not_negative"),
            # NULL periods are distinct in a plain unique constraint, hence two partial ones.
            models.UniqueConstraint(
                fields=["traject", "source"],
                condition=Q(capacity_period__isnull=True),
                name="budgetline_unique_source_per_traject",
            ),
            models.UniqueConstraint(
                fields=["traject", "source", "capacity_period"],
                condition=Q(capacity_period__isnull=False),
                name="budgetline_unique_source_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.traject} – {self.source}: {self.amount} EUR"


class ApplicationFunding(models.Model):
    """The money one application receives or brings, per funding source."""

    application = models.ForeignKey(
        "participants.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="funding",
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="application_funding",
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application funding")
        verbose_name_plural = _("application funding")
        ordering = ["application", "source"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="applicationfunding_amount_not_negative"),
            models.UniqueConstraint(
                fields=["application", "source"], name="applicationfunding_unique_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.source}: {self.amount} EUR"
