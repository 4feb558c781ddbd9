"""Answer-ready documents for a parliamentary question, from the figures of ``reporting.statistics``.

``render_report(figures, fmt, progress=None)`` gives the bytes of a PDF or DOCX that reads like the
minister's answer (Dutch, answers numbered 1 to 9, Belgian number notation, charts), an XLSX with a
sheet per answer, a flat ``;``-separated CSV, or the figures as JSON. Every format reads the figures
through :func:`~reporting.documents.figures.public_figures`, so only documented aggregates reach a
document, whatever else the dict holds.

A Celery job can follow the work: ``progress(percent, step)`` is called at each of :data:`STEPS`, with
the step's label in the language active when ``render_report`` was called.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reporting.documents.content import KNOWN_QUESTIONS, build_document
from reporting.documents.figures import public_figures

__all__ = ["CONTENT_TYPES", "FILE_EXTENSIONS", "KNOWN_QUESTIONS", "STEPS", "render_report"]

DOCUMENT_LANGUAGE = "nl-be"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
FILE_EXTENSIONS = {fmt: f".{fmt}" for fmt in CONTENT_TYPES}

# (percent reached when the step starts, label); a format skips the steps it has no use for.
STEPS = {
    "figures": (5, _("Checking the figures")),
    "answers": (20, _("Writing the answers")),
    "charts": (40, _("Drawing the charts")),
    "layout": (60, _("Laying out the document")),
    "done": (100, _("Done")),
}

Progress = Callable[[int, str], object]


def _reporter(progress: Progress | None) -> Callable[[str], None]:
    language = translation.get_language()

    def report(step: str) -> None:
        if progress is not None:
            percent, label = STEPS[step]
            with translation.override(language):
                progress(percent, str(label))

    return report


def render_report(figures: dict, fmt: str, progress: Progress | None = None) -> bytes:
    """The document in ``fmt`` (pdf, docx, xlsx, csv or json) as bytes."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown report format {fmt!r}; expected one of {', '.join(CONTENT_TYPES)}.")
    report = _reporter(progress)
    report("figures")
    figures = public_figures(figures)
    with translation.override(DOCUMENT_LANGUAGE):
        if fmt in ("pdf", "docx"):
            report("answers")
            document = build_document(figures)
            report("charts")
            for answer in document.answers:
                for block in answer.blocks:
                    if block.kind == "figure":  # drawn now (and kept), so the layout step only lays out
                        getattr(block.chart, "svg" if fmt == "pdf" else "png")
            report("layout")
            if fmt == "pdf":
                from reporting.documents.pdf import render_pdf

                content = render_pdf(document)
            else:
                from reporting.documents.word import render_docx

                content = render_docx(document)
        else:
            report("layout")
            if fmt == "xlsx":
                from reporting.documents.spreadsheet import render_xlsx

                content = render_xlsx(figures)
            else:
                from reporting.documents.tabular import render_csv, render_json

                content = (render_csv if fmt == "csv" else render_json)(figures)
    report("done")
    return content
