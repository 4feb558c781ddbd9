"""The answer as DOCX (python-docx), block for block the same as the PDF; the charts as PNG pictures."""

import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reporting.documents.content import Document

INDENT = Cm(0.8)
GREY = RGBColor(0x55, 0x55, 0x55)


def _set_language(word, language: str) -> None:
    """Dutch (Belgium) for Word's spelling check, on the style every paragraph inherits."""
    properties = word.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    properties.append(lang)


def _small(paragraph, text: str, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size, run.font.color.rgb, run.bold = Pt(8), GREY, bold
    return run


def _answer_paragraph(word, label: str | None = None, style: str | None = None):
    """A paragraph indented under its answer's number; the first one carries that number."""
    paragraph = word.add_paragraph(style=style)
    paragraph.paragraph_format.left_indent = INDENT
    paragraph.paragraph_format.space_after = Pt(4)
    if label:
        paragraph.paragraph_format.first_line_indent = -INDENT
        paragraph.paragraph_format.tab_stops.add_tab_stop(INDENT)
        paragraph.add_run(f"{label}\t").bold = True
    return paragraph


def _table(word, block) -> None:
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    for column, header in enumerate(block.headers):
        cell = table.rows[0].cells[column]
        cell.paragraphs[0].add_run(header).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for column, value in enumerate(row):
            cells[column].text = value
    for row in table.rows:
        for column in block.numeric:
            row.cells[column].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.add_paragraph().paragraph_format.space_after = Pt(0)


def _heading(word, document: Document) -> None:
    word.add_paragraph().add_run("SCHRIFTELIJKE VRAAG").bold = True
    word.add_paragraph(f"nr. {document.question}")
    if document.asker:
        paragraph = word.add_paragraph("van ")
        paragraph.add_run(document.asker.upper()).bold = True
    if document.question_date:
        word.add_paragraph(f"datum: {document.question_date_text}")
    if document.addressee:
        paragraph = word.add_paragraph("aan ")
        paragraph.add_run(document.addressee.upper()).bold = True
        word.add_paragraph(document.addressee_title.upper())
    if document.title:
        word.add_paragraph().add_run(document.title).italic = True
    for number, question in enumerate(document.questions, start=1):
        _answer_paragraph(word, f"{number}.").add_run(question)
    answer = word.add_paragraph()
    answer.paragraph_format.space_before = Pt(14)
    answer.add_run("ANTWOORD").bold = True
    paragraph = word.add_paragraph(document.answer_heading)
    if document.asker:
        paragraph.add_run("\nvan ")
        paragraph.add_run(document.asker.upper()).bold = True


def render_docx(document: Document, charts: bool = True) -> bytes:
    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(10)
    _set_language(word, "nl-BE")
    properties = word.core_properties
    properties.title = f"Antwoord op schriftelijke vraag nr. {document.question}"
    properties.subject = document.basis
    properties.language = "nl-BE"
    properties.keywords = document.fingerprint
    header = f"Schriftelijke vraag nr. {document.question}"
    if document.question_date:
        header += f" van {document.question_date_text}"
    _small(section.header.paragraphs[0], f"{header} – cijfers op {document.as_of_text}")
    # The fingerprint ties the document to its data: in the footer and properties, not in the text to paste.
    _small(section.footer.paragraphs[0], f"Vingerafdruk {document.fingerprint}")

    _heading(word, document)
    for answer in document.answers:
        label = f"{answer.number}."
        for block in answer.blocks:
            if block.kind == "paragraph":
                paragraph = _answer_paragraph(word, label)
                if block.lead:
                    paragraph.add_run(f"{block.lead} ").bold = True
                paragraph.add_run(block.text)
            elif block.kind == "bullets":
                if label:
                    _answer_paragraph(word, label)
                for item in block.items:
                    bullet = word.add_paragraph(item, style="List Bullet")
                    bullet.paragraph_format.left_indent = INDENT + Cm(0.6)
            elif block.kind == "table":
                if label:
                    _answer_paragraph(word, label)
                _table(word, block)
            elif block.kind == "figure" and charts:
                if label:
                    _answer_paragraph(word, label)
                picture = _answer_paragraph(word)
                shape = picture.add_run().add_picture(io.BytesIO(block.chart.png), width=Cm(16))
                shape._inline.docPr.set("descr", block.chart.title)  # the alternative text
                _small(_answer_paragraph(word), block.chart.title)
            label = None
    content = io.BytesIO()
    word.save(content)
    return content.getvalue()
