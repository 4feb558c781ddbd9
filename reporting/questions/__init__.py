"""The parliamentary questions the back office answers, each registered once, in a module of its own.

A question module (``reporting/questions/pq244/`` for written question 244) builds a :class:`Question`
and hands it to :func:`register`: its number, the title the cabinet's page shows, the function that
computes its figures as of a date, the serializer that documents those figures in the API schema, the
renderer of each format it can be delivered in, and optionally the heading of the question as asked
and what changed between two sets of its figures. Report requests and their jobs, the nightly
snapshots, the cabinet's page, the API and ``manage.py report`` take the questions from here.

Every module of this package is imported the first time the registry is read (:func:`_discover`), so
adding a question is adding a module (with its templates and tests); nothing else names a question's
number.

A question's figures function returns its own figures only; ``reporting.selectors.question_figures``
wraps them in what every question's figures share: ``question`` (the number) and ``as_of`` (ISO date)
first, ``fingerprint`` (SHA-256 of the rest) last.
"""

import datetime
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from rest_framework import serializers

from reporting.models import ReportFormat

# Announces that a renderer reached a step of ``reporting.documents.STEPS`` (for the job's progress).
Step = Callable[[str], None]
# Turns the figures of a question (with their envelope) into the bytes of a file.
Renderer = Callable[[Any, Step], bytes]


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


class UnknownQuestion(LookupError):
    """No question with this number is registered."""


_registered: dict[int, Question] = {}


def register(question: Question) -> Question:
    """Register ``question`` and return it; refuse a second question with the same number or a format
    that a report request cannot ask for."""
    if question.number in _registered:
        raise ValueError(f"Question {question.number} is registered already.")
    unknown = set(question.formats) - set(ReportFormat.values)
    if unknown or not question.formats:
        raise ValueError(f"Question {question.number}: give renderers of {', '.join(ReportFormat.values)}.")
    _registered[question.number] = question
    return question


def unregister(number: int) -> None:
    """Forget the question ``number`` (tests register questions of their own)."""
    _registered.pop(number, None)


def get_question(number: int) -> Question:
    """Return the registered question ``number``; raise UnknownQuestion when there is none."""
    _discover()
    try:
        return _registered[number]
    except (KeyError, TypeError):
        raise UnknownQuestion(f"No question {number!r} is registered.") from None


def questions() -> list[Question]:
    """Return the registered questions by number."""
    _discover()
    return [_registered[number] for number in sorted(_registered)]


_discovered = False


def _discover() -> None:
    """Import every module of this package once, each registering its question.

    Done when the registry is first read, not when Django starts: a process that never reports (a worker
    importing the KBO register, a management command) does not load the serializers and renderers.
    """
    global _discovered
    if not _discovered:
        _discovered = True
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
