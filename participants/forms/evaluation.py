"""The forms of the questionnaires a company answers through its personal link: the closing evaluation,
the follow-up six months later and the exit questionnaire after a stop.

Each gives its answers to its service through ``submission()``; the services check them again, the forms
give them their shape and show the services' refusals at their questions.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.forms import PortalForm
from participants.forms.coaching import RefusalErrors
from participants.forms.outcomes import QuestionGroups, SituationForm, count_field, yes_no_field
from participants.models import StartAgain, StopReason
from participants.services.evaluations import SCORES
from participants.services.outcomes import count_refusals
from voorsprong.validators import validate_multi_line

_SCORE_CHOICES = [(score, str(score)) for score in SCORES]


def _score_field(label):
    # The service's own wording, also for a missing score: either way the user must pick one of five.
    message = _("Choose a score from 1 to 5.")
    return forms.TypedChoiceField(
        label=label,
        choices=_SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def _text_field(label, help_text):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_multi_line],
    )


class QuestionnaireForm(QuestionGroups, RefusalErrors, PortalForm, forms.Form):
    """A company's questionnaire: no asterisks, since every question is asked unless it says optional."""

    required_css_class = None

    def submission(self) -> dict:
        """Return the keyword arguments of the questionnaire's service."""
        return dict(self.cleaned_data)


_SCALE = _("From 1 (not at all) to 5 (very much).")
_SITUATION = SituationForm.SITUATION_GROUPS


class EvaluationForm(QuestionnaireForm, SituationForm):
    """The closing evaluation: the four scores, what the trajectory changed, who took part, the learning
    situation on the intake's questions, and what the company keeps doing."""

    usefulness = _score_field(_("How useful was the trajectory for your company?"))
    coach_quality = _score_field(_("How do you rate the quality of the coach?"))
    learning_culture_effect = _score_field(_("How much did the trajectory strengthen the learning culture?"))
    would_recommend = _score_field(_("Would you recommend the trajectory to other companies?"))
    learning_transfer = _score_field(_("Do your employees use what they learned in their work?"))
    motivation = _score_field(_("Are your employees more motivated to learn than before?"))
    staff_participated = count_field(
        _("How many different employees took part?"),
        help_text=_("Count each person once, also who attended several sessions."),
    )
    staff_low_skilled = count_field(
        _("Of whom low-skilled"), help_text=_("Without a secondary school diploma.")
    )
    staff_aged_55_plus = count_field(_("Of whom 55 or older"))
    will_keep_doing = _text_field(
        _("What will your company keep doing?"),
        _("For example a learning moment every month. Optional."),
    )
    recommendations = _text_field(_("Recommendations"), _("What went well, what could be better? Optional."))

    groups = (
        (
            _("The trajectory"),
            _SCALE,
            ("usefulness", "coach_quality", "learning_culture_effect", "would_recommend"),
        ),
        (_("What it changed"), _SCALE, ("learning_transfer", "motivation")),
        (
            _("Who took part"),
            _("Numbers only, no names."),
            ("staff_participated", "staff_low_skilled", "staff_aged_55_plus"),
        ),
        # The situation as at the start; said once, above its first group.
        (
            _SITUATION[0][0],
            _("The same questions as at the start, so that we see what changed."),
            _SITUATION[0][2],
        ),
        *_SITUATION[1:],
        (_("To finish"), "", ("will_keep_doing", "recommendations")),
    )

    def refusals(self):
        cleaned = self.cleaned_data
        groups = {name: cleaned.get(name) for name in ("staff_low_skilled", "staff_aged_55_plus")}
        return super().refusals() + count_refusals(
            cleaned.get("staff_participated"), groups, "staff_participated"
        )

    def submission(self) -> dict:
        situation_fields = set(SituationForm.base_fields)
        answers = {name: value for name, value in self.cleaned_data.items() if name not in situation_fields}
        return {**answers, "situation": self.answers()}


class FollowUpForm(QuestionnaireForm):
    """Six months after completion: did the learning last?"""

    training_policy_applied = yes_no_field(_("Does your company apply a training policy (VTO policy) today?"))
    learning_continued = yes_no_field(_("Did your employees go on learning after the trajectory?"))
    employees_learned = count_field(
        _("How many different employees learned something in the last six months?"),
        help_text=_("A course, a workshop or learning on the job: count each person once."),
    )

    groups = (
        (
            _("Six months later"),
            "",
            ("training_policy_applied", "learning_continued", "employees_learned"),
        ),
    )


class ExitForm(QuestionnaireForm):
    """After a stop: why, in the company's own view, and would it start again."""

    main_reason = forms.ChoiceField(
        label=_("What was the main reason to stop?"),
        choices=StopReason.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        error_messages={"required": _("Choose why the trajectory stopped.")},
    )
    would_start_again = forms.ChoiceField(
        label=_("Would you start a trajectory again later?"),
        choices=StartAgain.choices,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"required": _("Choose yes, maybe or no.")},
    )
    what_would_have_helped = _text_field(_("What would have helped you to go on?"), _("Optional."))

    groups = ((_("Why it stopped"), "", ("main_reason", "would_start_again", "what_would_have_helped")),)
