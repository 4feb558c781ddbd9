"""Staff bands of the statistics offices' tables, and the size class each one falls in.

Statistics offices count enterprises per band of staff: ``0``, ``1-4``, ``5-9``, ``10-19``, ``20-49``,
``50-99``, … ``1000+``. A band counts towards the size class of the EU definition (Commission
Recommendation 2003/361/EC, ``trajects.size_classes``) its whole staff range lies in:

============  ==============
size class    staff
============  ==============
micro         0 to 9
small         10 to 49
medium        50 to 249
large         250 and more
============  ==============

A band across a boundary (``200-499`` straddles 250) cannot be split without guessing, so it is refused:
the officer merges or splits it in the table first. The tables count staff only, not the financial
ceilings; the definition's staff ceilings are the ones that must hold, so the bands give the classes as
near as statistics can.

Non-profit is a legal status, not a band: a non-profit with 30 staff sits in ``20-49`` of such a table.
The reach counts a company by the size class its latest approval rested on, where non-profits are a
class of their own (``non_profit``) whose staff band is not kept, so reached non-profits (and companies
approved while their size was undeclared, ``unknown``) cannot be placed in a band: the reach per size
class shows them on rows of their own, without a population (``reporting.statistics.reach``).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from trajects.size_classes import SizeClass

# (size class, first staff, last staff or None), in order.
BAND_CLASSES = (
    (SizeClass.MICRO, 0, 9),
    (SizeClass.SMALL, 10, 49),
    (SizeClass.MEDIUM, 50, 249),
    (SizeClass.LARGE, 250, None),
)
SIZE_CLASSES_WITH_BANDS = tuple(size_class for size_class, _first, _last in BAND_CLASSES)

_RANGE = re.compile(r"(\d{1,7})\s*[-–—]\s*(\d{1,7})")
_OPEN = re.compile(r"(\d{1,7})\s*(?:\+|en meer|of meer|and more|or more|en plus|et plus)")
_SINGLE = re.compile(r"\d{1,7}")


class BandError(ValueError):
    """A band that cannot be read, or one across a size class's boundary; the message says which, in the
    active language, as a part of a sentence (the upload names the line before it)."""


@dataclass(frozen=True)
class Band:
    """A range of staff; ``last`` is None for an open-ended band (``1000+``)."""

    first: int
    last: int | None

    def __str__(self) -> str:
        if self.last is None:
            return f"{self.first}+"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def overlaps(self, other: "Band") -> bool:
        return (self.last is None or other.first <= self.last) and (
            other.last is None or self.first <= other.last
        )

    @property
    def size_class(self) -> SizeClass:
        """Return the size class the whole band lies in; raise BandError for a band across a boundary."""
        for size_class, first, last in BAND_CLASSES:
            within_start = first <= self.first and (last is None or self.first <= last)
            if within_start:
                if last is None or (self.last is not None and self.last <= last):
                    return size_class
                break
        raise BandError(
            _(
                "the band %(band)s crosses a boundary between size classes (10, 50 or 250 staff): split or "
                "merge it so that it lies within 0-9, 10-49, 50-249 or 250+"
            )
            % {"band": self}
        )


def parse_band(text: str) -> Band:
    """Return the band written as ``5-9`` (also with an en dash or spaces), ``1000+`` (or ``1000 en meer``)
    or ``0``; raise BandError for anything else, a band running backwards (``9-5``) too."""
    value = " ".join(text.strip().lower().split())
    if match := _RANGE.fullmatch(value):
        band = Band(int(match[1]), int(match[2]))
        if band.last >= band.first:
            return band
    elif match := _OPEN.fullmatch(value):
        return Band(int(match[1]), None)
    elif _SINGLE.fullmatch(value):
        return Band(int(value), int(value))
    raise BandError(_("“%(band)s” is not a staff band: write it as 5-9, 1000+ or 0") % {"band": text.strip()})
