"""Belgian (nl-BE) notation, the one way the PDF and the DOCX write numbers and dates.

``6.722.000 euro``, ``61,5%``, ``26 november 2025``, ``Mei 2023``: a dot groups thousands, a comma
separates decimals, and whole amounts or shares drop their zero decimals as the minister writes them
(``14%``, not ``14,0%``). The figures arrive as strings (amounts with two decimals, shares with one)
and are read as ``Decimal``, never as float. ``decimal`` and ``number`` live in
:mod:`voorsprong.money`, so the budget monitor's chart writes amounts the same way.
"""

import datetime

from reporting.statistics.outcomes import is_masked
from voorsprong.money import decimal, number

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
SMALL_NUMBERS = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")


def euro(value) -> str:
    """``6722000.00`` -> ``6.722.000 euro``."""
    return f"{number(value)} euro"


def share(value) -> str:
    """``61.5`` -> ``61,5%``, ``14.0`` -> ``14%``; no value (nothing to divide) -> an en dash."""
    if value is None or value == "":
        return "–"
    value = decimal(value)
    return f"{number(value, 0 if value == value.to_integral_value() else 1)}%"


def score(value) -> str:
    """An average score out of 5 as the figures give it, two decimals: ``4.25`` -> ``4,25``; none yet ->
    an en dash. Not rounded again: the figures rounded it once."""
    if value is None or value == "":
        return "–"
    return number(value, 2)


def figure(value, unit: str = "count") -> str:
    """A figure of a table by its unit: ``share`` ``61,5%``, ``score`` ``4,25``, ``decimal`` ``1.234,50``,
    else a whole number; a masked figure as it is (``< 5``), none as an en dash."""
    if value is None:
        return "–"
    if is_masked(value):
        return value
    if unit == "share":
        return share(value)
    if unit == "score":
        return score(value)
    return number(value, 2) if unit == "decimal" else number(value)


def as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def long_date(value) -> str:
    """``2025-11-26`` -> ``26 november 2025``."""
    value = as_date(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def month_year(value) -> str:
    """``2023-05-01`` -> ``Mei 2023``, as in the table of answer 1."""
    value = as_date(value)
    return f"{MONTHS[value.month - 1].capitalize()} {value.year}"


def in_words(count: int) -> str:
    """Small counts in words as the minister writes them (``vier dienstverleners``), larger in digits."""
    return SMALL_NUMBERS[count] if 0 <= count < len(SMALL_NUMBERS) else number(count)


def enumerate_nl(items) -> str:
    """``["a", "b", "c"]`` -> ``a, b en c``."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


def period(start, end) -> str:
    """A capacity period: a calendar year as ``2024``, otherwise ``1 september 2025 - 31 augustus 2027``
    (with an en dash)."""
    start, end = as_date(start), as_date(end)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{long_date(start)} – {long_date(end)}"


def short_period(start, end) -> str:
    """The same period in few characters, for a chart: ``2024`` or ``sep 2025 - aug 2027``."""
    start, end = as_date(start), as_date(end)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{MONTHS[start.month - 1][:3]} {start.year} – {MONTHS[end.month - 1][:3]} {end.year}"


def figure_cell(value):
    """Return a figure as a cell of a workbook or CSV file: a count as a number, a share, score or amount
    as a ``Decimal``, a masked figure as its text (``< 5``), none as an empty cell."""
    if value is None or isinstance(value, int) or is_masked(value):
        return value
    return decimal(value)
