"""The company's learning situation as a form: the same closed questions at intake (the promoter or the
sector consultant logs them) and at closing (the company answers them), so the change is measured on one
scale. The rules are the service's (``situation_refusals``); the form gives the answers their shape."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.forms import PortalForm, RefusalErrors
from participants.models import Barrier, LearningForm, LearningSituation
from participants.services.outcomes import SituationAnswers, situation_refusals

# "True"/"False" as the values, so a situation's booleans fill the radios as the initial answer.
_YES_NO = [("True", _("Yes")), ("False", _("No"))]


def _yes_no(label):
    message = _("Answer yes or no.")
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


# The answers a situation keeps as they are; barriers and learning forms are one boolean per choice.
_ANSWER_FIELDS = (
    "main_barrier",
    "has_training_policy",
    "has_learning_jobs",
    "headcount",
    "low_skilled",
    "aged_55_plus",
)


def _count(label, help_text=""):
    return forms.IntegerField(label=label, help_text=help_text, min_value=0)


class SituationForm(PortalForm, RefusalErrors, forms.Form):
    barriers = forms.MultipleChoiceField(
        label=_("Which barriers to learning does the company meet?"),
        choices=Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none if the company meets none."),
    )
    main_barrier = forms.ChoiceField(
        label=_("Which of these barriers weighs most?"),
        choices=[("", "---------"), *Barrier.choices],
        required=False,
        help_text=_("Only when a barrier is ticked."),
    )
    has_training_policy = _yes_no(_("Does the company have a training policy?"))
    has_learning_jobs = _yes_no(_("Does the company have learning jobs?"))
    headcount = _count(_("Staff headcount"), _("Employees, in persons; numbers only, no names."))
    low_skilled = _count(_("Of whom low-skilled"))
    aged_55_plus = _count(_("Of whom aged 55 or over"))
    learning_forms = forms.MultipleChoiceField(
        label=_("Which forms of learning does the company already use?"),
        choices=LearningForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @staticmethod
    def initial_of(situation: LearningSituation | None) -> dict:
        """Return the form's initial answers from a recorded situation (none: an empty form)."""
        if situation is None:
            return {}
        return {
            **{name: getattr(situation, name) for name in _ANSWER_FIELDS},
            "barriers": situation.barriers,
            "learning_forms": situation.learning_forms,
        }

    def answers(self) -> SituationAnswers:
        """Return the cleaned answers as the services take them."""
        data = self.cleaned_data
        return SituationAnswers(
            has_training_policy=data.get("has_training_policy"),
            has_learning_jobs=data.get("has_learning_jobs"),
            headcount=data.get("headcount"),
            low_skilled=data.get("low_skilled"),
            aged_55_plus=data.get("aged_55_plus"),
            barriers=data.get("barriers") or [],
            main_barrier=data.get("main_barrier") or "",
            learning_forms=data.get("learning_forms") or [],
        )

    def clean(self):
        cleaned = super().clean()
        # Every refusal at once, next to its field; a field with an error of its own keeps that one.
        for refusal in situation_refusals(self.answers()):
            if refusal.field not in self.errors:
                self.add_refusal(refusal)
        return cleaned
