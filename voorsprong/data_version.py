"""The version of the data the figures are computed from, and the cache of figures keyed on it.

Every write that can change a figure bumps one number (:class:`voorsprong.models.DataVersion`) in the
writer's own transaction: the new version becomes visible exactly when the write does, and a write that
is rolled back leaves the version as it was. :func:`cached` keys what it stores on that number, so a
reader asks the database one cheap question (the version) and serves the stored figures only while no
write has committed since they were computed; the cabinet never sees stale figures.

Who bumps:

- the models an app hands to :func:`track` (in its ``AppConfig.ready``): every ``save``, ``delete`` and
  change of a many-to-many relation of theirs, through Django's signals;
- every write those signals do not see (``QuerySet.update``, ``bulk_create``, ``bulk_update``, raw SQL)
  calls :func:`bump` itself, in its transaction; tests/test_figure_cache.py walks the code for them.

The number grows by one at least, and never stays below the clock in microseconds: a database restored
from a backup goes on with versions it never had before, so a figure cached before the restore under
the same number cannot be served for different data.

The row is locked by the bump until the writer commits, so writers that change figures commit one at a
time; services lock the rows they need before they write, which keeps that lock the last one taken.
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

from voorsprong.models import DataVersion

T = TypeVar("T")

# A day: versions only grow, so an entry under an old version is never read again and only waits to expire.
FIGURE_CACHE_TIMEOUT = 24 * 60 * 60

_GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}


def bump() -> None:
    """Raise the data version in the current transaction (one statement; the row is made if missing)."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    greatest = _GREATEST[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, version) VALUES (1, %s) "
            f"ON CONFLICT (id) DO UPDATE SET version = {greatest}({table}.version + 1, excluded.version)",
            [time.time_ns() // 1000],
        )


def current() -> int:
    """Return the data version as the current transaction sees it (0 before the first write)."""
    return DataVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _bump_on_signal(sender, action: str = "post_", **kwargs) -> None:
    # A many-to-many change is announced before and after it is made; count it once, when it is made.
    if action.startswith("post_"):
        bump()


def track(models_: Iterable[type[models.Model]]) -> None:
    """Bump the data version on every save and delete of ``models_`` and every change of their
    many-to-many relations; their history models (django-simple-history) only follow the real ones."""
    for model in models_:
        if issubclass(model, HistoricalChanges):
            continue
        uid = f"data_version:{model._meta.label}"
        post_save.connect(_bump_on_signal, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_bump_on_signal, sender=model, dispatch_uid=uid, weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _bump_on_signal, sender=through, dispatch_uid=f"{uid}.{field.name}", weak=False
            )


def _in_transaction() -> bool:
    """Return whether the caller is inside a transaction of its own (a test case's blocks do not count:
    they stand for the autocommit of a real request)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _key(parts: object, version: int) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    database = settings.DATABASES["default"]["NAME"]
    digest = hashlib.sha256(f"{database}\0{canonical}".encode()).hexdigest()
    return f"figures:{version}:{digest}"


def cached(parts: object, compute: Callable[[], T]) -> T:
    """Return what ``compute()`` returns, from the cache while the data version is the one it was
    computed at. ``parts`` (JSON-ready) say what is computed: a kind and every parameter, dates resolved.

    A hit costs one query, the version. A miss computes in one transaction that reads the version
    first: on PostgreSQL at REPEATABLE READ, on SQLite by its nature, the version and every query of
    ``compute`` see one snapshot, so what is stored is exactly the figures of that version even when a
    write commits meanwhile (that write raised the version, and the next reader computes afresh).
    Inside a caller's transaction nothing is read from the cache or stored: that transaction may hold
    writes of its own, not yet committed and perhaps never.
    """
    if _in_transaction():
        return compute()
    hit = cache.get(_key(parts, current()))
    if hit is not None:
        return hit
    opening = not connection.in_atomic_block  # in a test case, its transaction is open already
    with transaction.atomic():
        if opening and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        version = current()
        value = compute()
    cache.set(_key(parts, version), value, FIGURE_CACHE_TIMEOUT)
    return value
