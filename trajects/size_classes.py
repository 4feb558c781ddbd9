"""Company size classes after the EU SME definition (Commission Recommendation 2003/361/EC).

A non-profit (vzw, ivzw, foundation) is reported as its own class whatever its size.
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
    staff_headcount: int,
    turnover: Decimal | None,
    balance_sheet_total: Decimal | None,
) -> SizeClass:
    """Return the size class of a company.

    The staff ceiling must hold and either financial ceiling: the turnover or the balance-sheet
    total. A figure that is unknown does not disqualify; with both unknown, staff alone decides.
    """
    if is_non_profit:
        return SizeClass.NON_PROFIT
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
