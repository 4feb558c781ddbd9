"""Any breakdown of the programme's figures: a measure as of a date, by up to three dimensions.

``breakdown(as_of, by=["province", "traject"], measure="approved_companies")`` counts or sums one
measure per combination of the dimensions' values, with the same as-of rules as question 244 (by the
dates of decisions, sessions and endings, never by today's status):

- ``approved_companies``: the companies approved as of the date (``latest_approvals_as_of``: per company
  and traject its latest approval up to then, also when withdrawn after it), each counted once per
  cell; the total counts a company approved in several trajects once (question 244's
  ``companies_in_any_traject``), so cells can add up to more than the total;
- ``applications_approved``: the applications that counted as approved then (``approved_as_of``), a
  company approved twice counted twice;
- ``places_taken``: of those, the ones holding a place of a capacity period that had started by then,
  as question 244's places;
- ``trajectories_completed``: applications completed on or before the date;
- ``coaching_hours``: the hours of the coaching sessions held on or before the date;
- ``amount_committed``: the money committed at approval to the applications approved as of the date,
  per funding source and in total;
- the outcome measures (``reporting.statistics.outcomes``, the same rules and masking as question 244's),
  over the trajectories completed on or before the date: ``response_rate`` (trajectories completed,
  evaluations received, the rate), ``training_policy`` (the responding companies with both learning
  situations, and their shares with a training policy before and after), ``staff_reached`` (the companies
  that give a count, and the distinct employees reached, low-skilled and aged 55 or over: one figure per
  trajectory, never the sessions' sum) and ``outcome_scores`` (evaluations received, the average
  learning transfer and motivation).

The dimensions describe the application (or, for the hours and the money, the application they belong
to): its traject, the size class its approval rested on, its project and the organisation running it
(its service provider or promoter, never a union that joins the project), the sector fund
of the referral it came from, the year or quarter of its decision; and its company as registered today:
province, NACE section and joint committee. The NACE section is one of the code's own version
(``participants.nace``): ``J`` of NACE-BEL 2008, ``2025-K`` of 2025, never the two under one letter. A
value the data do not have (no project, no referral, no NACE code) is a value of its own, ``""``,
labelled as such.

Each breakdown is one query whatever the volume and the dimensions: the measure's rows grouped by the
dimensions and, in the same query, their total (on PostgreSQL the grouping set ``()`` of the same pass;
SQLite has no grouping sets, so there a ``UNION ALL`` of a second pass); labels come from the same rows.
Approved companies are counted over each company's latest approval per traject only where a dimension
of the approval itself (its size class, project, decision, ...) asks for it: the traject and the
company's own data are the same for all its approvals in a traject. Each column says its unit:
``count`` (a whole number), ``decimal`` (hours and euros, two decimals, as a string), ``share``
(percent, one decimal, as a string), ``score`` (out of 5, two decimals, as a string) or ``employees``.

The programme's measures suppress nothing: the cells count companies and applications and sum hours
and euros; no person is named and no company either. The aid to each company is public anyway (the
de-minimis register), so a cell of one company reveals no more than that register. What a company
answered about itself is another matter: in the outcome measures a count of one to four companies, and
a share, average or staff figure resting on one to four companies, is ``"< 5"``
(``reporting.statistics.outcomes.disclosed``), in every cell and the total alike; a share or average
without any company is ``null``.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Expression,
    F,
    Field,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, ExtractQuarter, ExtractYear
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from funding.models import ApplicationFunding, FundingSourceCode
from participants.geography import Province
from participants.models import Application, ApplicationStatus, CoachingSession
from participants.nace import VERSIONS, nace_section_expression, section_letter, section_name, section_order
from participants.selectors import (
    approvals_without_a_later_one,
    approved_as_of,
    outcome_aggregates,
    outcome_rows,
)
from reporting.statistics.outcomes import Outcomes, masked_count, outcomes
from trajects.models import Organisation, OrganisationKind
from trajects.size_classes import SizeClass
from voorsprong.money import to_cents

MAX_DIMENSIONS = 3
# The organisations that run a project's coaching; a union joining a project is a partner, not its promoter.
PROMOTER_KINDS = (OrganisationKind.SERVICE_PROVIDER, OrganisationKind.PROMOTER)
FUNDING_COLUMNS = (
    FundingSourceCode.EU,
    FundingSourceCode.FLEMISH,
    FundingSourceCode.OWN_PROMOTER,
    FundingSourceCode.OWN_COMPANY,
)
NONE = ""  # the value of a dimension the data do not have
LAST = "\uffff"  # sorts a dimension's missing value after the others


# -- the figures' types (documented field by field in ``reporting.kinds.breakdown``) ------------------
class DimensionValue(TypedDict):
    value: str
    label: str


class DimensionFigures(TypedDict):
    key: str
    label: str
    values: list[DimensionValue]


class ColumnFigures(TypedDict):
    key: str
    label: str
    unit: str  # count, decimal, share, score or employees


class Cell(TypedDict):
    keys: list[str]  # one value per dimension, in the order of ``by``
    # One per column: counts as numbers; hours, amounts, shares and scores as strings; "< 5" masked; a
    # share or score without a base None.
    values: list[int | str | None]


class BreakdownFigures(TypedDict):
    by: list[str]
    measure: str
    measure_label: str
    dimensions: list[DimensionFigures]
    columns: list[ColumnFigures]
    rows: list[Cell]
    total: list[int | str | None]


# -- dimensions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dimension:
    """A way to split the figures: what it groups by (relative to the application), and how a grouped
    row's value is named, labelled and ordered."""

    key: str
    label: object  # lazy translation
    # Given the path to the application and the dimension's alias: the columns to group by (name ->
    # field or expression).
    columns: Callable[[str, str], dict]
    # Given a grouped row and the alias: the value, its label and its place in the order.
    value: Callable[[dict, str], str]
    value_label: Callable[[dict, str], str]
    order: Callable[[dict, str], tuple]
    # Whether every application of a company in a traject has the same value (the traject, the company's
    # province, ...), so the value never depends on which of them is the company's latest approval there.
    shared_by_approvals: bool = False


def _choice_label(choices, missing) -> Callable[[str], str]:
    labels = dict(choices.choices)
    return lambda code: str(labels.get(code, code)) if code else str(missing)


def _position(choices) -> Callable[[str], tuple]:
    positions = {code: index for index, code in enumerate(choices.values)}
    return lambda code: (positions.get(code, len(positions)),)


def _named(value, name, missing) -> str:
    return name if value is not None else str(missing)


def _choice_dimension(key, label, path, choices, missing, shared_by_approvals=False) -> Dimension:
    named, position = _choice_label(choices, missing), _position(choices)
    return Dimension(
        key=key,
        label=label,
        columns=lambda prefix, alias: {alias: F(f"{prefix}{path}")},
        value=lambda row, alias: row[alias] or NONE,
        value_label=lambda row, alias: named(row[alias] or NONE),
        order=lambda row, alias: position(row[alias] or NONE),
        shared_by_approvals=shared_by_approvals,
    )


def _entity_dimension(key, label, path, missing) -> Dimension:
    """A dimension of rows of another table (a sector fund, a project): grouped by id and name."""
    return Dimension(
        key=key,
        label=label,
        columns=lambda prefix, alias: {
            f"{alias}_id": F(f"{prefix}{path}__id"),
            f"{alias}_name": F(f"{prefix}{path}__name"),
        },
        value=lambda row, alias: NONE if row[f"{alias}_id"] is None else str(row[f"{alias}_id"]),
        value_label=lambda row, alias: _named(row[f"{alias}_id"], row[f"{alias}_name"], missing),
        order=lambda row, alias: (row[f"{alias}_id"] is None, row[f"{alias}_name"] or ""),
    )


def _promoter() -> Dimension:
    """The organisation running the application's project: its service provider or promoter (the first
    by name should a project have two), never a union that joins the project."""

    def columns(prefix, alias):
        organisations = Organisation.objects.filter(
            projects=OuterRef(f"{prefix}project_id"), kind__in=PROMOTER_KINDS
        ).order_by("name", "pk")
        # Id and name as one value "id:name", so each application looks its promoter up once, not twice.
        key = Concat(Cast("pk", CharField()), Value(":"), "name", output_field=CharField())
        return {alias: Subquery(organisations.annotate(key=key).values("key")[:1])}

    def split(row, alias) -> tuple[str, str | None]:
        return tuple(row[alias].split(":", 1)) if row[alias] is not None else (NONE, None)

    return Dimension(
        key="promoter",
        label=_("Promoter organisation"),
        columns=columns,
        value=lambda row, alias: split(row, alias)[0],
        value_label=lambda row, alias: split(row, alias)[1] or str(_("No promoter")),
        order=lambda row, alias: (row[alias] is None, split(row, alias)[1] or ""),
    )


def _company_text_dimension(key, label, path, missing, label_format="{}") -> Dimension:
    return Dimension(
        key=key,
        label=label,
        columns=lambda prefix, alias: {alias: F(f"{prefix}{path}")},
        value=lambda row, alias: row[alias] or NONE,
        value_label=lambda row, alias: label_format.format(row[alias]) if row[alias] else str(missing),
        order=lambda row, alias: (row[alias] or LAST,),
        shared_by_approvals=True,
    )


def _traject() -> Dimension:
    return Dimension(
        key="traject",
        label=_("Traject"),
        columns=lambda prefix, alias: {
            f"{alias}_code": F(f"{prefix}traject__code"),
            f"{alias}_name": F(f"{prefix}traject__name"),
            f"{alias}_start": F(f"{prefix}traject__start_date"),
        },
        value=lambda row, alias: row[f"{alias}_code"],
        value_label=lambda row, alias: row[f"{alias}_name"],
        order=lambda row, alias: (row[f"{alias}_start"], row[f"{alias}_code"]),
        shared_by_approvals=True,
    )


def _nace_section() -> Dimension:
    def value_label(row, alias):
        key = row[alias]
        return f"{section_letter(key)} – {section_name(key)}" if key else str(_("No NACE code"))

    return Dimension(
        key="nace_section",
        label=_("NACE section"),
        # Per version and section: a 2025 code's section is another one than a 2008 code's of that letter.
        columns=lambda prefix, alias: {
            alias: nace_section_expression(f"{prefix}company__nace_code", f"{prefix}company__nace_version")
        },
        value=lambda row, alias: row[alias] or NONE,
        value_label=value_label,
        order=lambda row, alias: section_order(row[alias]) if row[alias] else (len(VERSIONS), LAST),
        shared_by_approvals=True,
    )


def _decision_year() -> Dimension:
    return Dimension(
        key="decision_year",
        label=_("Year of the decision"),
        columns=lambda prefix, alias: {alias: ExtractYear(f"{prefix}decided_on")},
        value=lambda row, alias: str(row[alias]),
        value_label=lambda row, alias: str(row[alias]),
        order=lambda row, alias: (row[alias],),
    )


def _decision_quarter() -> Dimension:
    return Dimension(
        key="decision_quarter",
        label=_("Quarter of the decision"),
        columns=lambda prefix, alias: {
            f"{alias}_year": ExtractYear(f"{prefix}decided_on"),
            f"{alias}_quarter": ExtractQuarter(f"{prefix}decided_on"),
        },
        value=lambda row, alias: f"{row[f'{alias}_year']}-Q{row[f'{alias}_quarter']}",
        value_label=lambda row, alias: str(
            _("Q%(quarter)s %(year)s") % {"quarter": row[f"{alias}_quarter"], "year": row[f"{alias}_year"]}
        ),
        order=lambda row, alias: (row[f"{alias}_year"], row[f"{alias}_quarter"]),
    )


DIMENSIONS: dict[str, Dimension] = {
    dimension.key: dimension
    for dimension in (
        _traject(),
        _choice_dimension(
            "size_class", _("Size class at approval"), "size_class_at_approval", SizeClass, _("Unknown")
        ),
        _choice_dimension(
            "province",
            _("Province"),
            "company__province",
            Province,
            _("No province"),
            shared_by_approvals=True,
        ),
        _nace_section(),
        _company_text_dimension(
            "joint_committee",
            _("Joint committee"),
            "company__joint_committee",
            _("No joint committee"),
            label_format="PC {}",
        ),
        _entity_dimension(
            "sector_fund", _("Referring sector fund"), "referral__sector_fund", _("No referral")
        ),
        _entity_dimension("project", _("Project"), "project", _("No project")),
        _promoter(),
        _decision_year(),
        _decision_quarter(),
    )
}


# -- measures ----------------------------------------------------------------------------------------
COUNT, DECIMAL, SHARE, SCORE, EMPLOYEES = "count", "decimal", "share", "score", "employees"
UNITS = (COUNT, DECIMAL, SHARE, SCORE, EMPLOYEES)


@dataclass(frozen=True)
class Column:
    """A figure of a measure: its key, its label and its unit (``count``, ``decimal``, ...)."""

    key: str
    label: object
    unit: str = COUNT


@dataclass(frozen=True)
class Measure:
    """What is counted or summed: the rows it starts from as of a date, the path from them to their
    application, what the database aggregates over a cell's rows, and the cell's figures (one per column)
    from those aggregates."""

    key: str
    label: object
    rows: Callable[[datetime.date], QuerySet]
    to_application: str  # "" when the rows are applications
    columns: Sequence[Column]
    aggregates: Callable[[datetime.date], dict]  # by name
    figures: Callable[[Mapping], list]  # a cell's aggregates -> its figures
    # For a measure over each company's latest approval per traject: all the approvals, which give the
    # same figures cheaper wherever no dimension tells a company's approvals in a traject apart (the
    # total, and dimensions ``shared_by_approvals``).
    any_approval_rows: Callable[[datetime.date], QuerySet] | None = None


def _approved_companies(as_of: datetime.date) -> QuerySet:
    return approvals_without_a_later_one(as_of)


def _places_taken(as_of: datetime.date) -> QuerySet:
    return approved_as_of(as_of).filter(capacity_period__isnull=False, capacity_period__start__lte=as_of)


def _completed(as_of: datetime.date) -> QuerySet:
    return Application.objects.filter(status=ApplicationStatus.COMPLETED, ended_on__lte=as_of)


def _sessions(as_of: datetime.date) -> QuerySet:
    return CoachingSession.objects.filter(date__lte=as_of)


def _committed(as_of: datetime.date) -> QuerySet:
    return ApplicationFunding.objects.filter(application__in=approved_as_of(as_of).values("pk"))


def _count(what: str = "pk"):
    return lambda: Count(what, distinct=True)


def _figure(value, unit: str) -> int | str:
    return str(to_cents(Decimal(value or 0))) if unit == DECIMAL else int(value or 0)


def _summed(key, label, rows, to_application, columns, unit: str = COUNT) -> Measure:
    """Return a measure whose figures are its aggregates as they are: ``columns`` are (key, label, a
    function making the column's aggregate)."""
    return Measure(
        key,
        label,
        rows,
        to_application,
        [Column(column, column_label, unit) for column, column_label, _aggregate in columns],
        aggregates=lambda as_of: {column: aggregate() for column, _label, aggregate in columns},
        figures=lambda row: [_figure(row[column], unit) for column, _label, _aggregate in columns],
    )


def _completed_with_outcomes(as_of: datetime.date) -> QuerySet:
    return outcome_rows(as_of).filter(status=ApplicationStatus.COMPLETED, ended_on__lte=as_of)


def _outcome_measure(key, label, columns: Sequence[Column], figures: Callable[[Outcomes], list]) -> Measure:
    """Return a measure of the outcome figures (``reporting.statistics.outcomes``, masked there) over the
    trajectories completed as of the date."""
    return Measure(
        key,
        label,
        _completed_with_outcomes,
        "",
        columns,
        aggregates=outcome_aggregates,
        figures=lambda row: figures(outcomes(row)),
    )


MEASURES: dict[str, Measure] = {
    measure.key: measure
    for measure in (
        replace(
            _summed(
                "approved_companies",
                _("Approved companies"),
                _approved_companies,
                "",
                [("companies", _("Approved companies"), _count("company_id"))],
            ),
            # Every company approved in a traject as of the date has a latest approval there then: the
            # same companies, counted without choosing each one's latest (an anti-join over them all).
            any_approval_rows=approved_as_of,
        ),
        _summed(
            "applications_approved",
            _("Applications approved"),
            approved_as_of,
            "",
            [("applications", _("Applications approved"), _count())],
        ),
        _summed(
            "places_taken", _("Places taken"), _places_taken, "", [("places", _("Places taken"), _count())]
        ),
        _summed(
            "trajectories_completed",
            _("Trajectories completed"),
            _completed,
            "",
            [("completed", _("Trajectories completed"), _count())],
        ),
        _summed(
            "coaching_hours",
            _("Coaching hours"),
            _sessions,
            "application__",
            [("hours", _("Coaching hours"), lambda: Sum("hours"))],
            unit=DECIMAL,
        ),
        _summed(
            "amount_committed",
            _("Amount committed per source"),
            _committed,
            "application__",
            [
                *(
                    (code.value, code.label, lambda code=code: Sum("amount", filter=Q(source__code=code)))
                    for code in FUNDING_COLUMNS
                ),
                ("total", _("Total"), lambda: Sum("amount")),
            ],
            unit=DECIMAL,
        ),
        _outcome_measure(
            "response_rate",
            _("Response rate of the evaluations"),
            [
                Column("completed", _("Trajectories completed")),
                Column("responses", _("Evaluations received")),
                Column("response_rate", _("Response rate (%)"), SHARE),
            ],
            lambda found: [
                masked_count(found["completed"], found["completed_companies"]),
                masked_count(found["responses"], found["responses_companies"]),
                found["response_rate"],
            ],
        ),
        _outcome_measure(
            "training_policy",
            _("Training policy before and after"),
            [
                Column("paired", _("Companies with both learning situations")),
                Column("before", _("With a training policy at intake (%)"), SHARE),
                Column("after", _("With a training policy at closing (%)"), SHARE),
            ],
            lambda found: [
                masked_count(found["paired"]),
                found["training_policy"]["before"],
                found["training_policy"]["after"],
            ],
        ),
        _outcome_measure(
            "staff_reached",
            _("Employees reached"),
            [
                Column("companies", _("Companies that gave a count")),
                Column("total", _("Employees reached"), EMPLOYEES),
                Column("low_skilled", _("Of whom low-skilled"), EMPLOYEES),
                Column("aged_55_plus", _("Of whom aged 55 or over"), EMPLOYEES),
            ],
            lambda found: [masked_count(found["staff_companies"]), *found["staff_reached"].values()],
        ),
        _outcome_measure(
            "outcome_scores",
            _("Learning transfer and motivation"),
            [
                Column("responses", _("Evaluations received")),
                Column("learning_transfer", _("Learning transfer (1-5)"), SCORE),
                Column("motivation", _("Motivation (1-5)"), SCORE),
            ],
            lambda found: [masked_count(found["responses"]), *found["average_scores"].values()],
        ),
    )
}


class BreakdownError(ValueError):
    """A breakdown asked for with a dimension or measure that does not exist; ``code`` says which."""

    def __init__(self, message: str, code: str, field: str):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


def check_parameters(by: Sequence[str], measure: str) -> None:
    """Refuse (BreakdownError) a breakdown without dimensions, with more than three, an unknown or a
    repeated one, or an unknown measure."""
    check_dimensions(by)
    check_measure(measure)


def check_dimensions(by: Sequence[str]) -> None:
    """Refuse (BreakdownError) no dimensions, more than three, an unknown or a repeated one."""
    names = ", ".join(DIMENSIONS)
    if not by:
        raise BreakdownError(
            str(_("Choose one to three dimensions: %(names)s.") % {"names": names}), "no_dimension", "by"
        )
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise BreakdownError(
            str(
                _("Unknown dimension %(name)s: choose from %(names)s.") % {"name": unknown[0], "names": names}
            ),
            "unknown_dimension",
            "by",
        )
    if len(set(by)) != len(by):
        raise BreakdownError(str(_("Choose each dimension once.")), "duplicate_dimension", "by")
    if len(by) > MAX_DIMENSIONS:
        raise BreakdownError(
            str(_("Choose at most %(max)d dimensions.") % {"max": MAX_DIMENSIONS}),
            "too_many_dimensions",
            "by",
        )


def check_measure(measure: str) -> None:
    """Refuse (BreakdownError) an unknown measure."""
    if measure not in MEASURES:
        raise BreakdownError(
            str(_("Unknown measure: choose one of %(names)s.") % {"names": ", ".join(MEASURES)}),
            "unknown_measure",
            "measure",
        )


# -- one query for the cells and the total -------------------------------------------------------------
class _Ungrouped(Func):
    """A dimension's column left to the grouping sets, not added to the plain ``GROUP BY`` list too."""

    template = "%(expressions)s"

    def get_group_by_cols(self):
        return []


class _IsTotal(Func):
    """Whether the row is the grouping set ``()``, the total: ``GROUPING`` of a dimension's column."""

    function = "GROUPING"
    template = "%(function)s(%(expressions)s) = 1"
    output_field = BooleanField()
    contains_aggregate = True  # one value per group, never grouped by

    def get_group_by_cols(self):
        return []


class _CellsAndTotal(Expression):
    """``GROUPING SETS ((the dimensions' columns), ())``, naming the columns by their place in the select
    list as Django's own ``GROUP BY`` does."""

    def __init__(self, names):
        super().__init__(output_field=Field())
        self.names = tuple(names)

    def as_sql(self, compiler, connection):
        places = [
            str(place) for place, (_e, _s, alias) in enumerate(compiler.select, 1) if alias in self.names
        ]
        return f"GROUPING SETS (({', '.join(places)}), ())", []


def _grouping_sets(rows: QuerySet, group_columns: dict, aggregates: dict) -> QuerySet:
    """Return ``rows`` grouped by ``group_columns`` and, in the same pass, not grouped: the total."""
    ungrouped = {name: _Ungrouped(column) for name, column in group_columns.items()}
    grouped = rows.annotate(**ungrouped).values(*ungrouped)
    grouped = grouped.annotate(is_total=_IsTotal(next(iter(ungrouped))), **aggregates).order_by()
    # Django's ORM has no grouping sets: the GROUP BY it would derive from the values is replaced.
    grouped.query.group_by = (_CellsAndTotal(ungrouped),)
    return grouped


def _union(rows: QuerySet, total_rows: QuerySet, group_columns: dict, aggregates: dict) -> QuerySet:
    """Return ``rows`` grouped by ``group_columns`` and beside them (``UNION ALL``) the total over
    ``total_rows``, in a row without the dimensions' values (a constant is not grouped by)."""
    cells = rows.annotate(**group_columns).values(*group_columns)
    cells = cells.annotate(is_total=Value(False), **aggregates).order_by()
    resolved = cells.query.annotations
    no_values = {name: Value(None, output_field=resolved[name].output_field) for name in group_columns}
    total = total_rows.annotate(**no_values).values(*no_values)
    return cells.union(total.annotate(is_total=Value(True), **aggregates).order_by(), all=True)


def _cells_and_total(
    rows: QuerySet, total_rows: QuerySet, group_columns: dict, aggregates: dict
) -> tuple[list[dict], dict]:
    """Return ``rows`` grouped by ``group_columns`` with their ``aggregates``, and the ``aggregates`` over
    all of them, in one query. ``total_rows`` give the same total cheaper where it takes a pass of its
    own: on SQLite, which has no grouping sets; PostgreSQL's grouping set ``()`` needs no other pass."""
    if connection.vendor == "postgresql":
        found = list(_grouping_sets(rows, group_columns, aggregates))
    else:
        found = list(_union(rows, total_rows, group_columns, aggregates))
    # Marked, as a cell may lack every dimension's value too.
    total = next(row for row in found if row["is_total"])
    found.remove(total)
    return found, total


def breakdown(as_of: datetime.date, by: Sequence[str], measure: str) -> BreakdownFigures:
    """Return ``measure`` as of ``as_of`` per combination of the dimensions ``by``, and its total.

    Only combinations with figures are listed, ordered dimension by dimension; each dimension lists the
    values that occur, in that order, with their Dutch labels. See the module's documentation for what
    each measure and dimension counts. Refuses (BreakdownError) what ``check_parameters`` refuses.
    """
    check_parameters(by, measure)
    chosen = MEASURES[measure]
    aliases = [f"d{index}" for index in range(len(by))]
    dimensions = [DIMENSIONS[name] for name in by]
    aggregates = chosen.aggregates(as_of)

    group_columns: dict = {}
    for dimension, alias in zip(dimensions, aliases, strict=True):
        group_columns.update(dimension.columns(chosen.to_application, alias))
    any_approval_rows = chosen.any_approval_rows or chosen.rows
    rows = (
        any_approval_rows if all(dimension.shared_by_approvals for dimension in dimensions) else chosen.rows
    )
    found, total = _cells_and_total(rows(as_of), any_approval_rows(as_of), group_columns, aggregates)

    with translation.override(settings.LANGUAGE_CODE):  # the figures read the same whoever asks
        found.sort(
            key=lambda row: tuple(
                part
                for dimension, alias in zip(dimensions, aliases, strict=True)
                for part in dimension.order(row, alias)
            )
        )
        values: list[dict[str, str]] = [{} for _dimension in dimensions]
        cells: list[Cell] = []
        for row in found:
            keys = []
            for index, (dimension, alias) in enumerate(zip(dimensions, aliases, strict=True)):
                value = dimension.value(row, alias)
                values[index].setdefault(value, dimension.value_label(row, alias))
                keys.append(value)
            cells.append({"keys": keys, "values": chosen.figures(row)})
        return {
            "by": list(by),
            "measure": measure,
            "measure_label": str(chosen.label),
            "dimensions": [
                {
                    "key": dimension.key,
                    "label": str(dimension.label),
                    "values": [{"value": value, "label": label} for value, label in values[index].items()],
                }
                for index, dimension in enumerate(dimensions)
            ],
            "columns": [
                {"key": column.key, "label": str(column.label), "unit": column.unit}
                for column in chosen.columns
            ],
            "rows": cells,
            "total": chosen.figures(total),
        }
