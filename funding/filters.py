import django_filters
from django.utils.translation import gettext_lazy as _

from funding.models import BudgetOverride, Declaration
from participants.models import Application
from trajects.filters import traject_filter


def application_filter() -> django_filters.ModelChoiceFilter:
    """Return the filter on an application by its id: an unknown one answers 400 naming it."""
    return django_filters.ModelChoiceFilter(
        queryset=Application.objects.all(),
        error_messages={"invalid_choice": _("Unknown application: %(value)s.")},
    )


class DeclarationFilter(django_filters.FilterSet):
    application = application_filter()
    traject = traject_filter("application__traject")

    class Meta:
        model = Declaration
        # A status, an application's id and a traject's code, each checked (a wrong one answers 400).
        fields = ["status", "application", "traject"]


class BudgetOverrideFilter(django_filters.FilterSet):
    application = application_filter()
    traject = traject_filter("application__traject")

    class Meta:
        model = BudgetOverride
        fields = ["status", "application", "traject"]
