"""The answer to an access request: every row that holds an e-mail address, as JSON or as a readable PDF
(Dutch headings, each row a table of its fields, the fields that hold the address in bold)."""

import datetime
import json
from itertools import groupby

from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.documents.pdf import write_pdf
from reporting.personal_data import Occurrence

DOCUMENT_LANGUAGE = "nl-be"
# simple-history's own fields, whose names it does not translate.
HISTORY_LABELS = {
    "history_id": gettext_lazy("Version"),
    "history_date": gettext_lazy("Date of the version"),
    "history_change_reason": gettext_lazy("Reason for the change"),
    "history_type": gettext_lazy("Kind of change"),
    "history_user": gettext_lazy("Changed by"),
}


def _model_name(occurrence: Occurrence) -> str:
    model = occurrence.model.instance_type if occurrence.is_history else occurrence.model
    name = capfirst(str(model._meta.verbose_name))
    return _("%(name)s – earlier versions") % {"name": name} if occurrence.is_history else name


def as_json(address: str, found: list[Occurrence]) -> dict:
    """Return the export as JSON holds it: the address, when, and each row with every field."""
    return {
        "address": address,
        "generated_at": timezone.localtime().isoformat(),
        "rows": [
            {
                "model": occurrence.model._meta.label_lower,
                "name": _model_name(occurrence),
                "table": occurrence.model._meta.db_table,
                "id": occurrence.pk,
                "history": occurrence.is_history,
                "found_in": list(occurrence.found_in),
                "fields": occurrence.values,
            }
            for occurrence in found
        ],
    }


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _cell(field: models.Field, value) -> str:
    """Return a field's value as people read it: a code by its label ("Besloten vennootschap (BV)" rather
    than "bv"), a day as 26/11/2025."""
    if value and isinstance(field, models.DateTimeField):
        return f"{datetime.datetime.fromisoformat(value):%d/%m/%Y %H:%M}"
    if value and isinstance(field, models.DateField):
        return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
    return _shown(dict(field.flatchoices).get(value, value) if field.choices else value)


def _table(occurrence: Occurrence) -> list[dict]:
    fields = {field.attname: field for field in occurrence.model._meta.concrete_fields}
    return [
        {
            "label": capfirst(str(HISTORY_LABELS.get(fields[name].name, fields[name].verbose_name))),
            "value": _cell(fields[name], value),
            "found": fields[name].name in occurrence.found_in,
        }
        for name, value in occurrence.values.items()
    ]


def render(address: str, found: list[Occurrence], file_format: str) -> bytes:
    """Return the export as a JSON or PDF file."""
    with translation.override(DOCUMENT_LANGUAGE):
        if file_format == "json":
            return json.dumps(as_json(address, found), ensure_ascii=False, indent=2).encode()
        groups = [
            {"name": name, "rows": [_table(occurrence) for occurrence in rows]}
            for name, rows in groupby(found, key=_model_name)
        ]
        html = render_to_string(
            "reporting/personal_data.html",
            {
                "address": address,
                "generated_at": formats.date_format(timezone.localtime(), "j F Y, H:i"),
                "groups": groups,
                "count": len(found),
            },
        )
        return write_pdf(html)
