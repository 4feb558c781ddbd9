"""The back office's charts, drawn by matplotlib: SVG for pages and PDFs, PNG for Word.

Every chart is made here, the budget monitor's and the answer documents': a builder
(:func:`stacked_shares`, :func:`filled_bars`, :func:`grouped_bars`, :func:`ratio_bars`) takes labels
and values and returns a :class:`Chart`, drawn when its ``svg`` (inline in a page, or in a PDF, which
WeasyPrint draws as vectors) or its ``png`` (a picture for a DOCX) is first asked for.

- Matplotlib's object-oriented API only (a ``Figure`` on an Agg canvas, never pyplot): no global
  figure, no GUI backend. A chart is drawn from matplotlib's default settings plus its own, which
  apply only while it is drawn, so no matplotlibrc changes how it looks.
- Text is DejaVu Sans, which ships with matplotlib, so each label is measured in the font it is drawn
  in. The SVG keeps text as text (selectable, searchable, read by pdftotext and screen readers) and
  names DejaVu Sans first, which the PDF's fonts and the Docker image have too.
- The constrained layout makes room around the axes for every label, legend and value written beside
  a bar, and a value inside a bar is written only where it fits, so no label is clipped or covered.
- Numbers are written the Belgian way (:func:`voorsprong.money.number`): 1.234.567,89.
- The SVG names itself (``role="img"``, ``aria-label``, ``<title>``) and describes every value in
  words (``<desc>``), for whoever cannot see it.
"""

import io
import re
import textwrap
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils.safestring import SafeString

from voorsprong.money import decimal, number

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"

TEXT_COLOUR = "#1f1f1f"
AXIS_COLOUR = "#8a8a8a"
GRID_COLOUR = "#e3e3e3"
EMPTY_COLOUR = "#f3f3f3"
# DejaVu Sans draws and measures; a browser without it falls back on narrower fonts, so text still fits.
FONTS = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"]
PNG_DPI = 220  # 16 cm wide in a DOCX makes some 1,400 pixels: sharp on paper
VALUE_PADDING = 3  # points between a bar's end and the value written beside it
BAR_LINES, GAP_LINES = 1.25, 0.85  # a bar's thickness and the gap between rows, in lines of text
GROUPED_BAR_LINES, GROUPED_GAP_LINES = 1.1, 1.0  # the same where a row holds a bar per series
PADDING = 0.06  # inches of white around a chart's outermost labels
BAR = BAR_LINES / (BAR_LINES + GAP_LINES)  # a bar's thickness where a row holds one bar, in rows


@dataclass(frozen=True)
class Frame:
    """Where a chart goes: its width in inches, the size of its text in points, and how many characters
    a row label may take before it wraps (rather than squeezing the bars)."""

    width: float
    font_size: float
    label_width: int

    @property
    def line(self) -> float:
        """Return the height of a line of the chart's text, in inches."""
        return self.font_size * 1.3 / 72


# The 16 cm text width of the answer's A4 pages (PDF and DOCX), in the size of their captions.
DOCUMENT = Frame(width=6.3, font_size=8.5, label_width=36)
# The budget monitor's page, whose content is about 1,050 pixels wide; text as its small print.
PAGE = Frame(width=10.5, font_size=10, label_width=48)


@dataclass(frozen=True)
class Series:
    """What one colour of bars stands for."""

    label: str
    colour: str


@dataclass(eq=False)
class Chart:
    """A chart to draw: its title, its values in words, and the function that draws it on a figure."""

    title: str
    description: str
    frame: Frame
    draw: Callable

    @cached_property
    def svg(self) -> SafeString:
        """Return the chart as an ``<svg>`` element to put in HTML, with its title and description."""
        return SafeString(_accessible(_render(self, "svg"), self.title, self.description))

    @cached_property
    def png(self) -> bytes:
        """Return the chart as a PNG picture, sharp enough to print at the frame's width."""
        return _render(self, "png")


# -- the kinds of chart --------------------------------------------------------------------------------
def stacked_shares(
    title: str,
    rows: Sequence[str],
    series: Sequence[Series],
    counts: Sequence[Sequence[int]],
    notes: Sequence[str],
    frame: Frame = DOCUMENT,
) -> Chart:
    """Return per row one bar of 100% split into the series' shares of the row's counts.

    The counts are written on the parts that have room for them, the row's note (its total, say) to
    the right of its bar; a row without counts gets an empty bar.
    """
    description = "; ".join(
        f"{row}: {_values(series, values)} ({note})"
        for row, values, note in zip(rows, counts, notes, strict=True)
    )

    def draw(figure) -> None:
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        totals = [sum(values) for values in counts]
        start = [0.0] * len(rows)
        inside = []
        for index, item in enumerate(series):
            values = [row[index] for row in counts]
            widths = [
                100 * value / total if total else 0 for value, total in zip(values, totals, strict=True)
            ]
            bars = axes.barh(positions, widths, left=start, height=BAR, color=item.colour, label=item.label)
            texts = [number(value) if value else "" for value in values]
            inside.append(
                (axes.bar_label(bars, texts, label_type="center", color=_text_colour_on(item.colour)), bars)
            )
            start = [before + width for before, width in zip(start, widths, strict=True)]
        if empty := [position for position, total in zip(positions, totals, strict=True) if not total]:
            axes.barh(empty, 100, height=BAR, color=EMPTY_COLOUR)
        _row_labels(axes, frame, rows, notes)
        _percent_axis(axes)
        _legend(figure, axes, frame)
        _fit_height(figure, frame, [len(rows)])
        for texts, bars in inside:
            _keep_fitting(texts, bars)

    return Chart(title, description, frame, draw)


def filled_bars(
    title: str,
    groups: Sequence[tuple[str, Sequence[tuple[str, int, int, str]]]],
    full: Series,
    filled: Series,
    frame: Frame = DOCUMENT,
) -> Chart:
    """Return per group (a heading) and row a full bar and the part of it that is filled.

    ``groups`` is ``[(heading, [(label, filled, full, note), ...]), ...]``; each bar is 100% of its
    full value, the filled part drawn over it (never past its end) and the note to its right.
    """
    description = "; ".join(
        f"{heading}, {label}: {filled.label} {number(taken)}, {full.label} {number(whole)}"
        for heading, rows in groups
        for label, taken, whole, _note in rows
    )

    def draw(figure) -> None:
        sizes = [len(rows) for _heading, rows in groups]
        grid = figure.subplots(len(groups), 1, sharex=True, squeeze=False, height_ratios=sizes)
        for axes, (heading, rows) in zip(grid[:, 0], groups, strict=True):
            positions = list(range(len(rows)))
            wholes = [100 if whole else 0 for _label, _taken, whole, _note in rows]
            parts = [100 * min(taken, whole) / whole if whole else 0 for _label, taken, whole, _note in rows]
            axes.barh(positions, wholes, height=BAR, color=full.colour, label=full.label)
            axes.barh(positions, parts, height=BAR, color=filled.colour, label=filled.label)
            _row_labels(axes, frame, [row[0] for row in rows], [row[3] for row in rows])
            _percent_axis(axes)
            # At the figure's left edge, where the longest row label starts: over its rows.
            axes.annotate(
                heading,
                xy=(PADDING * 72, 1),
                xycoords=("figure points", "axes fraction"),
                xytext=(0, frame.font_size * 0.6),
                textcoords="offset points",
                fontweight="bold",
                va="bottom",
            )
        _legend(figure, grid[0, 0], frame)
        _fit_height(figure, frame, sizes)

    return Chart(title, description, frame, draw)


def grouped_bars(
    title: str,
    rows: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[Decimal | int | None]],
    frame: Frame = PAGE,
    unit: str = "",
) -> Chart:
    """Return per row a bar for each series, on one scale, each with its value written beside it; a value
    of None (a figure the row does not have) draws neither bar nor value."""
    description = "; ".join(
        f"{row}: {_values(series, amounts)}" for row, amounts in zip(rows, values, strict=True)
    )

    def draw(figure) -> None:
        axes = figure.add_subplot()
        thickness = 1 / (len(series) + GROUPED_GAP_LINES / GROUPED_BAR_LINES)
        for index, item in enumerate(series):
            offset = (index - (len(series) - 1) / 2) * thickness
            amounts = [float(decimal(row[index])) for row in values]
            positions = [row + offset for row in range(len(rows))]
            bars = axes.barh(positions, amounts, height=thickness * 0.92, color=item.colour, label=item.label)
            labels = ["" if row[index] is None else number(row[index]) for row in values]
            axes.bar_label(bars, labels, padding=VALUE_PADDING, color=TEXT_COLOUR)
        _row_labels(axes, frame, rows)
        axes.xaxis.set_major_formatter(_ticks(_belgian_number))
        axes.set_xlim(left=0)
        if unit:
            axes.set_xlabel(unit)
        _legend(figure, axes, frame)
        _fit_height(figure, frame, [len(rows)], per_row=len(series) * GROUPED_BAR_LINES + GROUPED_GAP_LINES)

    return Chart(title, description, frame, draw)


def ratio_bars(
    title: str,
    rows: Sequence[str],
    values: Sequence[Decimal | None],
    notes: Sequence[str],
    below: Series,
    above: Series,
    reference: Decimal = Decimal(1),
    frame: Frame = PAGE,
) -> Chart:
    """Return per row a bar of its value, in ``below``'s colour under ``reference`` and in ``above``'s at or
    over it, with a line at ``reference``, the value beside each bar and the row's note on the right; a row
    without a value (None) gets neither bar nor value, and an en dash."""
    description = "; ".join(
        f"{row}: {'–' if value is None else number(value)}"
        + (f" ({below.label})" if value is not None and value < reference else "")
        + (f", {note}" if note else "")
        for row, value, note in zip(rows, values, notes, strict=True)
    )

    def draw(figure) -> None:
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        for series, wanted in ((below, True), (above, False)):
            chosen = [
                (position, float(value))
                for position, value in zip(positions, values, strict=True)
                if value is not None and (value < reference) == wanted
            ]
            bars = axes.barh(
                [position for position, _value in chosen],
                [value for _position, value in chosen],
                height=BAR,
                color=series.colour,
                label=series.label,
            )
            shown = [number(values[position]) for position, _value in chosen]
            # On white, so the reference line does not cross out a value written over it.
            axes.bar_label(
                bars,
                shown,
                padding=VALUE_PADDING,
                color=TEXT_COLOUR,
                bbox={"fc": "white", "ec": "none", "pad": 0.5},
            )
        for position, value in zip(positions, values, strict=True):
            if value is None:
                axes.annotate(
                    "–", (0, position), xytext=(VALUE_PADDING, 0), textcoords="offset points", va="center"
                )
        axes.axvline(float(reference), color=TEXT_COLOUR, linewidth=1, linestyle="--", zorder=0.5)
        _row_labels(axes, frame, rows, notes)
        axes.xaxis.set_major_formatter(_ticks(_belgian_number))
        top = max([float(value) for value in values if value is not None] + [float(reference)])
        axes.set_xlim(0, top * 1.15)
        _legend(figure, axes, frame)
        _fit_height(figure, frame, [len(rows)])

    return Chart(title, description, frame, draw)


# -- drawing -------------------------------------------------------------------------------------------
# A style context changes matplotlib's process-wide settings while a chart is drawn: one at a time.
_DRAWING = threading.Lock()


def _style(chart: Chart) -> dict:
    size = chart.frame.font_size
    return {
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        **dict.fromkeys(
            ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize"), size
        ),
        "legend.fontsize": size,
        "text.color": TEXT_COLOUR,
        "axes.labelcolor": TEXT_COLOUR,
        "axes.edgecolor": AXIS_COLOUR,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": AXIS_COLOUR,
        "ytick.color": AXIS_COLOUR,
        "xtick.labelcolor": TEXT_COLOUR,
        "ytick.labelcolor": TEXT_COLOUR,
        "figure.facecolor": "white",
        "text.parse_math": False,  # a $ in a label is a dollar, not mathematics
        "svg.fonttype": "none",  # text stays text, not glyph outlines
        "svg.hashsalt": chart.title,  # ids stable for a chart and different between the charts of a page
    }


@contextmanager
def drawn(chart: Chart) -> Iterator:
    """Yield the chart drawn on a matplotlib ``Figure``, its settings in force until the block ends."""
    # Imported at the first chart, not when Django or Celery starts: matplotlib loads its font list.
    from matplotlib import style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # From matplotlib's defaults, whatever a matplotlibrc (in MPLCONFIGDIR, say) or other code has set.
    with _DRAWING, style.context(["default", _style(chart)]):
        figure = Figure(figsize=(chart.frame.width, 3), layout="constrained")
        figure.get_layout_engine().set(w_pad=PADDING, h_pad=PADDING)
        FigureCanvasAgg(figure)
        chart.draw(figure)
        yield figure


def _render(chart: Chart, fmt: str) -> bytes:
    content = io.BytesIO()
    with drawn(chart) as figure:
        # No date or software version in the file: the same figures give the same bytes.
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        figure.savefig(content, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return content.getvalue()


def _text_colour_on(colour: str) -> str:
    """Return white or the text colour, whichever stands out more on a bar of ``colour`` (WCAG contrast)."""
    from matplotlib.colors import to_rgb

    def luminance(rgb) -> float:
        return sum(
            weight * (part / 12.92 if part <= 0.04045 else ((part + 0.055) / 1.055) ** 2.4)
            for weight, part in zip((0.2126, 0.7152, 0.0722), rgb, strict=True)
        )

    background, text = luminance(to_rgb(colour)), luminance(to_rgb(TEXT_COLOUR))
    return "#ffffff" if 1.05 / (background + 0.05) > (background + 0.05) / (text + 0.05) else TEXT_COLOUR


def _values(series: Sequence[Series], values: Sequence) -> str:
    return ", ".join(
        f"{item.label} {number(value)}"
        for item, value in zip(series, values, strict=True)
        if value is not None
    )


def _wrap(label: str, width: int) -> str:
    """Return a label wrapped to lines of ``width`` characters, keeping the line breaks it has."""
    return "\n".join(part for line in label.splitlines() for part in textwrap.wrap(line, width) or [""])


def _row_labels(axes, frame: Frame, labels: Sequence[str], notes: Sequence[str] = ()) -> None:
    """Label the rows on the left, top to bottom, and write their notes on the right."""
    positions = list(range(len(labels)))
    axes.set_yticks(positions, [_wrap(label, frame.label_width) for label in labels])
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.tick_params(axis="y", length=0)
    if notes:
        right = axes.secondary_yaxis("right")
        right.set_yticks(positions, list(notes))
        right.tick_params(length=0)
        right.spines["right"].set_visible(False)
    axes.set_axisbelow(True)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)


def _belgian_number(value, _position=None) -> str:
    return number(round(value, 2))


def _belgian_percent(value, _position=None) -> str:
    return f"{number(round(value))}%"


def _ticks(formatter: Callable):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(formatter)


def _percent_axis(axes) -> None:
    from matplotlib.ticker import MultipleLocator

    axes.set_xlim(0, 100)
    axes.xaxis.set_major_locator(MultipleLocator(25))
    axes.xaxis.set_major_formatter(_ticks(_belgian_percent))


def _legend(figure, axes, frame: Frame) -> None:
    """Put the legend under the chart, in as many columns as fit its width."""
    handles, labels = axes.get_legend_handles_labels()
    renderer = figure.canvas.get_renderer()
    for columns in range(len(labels), 0, -1):
        legend = figure.legend(
            handles, labels, loc="outside lower center", ncols=columns, frameon=False, handlelength=1.2
        )
        # The legend's own size needs no layout of the whole figure.
        if legend.get_window_extent(renderer).width <= figure.bbox.width - 2 * frame.font_size:
            return
        legend.remove()
    figure.legend(handles, labels, loc="outside lower center", ncols=1, frameon=False)


def _fit_height(figure, frame: Frame, rows: Sequence[int], per_row: float = BAR_LINES + GAP_LINES) -> None:
    """Make the figure as high as its axes need for their rows, whatever the labels around them take.

    The layout is left as it was: widths do not change with the height, and saving lays out again.
    """
    figure.draw_without_rendering()
    height = figure.get_figheight()
    axes_height = sum(axes.get_position().height for axes in figure.axes if axes.get_subplotspec()) * height
    content = sum(rows) * per_row * frame.line
    figure.set_figheight(height - axes_height + content)


def _keep_fitting(texts, bars) -> None:
    """Hide each value that does not fit inside its bar, rather than let it run over the bar's edge."""
    for text, bar in zip(texts, bars, strict=True):
        if text.get_window_extent().width + 4 > bar.get_window_extent().width:
            text.set_visible(False)


def _accessible(content: bytes, title: str, description: str) -> str:
    """Return matplotlib's SVG as an element for HTML that names and describes itself.

    The XML prolog, matplotlib's metadata and its global stylesheet go (inline, that stylesheet would
    apply to the whole page; its two stroke settings move onto the ``<svg>``), styles become
    presentation attributes, and the ids that nothing refers to go, so that two charts on one page do
    not repeat them.
    """
    root = ET.fromstring(content)
    for child in list(root):
        if child.tag == f"{{{SVG_NAMESPACE}}}metadata" or (
            child.tag == f"{{{SVG_NAMESPACE}}}defs"
            and all(item.tag == f"{{{SVG_NAMESPACE}}}style" for item in child)
        ):
            root.remove(child)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    referred = set()
    for element in root.iter():
        # Presentation attributes rather than style="…": WeasyPrint's HTML stylesheet reader would warn
        # about every SVG property, and a page's Content-Security-Policy may forbid inline styles.
        for declaration in element.attrib.pop("style", "").split(";"):
            if declaration.strip():
                name, value = declaration.split(":", 1)
                element.set(name.strip(), value.strip())
        # SVG 2's plain href: no second namespace, whose prefix ElementTree might not write as xlink.
        if (link := element.attrib.pop(f"{{{XLINK_NAMESPACE}}}href", None)) is not None:
            element.set("href", link)
        for value in element.attrib.values():
            referred.update(re.findall(r"url\(#([^)]+)\)", value))
        if element.get("href", "").startswith("#"):
            referred.add(element.get("href")[1:])
    for element in root.iter():
        if element.get("id") is not None and element.get("id") not in referred:
            del element.attrib["id"]
    root.set("role", "img")
    root.set("aria-label", title)
    for index, (tag, text) in enumerate((("title", title), ("desc", description))):
        element = ET.Element(tag)
        element.text = text
        root.insert(index, element)
    # Plain names and an xmlns attribute: ElementTree's prefixes are process-wide and other libraries
    # (WeasyPrint) register their own, which could turn <svg> into <svg:svg>.
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NAMESPACE}}}")
    attributes = {"xmlns": SVG_NAMESPACE, **root.attrib}
    root.attrib.clear()
    root.attrib.update(attributes)
    return ET.tostring(root, encoding="unicode")
