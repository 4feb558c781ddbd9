import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, viewsets

from trajects.models import CapacityPeriod, Traject
from trajects.selectors import capacity_periods_with_use
from trajects.serializers import CapacityPeriodSerializer, TrajectSerializer
from voorsprong.api import ModelPermissions, StrictBodyMixin


class CapacityPeriodFilter(django_filters.FilterSet):
    traject = django_filters.CharFilter(field_name="traject__code", label=_("Traject code"))

    class Meta:
        model = CapacityPeriod
        fields = ["traject"]


class TrajectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Traject.objects.all()
    serializer_class = TrajectSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["code"]


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

    def get_queryset(self):
        return capacity_periods_with_use().order_by("traject__code", "start")

    def perform_create(self, serializer):
        serializer.save()
        # Answer with the derived taken/free counts, which only the annotated queryset has.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    perform_update = perform_create
