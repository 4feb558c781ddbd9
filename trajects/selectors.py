from django.db.models import Count, F, Q, QuerySet

from participants.models import APPROVED_STATUSES
from trajects.models import CapacityPeriod


def capacity_periods_with_use() -> QuerySet[CapacityPeriod]:
    """Capacity periods with ``taken`` and ``free`` places, counted in the database."""
    return (
        CapacityPeriod.objects.select_related("traject")
        .annotate(taken=Count("applications", filter=Q(applications__status__in=APPROVED_STATUSES)))
        .annotate(free=F("places") - F("taken"))
    )
