"""The questions of a company's learning situation, asked at intake (the promoter's or the sector
consultant's baseline) and again at closing (the company's own evaluation), so both give the same
``SituationAnswers``.

``SituationForm`` is a form of its own and the base of a form that asks more: its fields are named after
the attributes of ``SituationAnswers``, so a refusal of ``situation_refusals`` or ``record_baseline``
lands at its question. The service decides; the form gives the answers their shape and shows every
refusal at once, next to the errors of the fields themselves.
"""

from typing import NamedTuple

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from participants.forms import PortalForm, RefusalErrors
from participants.models import Barrier, LearningForm, LearningSituation
from participants.services.outcomes import MAX_HEADCOUNT, SituationAnswers, situation_refusals
from voorsprong.services import WorkflowRefusal

_YES, _NO = "yes", "no"


def yes_no_field(label, help_text=""):
    """Return a required yes-or-no question answered with two radio buttons side by side; cleaned to a
    bool."""
    message = _("Answer yes or no.")  # the service's own wording
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(_YES, _("Yes")), (_NO, _("No"))],
        coerce=lambda value: value == _YES,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def yes_no_initial(value: bool | None) -> str | None:
    """Return the radio value of a stored yes-or-no answer."""
    return None if value is None else (_YES if value else _NO)


def count_field(label, help_text=""):
    """Return a required number of employees; the service decides which numbers it takes, so a negative or
    too large number gets the service's own message at the field."""
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_HEADCOUNT, "inputmode": "numeric"}),
    )


def _choices_field(label, choices, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )


class Fieldset(NamedTuple):
    """A group of questions under one legend, as ``participants/includes/fieldsets.html`` shows it."""

    legend: str
    intro: str
    fields: list[BoundField]


class QuestionGroups:
    """Groups a form's questions in fieldsets: ``groups`` lists (legend, intro, field names)."""

    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def fieldsets(self) -> list[Fieldset]:
        """Return the form's fieldsets with their bound fields, in the order of ``groups``."""
        return [
            Fieldset(legend, intro, [self[name] for name in names]) for legend, intro, names in self.groups
        ]


class SituationForm(QuestionGroups, RefusalErrors, PortalForm, forms.Form):
    """The closed questions of a company's learning situation; ``answers()`` gives them to the services.

    Worded without "you" or "the company", so the company itself and the one who logs its baseline read
    the same questions.
    """

    barriers = _choices_field(
        _("Which barriers to learning are there?"),
        Barrier.choices,
        help_text=_("Tick every barrier that plays a part today. None at all is an answer too."),
    )
    main_barrier = forms.ChoiceField(
        label=_("Which of these barriers weighs most?"),
        help_text=_("Only when a barrier is ticked."),
        choices=[("", _("No barrier")), *Barrier.choices],
        required=False,
    )
    has_training_policy = yes_no_field(
        _("Is there a training policy (VTO policy)?"),
        help_text=_("A plan of who learns what, and when."),
    )
    has_learning_jobs = yes_no_field(
        _("Are there learning jobs?"), help_text=_("Jobs in which working and learning go together.")
    )
    learning_forms = _choices_field(
        _("Which ways of learning are used already?"),
        LearningForm.choices,
        help_text=_("Tick all that apply."),
    )
    headcount = count_field(
        _("How many employees are there?"), help_text=_("In persons, not in full-time equivalents.")
    )
    low_skilled = count_field(_("Of whom low-skilled"), help_text=_("Without a secondary school diploma."))
    aged_55_plus = count_field(_("Of whom 55 or older"))

    SITUATION_GROUPS = (
        (_("Barriers to learning"), "", ("barriers", "main_barrier")),
        (_("Learning at work"), "", ("has_training_policy", "has_learning_jobs", "learning_forms")),
        (_("Staff"), _("Numbers only, no names."), ("headcount", "low_skilled", "aged_55_plus")),
    )
    groups = SITUATION_GROUPS

    @staticmethod
    def initial_for(situation: LearningSituation | None) -> dict:
        """Return the form's initial answers from a recorded situation (to correct it); none without."""
        if situation is None:
            return {}
        return {
            "barriers": situation.barriers,
            "main_barrier": situation.main_barrier,
            "has_training_policy": yes_no_initial(situation.has_training_policy),
            "has_learning_jobs": yes_no_initial(situation.has_learning_jobs),
            "learning_forms": situation.learning_forms,
            "headcount": situation.headcount,
            "low_skilled": situation.low_skilled,
            "aged_55_plus": situation.aged_55_plus,
        }

    def answers(self) -> SituationAnswers:
        """Return the answers as the services take them; what is missing or wrong is None (or empty), which
        the services refuse."""
        cleaned = getattr(self, "cleaned_data", {})
        return SituationAnswers(
            has_training_policy=cleaned.get("has_training_policy"),
            has_learning_jobs=cleaned.get("has_learning_jobs"),
            headcount=cleaned.get("headcount"),
            low_skilled=cleaned.get("low_skilled"),
            aged_55_plus=cleaned.get("aged_55_plus"),
            barriers=list(cleaned.get("barriers") or []),
            main_barrier=cleaned.get("main_barrier") or "",
            learning_forms=list(cleaned.get("learning_forms") or []),
        )

    def refusals(self) -> list[WorkflowRefusal]:
        """Return the services' refusals of the answers so far; a form that asks more adds its own."""
        return situation_refusals(self.answers())

    def clean(self):
        cleaned = super().clean()
        # Every refusal at once, each at its question; a question with an error of its own keeps that one.
        for refusal in self.refusals():
            if refusal.field not in self.errors:
                self.add_refusal(refusal)
        return cleaned
