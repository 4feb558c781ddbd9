"""The answer as PDF: the question's template laid out by WeasyPrint, charts inline as SVG."""

from django.template.loader import render_to_string

from reporting.documents.content import Document


def _no_fetch(url: str, *args, **kwargs):
    """Refuse every resource: the document is self-contained, not even a local file is fetched."""
    raise ValueError(f"The answer document loads no resources ({url}).")


def render_html(document: Document, template: str) -> str:
    """Return the HTML of ``document`` laid out by ``template``."""
    return render_to_string(template, {"document": document})


def render_pdf(document: Document, template: str) -> bytes:
    """Return the PDF of ``document`` laid out by ``template``."""
    return write_pdf(render_html(document, template))


def write_pdf(html: str) -> bytes:
    """Return the PDF of a self-contained HTML page."""
    from weasyprint import HTML  # loads Pango at import: only when a PDF is asked for

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
