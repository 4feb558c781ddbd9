from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from trajects.models import CapacityPeriod, CommunicationAction, Organisation, Partnership, Project, Traject
from trajects.size_classes import SizeClass


class TrajectForm(forms.ModelForm):
    allowed_size_classes = forms.MultipleChoiceField(
        label=_("allowed size classes"),
        choices=SizeClass.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A traject open to every company ticks Unknown too; an SME-only traject leaves it off and "
            "refuses a company until its SME status is declared."
        ),
    )

    class Meta:
        model = Traject
        fields = ("code", "name", "start_date", "allowed_size_classes", "description")


class CapacityPeriodInline(admin.TabularInline):
    """The traject's periods, to read: places are changed on the period's own page, where the places
    already taken are checked (``participants.admin.CapacityPeriodAdmin``)."""

    model = CapacityPeriod
    fields = readonly_fields = ("start", "end", "places")
    extra = max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Traject)
class TrajectAdmin(SimpleHistoryAdmin):
    form = TrajectForm
    list_display = ("name", "code", "start_date")
    search_fields = ("name", "code")
    inlines = [CapacityPeriodInline]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "kind", "website")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ("name", "traject")
    list_filter = ("traject",)
    list_select_related = ("traject",)
    search_fields = ("name", "organisations__name")
    filter_horizontal = ("organisations",)


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("name", "traject", "partnership", "organisation_names")
    list_filter = ("traject", "partnership")
    list_select_related = ("traject", "partnership")
    search_fields = ("name", "organisations__name")
    filter_horizontal = ("organisations",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations")

    @admin.display(description=_("organisations"))
    def organisation_names(self, project):
        return ", ".join(organisation.name for organisation in project.organisations.all())


@admin.register(CommunicationAction)
class CommunicationActionAdmin(SimpleHistoryAdmin):
    list_display = ("date", "campaign", "channel", "description", "announced_on")
    list_filter = ("channel", "campaign", "trajects")
    search_fields = ("campaign", "description")
    date_hierarchy = "date"
    filter_horizontal = ("trajects",)
