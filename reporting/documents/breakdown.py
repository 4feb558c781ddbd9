"""The breakdown (``reporting.statistics.breakdown``) as a table and a chart, and as the files its report
kind delivers: PDF (WeasyPrint, the chart inline as SVG), DOCX (the chart as PNG), XLSX and CSV.

Every file shows the same table: a column per dimension with the values' Dutch labels, a column per
figure of the measure, and the total last. Each figure is written by its column's unit; a masked figure
(``< 5``) is written as it is, a share or score without a base as an en dash (empty in XLSX and CSV).
The fingerprint of the figures is in the footer and the file's properties, not in the table.
"""

import io
from decimal import Decimal

from django.template.loader import render_to_string

from reporting.documents.formatting import figure, figure_cell, long_date
from reporting.statistics.outcomes import is_masked
from voorsprong.charts import DOCUMENT, PAGE, Chart, Frame, Series, grouped_bars
from voorsprong.money import decimal
from voorsprong.spreadsheets import HUNDREDTHS, MONEY, TENTHS, WHOLE, Column, Sheet, write_csv, write_workbook

# A table of more columns than this is laid out on a landscape page.
PORTRAIT_COLUMNS = 5
# A chart of more bars than this shows the largest, and says so.
MAX_CHART_ROWS = 25
COLOURS = ("#0b5394", "#6aa84f", "#e69138", "#8e7cc3", "#3d85c6")
TOTAL = "Totaal"


# The number format of a column in the workbook, by its unit.
FORMATS = {"count": WHOLE, "employees": WHOLE, "decimal": MONEY, "share": TENTHS, "score": HUNDREDTHS}
# Shares and scores are charted rather than the counts they rest on.
CHARTED = ("share", "score", "employees")


def _units(figures) -> list[str]:
    return [column.get("unit", "count") for column in figures["columns"]]


def _labels(figures) -> list[dict[str, str]]:
    return [
        {item["value"]: item["label"] for item in dimension["values"]} for dimension in figures["dimensions"]
    ]


def title(figures) -> str:
    """Return what the breakdown shows: ``Goedgekeurde bedrijven per provincie en traject``."""
    names = [dimension["label"].lower() for dimension in figures["dimensions"]]
    by = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
    return f"{figures['measure_label']} per {by}"


def table(figures) -> dict:
    """Return the table as text, for a page or a document: ``headers``, ``rows`` (the total last) and
    ``numeric``, the positions of the columns of figures."""
    units = _units(figures)
    labels = _labels(figures)
    dimensions = len(figures["dimensions"])
    headers = [dimension["label"] for dimension in figures["dimensions"]]
    headers += [column["label"] for column in figures["columns"]]

    def shown(values) -> list[str]:
        return [figure(value, unit) for value, unit in zip(values, units, strict=True)]

    rows = [
        [labels[index][key] for index, key in enumerate(row["keys"])] + shown(row["values"])
        for row in figures["rows"]
    ]
    rows.append([TOTAL] + [""] * (dimensions - 1) + shown(figures["total"]))
    return {"headers": headers, "rows": rows, "numeric": tuple(range(dimensions, len(headers)))}


def chart(figures, frame: Frame = DOCUMENT) -> Chart | None:
    """Return a bar per combination (the largest ``MAX_CHART_ROWS`` when there are more), a colour per
    funding source for the money, per share or score for the outcomes (a masked cell draws no bar, and
    the title says so); None without figures."""
    if not figures["rows"]:
        return None
    labels = _labels(figures)
    columns = figures["columns"]
    units = _units(figures)
    # The outcomes' shares and scores rather than the counts they rest on; the money per source, not its
    # total, which would dwarf the parts.
    shown = [index for index, unit in enumerate(units) if unit in CHARTED] or [
        index for index, column in enumerate(columns) if column["key"] != "total"
    ]

    def size(row) -> Decimal:
        return sum(_number(row["values"][index]) or 0 for index in shown)

    rows = sorted(figures["rows"], key=lambda row: -size(row))[:MAX_CHART_ROWS]
    # Kept in the table's order: the largest are chosen, not reordered.
    rows.sort(key=figures["rows"].index)
    heading = title(figures)
    if len(figures["rows"]) > MAX_CHART_ROWS:
        heading += f" (de {MAX_CHART_ROWS} grootste van {len(figures['rows'])})"
    if any(is_masked(row["values"][index]) for row in rows for index in shown):
        heading += " (geen balk waar het om minder dan vijf bedrijven gaat)"
    return grouped_bars(
        heading,
        [" – ".join(labels[index][key] for index, key in enumerate(row["keys"])) for row in rows],
        [
            Series(columns[index]["label"], COLOURS[position % len(COLOURS)])
            for position, index in enumerate(shown)
        ],
        [[_number(row["values"][index]) for index in shown] for row in rows],
        frame=frame,
        unit="%" if all(units[index] == "share" for index in shown) else "",
    )


def page_chart(figures) -> Chart | None:
    """Return :func:`chart` in the width of a page."""
    return chart(figures, PAGE)


def _number(value) -> int | Decimal | None:
    """A figure as a bar's length: a masked figure or none draws no bar (None)."""
    if value is None or is_masked(value):
        return None
    return value if isinstance(value, int) else decimal(value)


def _context(figures) -> dict:
    grid = table(figures)
    return {
        "landscape": len(grid["headers"]) > PORTRAIT_COLUMNS,
        "title": title(figures),
        "as_of": long_date(figures["as_of"]),
        "fingerprint": figures["fingerprint"],
        "table": grid,
        "chart": chart(figures),
    }


def render_pdf(figures) -> bytes:
    from reporting.documents.pdf import write_pdf  # loads WeasyPrint's helpers: only when asked for

    return write_pdf(render_to_string("reporting/breakdown.html", _context(figures)))


def render_docx(figures) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    context = _context(figures)
    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    word.styles["Normal"].font.name, word.styles["Normal"].font.size = "Arial", Pt(10)
    properties = word.core_properties
    properties.title, properties.language = context["title"], "nl-BE"
    properties.subject = f"Cijfers op {context['as_of']}"
    properties.keywords = context["fingerprint"]
    footer = section.footer.paragraphs[0].add_run(
        f"Cijfers op {context['as_of']} – vingerafdruk {context['fingerprint']}"
    )
    footer.font.size = Pt(7)

    word.add_heading(context["title"], level=1)
    word.add_paragraph(f"Cijfers op {context['as_of']}.")
    grid = context["table"]
    table = word.add_table(rows=1, cols=len(grid["headers"]))
    table.style = "Table Grid"
    for column, header in enumerate(grid["headers"]):
        table.rows[0].cells[column].paragraphs[0].add_run(header).bold = True
    for position, row in enumerate(grid["rows"]):
        cells = table.add_row().cells
        for column, value in enumerate(row):
            run = cells[column].paragraphs[0].add_run(value)
            run.bold = position == len(grid["rows"]) - 1  # the total
            if column in grid["numeric"]:
                cells[column].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if context["chart"] is not None:
        picture = word.add_paragraph().add_run().add_picture(io.BytesIO(context["chart"].png), width=Cm(16))
        picture._inline.docPr.set("descr", context["chart"].title)  # the alternative text
        word.add_paragraph(context["chart"].title).runs[0].font.size = Pt(8)
    content = io.BytesIO()
    word.save(content)
    return content.getvalue()


def render_xlsx(figures) -> bytes:
    """Return a workbook: the breakdown (numbers as numbers, the total last) and the data it rests on."""
    units = _units(figures)
    labels = _labels(figures)
    dimensions = len(figures["dimensions"])

    def values(row_values) -> list:
        return [figure_cell(value) for value in row_values]

    rows = [
        [labels[index][key] for index, key in enumerate(row["keys"])] + values(row["values"])
        for row in figures["rows"]
    ]
    rows.append([TOTAL] + [None] * (dimensions - 1) + values(figures["total"]))
    return write_workbook(
        [
            Sheet(
                "Overzicht",
                [Column(dimension["label"]) for dimension in figures["dimensions"]]
                + [
                    Column(column["label"], FORMATS[unit])
                    for column, unit in zip(figures["columns"], units, strict=True)
                ],
                rows,
            ),
            Sheet(
                "Gegevens",
                [Column("Gegeven"), Column("Waarde")],
                [
                    ("Overzicht", title(figures)),
                    ("Cijfers op", long_date(figures["as_of"])),
                    ("Maat", figures["measure"]),
                    ("Indeling", ", ".join(figures["by"])),
                    ("Vingerafdruk van de gegevens", figures["fingerprint"]),
                ],
            ),
        ]
    )


def render_csv(figures) -> bytes:
    """Return the breakdown as a ``;``-separated table with the values' codes and labels, decimal commas."""
    header = (
        [f"{key}_code" for key in figures["by"]]
        + [dimension["label"] for dimension in figures["dimensions"]]
        + [column["key"] for column in figures["columns"]]
    )
    labels = _labels(figures)
    rows = [
        [
            *row["keys"],
            *(labels[index][key] for index, key in enumerate(row["keys"])),
            *map(figure_cell, row["values"]),
        ]
        for row in figures["rows"]
    ]
    total = ["total", *[None] * (2 * len(figures["by"]) - 1), *map(figure_cell, figures["total"])]
    return write_csv(header, [*rows, total])
