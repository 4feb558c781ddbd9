import django_filters
from django.utils.translation import gettext_lazy as _

from trajects.models import CapacityPeriod, Traject


class TrajectFilter(django_filters.FilterSet):
    class Meta:
        model = Traject
        fields = ["code"]


class CapacityPeriodFilter(django_filters.FilterSet):
    traject = django_filters.CharFilter(field_name="traject__code", label=_("Traject code"))

    class Meta:
        model = CapacityPeriod
        fields = ["traject"]
