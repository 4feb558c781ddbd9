"""Sector consultants bring in candidate companies (answer 9 of question 244)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Company, Referral
from participants.services.companies import save_company
from participants.services.workflow import (
    WorkflowRefusal,
    check_eligibility,
    create_application,
    submit_application,
)
from trajects.models import Organisation, OrganisationKind, Traject
from voorsprong.models import User
from voorsprong.roles import Role
from voorsprong.services import save_as


def _sector_fund_of(user: User) -> Organisation:
    fund = user.organisation
    if not user.has_role(Role.SECTOR_CONSULTANT) or fund is None or fund.kind != OrganisationKind.SECTOR_FUND:
        raise WorkflowRefusal(
            _("Only a sector consultant of a sector fund can refer companies."), "forbidden"
        )
    return fund


@transaction.atomic
def refer_company(
    *,
    company: Company,
    traject: Traject,
    by: User,
    follow_progress: bool = True,
    notes: str = "",
    intake_done: bool = False,
) -> Referral:
    """Record a referral; an unsaved ``company`` is registered first, validated like the officers' ones.

    With the intake done, the consultant also creates and submits the application. It is all or
    nothing: a refusal (say a second open application) leaves neither company nor referral behind.
    """
    fund = _sector_fund_of(by)
    if company.pk is None:
        save_company(company, by=by)
    # Refuse now what the officers would have to reject later.
    check_eligibility(company, traject)
    referral = save_as(
        Referral(
            sector_fund=fund,
            consultant=by,
            company=company,
            traject=traject,
            referred_on=timezone.localdate(),
            intake_by=by if intake_done else None,
            follow_progress=follow_progress,
            notes=notes.strip(),
        ),
        by,
    )
    if intake_done:
        application = create_application(company=company, traject=traject, by=by, referral=referral)
        submit_application(application, by=by, on=referral.referred_on)
    return referral


@transaction.atomic
def follow_up_referral(referral: Referral, *, by: User, follow_progress: bool, notes: str) -> Referral:
    """Record what an officer may change of a referral: whether the fund follows the company's progress,
    and the notes. Who referred which company to which traject, and when, stays as it was referred."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.follow_progress = follow_progress
    referral.notes = notes.strip()
    return save_as(referral, by)
