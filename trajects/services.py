"""Creating capacity periods and changing their places."""

import datetime

from django.db import transaction

from trajects.models import CapacityPeriod, Traject
from voorsprong.models import User
from voorsprong.services import save_as


@transaction.atomic
def create_capacity_period(
    *, traject: Traject, start: datetime.date, end: datetime.date, places: int, by: User
) -> CapacityPeriod:
    # Locking the traject serialises concurrent creations, so two overlapping periods cannot both pass.
    Traject.objects.select_for_update().get(pk=traject.pk)
    return save_as(CapacityPeriod(traject=traject, start=start, end=end, places=places), by, validate=True)


@transaction.atomic
def change_capacity_places(period: CapacityPeriod, *, places: int, by: User) -> CapacityPeriod:
    """Never below the places taken: the lock is the one approvals take, so none slips in meanwhile."""
    period = CapacityPeriod.objects.select_for_update().get(pk=period.pk)
    period.places = places
    return save_as(period, by, validate=True)
