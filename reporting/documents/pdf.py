"""The answer as PDF: the template ``reporting/pq244.html`` laid out by WeasyPrint, charts inline as SVG."""

from django.template.loader import render_to_string

from reporting.documents.content import Document

TEMPLATE = "reporting/pq244.html"


def _no_fetch(url: str, *args, **kwargs):
    """The document is self-contained: nothing is fetched, not even a local file."""
    raise ValueError(f"The answer document loads no resources ({url}).")


def render_html(document: Document) -> str:
    return render_to_string(TEMPLATE, {"document": document})


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML  # loads Pango at import: only when a PDF is asked for

    return HTML(string=render_html(document), url_fetcher=_no_fetch).write_pdf()
