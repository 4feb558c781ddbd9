"""Written question nr. 244 of 26 November 2025 (Ilse Malfroot, *Levenslang leren - Evaluatie*).

Its figures (``figures.py``), their schema (``schema.py``) and the answer document (``answer.py``, laid
out for the PDF by the template ``reporting/pq244.html``), registered as one question.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from reporting.documents import answer_renderers, json_renderer, table_renderer
from reporting.documents.tabular import render_csv
from reporting.questions import Question, register
from reporting.questions.pq244.answer import HEADING, build_document
from reporting.questions.pq244.figures import NUMBER, PQ244Figures, changes, figures_as_of
from reporting.questions.pq244.schema import PQ244FiguresSerializer
from reporting.selectors import question_figures


def _xlsx(figures: PQ244Figures) -> bytes:
    from reporting.documents.spreadsheet import render_xlsx  # loads openpyxl: only when asked for

    return render_xlsx(figures)


QUESTION = register(
    Question(
        number=NUMBER,
        title=_("Question 244 – the Voorsprong trajects"),
        figures=figures_as_of,
        serializer=PQ244FiguresSerializer,
        renderers={
            **answer_renderers(build_document, template="reporting/pq244.html"),
            "xlsx": table_renderer(_xlsx),
            "csv": table_renderer(render_csv),
            "json": json_renderer(PQ244FiguresSerializer),
        },
        heading=HEADING,
        changes=changes,
    )
)


def pq244_figures(as_of: datetime.date) -> PQ244Figures:
    """Return the figures of question 244 as of ``as_of``, with their envelope and fingerprint."""
    return question_figures(QUESTION.number, as_of)
