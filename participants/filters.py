import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.geography import Province
from participants.kbo import kbo_search_term, normalise_kbo_number
from participants.models import Application, ApplicationStatus, Company, Referral
from participants.selectors import latest_approvals_as_of
from trajects.filters import traject_filter
from trajects.models import Project
from trajects.size_classes import SizeClass
from voorsprong.api import DayFilter, StrictBooleanFilter


class CompanyFilter(django_filters.FilterSet):
    size_class = django_filters.ChoiceFilter(choices=SizeClass.choices)
    province = django_filters.ChoiceFilter(choices=Province.choices)
    nace = django_filters.CharFilter(
        field_name="nace_code", lookup_expr="startswith", label=_("NACE code (or its first digits)")
    )
    kbo_number = django_filters.CharFilter(method="filter_kbo_number", label=_("KBO number"))
    search = django_filters.CharFilter(method="filter_search", label=_("Name, KBO number or municipality"))

    class Meta:
        model = Company
        fields = ["size_class", "province", "nace", "kbo_number", "search"]

    def filter_kbo_number(self, queryset, name, value):
        # Any printed notation finds the company; a number that cannot be valid finds none.
        try:
            return queryset.filter(kbo_number=normalise_kbo_number(value))
        except ValidationError:
            return queryset.none()

    def filter_search(self, queryset, name, value):
        term = kbo_search_term(value)
        if term.isdigit():
            return queryset.filter(kbo_number__contains=term)
        return queryset.filter(Q(name__icontains=term) | Q(municipality__icontains=term))


class ApplicationFilter(django_filters.FilterSet):
    traject = traject_filter()
    # A status is a column of the row itself: no join, so no DISTINCT (which would defeat the indexes).
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, distinct=False)
    size_class = django_filters.ChoiceFilter(field_name="company__size_class", choices=SizeClass.choices)
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.all(), error_messages={"invalid_choice": _("Unknown project: %(value)s.")}
    )
    decided_after = DayFilter(field_name="decided_on", lookup_expr="gte")
    decided_before = DayFilter(field_name="decided_on", lookup_expr="lte")
    approved_as_of = DayFilter(
        method="filter_approved_as_of",
        label=_(
            "The applications the statistics count as approved on this date (YYYY-MM-DD): per company and "
            "traject the latest approved by then, also if it was started, completed, stopped or withdrawn "
            "later."
        ),
    )

    class Meta:
        model = Application
        fields = [
            "traject",
            "status",
            "size_class",
            "project",
            "decided_after",
            "decided_before",
            "approved_as_of",
        ]

    def filter_approved_as_of(self, queryset, name, day):
        return queryset.filter(pk__in=latest_approvals_as_of(day).values("pk"))


class ReferralFilter(django_filters.FilterSet):
    traject = traject_filter()
    follow_progress = StrictBooleanFilter(label=_("Followed by the consultant"))
    referred_after = DayFilter(field_name="referred_on", lookup_expr="gte")
    referred_before = DayFilter(field_name="referred_on", lookup_expr="lte")

    class Meta:
        model = Referral
        fields = ["traject", "follow_progress", "referred_after", "referred_before"]
