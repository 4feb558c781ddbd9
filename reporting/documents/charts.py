"""What the answer's charts show; :mod:`voorsprong.charts` draws them.

The PDF puts each chart inline as SVG (WeasyPrint draws it as vectors), the DOCX as a PNG picture.
"""

from reporting.documents.formatting import number, short_period
from voorsprong.charts import Chart, Series, filled_bars, stacked_shares

SIZE_COLOURS = {
    "micro": "#9fc5e8",
    "small": "#6fa8dc",
    "medium": "#3d85c6",
    "non_profit": "#6aa84f",
    "large": "#e69138",
}
OPENED = Series("Opengesteld", "#d9e2ec")
TAKEN = Series("Ingenomen", "#0b5394")


def size_split(trajects: list[dict], labels: dict[str, str]) -> Chart:
    """Return per traject one bar of 100%, split into the size classes of its companies, counts on the
    parts."""
    counts = [[traject["size_classes"].get(name, 0) for name in SIZE_COLOURS] for traject in trajects]
    return stacked_shares(
        "Bedrijven per grootteklasse en per traject",
        [traject["name"] for traject in trajects],
        [Series(labels[name], colour) for name, colour in SIZE_COLOURS.items()],
        counts,
        [f"{number(sum(row))} bedrijven" for row in counts],
    )


def places(trajects: list[dict]) -> Chart:
    """Return per traject and period the places opened (the full bar) and the share of them taken."""
    groups = [
        (
            traject["name"],
            [
                (
                    short_period(row["start"], row["end"]),
                    row["taken"],
                    row["places"],
                    f"{number(row['taken'])} van {number(row['places'])}",
                )
                for row in traject["places"]
            ],
        )
        for traject in trajects
        if traject["places"]
    ]
    return filled_bars("Opengestelde en ingenomen plaatsen per traject en periode", groups, OPENED, TAKEN)
