"""The one chart module (voorsprong.charts): valid SVG and PNG, Belgian notation, every label readable,
and the charts in the answer's PDF (as vectors and text) and DOCX (as PNG pictures)."""

import io
import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest
from PIL import Image

from reporting.documents import render_report
from reporting.documents.charts import places, size_split
from reporting.questions.pq244.answer import SIZE_LABELS
from tests.test_documents import SAMPLE, pdf_text
from voorsprong.charts import (
    DOCUMENT,
    PAGE,
    PNG_DPI,
    Series,
    drawn,
    filled_bars,
    grouped_bars,
    stacked_shares,
)

pytestmark = pytest.mark.engine_independent

SVG = "{http://www.w3.org/2000/svg}"
MONEY_SERIES = [Series("Budget", "#a9bcd0"), Series("Vastgelegd", "#6fa8dc"), Series("Betaald", "#2e7d32")]


def budget() -> object:
    return grouped_bars(
        "Budget, vastgelegd en betaald",
        [
            "Voorsprong in werk voor iedereen\nEigen inbreng promotoren",
            "Een traject met een bijzonder lange naam die zeker niet op één regel past – Vlaamse overheid",
        ],
        MONEY_SERIES,
        [
            [Decimal("28125000.00"), Decimal("1234567.89"), Decimal("0.00")],
            [Decimal("9375000.00"), Decimal("9375000.00"), Decimal("120000.50")],
        ],
        frame=PAGE,
        unit="euro",
    )


def sizes() -> object:
    return size_split(SAMPLE["trajects"], SIZE_LABELS)


def occupancy() -> object:
    return places(SAMPLE["trajects"])


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [element.text for element in root.iter(f"{SVG}text") if element.text]


# -- SVG and PNG ---------------------------------------------------------------------------------------
def test_a_chart_is_an_svg_that_names_and_describes_itself():
    chart = budget()
    root = ET.fromstring(chart.svg)  # well-formed XML
    assert root.tag == f"{SVG}svg" and chart.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert root.get("role") == "img" and root.get("aria-label") == "Budget, vastgelegd en betaald"
    assert root.find(f"{SVG}title").text == "Budget, vastgelegd en betaald"
    description = root.find(f"{SVG}desc").text
    assert "Voorsprong in werk voor iedereen" in description
    assert "Budget 28.125.000, Vastgelegd 1.234.567,89, Betaald 0" in description
    assert root.get("viewBox") and root.get("width").endswith("pt")


def test_the_svg_writes_labels_and_values_as_text_in_belgian_notation():
    texts = svg_texts(budget().svg)
    for value in ("28.125.000", "1.234.567,89", "0", "9.375.000", "120.000,50"):
        assert value in texts, value
    assert "Voorsprong in werk voor iedereen" in texts and "Eigen inbreng promotoren" in texts
    assert "euro" in texts and "Budget" in texts and "Betaald" in texts  # the axis and the legend
    ticks = [text for text in texts if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text)]
    assert "10.000.000" in ticks or "5.000.000" in ticks  # the axis groups thousands with dots
    assert not [text for text in texts if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text)]  # 1,234.5


def test_the_svg_is_self_contained_and_fits_in_a_page():
    svg = budget().svg
    assert "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert not re.search(r"(?:href|src)=\"(?!#)", svg)  # only references inside the chart
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg


def test_two_charts_on_one_page_do_not_share_an_id():
    first, second = (set(re.findall(r' id="([^"]+)"', chart.svg)) for chart in (sizes(), occupancy()))
    assert first and second and not first & second


def test_a_chart_is_the_same_every_time():
    assert budget().svg == budget().svg
    assert budget().png == budget().png


def test_matplotlibs_own_settings_do_not_change_a_chart():
    import matplotlib

    expected = budget().svg
    changed = {"svg.fonttype": "path", "axes.grid": True, "font.size": 20, "savefig.transparent": True}
    with matplotlib.rc_context(changed):  # as a matplotlibrc in MPLCONFIGDIR would
        assert budget().svg == expected
        # Nor does a chart change them for others: its settings end with the drawing.
        assert {name: matplotlib.rcParams[name] for name in changed} == changed


def test_a_chart_is_a_png_as_wide_as_its_frame():
    for chart, frame in ((budget(), PAGE), (sizes(), DOCUMENT), (occupancy(), DOCUMENT)):
        image = Image.open(io.BytesIO(chart.png))
        image.verify()
        assert image.format == "PNG"
        assert image.width == round(frame.width * PNG_DPI)
        assert PNG_DPI < image.height < image.width * 2


# -- readable labels -----------------------------------------------------------------------------------
def _visible_texts(figure, renderer):
    """Return the texts drawn: not those hidden or empty, nor a tick's beyond its axis's limits."""
    from matplotlib.text import Text

    undrawn = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    return [
        text
        for text in figure.findobj(Text)
        if text.get_visible()
        and text.get_text().strip()
        and id(text) not in undrawn
        and text.get_window_extent(renderer).width > 0
    ]


def _bars(figure, renderer):
    from matplotlib.patches import Rectangle

    return [
        patch.get_window_extent(renderer)
        for axes in figure.axes
        for patch in axes.patches
        if isinstance(patch, Rectangle) and patch.get_width() > 0
    ]


def _overlap(one, other, tolerance=0.5) -> bool:
    return (
        min(one.x1, other.x1) - max(one.x0, other.x0) > tolerance
        and min(one.y1, other.y1) - max(one.y0, other.y0) > tolerance
    )


def _inside(inner, outer) -> bool:
    return (
        inner.x0 >= outer.x0 - 0.5
        and inner.x1 <= outer.x1 + 0.5
        and inner.y0 >= outer.y0 - 0.5
        and inner.y1 <= outer.y1 + 0.5
    )


@pytest.mark.parametrize("make", [budget, sizes, occupancy])
def test_no_label_is_clipped_covered_by_a_bar_or_over_another_label(make):
    with drawn(make()) as figure:
        figure.draw_without_rendering()  # the final layout, as saving makes it
        renderer = figure.canvas.get_renderer()
        texts = [text.get_window_extent(renderer) for text in _visible_texts(figure, renderer)]
        bars = _bars(figure, renderer)
        assert len(texts) > 10 and bars
        for box in texts:
            assert _inside(box, figure.bbox), box  # nothing runs off the picture
            for bar in bars:  # beside a bar, or a value wholly inside it
                assert not _overlap(box, bar) or _inside(box, bar), (box, bar)
        for one, other in itertools.combinations(texts, 2):
            assert not _overlap(one, other), (one, other)


def test_a_count_that_does_not_fit_on_its_part_is_left_out_not_squeezed():
    chart = stacked_shares(
        "Grootteklassen",
        ["Een traject"],
        [Series("Klein", "#9fc5e8"), Series("Groot", "#0b5394")],
        [[1, 4999]],
        ["5.000 bedrijven"],
    )
    texts = svg_texts(chart.svg)
    assert "4.999" in texts and "5.000 bedrijven" in texts
    assert "1" not in texts  # a sliver of 0,02%: too narrow for its count
    assert "Klein 1, Groot 4.999" in ET.fromstring(chart.svg).find(f"{SVG}desc").text  # still described


def test_a_value_on_a_dark_bar_is_white_and_on_a_light_bar_dark():
    chart = stacked_shares(
        "Twee kleuren",
        ["Een traject"],
        [Series("Licht", "#d9e2ec"), Series("Donker", "#0b5394")],
        [[50, 50]],
        [""],
    )
    values = [element for element in ET.fromstring(chart.svg).iter(f"{SVG}text") if element.text == "50"]
    assert sorted(element.get("fill") for element in values) == ["#1f1f1f", "#ffffff"]


def test_the_filled_bar_never_runs_past_the_full_one():
    chart = filled_bars(
        "Plaatsen",
        [("Traject", [("2025", 120, 100, "120 van 100"), ("2026", 5, 0, "5 van 0")])],
        Series("Opengesteld", "#d9e2ec"),
        Series("Ingenomen", "#0b5394"),
    )
    with drawn(chart) as figure:
        (axes,) = figure.axes[:1]
        widths = [patch.get_width() for patch in axes.patches]
    assert max(widths) == 100 and widths.count(0) == 2  # 120 of 100 stops at 100%; 0 places, no bar


# -- in the documents ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_report(SAMPLE, "pdf")


def test_the_pdf_draws_its_charts_as_vectors_with_their_text(pdf):
    text = pdf_text(pdf)
    for label in ("151 bedrijven", "988 bedrijven", "402 van 750", "20 van 253", "Micro-ondernemingen"):
        assert label in text, label
    assert "Opengesteld" in text and "Ingenomen" in text and "100%" in text
    if not shutil.which("pdfimages"):
        pytest.skip("pdfimages is missing (apt-get install poppler-utils)")
    listing = subprocess.run(["pdfimages", "-list", "-", "-"], input=pdf, capture_output=True, timeout=60)
    if listing.returncode == 0:  # some poppler versions cannot read standard input
        assert len(listing.stdout.decode().strip().splitlines()) == 2  # the header only: no picture


def test_the_docx_pictures_are_the_charts_with_their_titles_as_alternative_text():
    content = render_report(SAMPLE, "docx")
    archive = zipfile.ZipFile(io.BytesIO(content))
    pictures = sorted(name for name in archive.namelist() if name.startswith("word/media/"))
    assert len(pictures) == 2
    for name in pictures:
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.format == "PNG" and image.width == round(DOCUMENT.width * PNG_DPI)
    body = archive.read("word/document.xml").decode()
    assert 'descr="Bedrijven per grootteklasse en per traject"' in body
    assert 'descr="Opengestelde en ingenomen plaatsen per traject en periode"' in body
