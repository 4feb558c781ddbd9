"""Money and shares as the programme reports them: Decimal, rounded half up, written the Belgian way."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# Python groups with "," and separates decimals with "."; Belgian notation swaps the two.
_BELGIAN = str.maketrans({",": ".", ".": ","})


def to_cents(amount: Decimal | None) -> Decimal:
    """Round an amount to the cent; no amount is zero."""
    return (amount or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def to_tenths(value: Decimal) -> Decimal:
    """Round a percentage or a number of months to one decimal."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def decimal(value) -> Decimal:
    """Return a figure (string, int, float or Decimal) as a Decimal; None and "" count as zero."""
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def number(value, decimals: int | None = None) -> str:
    """Return a number in Belgian notation: a dot groups thousands, a comma separates decimals.

    ``6722000.00`` -> ``6.722.000``; ``1234.5`` -> ``1.234,50``; decimals=None drops zero decimals, as
    the minister writes whole amounts, and otherwise keeps two.
    """
    value = decimal(value)
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 2
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}".translate(_BELGIAN)
