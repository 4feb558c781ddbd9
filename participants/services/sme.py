"""SME declarations: a company's size class from declared figures (Commission Recommendation 2003/361/EC).

The annex's articles 3 to 6: the company's own staff in annual work units (AWU), turnover and
balance-sheet total of the reference year, plus those of its partner enterprises (a share of 25 to 50 %,
added pro rata to the share) and of its linked enterprises (over 50 %, added in full). The size class
follows from these totals as from any company's figures (``trajects.size_classes.classify``).
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.kbo import normalise_kbo_number
from participants.models import Company, EnterpriseRelation, RelatedEnterprise, SMEDeclaration
from trajects.size_classes import SizeClass, classify
from voorsprong import uploads
from voorsprong.models import User
from voorsprong.money import CENT, to_cents
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, save_as

# What the columns of the totals and of the company hold (13 and 9 digits before the decimal point).
MAX_TOTAL_AMOUNT = Decimal("1e13")
MAX_TOTAL_STAFF = Decimal("1e9")


@dataclass(frozen=True)
class EnterpriseFigures:
    """A partner or linked enterprise as declared: its share (%) and its own figures."""

    relation: str
    name: str
    share: Decimal
    staff_awu: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal
    kbo_number: str = ""


@dataclass(frozen=True)
class SMETotals:
    staff_awu: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal


def sme_totals(
    *, staff_awu: Decimal, turnover: Decimal, balance_sheet_total: Decimal, enterprises=()
) -> SMETotals:
    """Return the totals the size class follows from: the own figures, the partner enterprises' pro rata
    to their share and the linked enterprises' in full (annex art. 6(2)), staff to 0.01 AWU, money to
    the cent."""
    staff, money, balance = staff_awu, turnover, balance_sheet_total
    for enterprise in enterprises:
        part = enterprise.share / 100 if enterprise.relation == EnterpriseRelation.PARTNER else Decimal(1)
        staff += enterprise.staff_awu * part
        money += enterprise.turnover * part
        balance += enterprise.balance_sheet_total * part
    return SMETotals(to_cents(staff), to_cents(money), to_cents(balance))


def _require_may_declare(company: Company, by: User) -> None:
    """Officers declare for any company; a sector consultant doing an intake for a company whose size is
    not known yet, or for one they referred (the company itself has no account)."""
    if by.acts_as(Role.OFFICER):
        return
    if by.has_role(Role.SECTOR_CONSULTANT) and (
        company.size_class == SizeClass.UNKNOWN or company.referrals.filter(consultant=by).exists()
    ):
        return
    raise WorkflowRefusal(_("You are not allowed to declare the SME status of this company."), "forbidden")


def _check_figures(reference_year: int, figures: tuple[Decimal, ...], today: datetime.date) -> None:
    if not today.year - 5 <= reference_year <= today.year:
        raise WorkflowRefusal(
            _("The reference year is the year of the last approved accounts: %(first)s to %(last)s.")
            % {"first": today.year - 5, "last": today.year},
            "invalid_reference_year",
            "reference_year",
        )
    if any(figure < 0 for figure in figures):
        raise WorkflowRefusal(_("Staff and amounts cannot be negative."), "invalid_amount")


def _checked_enterprise(enterprise: EnterpriseFigures) -> EnterpriseFigures:
    """Refuse an enterprise whose share does not fit its relation; return it with its KBO number's ten
    digits."""
    if enterprise.relation not in EnterpriseRelation.values:
        raise WorkflowRefusal(_("Choose partner or linked."), "invalid_relation", "enterprises")
    if not enterprise.name.strip():
        raise WorkflowRefusal(_("Give the name of each enterprise."), "invalid_enterprise", "enterprises")
    # Partner: 25 to 50 % (art. 3(2)); linked: over 50 % (art. 3(3)).
    if enterprise.relation == EnterpriseRelation.PARTNER and not 25 <= enterprise.share <= 50:
        raise WorkflowRefusal(
            _("%(name)s: a partner enterprise has a share of 25 to 50 %%, not %(share)s %%.")
            % {"name": enterprise.name, "share": enterprise.share},
            "invalid_share",
            "enterprises",
        )
    if enterprise.relation == EnterpriseRelation.LINKED and not 50 < enterprise.share <= 100:
        raise WorkflowRefusal(
            _("%(name)s: a linked enterprise has a share of over 50 %%, not %(share)s %%.")
            % {"name": enterprise.name, "share": enterprise.share},
            "invalid_share",
            "enterprises",
        )
    kbo_number = enterprise.kbo_number
    if kbo_number:
        try:
            kbo_number = normalise_kbo_number(kbo_number)
        except ValidationError as error:
            raise WorkflowRefusal(" ".join(error.messages), "invalid_kbo_number", "enterprises") from error
    return EnterpriseFigures(
        **{**enterprise.__dict__, "name": enterprise.name.strip(), "kbo_number": kbo_number}
    )


@transaction.atomic
def declare_sme_status(
    company: Company,
    *,
    by: User,
    reference_year: int,
    staff_awu: Decimal,
    turnover: Decimal,
    balance_sheet_total: Decimal,
    enterprises=(),
    attachment: UploadedFile | None = None,
) -> SMEDeclaration:
    """Record the company's SME declaration and give the company the figures and size class it declares.

    The company keeps the totals: staff as whole AWU rounded down (the ceilings of 10, 50 and 250 are
    whole numbers, so 9.99 AWU stays micro either way), turnover and balance-sheet total to the cent.
    """
    # Locked first: who may declare depends on the company's class now, not as the caller last read it.
    company = Company.objects.select_for_update().get(pk=company.pk)
    _require_may_declare(company, by)
    now = timezone.now()
    _check_figures(reference_year, (staff_awu, turnover, balance_sheet_total), timezone.localdate(now))
    enterprises = [_checked_enterprise(enterprise) for enterprise in enterprises]
    kind = uploads.accepted_type(attachment, uploads.SCAN_TYPES, "attachment") if attachment else None
    totals = sme_totals(
        staff_awu=staff_awu,
        turnover=turnover,
        balance_sheet_total=balance_sheet_total,
        enterprises=enterprises,
    )
    if (
        totals.staff_awu >= MAX_TOTAL_STAFF
        or max(totals.turnover, totals.balance_sheet_total) >= MAX_TOTAL_AMOUNT
    ):
        raise WorkflowRefusal(_("The totals are too large to be real."), "invalid_amount")
    declaration = SMEDeclaration(
        company=company,
        reference_year=reference_year,
        staff_awu=staff_awu.quantize(CENT),
        turnover=turnover,
        balance_sheet_total=balance_sheet_total,
        total_staff_awu=totals.staff_awu,
        total_turnover=totals.turnover,
        total_balance_sheet_total=totals.balance_sheet_total,
        size_class=classify(
            is_non_profit=company.is_non_profit,
            staff_headcount=totals.staff_awu,
            turnover=totals.turnover,
            balance_sheet_total=totals.balance_sheet_total,
        ),
        declared_by=by,
        declared_at=now,
    )
    if attachment:
        declaration.attachment_name = uploads.original_name(attachment.name)
        declaration.attachment.save(uploads.stored_name(kind), attachment, save=False)
    save_as(declaration, by, validate=True)
    for enterprise in enterprises:
        save_as(RelatedEnterprise(declaration=declaration, **enterprise.__dict__), by, validate=True)
    company.staff_headcount = math.floor(totals.staff_awu)
    company.turnover, company.balance_sheet_total = totals.turnover, totals.balance_sheet_total
    save_as(company, by, reason=_("SME declaration of reference year %(year)s") % {"year": reference_year})
    return declaration
