"""Money and shares as the programme reports them: Decimal, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def to_cents(amount: Decimal | None) -> Decimal:
    """Round an amount to the cent; no amount is zero."""
    return (amount or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def to_tenths(value: Decimal) -> Decimal:
    """Round a percentage or a number of months to one decimal."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)
