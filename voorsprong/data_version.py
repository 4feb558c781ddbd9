"""The versions of the data the figures are computed from, and the cache of figures that checks them.

Every write that can change a figure bumps the version of each table it wrote
(:class:`voorsprong.models.DataVersion`, a row per table) in the writer's own transaction: the new version
becomes visible exactly when the write does, and a write that is rolled back leaves the version as it was.
:func:`cached` stores each figure with the versions of the tables its queries read, found in their SQL as
they run, so no table it reads can be missed; a reader asks the database one cheap question (those versions)
and serves the stored figures only while no write to one of those tables has committed since. A coaching
session logged thus leaves the statistics that read no session in the cache; the cabinet never sees stale
figures.

Who bumps:

- the models an app hands to :func:`track` (in its ``AppConfig.ready``): every ``save``, ``delete`` and
  change of a many-to-many relation of theirs, through Django's signals, for the model's table and its
  history's (django-simple-history writes it beside the model);
- every write those signals do not see (``QuerySet.update``, ``bulk_create``, ``bulk_update``, raw SQL)
  calls :func:`bump` itself, in its transaction, without naming tables: that raises the version every
  figure depends on (:data:`ANY`); tests/test_figure_cache.py walks the code for them.

Figures as of a date (:func:`cached` with ``as_of``) read, per table, the versions of the writes that can
change figures on or before that date (:class:`voorsprong.models.DataVersionOnDate`). A write changes them
from the first day of all unless its service says, with :func:`changes_from`, the first date it can
change: a coaching session logged today, which starts its trajectory, changes the figures from today
on, so the cabinet's figures as of a past date stay in the cache while promoters log today's sessions.
Every figure as of a date counts rows by their own dates (decisions, sessions, endings), never by today's
status, which is what lets a service say so.

A version grows by one at least, and never stays below the clock in microseconds: a database restored
from a backup goes on with versions it never had before, so a figure cached before the restore under
the same number cannot be served for different data.

Every bump locks the row of :data:`ANY` first, until the writer commits, so writers that change figures
commit one at a time and never wait for each other's tables in opposite orders; services lock the rows
they need before they write, which keeps that lock the last one taken.
"""

import datetime
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache as cache_once
from functools import cached_property, partial
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

from voorsprong.models import DataVersion, DataVersionOnDate

T = TypeVar("T")

# A day: an entry is only read while its versions are current, and a newer one replaces it.
FIGURE_CACHE_TIMEOUT = 24 * 60 * 60

# How long a request waits for figures another process is computing before it computes them itself, and
# how often it looks (question 244 at scale 100 takes half a second).
COMPUTING_WAIT_SECONDS = 10
LOOK_EVERY_SECONDS = 0.02

# The area of the writes that do not say which tables they changed: every figure depends on it.
ANY = ""

_GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}


# The tables of the versions themselves: what a figure reads of them is not data it depends on.
VERSION_TABLES = (DataVersion._meta.db_table, DataVersionOnDate._meta.db_table)

# The first date the writes of the current service can change figures on (:func:`changes_from`); None:
# every date.
_changing_from: ContextVar[datetime.date | None] = ContextVar("changing_from", default=None)


def bump(*tables: str) -> None:
    """Raise the version of ``tables`` in the current transaction, or without any the version every figure
    depends on (rows are made where missing), from the date of :func:`changes_from` (else every date)."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    on_date = connection.ops.quote_name(DataVersionOnDate._meta.db_table)
    raised = f"{_GREATEST[connection.vendor]}({table}.version + 1, excluded.version)"
    now = time.time_ns() // 1000
    areas = sorted(set(tables)) if tables else [ANY]
    with connection.cursor() as cursor:
        # The writers' queue: with tables, the row of ANY is locked but keeps its version.
        cursor.execute(
            f"INSERT INTO {table} (area, version) VALUES (%s, %s) ON CONFLICT (area) DO UPDATE SET version = "
            f"{f'{table}.version' if tables else raised}",
            [ANY, 0 if tables else now],
        )
        if tables:
            cursor.execute(
                f"INSERT INTO {table} (area, version) VALUES {', '.join(['(%s, %s)'] * len(areas))} "
                f"ON CONFLICT (area) DO UPDATE SET version = {raised}",
                [value for area in areas for value in (area, now)],
            )
        # The same versions from the date the write changes figures on: the table's newest version is
        # above every one of its dates, so the figures of every later date see the write.
        cursor.execute(
            f"INSERT INTO {on_date} (area, on_date, version) SELECT area, %s, version FROM {table} "
            f"WHERE area IN ({', '.join(['%s'] * len(areas))}) "
            f"ON CONFLICT (area, on_date) DO UPDATE SET version = excluded.version",
            [_changing_from.get() or datetime.date.min, *areas],
        )


@contextmanager
def changes_from(day: datetime.date) -> Iterator[None]:
    """Say that the writes made meanwhile change figures only as of ``day`` and later: they change no row
    dated before it, and no figure reads what they change but by such dates. A nested one keeps the
    earlier day."""
    outer = _changing_from.get()
    token = _changing_from.set(day if outer is None else min(outer, day))
    try:
        yield
    finally:
        _changing_from.reset(token)


def current() -> int:
    """Return the newest version of any table as the current transaction sees it (0 before the first
    write)."""
    return DataVersion.objects.aggregate(newest=models.Max("version"))["newest"] or 0


def _versions(as_of: datetime.date | None = None) -> dict[str, int]:
    """Return the version of every table written so far, by table (:data:`ANY` included): of every write,
    or with ``as_of`` of the writes that can change figures as of that date."""
    if as_of is None:
        return dict(DataVersion.objects.values_list("area", "version"))
    on_or_before = DataVersionOnDate.objects.filter(on_date__lte=as_of).values("area")
    return dict(on_or_before.annotate(newest=models.Max("version")).values_list("area", "newest"))


def _bump_on_signal(sender, action: str = "post_", *, tables: tuple[str, ...], **kwargs) -> None:
    # A many-to-many change is announced before and after it is made; count it once, when it is made.
    if action.startswith("post_"):
        bump(*tables)


def _tables_of(model: type[models.Model]) -> tuple[str, ...]:
    """Return the model's table and, when django-simple-history keeps its history, the history's table."""
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    tables = [model._meta.db_table]
    if history:
        tables.append(getattr(model, history).model._meta.db_table)
    return tuple(tables)


def track(models_: Iterable[type[models.Model]]) -> None:
    """Bump the version of the tables of ``models_`` on every save and delete and every change of their
    many-to-many relations; their history models (django-simple-history) only follow the real ones."""
    for model in models_:
        if issubclass(model, HistoricalChanges):
            continue
        uid = f"data_version:{model._meta.label}"
        on_write = partial(_bump_on_signal, tables=_tables_of(model))
        post_save.connect(on_write, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(on_write, sender=model, dispatch_uid=uid, weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                partial(_bump_on_signal, tables=(through._meta.db_table,)),
                sender=through,
                dispatch_uid=f"{uid}.{field.name}",
                weak=False,
            )


def _in_transaction() -> bool:
    """Return whether the caller is inside a transaction of its own (a test case's blocks do not count:
    they stand for the autocommit of a real request)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _key(parts: object) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    database = settings.DATABASES["default"]["NAME"]
    digest = hashlib.sha256(f"{database}\0{canonical}".encode()).hexdigest()
    return f"figures:{digest}"


@cache_once
def _table_names() -> re.Pattern:
    """Return a pattern matching the table of any model as a whole word (a raw query's name too)."""
    names = sorted((model._meta.db_table for model in apps.get_models(include_auto_created=True)), key=len)
    return re.compile(r"\b(" + "|".join(re.escape(name) for name in reversed(names)) + r")\b")


@contextmanager
def _tables_read() -> Iterator[set[str]]:
    """Yield the set of the tables named in the queries run on the connection meanwhile, as they run."""
    read: set[str] = set()

    def record(execute, sql, params, many, context):
        read.update(_table_names().findall(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield read


def cached(parts: object, compute: Callable[[], T], *, as_of: datetime.date | None = None) -> T:
    """Return what ``compute()`` returns, from the cache while the versions of the tables it read are the
    ones it was computed at. ``parts`` (JSON-ready) say what is computed: a kind and every parameter, dates
    resolved.

    A hit costs one query, the versions. A miss computes in one transaction that reads the versions
    first: on PostgreSQL at REPEATABLE READ, on SQLite by its nature, the versions and every query of
    ``compute`` see one snapshot, so what is stored is exactly the figures of those versions even when a
    write commits meanwhile (that write raised a version, and the next reader computes afresh).
    Inside a caller's transaction nothing is read from the cache or stored: that transaction may hold
    writes of its own, not yet committed and perhaps never.

    With ``as_of``, the figures are as of that date: only a write that can change figures on or before it
    computes them afresh (:func:`changes_from`).
    """
    return cached_each([(parts, compute)], as_of=as_of)[0]


def cached_each(
    computations: list[tuple[object, Callable[[], T]]], *, as_of: datetime.date | None = None
) -> list[T]:
    """Return what each ``compute()`` of ``computations`` (``parts``, ``compute``) returns, as :func:`cached`
    does, each cached on its own: a write to a table one of them read leaves the others in the cache. The
    hits cost one query together, the versions; the misses are computed in one transaction."""
    if _in_transaction():
        return [compute() for _parts, compute in computations]
    keys = [_key(parts if as_of is None else [parts, as_of]) for parts, _compute in computations]
    hits = cache.get_many(keys)
    # Read with or without an entry, so that a computation costs as many queries the first time as later.
    now = _versions(as_of)
    values = {key: hit["value"] for key, hit in hits.items() if _current(hit, now)}
    missed = [
        (key, compute) for key, (_parts, compute) in zip(keys, computations, strict=True) if key not in values
    ]
    if missed:
        values |= _computed_once(missed, now, as_of)
    return [values[key] for key in keys]


def query_parts(kind: str, rows: models.QuerySet) -> tuple:
    """Return the ``parts`` of :func:`cached` for ``kind`` computed over ``rows``: the rows' SQL and its
    parameters, which name every filter, the user's scope among them."""
    sql, params = rows.query.sql_with_params()
    return (kind, sql, list(params))


def cached_count(rows: models.QuerySet) -> int:
    """Return how many ``rows`` there are through :func:`cached`: a long list's count reads every row, and
    is kept until a table it reads is written. Only for rows of tables the apps :func:`track`; a write to
    another table raises no version."""
    counted = rows.order_by().values("pk")
    return cached(query_parts("count", counted), counted.count)


class CachedCountPaginator(Paginator):
    """Django's paginator with the count of a queryset kept by :func:`cached_count`."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, models.QuerySet):
            return cached_count(self.object_list)
        return super().count


def _current(hit: dict, versions: dict[str, int]) -> bool:
    return all(versions.get(area, 0) == version for area, version in hit["versions"].items())


def _computed_once(
    missed: list[tuple[str, Callable[[], T]]], now: dict[str, int], as_of: datetime.date | None
) -> dict[str, T]:
    """Compute each of ``missed`` (key, compute) that no other process is computing, and wait for the
    entries of the others rather than compute the same figures twice at once: after a write, every
    request for the figures it changed would otherwise compute them together, each slower for the others.

    A waiter takes an entry only if it was computed at the versions ``now`` it read itself, as a hit
    would; when the other process stops without one (it failed, or computed newer versions) or takes
    longer than :data:`COMPUTING_WAIT_SECONDS`, it computes them itself.
    """
    mine = [
        (key, compute) for key, compute in missed if cache.add(_computing(key), True, COMPUTING_WAIT_SECONDS)
    ]
    try:
        values = _computed(mine, as_of) if mine else {}
    finally:
        cache.delete_many([_computing(key) for key, _compute in mine])
    waiting = [(key, compute) for key, compute in missed if key not in values]
    deadline = time.monotonic() + COMPUTING_WAIT_SECONDS
    while waiting and time.monotonic() < deadline:
        time.sleep(LOOK_EVERY_SECONDS)
        found = cache.get_many([name for key, _compute in waiting for name in (key, _computing(key))])
        for key, _compute in waiting:
            if key in found and _current(found[key], now):
                values[key] = found[key]["value"]
        waiting = [
            (key, compute) for key, compute in waiting if key not in values and _computing(key) in found
        ]
    left = [(key, compute) for key, compute in missed if key not in values]
    return values | (_computed(left, as_of) if left else {})


def _computing(key: str) -> str:
    """Return the cache key that says another process is computing ``key``."""
    return f"{key}:computing"


def _computed(missed: list[tuple[str, Callable[[], T]]], as_of: datetime.date | None) -> dict[str, T]:
    """Compute and store each of ``missed`` (key, compute) with the versions (as of ``as_of``) of the tables
    it read, in one snapshot."""
    values, stored = {}, {}
    opening = not connection.in_atomic_block  # in a test case, its transaction is open already
    with transaction.atomic():
        if opening and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        versions = _versions(as_of)
        for key, compute in missed:
            with _tables_read() as read:
                values[key] = compute()
            depends = {ANY, *read} - set(VERSION_TABLES)
            stored[key] = {
                "versions": {area: versions.get(area, 0) for area in depends},
                "value": values[key],
            }
    cache.set_many(stored, FIGURE_CACHE_TIMEOUT)
    return values
