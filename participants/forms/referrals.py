from django import forms
from django.utils.translation import gettext_lazy as _

from participants.forms import PortalForm
from participants.kbo import normalise_kbo_number
from participants.models import NON_PROFIT_LEGAL_FORMS, Company, Referral


class KboLookupForm(PortalForm, forms.Form):
    kbo = forms.CharField(
        label=_("KBO number"), max_length=20, help_text=_("Any notation, e.g. BE 0403.170.701.")
    )

    def clean_kbo(self) -> str:
        return normalise_kbo_number(self.cleaned_data["kbo"])


class NewCompanyForm(PortalForm, forms.ModelForm):
    """Only what the size class and the officers need; the KBO number comes from the lookup."""

    class Meta:
        model = Company
        fields = [
            "name",
            "legal_form",
            "staff_headcount",
            "turnover",
            "balance_sheet_total",
            "postal_code",
            "nace_code",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].required = True
        # The consultant asks the company: a company registered here has its staff declared.
        self.fields["staff_headcount"].required = True

    def clean(self):
        cleaned_data = super().clean()
        # One field less to fill in: the legal form says whether it is a non-profit.
        self.instance.is_non_profit = cleaned_data.get("legal_form") in NON_PROFIT_LEGAL_FORMS
        return cleaned_data

    def _post_clean(self):
        # The model's validation derives the size class from these figures: it waits until they are valid.
        if any(name in self._errors for name in ("staff_headcount", "turnover", "balance_sheet_total")):
            return
        super()._post_clean()


class ReferralForm(PortalForm, forms.ModelForm):
    intake_done = forms.BooleanField(
        label=_("Intake done"),
        required=False,
        help_text=_("Tick this when you did the intake with the company: its application is then submitted."),
    )

    class Meta:
        model = Referral
        fields = ["traject", "follow_progress", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
