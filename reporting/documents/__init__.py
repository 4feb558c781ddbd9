"""Answer-ready documents for a parliamentary question, and the files of every other report kind, from the
figures of ``reporting.selectors``.

``render_report(figures, fmt, progress=None)`` gives the bytes of the file in ``fmt``, made by the
renderer the figures' kind registered (``reporting.kinds``; a question's in ``reporting.questions``): for
a question a PDF or DOCX that reads like the minister's answer (Dutch, numbered answers, Belgian number
notation, charts), a workbook, a flat CSV, or the figures as JSON. The renderers read the typed figures
as they are; their free texts were cleared of e-mail addresses when they were computed, and the JSON is
written through the kind's serializer, so only documented figures reach a file. The helpers below make
the renderers a kind registers.

A Celery job can follow the work: ``progress(percent, step)`` is called at each of :data:`STEPS` a
renderer passes, with the step's label in the language active when ``render_report`` was called.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reporting.documents.tabular import render_json
from reporting.kinds import Renderer, Step, kind_of

__all__ = [
    "CONTENT_TYPES",
    "FILE_EXTENSIONS",
    "STEPS",
    "answer_renderers",
    "json_renderer",
    "render_report",
    "table_renderer",
]

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


def _reporter(progress: Progress | None) -> Step:
    language = translation.get_language()

    def report(step: str) -> None:
        if progress is not None:
            percent, label = STEPS[step]
            with translation.override(language):
                progress(percent, str(label))

    return report


def render_report(figures, fmt: str, progress: Progress | None = None) -> bytes:
    """Return the file of ``figures`` in ``fmt`` as bytes; refuse (ValueError) a format their kind does
    not offer, and (UnknownKind; UnknownQuestion for a question) figures of a kind no module registered."""
    kind = kind_of(figures)
    if fmt not in kind.formats:
        name = f"Question {kind.question.number}" if kind.question else f"Report kind {kind.key!r}"
        raise ValueError(f"{name} is not made as {fmt!r}; choose one of {', '.join(kind.formats)}.")
    step = _reporter(progress)
    step("figures")
    with translation.override(DOCUMENT_LANGUAGE):
        content = kind.renderers[fmt](figures, step)
    step("done")
    return content


# -- the renderers a question registers ------------------------------------------------------------
def answer_renderers(build_document: Callable, template: str) -> dict[str, Renderer]:
    """Return the PDF (laid out by ``template``) and DOCX renderers of the answer ``build_document``
    makes of the figures (a :class:`~reporting.documents.content.Document`)."""

    def renderer(fmt: str) -> Renderer:
        def render(figures, step: Step) -> bytes:
            step("answers")
            document = build_document(figures)
            step("charts")
            for answer in document.answers:
                for block in answer.blocks:
                    if block.kind == "figure":  # drawn now (and kept), so the layout step only lays out
                        getattr(block.chart, "svg" if fmt == "pdf" else "png")
            step("layout")
            if fmt == "pdf":
                from reporting.documents.pdf import render_pdf  # loads Pango: only when a PDF is asked for

                return render_pdf(document, template)
            from reporting.documents.word import render_docx  # loads python-docx: only when asked for

            return render_docx(document)

        return render

    return {"pdf": renderer("pdf"), "docx": renderer("docx")}


def table_renderer(render: Callable[[object], bytes]) -> Renderer:
    """Return a renderer of ``render(figures)`` (a workbook, a CSV): one layout step."""

    def table(figures, step: Step) -> bytes:
        step("layout")
        return render(figures)

    return table


def json_renderer(serializer) -> Renderer:
    """Return the renderer of the figures as JSON, as ``serializer`` documents them and nothing else."""

    def render(figures, step: Step) -> bytes:
        step("layout")
        return render_json(serializer(figures).data)

    return render
