from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from voorsprong.uploads import ORIGINAL_NAME_MAX_LENGTH, validate_attachment
from voorsprong.validators import REASON_MAX_LENGTH, validate_day, validate_multi_line, validate_one_line


class FundingSourceCode(models.TextChoices):
    EU = "eu", _("European Union (ESF+)")
    FLEMISH = "flemish", _("Flemish government")
    OWN_PROMOTER = "own_promoter", _("Own contribution of the promoters")
    OWN_COMPANY = "own_company", _("Own contribution of the companies")


class FundingSource(models.Model):
    """Where money comes from: the EU (ESF+), the Flemish government or own contributions."""

    code = models.CharField(_("code"), max_length=20, unique=True, choices=FundingSourceCode.choices)
    name = models.CharField(_("name"), max_length=120, validators=[validate_one_line])
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


class AidBasis(models.TextChoices):
    """The State-aid rule under which a traject's subsidy is granted."""

    DE_MINIMIS = "de_minimis", _("De-minimis aid")
    GBER_TRAINING = "gber_training", _("Exempted training aid")


class FundingRule(models.Model):
    """How a traject pays for one application: its default cost and the own contributions around it.

    The split of the subsidy over the EU and the Flemish government is not stored: it follows the
    traject's budget lines, so a share is never typed twice.
    """

    traject = models.OneToOneField(
        "trajects.Traject", verbose_name=_("traject"), on_delete=models.PROTECT, related_name="funding_rule"
    )
    default_planned_cost = models.DecimalField(
        _("default planned cost per application (EUR)"), max_digits=12, decimal_places=2
    )
    promoter_share = models.DecimalField(
        _("promoters' own share"),
        max_digits=5,
        decimal_places=4,
        default=0,
        help_text=_("Part of the planned cost the promoters bring themselves, e.g. 0.15 in werk."),
    )
    company_surcharge = models.DecimalField(
        _("companies' own means on top"),
        max_digits=5,
        decimal_places=4,
        default=0,
        help_text=_("Own means a company adds on top of the subsidised cost, e.g. 0.15 in motivatie."),
    )
    aid_basis = models.CharField(
        _("aid basis"),
        max_length=20,
        choices=AidBasis.choices,
        default=AidBasis.DE_MINIMIS,
        help_text=_(
            "De-minimis aid (Regulation (EU) 2023/2831) counts towards the ceiling of 300,000 euro over "
            "three years; exempted training aid (Regulation (EU) 651/2014, art. 31) does not."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding rule")
        verbose_name_plural = _("funding rules")
        ordering = ["traject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_planned_cost__gte=0), name="fundingrule_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(promoter_share__gte=0, promoter_share__lt=1),
                name="fundingrule_promoter_share_range",
            ),
            models.CheckConstraint(
                condition=Q(company_surcharge__gte=0, company_surcharge__lte=1),
                name="fundingrule_company_surcharge_range",
            ),
            models.CheckConstraint(
                condition=Q(aid_basis__in=AidBasis.values), name="fundingrule_aid_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.traject)


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


# -- State aid -----------------------------------------------------------------------------------------
class AidLine(models.Model):
    """One line of the aid ledger: the aid an approval granted a company, from the day of the decision.

    Written by the approval (the subsidy parts committed, never the own contributions); a withdrawal
    before any payment cancels it. Its amount and date are never edited: a later change is a new line.
    """

    company = models.ForeignKey(
        "participants.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="aid_lines"
    )
    application = models.ForeignKey(
        "participants.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="aid_lines",
    )
    granted_on = models.DateField(_("granted on"), validators=[validate_day])
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("aid basis"), max_length=20, choices=AidBasis.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=200, validators=[validate_one_line])
    grantor = models.CharField(_("granting authority"), max_length=200, validators=[validate_one_line])
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True, validators=[validate_day])
    cancellation_reason = models.TextField(
        _("reason for the cancellation"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[validate_multi_line],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aid line")
        verbose_name_plural = _("aid ledger")
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="aidline_amount_not_negative"),
            models.CheckConstraint(condition=Q(basis__in=AidBasis.values), name="aidline_basis_valid"),
            models.CheckConstraint(
                condition=Q(cancelled_on__gte=F("granted_on")), name="aidline_cancelled_after_granted"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True, cancellation_reason="")
                | (Q(cancelled_on__isnull=False) & ~Q(cancellation_reason="")),
                name="aidline_cancellation_has_reason",
            ),
            # One approval grants once; a second line for it would count its aid twice.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(cancelled_on__isnull=True),
                name="aidline_one_open_line_per_application",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "granted_on"]),
            models.Index(fields=["granted_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} {self.granted_on:%d/%m/%Y}: {self.amount} EUR"


class LinkKind(models.TextChoices):
    """How one company controls another (art. 2(2) of Regulation (EU) 2023/2831)."""

    VOTING_RIGHTS = "voting_rights", _("Majority of the voting rights")
    BOARD = "board", _("Right to appoint or remove the majority of the board")
    DOMINANT_INFLUENCE = "dominant_influence", _("Dominant influence by contract or agreement")


class CompanyLink(models.Model):
    """Two companies linked by control: for State aid they count as one single undertaking.

    The single undertaking is the whole connected set of links, followed in both directions.
    """

    controlling_company = models.ForeignKey(
        "participants.Company",
        verbose_name=_("controlling company"),
        on_delete=models.PROTECT,
        related_name="controlled_links",
    )
    controlled_company = models.ForeignKey(
        "participants.Company",
        verbose_name=_("controlled company"),
        on_delete=models.PROTECT,
        related_name="controlling_links",
    )
    kind = models.CharField(_("kind of link"), max_length=20, choices=LinkKind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company link")
        verbose_name_plural = _("company links")
        ordering = ["controlling_company", "controlled_company"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(controlling_company=F("controlled_company")),
                name="companylink_not_to_itself",
                violation_error_message=_("A company cannot be linked to itself."),
            ),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="companylink_kind_valid"),
            # One link per pair of companies, whichever of the two controls the other.
            models.UniqueConstraint(
                Least("controlling_company", "controlled_company"),
                Greatest("controlling_company", "controlled_company"),
                name="companylink_unique_pair",
                violation_error_message=_("These two companies are already linked."),
            ),
        ]
        indexes = [models.Index(fields=["controlled_company"])]

    def __str__(self) -> str:
        return f"{self.controlling_company.name} → {self.controlled_company.name}"


DEFAULT_DECLARED_REGULATION = "Verordening (EU) 2023/2831"


class DeclaredAid(models.Model):
    """Other de-minimis aid a company declares with an application: it counts towards the ceiling too."""

    company = models.ForeignKey(
        "participants.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="declared_aid",
        help_text=_("The company of the application; kept here so that the same grant is declared once."),
    )
    application = models.ForeignKey(
        "participants.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="declared_aid",
    )
    grantor = models.CharField(_("granting authority"), max_length=200, validators=[validate_one_line])
    granted_on = models.DateField(_("granted on"), validators=[validate_day])
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    regulation = models.CharField(
        _("regulation"), max_length=200, default=DEFAULT_DECLARED_REGULATION, validators=[validate_one_line]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared de-minimis aid")
        verbose_name_plural = _("declared de-minimis aid")
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="declaredaid_amount_positive",
                violation_error_message=_("Declare an amount of more than 0 euro, to the cent."),
            ),
            models.CheckConstraint(condition=~Q(grantor=""), name="declaredaid_grantor_given"),
            models.UniqueConstraint(
                fields=["company", "grantor", "granted_on", "amount"],
                name="declaredaid_unique_grant",
                violation_error_message=_("This company already declared this grant."),
            ),
        ]
        indexes = [models.Index(fields=["company", "granted_on"])]

    def __str__(self) -> str:
        return f"{self.grantor} {self.granted_on:%d/%m/%Y}: {self.amount} EUR"


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


class Declaration(models.Model):
    """Costs a service provider or promoter declares for one application and period."""

    application = models.ForeignKey(
        "participants.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    period_start = models.DateField(_("period start"), validators=[validate_day])
    period_end = models.DateField(_("period end"), validators=[validate_day])
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=0)
    description = models.TextField(_("description"), blank=True, validators=[validate_multi_line])
    status = models.CharField(
        _("status"), max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.SUBMITTED
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    declared_on = models.DateField(_("declared on"), validators=[validate_day])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_declarations",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True, validators=[validate_day])
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_multi_line]
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True, validators=[validate_day])
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paid_declarations",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-declared_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="declaration_amount_not_negative"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="declaration_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="declaration_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeclarationStatus.values), name="declaration_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DeclarationStatus.SUBMITTED) | Q(decided_on__isnull=False),
                name="declaration_decided_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeclarationStatus.REJECTED) | ~Q(reason=""),
                name="declaration_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=DeclarationStatus.PAID) | Q(paid_on__isnull=True),
                name="declaration_only_paid_has_payment_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeclarationStatus.PAID) | Q(paid_on__isnull=False),
                name="declaration_paid_has_date",
            ),
            # Not "paid has a payer": declarations paid before the payer was kept may have none.
            models.CheckConstraint(
                condition=Q(status=DeclarationStatus.PAID) | Q(paid_by__isnull=True),
                name="declaration_only_paid_has_payer",
            ),
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return (
            f"{self.application} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}: {self.amount} EUR"
        )


class DeclarationShare(models.Model):
    """The part of a declaration charged to one funding source, in the application's committed proportions.

    Stored (not computed on the fly) so the budget monitor sums plain columns and the parts add up to
    the declaration to the cent.
    """

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="shares"
    )
    source = models.ForeignKey(
        FundingSource, verbose_name=_("funding source"), on_delete=models.PROTECT, related_name="declared"
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("declaration share")
        verbose_name_plural = _("declaration shares")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="declarationshare_amount_not_negative"),
            models.UniqueConstraint(fields=["declaration", "source"], name="declarationshare_unique_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount} EUR"


class DeclarationAttachment(models.Model):
    """A document with a declaration, stored under a generated name (``voorsprong.uploads``) and handed
    back only through the authorised download."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="declarations/%Y/%m/", validators=[validate_attachment])
    original_name = models.CharField(
        _("original name"),
        max_length=ORIGINAL_NAME_MAX_LENGTH,
        help_text=_("The file's name as it was uploaded; the download takes it."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class BudgetOverrideStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting sign-off")
    SIGNED_OFF = "signed_off", _("Signed off")
    REFUSED = "refused", _("Refused")


class BudgetOverride(models.Model):
    """An officer's request to approve an application although its budget is short, which a second
    officer signs off (approving the application and committing its money) or refuses."""

    application = models.ForeignKey(
        "participants.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="budget_overrides",
    )
    reason = models.TextField(
        _("reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Why the application is approved over the budget."),
        validators=[validate_multi_line],
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BudgetOverrideStatus.choices,
        default=BudgetOverrideStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="requested_budget_overrides",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_budget_overrides",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(
        _("reason for the refusal"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[validate_multi_line],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval over the budget")
        verbose_name_plural = _("approvals over the budget")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BudgetOverrideStatus.values), name="budgetoverride_status_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="budgetoverride_has_reason"),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=BudgetOverrideStatus.PENDING),
                name="budgetoverride_unique_pending_per_application",
            ),
            models.CheckConstraint(
                condition=Q(status=BudgetOverrideStatus.PENDING)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="budgetoverride_decided_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status=BudgetOverrideStatus.REFUSED) | ~Q(refusal_reason=""),
                name="budgetoverride_refusal_has_reason",
            ),
            # Four eyes: whoever asked cannot be the one who signs off.
            models.CheckConstraint(
                condition=~Q(status=BudgetOverrideStatus.SIGNED_OFF) | ~Q(decided_by=F("requested_by")),
                name="budgetoverride_signed_off_by_another",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return str(self.application)
