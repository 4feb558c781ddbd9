from django import forms
from django.utils.translation import gettext_lazy as _

from participants.services.evaluations import SCORES

_SCORE_CHOICES = [(score, str(score)) for score in SCORES]


def _score_field(label):
    # The service's own wording, also for a missing score: either way the user must pick one of five.
    message = _("Choose a score from 1 to 5.")
    return forms.TypedChoiceField(
        label=label,
        choices=_SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class EvaluationForm(forms.Form):
    """The company's answers; the service checks them again, the form only gives them their shape."""

    usefulness = _score_field(_("How useful was the trajectory for your company?"))
    coach_quality = _score_field(_("How do you rate the quality of the coach?"))
    learning_culture_effect = _score_field(_("How much did the trajectory strengthen the learning culture?"))
    would_recommend = _score_field(_("Would you recommend the trajectory to other companies?"))
    recommendations = forms.CharField(
        label=_("Recommendations"),
        help_text=_("What went well, what could be better? Optional."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
