import django_filters
from django.utils.translation import gettext_lazy as _

from funding.models import BudgetOverride, Declaration


class DeclarationFilter(django_filters.FilterSet):
    traject = django_filters.CharFilter(field_name="application__traject__code", label=_("Traject code"))

    class Meta:
        model = Declaration
        # As before: an application's id and a status, each checked (a wrong one answers 400).
        fields = ["status", "application", "traject"]


class BudgetOverrideFilter(django_filters.FilterSet):
    traject = django_filters.CharFilter(field_name="application__traject__code", label=_("Traject code"))

    class Meta:
        model = BudgetOverride
        fields = ["status", "application", "traject"]
