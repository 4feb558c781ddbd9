from rest_framework import mixins, viewsets

from trajects.filters import CapacityPeriodFilter, TrajectFilter
from trajects.models import Traject
from trajects.selectors import capacity_periods_with_use
from trajects.serializers import CapacityPeriodSerializer, TrajectSerializer
from voorsprong.api import ModelPermissions, StrictBodyMixin


class TrajectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Traject.objects.all()
    serializer_class = TrajectSerializer
    permission_classes = [ModelPermissions]
    filterset_class = TrajectFilter
    ordering_fields = ["code", "name", "start_date"]
    ordering = ["start_date", "code"]


class CapacityPeriodViewSet(
    StrictBodyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CapacityPeriodSerializer
    permission_classes = [ModelPermissions]
    filterset_class = CapacityPeriodFilter
    ordering_fields = ["start", "end", "places"]
    ordering = ["traject__code", "start"]

    def get_queryset(self):
        return capacity_periods_with_use().order_by(*self.ordering)

    def perform_create(self, serializer):
        serializer.save()
        # Answer with the derived taken/free counts, which only the annotated queryset has.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    perform_update = perform_create
