"""The kinds of report the back office makes, each registered once: the parliamentary questions
(``reporting.questions``, key ``pq<number>``), the breakdown (``breakdown``) and whatever a module adds.

A kind (:class:`ReportKind`) is a key, a title, a function computing its figures as of a date from its
validated parameters, the serializer of its parameters (None: it takes none), the serializer of its
figures (for the API schema and the JSON file) and a renderer per format. Report requests and their
jobs (retry, idempotency, reusing a file made from the same figures), the API (``POST
/api/v1/report-requests/`` with ``kind`` and ``parameters``; ``GET /api/v1/statistics/<key>/?as_of=``
with the parameters in the query string for every kind that is not a question) and ``manage.py report
<key> --parameter name=value`` take the kinds from here; none of them names a kind.

How a module registers a kind (the reach, the ESF+ export): write a module in this package, say
``reporting/kinds/reach.py``; every module here is imported the first time the registry is read::

    from django.utils.translation import gettext_lazy as _

    from reporting.documents import json_renderer, table_renderer
    from reporting.kinds import ReportKind, register
    from reporting.statistics.reach import (  # plain functions and serializers of the kind's own module
        ReachFiguresSerializer, ReachParametersSerializer, reach_figures, reach_pdf, reach_xlsx,
    )

    KIND = register(
        ReportKind(
            key="reach",
            title=_("Reach of the Voorsprong trajects"),
            figures=reach_figures,  # (as_of: date, parameters: dict) -> dict of JSON-ready figures
            parameters=ReachParametersSerializer,  # or None
            serializer=ReachFiguresSerializer,  # the figures with their envelope (below)
            renderers={  # per format of reporting.models.ReportFormat, in the order offered
                "pdf": table_renderer(reach_pdf),  # reach_pdf(figures) -> bytes
                "xlsx": table_renderer(reach_xlsx),
                "json": json_renderer(ReachFiguresSerializer),
            },
            description="Per province, NACE section or size class: ...",  # for integrators, English
            refusals=("unknown_dimension",),  # the codes its parameters' refusals can answer
        )
    )

- ``figures(as_of, parameters)`` gets the parameters as the parameters serializer validated them, made
  JSON-ready (the same dict the request stores), and returns the kind's own figures; they should
  repeat the parameters they depend on (the breakdown's ``by`` and ``measure``), so a file says what
  it shows. ``reporting.selectors.report_figures`` wraps them in the envelope every kind shares:
  ``kind`` (the key; a question has ``question``, its number, instead) and ``as_of`` first,
  ``fingerprint`` (SHA-256 of the rest) last. The figures serializer documents that envelope too.
- A parameters serializer's refusals reach the user as one Dutch message on the parameter's field,
  with the code of the ``ValidationError`` raised (``code="unknown_dimension"``); DRF's own codes
  (``required``, ``invalid_choice``, ...) answer ``invalid``.
- A renderer is ``render(figures, step) -> bytes``; ``table_renderer(f)`` makes one of a plain
  ``f(figures) -> bytes``. Renderers run with the Dutch language active.
"""

import datetime
import importlib
import json
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from rest_framework import serializers

from reporting.models import ReportFormat
from voorsprong.services import WorkflowRefusal

if TYPE_CHECKING:
    from reporting.questions import Question

# Announces that a renderer reached a step of ``reporting.documents.STEPS`` (for the job's progress).
Step = Callable[[str], None]
# Turns the figures of a kind (with their envelope) into the bytes of a file.
Renderer = Callable[[Any, Step], bytes]
# DRF's own codes of a field's refusal: they answer ``invalid``, a kind's own codes answer themselves.
_GENERIC_CODES = {
    "required",
    "null",
    "blank",
    "invalid",
    "invalid_choice",
    "not_a_list",
    "empty",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_string_length",
}


@dataclass(frozen=True)
class ReportKind:
    """A kind of report the back office can make as of any date."""

    key: str
    title: str  # as the cabinet's page offers it (may be a lazy translation)
    figures: Callable[[datetime.date, Mapping[str, Any]], Mapping[str, Any]]
    serializer: type[serializers.Serializer]  # the figures with their envelope, field by field
    renderers: Mapping[str, Renderer]  # per format (``reporting.models.ReportFormat``)
    parameters: type[serializers.Serializer] | None = None
    description: str = ""  # what the figures are, for integrators (English, in the API's documentation)
    refusals: tuple[str, ...] = ()  # the codes a refusal of its parameters can answer
    question: "Question | None" = None  # set for a parliamentary question (``reporting.questions``)

    @property
    def formats(self) -> tuple[str, ...]:
        """Return the formats the kind can be delivered in, in the order it gives them."""
        return tuple(self.renderers)

    def envelope(self) -> dict[str, Any]:
        """Return what the figures start with: the question's number, or the kind's key."""
        return {"question": self.question.number} if self.question else {"kind": self.key}

    def clean_parameters(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return ``data`` validated by the kind's parameters serializer, JSON-ready with sorted keys (so
        equal parameters are stored alike); refuse (WorkflowRefusal, on the parameter's field) what it
        refuses, and any parameter for a kind that takes none."""
        if self.parameters is None:
            if data:
                raise WorkflowRefusal(
                    _("This report takes no parameters."), "no_parameters", field="parameters"
                )
            return {}
        if not isinstance(data, Mapping | None):
            raise WorkflowRefusal(_("Give the parameters by name."), "invalid", field="parameters")
        serializer = self.parameters(data=dict(data or {}))
        if not serializer.is_valid():
            name, errors = next(iter(serializer.errors.items()))
            error = errors[0] if isinstance(errors, list) else next(iter(errors.values()))[0]
            code = getattr(error, "code", "invalid")
            raise WorkflowRefusal(str(error), "invalid" if code in _GENERIC_CODES else code, field=name)
        return json.loads(json.dumps(serializer.validated_data, sort_keys=True, cls=DjangoJSONEncoder))


class UnknownKind(LookupError):
    """No kind with this key is registered."""


_registered: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    """Register ``kind`` and return it; refuse a second kind with the same key or a format that a report
    request cannot ask for."""
    if kind.key in _registered:
        raise ValueError(f"Report kind {kind.key!r} is registered already.")
    max_length = 40
    if not kind.key or len(kind.key) > max_length or not kind.key.replace("_", "").isalnum():
        raise ValueError(f"Report kind {kind.key!r}: a key of letters, digits and _, at most {max_length}.")
    unknown = set(kind.formats) - set(ReportFormat.values)
    if unknown or not kind.formats:
        raise ValueError(f"Report kind {kind.key!r}: give renderers of {', '.join(ReportFormat.values)}.")
    _registered[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Forget the kind ``key`` (tests register kinds of their own)."""
    _registered.pop(key, None)


def get_kind(key: str) -> ReportKind:
    """Return the registered kind ``key``; raise UnknownKind when there is none."""
    _discover()
    try:
        return _registered[key]
    except (KeyError, TypeError):
        raise UnknownKind(f"No report kind {key!r} is registered.") from None


def kinds() -> list[ReportKind]:
    """Return the registered kinds: the questions by number, then the others by key."""
    _discover()
    return sorted(
        _registered.values(),
        key=lambda kind: (kind.question is None, kind.question.number if kind.question else 0, kind.key),
    )


def kind_of(figures: Mapping[str, Any]) -> ReportKind:
    """Return the kind whose figures these are, by their envelope; raise UnknownKind when none is
    registered (for a question: ``reporting.questions.UnknownQuestion``, a kind of UnknownKind)."""
    if "question" in figures:
        from reporting.questions import get_question  # the questions register themselves as kinds

        return get_question(figures["question"]).kind
    return get_kind(figures.get("kind"))


_discovered = False


def _discover() -> None:
    """Import every module of this package and of ``reporting.questions`` once, each registering its kind.

    Done when the registry is first read, not when Django starts: a process that never reports (a worker
    importing the KBO register, a management command) does not load the serializers and renderers.
    """
    global _discovered
    if not _discovered:
        _discovered = True
        import reporting.questions as questions_package

        for package in (importlib.import_module(__name__), questions_package):
            for module in pkgutil.iter_modules(package.__path__):
                importlib.import_module(f"{package.__name__}.{module.name}")
