"""Capacity periods: creating them, changing their places, and taking a place at an approval.

The places of a period are held by applications, so the rules that count them live here, beside the
applications, and not in ``trajects``, which knows the periods but not who holds their places.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from participants.selectors import taken_places
from trajects.models import CapacityPeriod, Traject
from voorsprong.formats import long_date
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal, require_role, save_as


@transaction.atomic
def create_capacity_period(
    *, traject: Traject, start: datetime.date, end: datetime.date, places: int, by: User
) -> CapacityPeriod:
    """Create a period of ``places`` places; refuse one that overlaps another period of the traject."""
    require_role(by, Role.OFFICER)
    # Locking the traject serialises concurrent creations, so two overlapping periods cannot both pass.
    Traject.objects.select_for_update().get(pk=traject.pk)
    return save_as(CapacityPeriod(traject=traject, start=start, end=end, places=places), by, validate=True)


@transaction.atomic
def change_capacity_places(period: CapacityPeriod, *, places: int, by: User) -> CapacityPeriod:
    """Change a period's places, never below the places taken.

    The lock is the one approvals take (``take_place``), so no approval slips in meanwhile.
    """
    require_role(by, Role.OFFICER)
    period = CapacityPeriod.objects.select_for_update().get(pk=period.pk)
    taken = taken_places(period)
    if places < taken:
        raise WorkflowRefusal(
            _("%(taken)s places of this period are already taken; it cannot have fewer.") % {"taken": taken},
            "places_taken",
            "places",
        )
    period.places = places
    return save_as(period, by, validate=True)


def _period_of(traject: Traject, day: datetime.date, *, lock: bool) -> CapacityPeriod | None:
    periods = CapacityPeriod.objects.filter(traject=traject, start__lte=day, end__gte=day)
    return (periods.select_for_update() if lock else periods).first()


def _no_free_place(
    traject: Traject, day: datetime.date, period: CapacityPeriod | None
) -> WorkflowRefusal | None:
    """Return why ``period`` (the traject's period of ``day``, or None) has no free place, or None."""
    if period is None:
        return WorkflowRefusal(
            _("%(traject)s has no capacity period that contains %(day)s.")
            % {"traject": traject.name, "day": long_date(day)},
            "no_free_place",
        )
    if taken_places(period) >= period.places:
        return WorkflowRefusal(
            _("The period %(start)s – %(end)s has %(places)s places and all are taken.")
            % {
                "start": long_date(period.start),
                "end": long_date(period.end),
                "places": period.places,
            },
            "no_free_place",
        )
    return None


def free_place_refusal(traject: Traject, day: datetime.date) -> WorkflowRefusal | None:
    """Return why the traject has no free place on ``day``, or None when it has one.

    Only reads, without a lock (the pre-check): an approval meanwhile may still take the last place.
    """
    return _no_free_place(traject, day, _period_of(traject, day, lock=False))


def take_place(traject: Traject, day: datetime.date) -> CapacityPeriod:
    """Lock the capacity period of ``day`` and refuse when all its places are taken.

    The row lock (PostgreSQL) or the immediate write lock (SQLite) makes concurrent approvals wait
    for each other, so the count cannot go stale before this transaction commits.
    """
    period = _period_of(traject, day, lock=True)
    refusal = _no_free_place(traject, day, period)
    if refusal is not None:
        raise refusal
    return period
