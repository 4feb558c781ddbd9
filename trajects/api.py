from rest_framework import viewsets

from trajects.filters import TrajectFilter
from trajects.models import Traject
from trajects.serializers import TrajectSerializer
from voorsprong.api import ModelPermissions


class TrajectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Traject.objects.all()
    serializer_class = TrajectSerializer
    permission_classes = [ModelPermissions]
    filterset_class = TrajectFilter
    ordering_fields = ["code", "name", "start_date"]
    ordering = ["start_date", "code"]
