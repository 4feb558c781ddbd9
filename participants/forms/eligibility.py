from django import forms
from django.utils.translation import gettext_lazy as _

from participants.forms.referrals import KboLookupForm
from trajects.models import Traject


class EligibilityForm(KboLookupForm):
    """The pre-check's question: a KBO number in any notation and a traject."""

    traject = forms.ModelChoiceField(
        label=_("Traject"),
        queryset=Traject.objects.order_by("start_date", "code"),
        to_field_name="code",
        empty_label=None,
    )
