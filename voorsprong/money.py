"""Money and shares as the programme reports them: Decimal, rounded half up, written the Belgian way.

The notation everywhere (pages, admin lists, spreadsheets' text, documents): an amount always with two
decimals, 1.234,56 (:func:`amount`); hours with at most two decimals and no trailing zeros, 13,5 and 8
(:func:`hours`); the minister's figures drop zero decimals, 6.722.000 (:func:`number`). Templates use
them as ``|amount`` and ``|hours`` (``{% load notation %}``).
"""

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


def amount(value) -> str:
    """Return an amount of money in Belgian notation, always with cents: ``1234.5`` -> ``1.234,50``;
    None is empty."""
    return "" if value is None else number(value, 2)


def euro(value) -> str:
    """Return an amount of money as written in a sentence or a cell of its own: ``€ 1.234,50``; None is
    empty."""
    return "" if value is None else f"€\N{NO-BREAK SPACE}{amount(value)}"


def hours(value) -> str:
    """Return a number of hours with at most two decimals and no trailing zeros: ``13.50`` -> ``13,5``,
    ``8.00`` -> ``8``, ``1234.25`` -> ``1.234,25``; None is empty."""
    if value is None:
        return ""
    written = number(value, 2)
    return written.rstrip("0").rstrip(",") if "," in written else written
