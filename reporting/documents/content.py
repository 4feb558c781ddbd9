"""What an answer document is made of: the blocks the PDF and the DOCX both lay out, so they always say
the same. Each question builds its own (``reporting.questions``); ``reporting/documents/pdf.py`` and
``word.py`` lay any of them out.
"""

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from reporting.documents import charts
from reporting.documents.formatting import long_date
from reporting.questions import Heading, UnknownQuestion, get_question, questions


class _Headings(Mapping):
    """The headings of the registered questions as dicts by number (``date``, ``asker``, ...), for the
    writers that read them here."""

    def __getitem__(self, number):
        try:
            return dataclasses.asdict(get_question(number).heading)
        except UnknownQuestion:
            raise KeyError(number) from None

    def __iter__(self):
        return iter([question.number for question in questions()])

    def __len__(self):
        return len(questions())


# The workbook writer (``spreadsheet.py``) reads the date of the question here.
KNOWN_QUESTIONS = _Headings()


@dataclass
class Paragraph:
    text: str
    lead: str = ""  # set in bold before the text, e.g. a traject's name
    kind: str = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # columns set flush right
    kind: str = "table"


@dataclass
class Figure:
    chart: charts.Chart
    kind: str = "figure"


@dataclass
class Answer:
    number: int
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    question: int
    question_date: datetime.date | None
    asker: str
    addressee: str
    addressee_title: str
    title: str
    questions: tuple[str, ...]
    as_of: datetime.date
    fingerprint: str
    answers: list[Answer]

    @classmethod
    def answering(
        cls, heading: Heading, *, question: int, as_of: datetime.date, fingerprint: str, answers: list[Answer]
    ) -> "Document":
        """Return the document answering the question of ``heading`` with ``answers``."""
        return cls(
            question=question,
            question_date=heading.date,
            asker=heading.asker,
            addressee=heading.addressee,
            addressee_title=heading.addressee_title,
            title=heading.title,
            questions=heading.questions,
            as_of=as_of,
            fingerprint=fingerprint,
            answers=answers,
        )

    @property
    def heading(self) -> str:
        return f"Schriftelijke vraag nr. {self.question}"

    @property
    def answer_heading(self) -> str:
        """Return the line under ANTWOORD: ``op vraag nr. 244 van 26 november 2025``."""
        text = f"op vraag nr. {self.question}"
        if self.question_date:
            text += f" van {long_date(self.question_date)}"
        return text

    @property
    def question_date_text(self) -> str:
        return long_date(self.question_date) if self.question_date else ""

    @property
    def as_of_text(self) -> str:
        return long_date(self.as_of)

    @property
    def basis(self) -> str:
        """Return the line that ties the document to its data."""
        return f"Cijfers op {self.as_of_text} – vingerafdruk van de gegevens: {self.fingerprint}"
