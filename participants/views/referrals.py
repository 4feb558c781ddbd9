"""The sector consultants' pages: refer a company, and follow the companies referred."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from participants import services
from participants.forms.outcomes import SituationForm
from participants.forms.referrals import KboLookupForm, NewCompanyForm, ReferralForm
from participants.kbo import format_kbo_number
from participants.models import Company
from participants.selectors import (
    baseline_of,
    companies_visible_to,
    intakes_of,
    referrals_of,
    situation_rows,
)
from participants.services.outcomes import BASELINE_STATUSES
from voorsprong.roles import Role
from voorsprong.services import WorkflowRefusal
from voorsprong.views import role_required


@role_required(Role.SECTOR_CONSULTANT)
def referral_list(request):
    referrals = list(referrals_of(request.user))
    for referral in referrals:
        # Whoever did the intake logs the situation at intake, from the approval until the trajectory ends.
        application = getattr(referral, "application", None)
        referral.can_record_baseline = (
            referral.intake_by_id == request.user.pk
            and application is not None
            and application.status in BASELINE_STATUSES
        )
    return render(request, "participants/referrals/list.html", {"referrals": referrals})


@role_required(Role.SECTOR_CONSULTANT)
@require_http_methods(["GET", "POST"])
def record_baseline(request, pk):
    """Record the situation at intake of a company whose intake the consultant did, or correct it while
    the trajectory runs. Another consultant's referral, or one without an application, answers 404."""
    referral = get_object_or_404(intakes_of(request.user), pk=pk)
    application = referral.application
    baseline = baseline_of(application)
    data = request.POST if request.method == "POST" else None
    form = SituationForm(data, initial=SituationForm.initial_for(baseline))
    if data is not None and form.is_valid():
        try:
            services.record_baseline(application, by=request.user, answers=form.answers())
        except WorkflowRefusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request,
                _("The situation at intake of %(company)s is saved.") % {"company": referral.company.name},
            )
            return redirect("referrals:list")
    return render(
        request,
        "participants/referrals/baseline.html",
        {
            "referral": referral,
            "baseline": baseline,
            "baseline_rows": situation_rows(baseline),
            "can_record_baseline": application.status in BASELINE_STATUSES,
            "form": form,
        },
    )


@role_required(Role.SECTOR_CONSULTANT)
def new_referral(request):
    """Refer a company in two steps: step 1 asks the KBO number (?kbo=); step 2 shows the known company
    or asks an unknown one's details."""
    lookup = KboLookupForm(request.GET if "kbo" in request.GET else None)
    if not lookup.is_valid():
        return render(request, "participants/referrals/lookup.html", {"form": lookup})
    kbo = lookup.cleaned_data["kbo"]
    data = request.POST if request.method == "POST" else None
    company = companies_visible_to(request.user).filter(kbo_number=kbo).first()
    company_form = None if company else NewCompanyForm(data, instance=Company(kbo_number=kbo))
    form = ReferralForm(data)
    if data is not None and all([form.is_valid(), company_form is None or company_form.is_valid()]):
        try:
            referral = services.refer_company(
                company=company or company_form.instance, by=request.user, **form.cleaned_data
            )
        except WorkflowRefusal as refusal:
            form.add_error(refusal.field, refusal.message)
        except ValidationError as error:
            # The company changed since the lookup (say someone registered the same KBO number).
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(company)s is referred to %(traject)s.")
                % {"company": referral.company.name, "traject": referral.traject.name},
            )
            return redirect("referrals:list")
    return render(
        request,
        "participants/referrals/new.html",
        {
            "kbo": kbo,
            "kbo_display": format_kbo_number(kbo),
            "company": company,
            "company_form": company_form,
            "form": form,
        },
    )
