"""What the back office's forms share."""

from django import forms
from django.utils.translation import gettext_lazy

from voorsprong.validators import validate_one_line


def day_input(**attrs) -> forms.DateInput:
    """Return a text input for a day in the back office's notation (26/11/2025; 2025-11-26 is accepted
    too). A browser's own date input would write the notation of the browser's language, not the page's."""
    return forms.DateInput(attrs={"placeholder": gettext_lazy("dd/mm/yyyy"), "size": 10, **attrs})


class ApiTokenForm(forms.Form):
    """The page API-sleutels' form to make a key: only what it is for."""

    label = forms.CharField(
        label=gettext_lazy("What is the key for?"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Such as the script or machine that uses it, to tell your keys apart."),
        validators=[validate_one_line],
    )
