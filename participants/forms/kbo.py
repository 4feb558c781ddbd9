from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from participants.kbo import format_kbo_number, normalise_kbo_number

ACCEPTED_NOTATIONS = _("Type it as printed: 0403.170.701, BE 0403 170 701, BE0403170701 or 403170701.")


class KboNumberFormField(forms.CharField):
    """A KBO number in any notation the API and the portal accept, cleaned to the ten digits the model
    stores (``participants.kbo.normalise_kbo_number``: one rule everywhere), and shown as printed."""

    def __init__(self, *, help_text="", **kwargs):
        # Room for the longest notation, BE 0403.170.701; the model keeps the ten digits.
        kwargs["max_length"] = 20
        help_text = format_lazy("{} {}", ACCEPTED_NOTATIONS, help_text) if help_text else ACCEPTED_NOTATIONS
        super().__init__(help_text=help_text, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) and len(value) == 10 and value.isdigit():
            return format_kbo_number(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return normalise_kbo_number(value)
        except ValidationError as error:
            raise ValidationError(
                f"{error.messages[0]}. {ACCEPTED_NOTATIONS}", code="invalid_kbo_number"
            ) from error
