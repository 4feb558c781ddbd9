"""The forms of funding's pages and API: the budget monitor's filters."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from funding.models import FundingSourceCode
from trajects.models import CapacityPeriod, Traject
from voorsprong.forms import day_input
from voorsprong.validators import validate_day


class BudgetFilterForm(forms.Form):
    traject = forms.ModelChoiceField(
        Traject.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Traject")
    )
    source = forms.ChoiceField(
        choices=[("", "---------"), *FundingSourceCode.choices],
        required=False,
        label=gettext_lazy("Funding source"),
    )
    period = forms.ModelChoiceField(
        CapacityPeriod.objects.select_related("traject"),
        required=False,
        label=gettext_lazy("Capacity period"),
    )
    as_of = forms.DateField(
        required=False, label=gettext_lazy("As of"), widget=day_input(), validators=[validate_day]
    )

    def criteria(self) -> dict:
        """Return the selector's arguments: the valid filters, or everything as of today when none are
        given. Call it only on a form that is unbound or valid."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "traject_code": data["traject"].code if data.get("traject") else None,
            "source_code": data.get("source") or None,
            "period": data["period"].pk if data.get("period") else None,
            "as_of": data.get("as_of") or timezone.localdate(),
        }
