"""Company size classes after the EU SME definition (Commission Recommendation 2003/361/EC).

A non-profit (vzw, ivzw, foundation) is reported as its own class whatever its size. A company whose
staff nobody has declared (one imported from the KBO, which publishes no staff figures) has the class
``unknown``: it is never taken for a micro-enterprise.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro-enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium-sized enterprise")
    LARGE = "large", _("Large enterprise")
    NON_PROFIT = "non_profit", _("Non-profit organisation")
    UNKNOWN = "unknown", _("Unknown")


SME_CLASSES = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)

# (class, staff strictly below, turnover at most, balance-sheet total at most)
_THRESHOLDS = (
    (SizeClass.MICRO, 10, Decimal("2000000"), Decimal("2000000")),
    (SizeClass.SMALL, 50, Decimal("10000000"), Decimal("10000000")),
    (SizeClass.MEDIUM, 250, Decimal("50000000"), Decimal("43000000")),
)


def classify(
    *,
    is_non_profit: bool,
    staff_headcount: int | Decimal | None,
    turnover: Decimal | None,
    balance_sheet_total: Decimal | None,
) -> SizeClass:
    """Return the size class of a company.

    The staff ceiling must hold and either financial ceiling: the turnover or the balance-sheet
    total. A financial figure that is unknown does not disqualify; with both unknown, staff alone
    decides. Unknown staff (None) makes the class unknown: staff is the one criterion that must hold.
    Staff may be annual work units (a Decimal): the ceilings are whole numbers, so 9.9 is still micro.
    """
    if is_non_profit:
        return SizeClass.NON_PROFIT
    if staff_headcount is None:
        return SizeClass.UNKNOWN
    for size_class, staff_below, turnover_max, balance_max in _THRESHOLDS:
        if staff_headcount >= staff_below:
            continue
        financial_figures = [
            figure <= ceiling
            for figure, ceiling in ((turnover, turnover_max), (balance_sheet_total, balance_max))
            if figure is not None
        ]
        if not financial_figures or any(financial_figures):
            return size_class
    return SizeClass.LARGE
