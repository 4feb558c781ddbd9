"""The parliamentary questions the back office answers, each registered once, in a module of its own.

A question module (``reporting/questions/pq244/`` for written question 244) builds a :class:`Question`
and hands it to :func:`register`: its number, the title the cabinet's page shows, the function that
computes its figures as of a date, the serializer that documents those figures in the API schema, the
renderer of each format it can be delivered in, and optionally the heading of the question as asked
and what changed between two sets of its figures.

A question is a report kind (``reporting.kinds``) with the key ``pq<number>`` and no parameters:
:func:`register` registers it as one, so report requests and their jobs, the cabinet's page, the API
and ``manage.py report`` make it as they make every kind. What only questions have is here: the
heading, the comparison of two dates, the nightly snapshots (``reporting.tasks``) and the
``/api/v1/statistics/pq<number>/`` figures.

Every module of this package is imported the first time the registry of kinds is read, so adding a
question is adding a module (with its templates and tests); nothing else names a question's number.

A question's figures function returns its own figures only; ``reporting.selectors.question_figures``
wraps them in what every question's figures share: ``question`` (the number) and ``as_of`` (ISO date)
first, ``fingerprint`` (SHA-256 of the rest) last.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from rest_framework import serializers

from reporting import kinds
from reporting.kinds import Renderer, ReportKind, Step, UnknownKind

__all__ = [
    "Change",
    "Heading",
    "Question",
    "Renderer",
    "Step",
    "UnknownQuestion",
    "get_question",
    "questions",
]


class Change(TypedDict):
    """One figure that differs between two dates, for the cabinet's comparison."""

    group: str  # what the figure belongs to, e.g. a traject's code
    group_name: str
    figure: str  # the figure's stable name, e.g. "approved_companies"
    label: str  # the figure in words, in the active language
    before: int
    after: int
    difference: int


@dataclass(frozen=True)
class Heading:
    """The question as it was asked: what an answer document repeats above the answers."""

    date: datetime.date | None = None
    asker: str = ""
    addressee: str = ""
    addressee_title: str = ""
    title: str = ""
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A parliamentary question the back office can answer as of any date."""

    number: int
    title: str  # as the cabinet's page offers it (may be a lazy translation)
    figures: Callable[[datetime.date], Mapping[str, Any]]
    serializer: type[serializers.Serializer]  # the figures with their envelope, field by field
    renderers: Mapping[str, Renderer]  # per format (``reporting.models.ReportFormat``)
    heading: Heading = field(default_factory=Heading)
    changes: Callable[[Mapping[str, Any], Mapping[str, Any]], list[Change]] | None = None

    @property
    def formats(self) -> tuple[str, ...]:
        """Return the formats the question can be delivered in, in the order it gives them."""
        return tuple(self.renderers)

    @property
    def key(self) -> str:
        """Return the key of the question's report kind: ``pq244``."""
        return f"{QUESTION_KEY_PREFIX}{self.number}"

    @property
    def kind(self) -> ReportKind:
        """Return the question's registered report kind."""
        return kinds.get_kind(self.key)


QUESTION_KEY_PREFIX = "pq"


class UnknownQuestion(UnknownKind):
    """No question with this number is registered."""


def register(question: Question) -> Question:
    """Register ``question`` as the report kind ``pq<number>`` and return it; refuse a second question
    with the same number or a format that a report request cannot ask for."""
    try:
        kinds.register(
            ReportKind(
                key=question.key,
                title=question.title,
                figures=lambda as_of, parameters: question.figures(as_of),
                serializer=question.serializer,
                renderers=question.renderers,
                question=question,
            )
        )
    except ValueError as error:
        raise ValueError(f"Question {question.number}: {error}") from None
    return question


def unregister(number: int) -> None:
    """Forget the question ``number`` (tests register questions of their own)."""
    kinds.unregister(f"{QUESTION_KEY_PREFIX}{number}")


def get_question(number: int) -> Question:
    """Return the registered question ``number``; raise UnknownQuestion when there is none."""
    try:
        kind = kinds.get_kind(f"{QUESTION_KEY_PREFIX}{int(number)}")
    except (UnknownKind, TypeError, ValueError):
        kind = None
    if kind is None or kind.question is None:
        raise UnknownQuestion(f"No question {number!r} is registered.")
    return kind.question


def questions() -> list[Question]:
    """Return the registered questions by number."""
    return [kind.question for kind in kinds.kinds() if kind.question is not None]
