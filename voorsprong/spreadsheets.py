"""The rule that keeps text in a spreadsheet from running.

A spreadsheet runs a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, or a tab or carriage
return that hides one): formula or CSV injection. :func:`looks_like_formula` is the one test for it;
:func:`csv_text` is what a CSV writer writes instead, with a leading apostrophe, the only marker a CSV has.
A workbook keeps such a text as a text cell instead.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet would read ``text`` as (the start of) a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """Return ``text`` for a CSV cell: a leading apostrophe keeps formula-like text from running."""
    return f"'{text}" if looks_like_formula(text) else text
