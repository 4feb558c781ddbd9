import django_filters
from django.utils.translation import gettext_lazy as _

from trajects.models import CapacityPeriod, Traject


def traject_filter(field_name: str = "traject", **kwargs) -> django_filters.ModelChoiceFilter:
    """Return the filter on a traject by its code (``?traject=leren``): an unknown code answers 400 naming
    it. The traject is read only when the filter is given."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Traject.objects.all(),
        to_field_name="code",
        label=_("Traject code"),
        error_messages={"invalid_choice": _("Unknown traject: %(value)s.")},
        **kwargs,
    )


class TrajectFilter(django_filters.FilterSet):
    code = traject_filter("code", method="filter_code")

    class Meta:
        model = Traject
        fields = ["code"]

    def filter_code(self, queryset, name, value: Traject):
        return queryset.filter(pk=value.pk)


class CapacityPeriodFilter(django_filters.FilterSet):
    traject = traject_filter()

    class Meta:
        model = CapacityPeriod
        fields = ["traject"]
