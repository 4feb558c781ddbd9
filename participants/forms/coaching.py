"""The forms of the promoters' portal; the rules themselves live in the workflow services."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from participants import services
from participants.forms import PortalForm, RefusalErrors
from participants.models import Application, ApplicationStatus, CoachingSession, Milestone, StopReason
from participants.selectors import COACHING_STATUSES, coaching_trajects
from voorsprong.validators import REASON_MAX_LENGTH, validate_day, validate_multi_line


def _label(model, field: str):
    """Return the model's own (translated) name of a field, so the portal and the admin speak alike."""
    return capfirst(model._meta.get_field(field).verbose_name)


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


class SessionForm(PortalForm, RefusalErrors, forms.Form):
    date = forms.DateField(
        label=_label(CoachingSession, "date"),
        validators=[validate_day],
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hours = forms.DecimalField(label=_label(CoachingSession, "hours"), max_digits=4, decimal_places=2)
    kind = forms.ChoiceField(label=_("Phase"), choices=Milestone.choices)
    employees_present = forms.IntegerField(
        label=_label(CoachingSession, "employees_present"),
        min_value=0,
        # The largest number PostgreSQL's integer column holds; above it SQLite overflows.
        max_value=2_147_483_647,
        initial=0,
    )
    notes = forms.CharField(
        label=_label(CoachingSession, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multi_line],
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def clean(self):
        cleaned = super().clean()
        # Every refusal of the values at once, next to the errors of the fields, not one per try.
        for refusal in services.session_refusals(
            self.application, date=cleaned.get("date"), hours=cleaned.get("hours"), kind=cleaned.get("kind")
        ):
            self.add_refusal(refusal)
        return cleaned


STAFF_REACHED_FIELDS = ("staff_reached", "staff_reached_low_skilled", "staff_reached_aged_55_plus")


def _staff_count(label, help_text=""):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        required=False,
        error_messages={"required": _("Give the number of employees, 0 if none.")},
    )


class CloseForm(PortalForm, RefusalErrors, forms.Form):
    outcome = forms.ChoiceField(
        label=_("How does the trajectory end?"),
        choices=[
            (ApplicationStatus.COMPLETED.value, _("Completed: all coaching is done")),
            (ApplicationStatus.STOPPED.value, _("Stopped before the end")),
        ],
        widget=forms.RadioSelect,
    )
    stop_reason = forms.ChoiceField(
        label=_("Why does the trajectory stop?"),
        choices=[("", "---------"), *StopReason.choices],
        required=False,
        help_text=_("Only when the trajectory stops."),
    )
    reason = forms.CharField(
        label=_("Explanation"),
        max_length=REASON_MAX_LENGTH,
        validators=[validate_multi_line],
        required=False,
        help_text=_("Required with the reason “Other”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The distinct employees the trajectory reached, each counted once: asked when completing.
    staff_reached = _staff_count(
        _label(Application, "staff_reached"),
        _("Distinct employees who took part in the trajectory, each counted once."),
    )
    staff_reached_low_skilled = _staff_count(_label(Application, "staff_reached_low_skilled"))
    staff_reached_aged_55_plus = _staff_count(_label(Application, "staff_reached_aged_55_plus"))
    # Closing is final: no session can be logged afterwards, so it is never one click.
    confirm = forms.BooleanField(
        label=_("I confirm the closing: afterwards no session can be logged."),
        error_messages={"required": _("Tick the box to confirm that the trajectory is closed.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service also takes no count at all (an API client may leave it to the company's evaluation);
        # the promoter who completes here knows it, so the portal asks it whenever the trajectory completes.
        outcome = self.data.get("outcome") if self.is_bound else self.initial.get("outcome")
        self._completing = outcome == ApplicationStatus.COMPLETED
        for name in STAFF_REACHED_FIELDS:
            self.fields[name].required = self._completing

    def clean(self):
        cleaned = super().clean()
        # An unknown code already has its field's error.
        if cleaned.get("outcome") == ApplicationStatus.STOPPED and "stop_reason" not in self.errors:
            # Every refusal of the stop's reason at once, next to the errors of the fields.
            for refusal in services.stop_refusals(cleaned.get("stop_reason"), cleaned.get("reason")):
                self.add_refusal(refusal)
        counts = [cleaned.get(name) for name in STAFF_REACHED_FIELDS]
        if self._completing and None not in counts:
            for refusal in services.staff_reached_refusals(*counts):
                self.add_refusal(refusal)
        return cleaned

    def staff_counts(self) -> dict[str, int | None]:
        """Return the staff counts as ``complete_application`` takes them."""
        return {name: self.cleaned_data.get(name) for name in STAFF_REACHED_FIELDS}
