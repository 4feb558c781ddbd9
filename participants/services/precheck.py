"""The eligibility pre-check: can a company apply for a traject, and if not, why not.

It asks what an application of the company would meet on its way, in the same order and through the same
functions: creating it (``duplicate_application``), the approval's eligibility (``eligibility_refusals``,
with the higher layers' checks such as the state-aid ceiling) and a free place in the capacity period
(``free_place_refusal``, read without a lock). It changes nothing.

Anyone may ask, also without logging in, so the answer never shows a refusal's own message (which may name
amounts, like the state-aid headroom): each reason is a code with a fixed sentence (``public_reason``).
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import OPEN_STATUSES, Company
from participants.services.capacity import free_place_refusal
from participants.services.workflow import eligibility_refusals
from trajects.models import Traject

UNKNOWN_COMPANY = "unknown_company"

# The sentence shown for each code: plain Dutch for a company, without amounts or anyone's figures.
PUBLIC_REASONS = {
    UNKNOWN_COMPANY: _(
        "This company is not registered with us yet. A sector consultant or the agency can register it "
        "together with its SME status."
    ),
    "duplicate_application": _("This company already has an open application for this traject."),
    "size_unknown": _(
        "This traject is open to SMEs only and the company's size is not known yet. Declare the SME "
        "status first (staff, turnover and balance-sheet total, with partner and linked enterprises)."
    ),
    "not_eligible": _("This traject is not open to companies of this size."),
    "company_inactive": _("The company is marked as stopped in the KBO."),
    "de_minimis_exceeded": _(
        "The company (with the companies it forms a single undertaking with) does not have enough "
        "de-minimis aid left for this traject."
    ),
    "no_free_place": _("All places of the current period are taken."),
}
OTHER_REASON = _("The company does not meet a condition of this traject.")


def public_reason(code: str) -> str:
    """Return the fixed sentence for a refusal code; a code without one gets a general sentence, never
    the refusal's own message."""
    return str(PUBLIC_REASONS.get(code, OTHER_REASON))


@dataclass
class Verdict:
    """The pre-check's answer: eligible, or the refusal codes in the order an application meets them."""

    kbo_number: str
    company: Company | None
    traject: Traject
    day: datetime.date
    codes: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.codes

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [{"code": code, "detail": public_reason(code)} for code in self.codes]


def precheck_eligibility(kbo_number: str, traject: Traject, day: datetime.date | None = None) -> Verdict:
    """Return whether the company with ``kbo_number`` (ten digits) could apply for ``traject`` on ``day``
    (today by default) and be approved, with every reason why not."""
    day = day or timezone.localdate()
    company = Company.objects.filter(kbo_number=kbo_number).first()
    verdict = Verdict(kbo_number, company, traject, day)
    if company is None:
        verdict.codes.append(UNKNOWN_COMPANY)
        return verdict
    # What the database refuses at creation (application_one_open_per_company_and_traject).
    if company.applications.filter(traject=traject, status__in=OPEN_STATUSES).exists():
        verdict.codes.append("duplicate_application")
    refusals = eligibility_refusals(company, traject, day)
    if (no_place := free_place_refusal(traject, day)) is not None:
        refusals.append(no_place)
    verdict.codes += [refusal.code for refusal in refusals if refusal.code not in verdict.codes]
    return verdict
