"""The ESF+ monitoring figures: the entities each operation supported, as of a date.

Each traject is an ESF+ operation. As of a date, cumulative since its start, an operation supported the
companies approved in it by then (``participants.selectors.latest_approvals_as_of``, the definition
question 244 counts with: an application withdrawn after the date still counts, a rejected one never),
each company once, by the size class its latest approval rested on (``size_class_at_approval``), so a
company that grows later does not rewrite an earlier date. From that:

- the common output indicator EECO19 (Regulation (EU) 2021/1057, Annex I): the supported micro, small
  and medium-sized enterprises;
- the supported entities by type: micro, small, medium, large, non-profit, and those approved while their
  size was not declared (werk takes them), so that the types add up to the operation's companies;
- all operations together: every company once, by its latest approval in any traject (a company in two
  operations counts in each of them, and once here).

Two grouped queries and one for the trajects, whatever the volume. :func:`esf_figures` computes the
figures; :func:`esf_report` wraps them with their date and fingerprint, as the API, the serializer and
the renderers (XLSX with Dutch labels, JSON) have them.
"""

import datetime
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from participants.models import Application
from participants.selectors import approved_as_of, latest_approvals_as_of
from reporting.documents import json_renderer, table_renderer
from reporting.selectors import report_figures
from trajects.models import Traject
from trajects.size_classes import SME_CLASSES, SizeClass

# The types of entity in the order the export lists them.
ENTITY_TYPES = [
    SizeClass.MICRO,
    SizeClass.SMALL,
    SizeClass.MEDIUM,
    SizeClass.LARGE,
    SizeClass.NON_PROFIT,
    SizeClass.UNKNOWN,
]


class EntityCounts(TypedDict):
    micro: int
    small: int
    medium: int
    large: int
    non_profit: int
    unknown: int


class Supported(TypedDict):
    smes: int  # EECO19
    entities: EntityCounts
    total: int


class Operation(Supported):
    code: str
    name: str
    start_date: str


class ESFFigures(TypedDict):
    """What :func:`esf_figures` computes."""

    operations: list[Operation]
    all_operations: Supported


class ESFReport(ESFFigures):
    """The figures with their date and fingerprint."""

    kind: str
    as_of: str
    fingerprint: str


def _supported(counts: dict[str, int]) -> Supported:
    entities = {size_class.value: counts.get(size_class, 0) for size_class in ENTITY_TYPES}
    return {
        "smes": sum(entities[size_class] for size_class in SME_CLASSES),
        "entities": entities,
        "total": sum(entities.values()),
    }


def _count_by_class(latest) -> list[dict]:
    """Return the size classes of the applications chosen by the window query ``latest``, counted."""
    # The ORM cannot group the rows of a query filtered on a window, but it can filter on their keys.
    return list(
        Application.objects.filter(pk__in=latest.values("pk"))
        .values("traject_id", "size_class_at_approval")
        .annotate(companies=Count("pk"))
        .order_by()
    )


def esf_figures(as_of: datetime.date) -> ESFFigures:
    """Return the entities each operation supported as of ``as_of``; see the module's documentation."""
    per_operation: dict[int, dict[str, int]] = {}
    for row in _count_by_class(latest_approvals_as_of(as_of)):
        per_operation.setdefault(row["traject_id"], {})[row["size_class_at_approval"]] = row["companies"]
    # The latest approval in any traject is the latest of each traject's latest.
    latest_anywhere = approved_as_of(as_of).annotate(
        rank=Window(
            RowNumber(), partition_by=[F("company_id")], order_by=[F("decided_on").desc(), F("pk").desc()]
        )
    )
    overall: dict[str, int] = {}
    for row in _count_by_class(latest_anywhere.filter(rank=1)):
        overall[row["size_class_at_approval"]] = (
            overall.get(row["size_class_at_approval"], 0) + row["companies"]
        )
    trajects = Traject.objects.order_by("start_date", "code").values("pk", "code", "name", "start_date")
    return {
        "operations": [
            {
                "code": traject["code"],
                "name": traject["name"],
                "start_date": traject["start_date"].isoformat(),
                **_supported(per_operation.get(traject["pk"], {})),
            }
            for traject in trajects
        ],
        "all_operations": _supported(overall),
    }


def esf_report(as_of: datetime.date) -> ESFReport:
    """Return the figures as of ``as_of`` JSON-ready, in the envelope of every report kind: ``kind`` and
    ``as_of`` first, then the figures, then their ``fingerprint`` (SHA-256 of the rest)."""
    return report_figures("esf", as_of)


# -- the schema --------------------------------------------------------------------------------------------
COUNT = {"min_value": 0}


class ESFEntityCountsSerializer(serializers.Serializer):
    micro = serializers.IntegerField(**COUNT, help_text="Micro-enterprises (fewer than 10 staff).")
    small = serializers.IntegerField(**COUNT, help_text="Small enterprises (fewer than 50 staff).")
    medium = serializers.IntegerField(**COUNT, help_text="Medium-sized enterprises (fewer than 250 staff).")
    large = serializers.IntegerField(**COUNT, help_text="Large enterprises.")
    non_profit = serializers.IntegerField(**COUNT, help_text="Non-profit organisations (vzw, foundations).")
    unknown = serializers.IntegerField(
        **COUNT, help_text="Approved while their SME status was not declared (werk takes them)."
    )


class ESFSupportedSerializer(serializers.Serializer):
    smes = serializers.IntegerField(
        **COUNT, help_text="EECO19: the supported micro, small and medium-sized enterprises."
    )
    entities = ESFEntityCountsSerializer(help_text="The supported entities by type; each company once.")
    total = serializers.IntegerField(**COUNT, help_text="The supported entities of every type.")


class ESFOperationSerializer(ESFSupportedSerializer):
    code = serializers.CharField(help_text="The traject's code.")
    name = serializers.CharField()
    start_date = serializers.DateField(help_text="The day the operation started.")


class ESFReportSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="esf")
    as_of = serializers.DateField(
        help_text="The date of the figures, cumulative since each operation's start."
    )
    operations = ESFOperationSerializer(many=True, help_text="Every traject (ESF+ operation), by start date.")
    all_operations = ESFSupportedSerializer(
        help_text="All operations together, each company once, by its latest approval in any traject."
    )
    fingerprint = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="SHA-256 of the figures.")


# -- the files -----------------------------------------------------------------------------------------------
def _type_label(size_class: SizeClass) -> str:
    labels = {
        SizeClass.MICRO: _("Micro-enterprises"),
        SizeClass.SMALL: _("Small enterprises"),
        SizeClass.MEDIUM: _("Medium-sized enterprises"),
        SizeClass.LARGE: _("Large enterprises"),
        SizeClass.NON_PROFIT: _("Non-profit organisations"),
        SizeClass.UNKNOWN: _("Size not declared"),
    }
    return labels[size_class]


def render_esf_xlsx(report: ESFReport) -> bytes:
    """Return the figures as a workbook with Dutch labels: what they are, then a row per operation and
    one for all operations together."""
    from reporting.documents.formatting import as_date
    from voorsprong.spreadsheets import (
        WHOLE,
        Column,
        Sheet,
        write_workbook,
    )  # loads openpyxl: only when asked for

    def row(code: str, name: str, start_date, supported: Supported) -> tuple:
        entities = supported["entities"]
        return (
            code,
            name,
            start_date,
            supported["smes"],
            *(entities[size_class] for size_class in ENTITY_TYPES),
            supported["total"],
        )

    with translation.override(settings.LANGUAGE_CODE):
        about = Sheet(
            _("ESF+ monitoring"),
            [Column(_("Item")), Column(_("Value"))],
            [
                (_("Figures as of"), as_date(report["as_of"])),
                (
                    _("How they are counted"),
                    _(
                        "Cumulative since the start of each operation; each company once per operation, by "
                        "its size class at approval."
                    ),
                ),
                (_("Fingerprint of the data"), report["fingerprint"]),
            ],
        )
        indicators = Sheet(
            _("Indicators"),
            [
                Column(_("Operation")),
                Column(_("Traject")),
                Column(_("Start date")),
                Column(
                    _(
                        "EECO19 Supported micro, small and medium-sized enterprises (including cooperative "
                        "and social enterprises)"
                    ),
                    WHOLE,
                ),
                *(Column(_type_label(size_class), WHOLE) for size_class in ENTITY_TYPES),
                Column(_("Supported entities in total"), WHOLE),
            ],
            [
                *(
                    row(operation["code"], operation["name"], as_date(operation["start_date"]), operation)
                    for operation in report["operations"]
                ),
                row("", _("All operations (each company once)"), None, report["all_operations"]),
            ],
        )
        return write_workbook([about, indicators])


RENDERERS = {
    "xlsx": table_renderer(render_esf_xlsx),
    "json": json_renderer(ESFReportSerializer),
}
