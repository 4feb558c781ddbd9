"""The forms of the promoters' portal; the rules themselves live in the workflow services."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from participants.models import Application, ApplicationStatus, CoachingSession, Milestone
from participants.selectors import COACHING_STATUSES, coaching_trajects
from voorsprong.services import WorkflowRefusal


def _label(model, field: str):
    """Return the model's own (translated) name of a field, so the portal and the admin speak alike."""
    return capfirst(model._meta.get_field(field).verbose_name)


class RefusalErrors:
    """Shows a service's refusal where it belongs: at the input it is about, otherwise for the page."""

    def add_refusal(self, refusal: WorkflowRefusal) -> None:
        self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)


class CoachingFilterForm(forms.Form):
    traject = forms.ModelChoiceField(
        queryset=None, required=False, label=_label(Application, "traject"), empty_label=_("All trajects")
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *((status.value, status.label) for status in COACHING_STATUSES)],
        required=False,
        label=_label(Application, "status"),
    )
    search = forms.CharField(required=False, label=_("Company or KBO number"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["traject"].queryset = coaching_trajects(user)


class SessionForm(RefusalErrors, forms.Form):
    date = forms.DateField(
        label=_label(CoachingSession, "date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hours = forms.DecimalField(label=_label(CoachingSession, "hours"), max_digits=4, decimal_places=2)
    kind = forms.ChoiceField(label=_("Phase"), choices=Milestone.choices)
    employees_reached = forms.IntegerField(
        label=_label(CoachingSession, "employees_reached"),
        min_value=0,
        # The largest number PostgreSQL's integer column holds; above it SQLite overflows.
        max_value=2_147_483_647,
        initial=0,
    )
    notes = forms.CharField(
        label=_label(CoachingSession, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(RefusalErrors, forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (status.value, status.label)
            for status in (ApplicationStatus.COMPLETED, ApplicationStatus.STOPPED)
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Why does the trajectory stop?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == ApplicationStatus.STOPPED and not cleaned.get("reason"):
            self.add_error("reason", _("Give the reason why the trajectory stops."))
        return cleaned
