"""The document "Bereik van de Voorsprongtrajecten": the reach's figures (``reach.reach_figures``) as PDF,
DOCX, XLSX, CSV and JSON, and the chart the cabinet's page shows too.

Each renderer takes the figures and a step callback (``reporting.questions.Renderer``) and returns the
file's bytes; :data:`RENDERERS` lists them per format. The PDF and the DOCX lay out the same blocks
(``reporting.documents.content``), so they say the same; the fingerprint of the figures is in the footer
and the document's properties, never in the text to paste.
"""

import datetime
import io
from dataclasses import dataclass

from reporting.documents import json_renderer
from reporting.documents.content import Figure, Paragraph, Table
from reporting.documents.formatting import as_date, decimal, enumerate_nl, long_date, number
from reporting.questions import Step
from reporting.statistics.reach_schema import ReachFiguresSerializer
from voorsprong.charts import DOCUMENT, PAGE, Chart, Frame, Series, ratio_bars
from voorsprong.spreadsheets import TENTHS, WHOLE, Column, Sheet, write_csv, write_workbook

TITLE = "Bereik van de Voorsprongtrajecten"
CELL_NAMES = {"province": "Provincie", "nace_section": "Sector (NACE-sectie)", "size_class": "Grootteklasse"}
PER = {"province": "per provincie", "nace_section": "per sector", "size_class": "per grootteklasse"}
UNDER = Series("Ondervertegenwoordigd (index onder 1)", "#cc4125")
AT_OR_OVER = Series("Vertegenwoordigd (index 1 of meer)", "#3d85c6")
HUNDREDTHS = "0.00"


def ratio(value) -> str:
    """A representation ratio as the document writes it: ``0.97`` -> ``0,97``; none -> an en dash."""
    return "–" if value is None else number(value, 2)


def per_thousand(value) -> str:
    """A reach per 1,000: ``62.5`` -> ``62,5``; none -> an en dash."""
    return "–" if value is None else number(value, 1)


def count(value) -> str:
    return "–" if value is None else number(value)


def under_reached(figures: dict) -> list[dict]:
    """Return the cells whose representation ratio is below 1, lowest first."""
    cells = [cell for cell in figures["cells"] if cell["representation_ratio"] is not None]
    return sorted(
        (cell for cell in cells if decimal(cell["representation_ratio"]) < 1),
        key=lambda cell: decimal(cell["representation_ratio"]),
    )


def reach_chart(figures: dict, frame: Frame = PAGE) -> Chart | None:
    """Return the chart of the representation ratio per cell, the under-reached cells in red; None when no
    cell has a ratio (no denominator, or nobody reached)."""
    cells = [cell for cell in figures["cells"] if cell["population"] is not None]
    if not any(cell["representation_ratio"] is not None for cell in cells):
        return None
    return ratio_bars(
        f"Representatie-index {PER[figures['by']]} op {long_date(figures['as_of'])}",
        [cell["label"] for cell in cells],
        [
            None if cell["representation_ratio"] is None else decimal(cell["representation_ratio"])
            for cell in cells
        ],
        [f"{per_thousand(cell['reach_per_1000'])} per 1.000" for cell in cells],
        UNDER,
        AT_OR_OVER,
        frame=frame,
    )


# -- the document ----------------------------------------------------------------------------------------
@dataclass
class ReachDocument:
    """What the PDF and the DOCX lay out: a title, the date, the blocks and the fingerprint."""

    title: str
    subtitle: str
    as_of: datetime.date
    fingerprint: str
    blocks: list

    @property
    def as_of_text(self) -> str:
        return long_date(self.as_of)

    @property
    def basis(self) -> str:
        return f"Cijfers op {self.as_of_text} – vingerafdruk van de gegevens: {self.fingerprint}"


def build_document(figures: dict, frame: Frame = DOCUMENT) -> ReachDocument:
    """Return the document of the figures: what they compare, the table, the chart and what stands out."""
    by, day = figures["by"], long_date(figures["as_of"])
    blocks = [
        Paragraph(
            f"Dit overzicht vergelijkt de ondernemingen die op {day} in één of meer Voorsprongtrajecten "
            "goedgekeurd waren met alle actieve ondernemingen met een zetel in het Vlaamse Gewest of het "
            f"Brussels Hoofdstedelijk Gewest, {PER[by]}. Het bereik is het aantal bereikte ondernemingen per "
            "1.000 ondernemingen. De representatie-index is het aandeel van een groep onder de bereikte "
            "ondernemingen gedeeld door haar aandeel in alle ondernemingen: 1 is evenredig, onder 1 is de "
            "groep ondervertegenwoordigd."
        )
    ]
    if by == "size_class":
        table = figures["size_table"]
        if table is None:
            blocks.append(
                Paragraph(
                    "De KBO kent het personeel van de ondernemingen niet, en er is voor deze datum geen "
                    "tabel van ondernemingen per grootteklasse opgeladen: zonder noemer zijn het bereik "
                    "en de representatie-index per grootteklasse niet te berekenen. De tabel geeft alleen "
                    "de bereikte ondernemingen."
                )
            )
        else:
            blocks.append(
                Paragraph(
                    f"Het aantal ondernemingen per grootteklasse komt uit {table['source']} (toestand op "
                    f"{long_date(table['reference_date'])}), voor de vijf Vlaamse provincies en Brussel. "
                    "Een non-profitorganisatie is een rechtsvorm, geen grootteklasse: de tabel telt ze bij "
                    "de klasse van hun personeel, de bereikte non-profitorganisaties staan apart, zonder "
                    "noemer."
                )
            )
    blocks.append(_table(figures))
    chart = reach_chart(figures, frame)
    if chart is not None:
        blocks.append(Figure(chart))
        under = under_reached(figures)
        if under:
            blocks.append(
                Paragraph(
                    "Ondervertegenwoordigd: "
                    + enumerate_nl(
                        f"{cell['label']} ({ratio(cell['representation_ratio'])})" for cell in under
                    )
                    + "."
                )
            )
        else:
            blocks.append(Paragraph("Geen enkele groep is ondervertegenwoordigd."))
    outside = figures["reached_outside_population"]
    if outside:
        blocks.append(
            Paragraph(
                f"Daarnaast werden {number(outside)} ondernemingen bereikt die niet tot de populatie behoren "
                "(intussen stopgezet, of met een zetel buiten Vlaanderen en Brussel)."
            )
        )
    blocks.append(
        Paragraph(
            "Het bereik is afgerond op één decimaal en de representatie-index op twee, telkens één keer en "
            "half naar boven."
        )
    )
    return ReachDocument(
        title=TITLE,
        subtitle=f"{PER[by].capitalize()}, op {day}",
        as_of=as_date(figures["as_of"]),
        fingerprint=figures["fingerprint"],
        blocks=blocks,
    )


def _table(figures: dict) -> Table:
    rows = [
        [
            cell["label"],
            count(cell["population"]),
            count(cell["reached"]),
            per_thousand(cell["reach_per_1000"]),
            ratio(cell["representation_ratio"]),
        ]
        for cell in figures["cells"]
    ]
    total = figures["total"]
    rows.append(
        [
            "Totaal",
            count(total["population"]),
            count(total["reached"]),
            per_thousand(total["reach_per_1000"]),
            "",
        ]
    )
    return Table(
        [CELL_NAMES[figures["by"]], "Ondernemingen", "Bereikt", "Per 1.000", "Representatie-index"],
        rows,
        numeric=(1, 2, 3, 4),
    )


# -- the formats -----------------------------------------------------------------------------------------
def render_pdf(figures: dict, step: Step) -> bytes:
    from reporting.documents.pdf import render_pdf as lay_out  # loads Pango: only when a PDF is asked for

    document = _drawn(figures, step, "svg")
    step("layout")
    return lay_out(document, "reporting/reach.html")


def render_docx(figures: dict, step: Step) -> bytes:
    document = _drawn(figures, step, "png")
    step("layout")
    return _word(document)


def render_xlsx(figures: dict, step: Step) -> bytes:
    step("layout")
    cells = [
        (
            cell["code"],
            cell["label"],
            cell["population"],
            cell["reached"],
            _optional_decimal(cell["reach_per_1000"]),
            _optional_decimal(cell["representation_ratio"]),
        )
        for cell in figures["cells"]
    ]
    total = figures["total"]
    cells.append(
        (
            "",
            "Totaal",
            total["population"],
            total["reached"],
            _optional_decimal(total["reach_per_1000"]),
            None,
        )
    )
    table = figures["size_table"] or {}
    return write_workbook(
        [
            Sheet(
                "Bereik",
                [
                    Column("Code"),
                    Column(CELL_NAMES[figures["by"]]),
                    Column("Ondernemingen", WHOLE),
                    Column("Bereikt", WHOLE),
                    Column("Per 1.000 ondernemingen", TENTHS),
                    Column("Representatie-index", HUNDREDTHS),
                ],
                cells,
            ),
            Sheet(
                "Gegevens",
                [Column("Gegeven"), Column("Waarde")],
                [
                    ("Titel", TITLE),
                    ("Indeling", PER[figures["by"]]),
                    ("Cijfers op", as_date(figures["as_of"])),
                    ("Bron grootteklassen", table.get("source")),
                    ("Toestand grootteklassen", as_date(table["reference_date"]) if table else None),
                    ("Bereikt buiten de populatie", figures["reached_outside_population"]),
                    ("Vingerafdruk van de gegevens", figures["fingerprint"]),
                ],
            ),
        ]
    )


def render_csv(figures: dict, step: Step) -> bytes:
    """One line per cell and one for the total (``;``, UTF-8 with BOM, decimal comma), as Excel in Belgium
    reads it."""
    step("layout")
    header = ["by", "code", "label", "population", "reached", "reach_per_1000", "representation_ratio"]
    total = {"code": "total", "label": "Totaal", "representation_ratio": None, **figures["total"]}
    return write_csv(
        header,
        [
            [
                figures["by"],
                cell["code"],
                cell["label"],
                cell["population"],
                cell["reached"],
                _optional_decimal(cell["reach_per_1000"]),
                _optional_decimal(cell["representation_ratio"]),
            ]
            for cell in (*figures["cells"], total)
        ],
    )


RENDERERS = {
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "csv": render_csv,
    "json": json_renderer(ReachFiguresSerializer),
}


def _optional_decimal(value):
    return None if value is None else decimal(value)


def _drawn(figures: dict, step: Step, kind: str) -> ReachDocument:
    step("answers")
    document = build_document(figures)
    step("charts")
    for block in document.blocks:
        if block.kind == "figure":  # drawn now (and kept), so the layout step only lays out
            getattr(block.chart, kind)
    return document


def _word(document: ReachDocument) -> bytes:
    from docx import Document as WordDocument  # loads python-docx: only when a DOCX is asked for
    from docx.shared import Cm, Pt

    from reporting.documents.word import _set_language, _small, _table

    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(10)
    _set_language(word, "nl-BE")
    properties = word.core_properties
    properties.title, properties.subject = document.title, document.basis
    properties.language, properties.keywords = "nl-BE", document.fingerprint
    _small(section.header.paragraphs[0], f"{document.title} – cijfers op {document.as_of_text}")
    _small(section.footer.paragraphs[0], f"Vingerafdruk {document.fingerprint}")
    word.add_heading(document.title, level=1)
    word.add_paragraph(document.subtitle).runs[0].italic = True
    for block in document.blocks:
        if block.kind == "paragraph":
            word.add_paragraph(block.text)
        elif block.kind == "table":
            _table(word, block)
        elif block.kind == "figure":
            shape = word.add_paragraph().add_run().add_picture(io.BytesIO(block.chart.png), width=Cm(16))
            shape._inline.docPr.set("descr", block.chart.title)  # the alternative text
            _small(word.add_paragraph(), block.chart.title)
    content = io.BytesIO()
    word.save(content)
    return content.getvalue()
