"""Who may do what: one table of every route, method and role with the status the product should answer.

Each row is (method, path, expected status for anonymous, officer, promoter, sector consultant, cabinet,
financial service, admin). Paths name the objects of the shared data set (``world``) in braces. The admin is
a member of the ``admin`` group with staff access but no superuser flag, so the table tests the role as
roles.py defines it rather than Django's bypass.

Conventions the expectations follow:

- API: anonymous 401 (token authentication answers with a challenge); a role without the right 403; an
  object outside a role's scope 404 (a promoter on another organisation's application, a consultant on
  another consultant's referral); a role with no permission on a model at all 403, also on actions.
- DRF checks permissions before the method, so a method that is not routed answers 405 only to roles
  that hold the permission the method maps to, and 403 to the others.
- Pages: anonymous visitors are redirected to the login page (302), a role that may not use the page gets
  403, also for a method the page does not take (the role check wraps the method check).
- Writes by allowed roles carry valid data, so they answer the real success code.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import BudgetLine, BudgetOverride, DeclarationAttachment, DeclarationStatus
from participants import services
from participants.models import ApplicationStatus, Referral
from participants.questionnaire_links import make_questionnaire_token
from reporting.models import ReportRequest, ReportStatus
from tests.factories import (
    ApplicationFactory,
    ApplicationFundingFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    DeclarationFactory,
    FundingRuleFactory,
    FundingSourceFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
    UserFactory,
    valid_kbo_number,
)
from tests.questionnaires import EVALUATION as EVALUATION_ANSWERS
from tests.questionnaires import EXIT as EXIT_ANSWERS
from tests.questionnaires import FOLLOW_UP as FOLLOW_UP_ANSWERS
from tests.questionnaires import form_data
from trajects.models import OrganisationKind
from voorsprong.roles import Role
from voorsprong.services import issue_api_token

pytestmark = pytest.mark.slow

ROLES = ("anonymous", "officer", "promoter", "consultant", "cabinet", "finance", "admin")
PASSWORD = "correct horse battery staple"  # UserFactory's
CREDENTIALS = object()  # the body is the acting user's username and password
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class Row(NamedTuple):
    method: str
    path: str
    expected: tuple
    data: object = None


def row(method, path, anonymous, officer, promoter, consultant, cabinet, finance, admin, data=None) -> Row:
    return Row(method, path, (anonymous, officer, promoter, consultant, cabinet, finance, admin), data)


def every(method, path, status, data=None) -> Row:
    return row(method, path, *[status] * len(ROLES), data=data)


# -- request bodies ------------------------------------------------------------------------------------------
NEW_COMPANY = {
    "kbo_number": valid_kbo_number(90_000),
    "name": "Nieuw Bedrijf BV",
    "legal_form": "bv",
    "staff_headcount": 12,
    "turnover": "1500000.00",
    "balance_sheet_total": "900000.00",
    "postal_code": "2000",
    "municipality": "Antwerpen",
}
COMPANY_CHANGE = {**NEW_COMPANY, "kbo_number": "{company_kbo}", "name": "Hernoemd BV"}
REASON = {"reason": "Op vraag van de onderneming."}
STOP = {"stop_reason": "other", **REASON}
COMPLETE = {
    "outcome": "completed",
    "confirm": "on",
    "staff_reached": "12",
    "staff_reached_low_skilled": "3",
    "staff_reached_aged_55_plus": "2",
}
SESSION = {"date": "{today}", "hours": "2.00", "kind": "diagnosis", "employees_present": 3, "notes": ""}
DECLARATION = {
    "application": "{active}",
    "period_start": "{last_month}",
    "period_end": "{yesterday}",
    "amount": "100.00",
}
SME_DECLARATION = {
    "reference_year": 2024,
    "staff_awu": "12.50",
    "turnover": "1500000.00",
    "balance_sheet_total": "900000.00",
    "enterprises": [
        {
            "relation": "partner",
            "name": "Holding BV",
            "share": "30.00",
            "staff_awu": "4.00",
            "turnover": "200000.00",
            "balance_sheet_total": "100000.00",
        }
    ],
}
EVALUATION = form_data(EVALUATION_ANSWERS)
FOLLOW_UP = form_data(FOLLOW_UP_ANSWERS)
EXIT = form_data(EXIT_ANSWERS)
BASELINE = {
    "barriers": ["situational"],
    "main_barrier": "situational",
    "has_training_policy": True,
    "has_learning_jobs": False,
    "headcount": 40,
    "low_skilled": 10,
    "aged_55_plus": 5,
    "learning_forms": ["informal"],
}
# The same answers as the portal's forms post them.
BASELINE_FORM = {**BASELINE, "has_training_policy": "yes", "has_learning_jobs": "no"}

# fmt: off
TABLE = [
    # method       path                                               anon off. prom. cons. cab. fin. admin
    # -- API: root and log-in --------------------------------------------------------------------------------
    row("GET",     "/api/v1/",                                        401, 200, 200, 200, 200, 200, 200),
    row("POST",    "/api/v1/auth/token/",                             400, 200, 200, 200, 200, 200, 200,
        data=CREDENTIALS),
    row("DELETE",  "/api/v1/auth/token/",                             401, 204, 204, 204, 204, 204, 204),
    every("GET",   "/api/v1/auth/token/",                             405),
    # Every user's own API tokens; another's answers 404 (the officer's token here).
    row("GET",     "/api/v1/auth/tokens/",                            401, 200, 200, 200, 200, 200, 200),
    row("DELETE",  "/api/v1/auth/tokens/{officer_api_token}/",        401, 204, 404, 404, 404, 404, 404),
    row("GET",     "/api/v1/auth/tokens/{officer_api_token}/",        401, 405, 405, 405, 405, 405, 405),
    # -- companies -------------------------------------------------------------------------------------------
    row("GET",     "/api/v1/companies/",                              401, 200, 200, 200, 403, 403, 200),
    row("POST",    "/api/v1/companies/",                              401, 201, 403, 201, 403, 403, 201,
        data=NEW_COMPANY),
    row("GET",     "/api/v1/companies/{company}/",                    401, 200, 200, 200, 403, 403, 200),
    # Consultants look up every company to refer it; promoters only their own organisation's.
    row("GET",     "/api/v1/companies/{other_company}/",              401, 200, 404, 200, 403, 403, 200),
    row("PUT",     "/api/v1/companies/{company}/",                    401, 200, 403, 403, 403, 403, 200,
        data=COMPANY_CHANGE),
    row("PATCH",   "/api/v1/companies/{company}/",                    401, 200, 403, 403, 403, 403, 200,
        data={"name": "Hernoemd BV"}),
    row("DELETE",  "/api/v1/companies/{company}/",                    401, 403, 403, 403, 403, 403, 405),
    # SME declarations: officers for any company; a consultant for one they referred (or of unknown size).
    row("GET",     "/api/v1/companies/{company}/sme-declarations/",   401, 200, 403, 200, 403, 403, 200),
    row("POST",    "/api/v1/companies/{company}/sme-declarations/",   401, 201, 403, 201, 403, 403, 201,
        data=SME_DECLARATION),
    row("POST",    "/api/v1/companies/{other_company}/sme-declarations/",
        401, 201, 403, 403, 403, 403, 201, data=SME_DECLARATION),
    row("PUT",     "/api/v1/companies/{company}/sme-declarations/",   401, 405, 403, 405, 403, 403, 405,
        data=SME_DECLARATION),
    # Their attachments: officers every one, a consultant those its own sector fund declared.
    row("GET",     "/api/v1/companies/{company}/sme-declarations/{sme_declaration}/attachment/",
        401, 200, 403, 200, 403, 403, 200),
    row("GET",     "/api/v1/companies/{other_company}/sme-declarations/{other_sme_declaration}/attachment/",
        401, 200, 403, 404, 403, 403, 200),
    # The eligibility pre-check: anyone, also without logging in.
    every("GET",   "/api/v1/eligibility/?kbo_number={company_kbo}&traject=leren", 200),
    every("GET",   "/api/v1/eligibility/?kbo_number=0403170702&traject=leren",    400),
    every("POST",  "/api/v1/eligibility/",                            405),
    # The de-minimis headroom: officers, and the promoter of an application of the company.
    row("GET",     "/api/v1/companies/{company}/aid/",                401, 200, 200, 403, 403, 403, 200),
    row("GET",     "/api/v1/companies/{other_company}/aid/?as_of=2025-11-26",
        401, 200, 404, 403, 403, 403, 200),
    row("GET",     "/api/v1/companies/{missing}/aid/",                401, 404, 404, 403, 403, 403, 404),
    # -- trajects and capacity -------------------------------------------------------------------------------
    row("GET",     "/api/v1/trajects/",                               401, 200, 200, 200, 200, 403, 200),
    row("POST",    "/api/v1/trajects/",                               401, 403, 403, 403, 403, 403, 405,
        data={"code": "x"}),
    row("GET",     "/api/v1/trajects/{leren}/",                       401, 200, 200, 200, 200, 403, 200),
    row("GET",     "/api/v1/capacity-periods/",                       401, 200, 403, 403, 403, 403, 200),
    row("POST",    "/api/v1/capacity-periods/",                       401, 201, 403, 403, 403, 403, 201,
        data={"traject": "leren", "start": "{next_start}", "end": "{next_end}", "places": 5}),
    row("GET",     "/api/v1/capacity-periods/{period}/",              401, 200, 403, 403, 403, 403, 200),
    row("PUT",     "/api/v1/capacity-periods/{period}/",              401, 200, 403, 403, 403, 403, 200,
        data={"places": 60}),
    row("PATCH",   "/api/v1/capacity-periods/{period}/",              401, 200, 403, 403, 403, 403, 200,
        data={"places": 60}),
    # -- applications ----------------------------------------------------------------------------------------
    row("GET",     "/api/v1/applications/",                           401, 200, 200, 200, 403, 403, 200),
    # Consultants create applications only through a referral with the intake done.
    row("POST",    "/api/v1/applications/",                           401, 201, 403, 403, 403, 403, 201,
        data={"company": "{free_company}", "traject": "leren", "project": "{project}"}),
    row("GET",     "/api/v1/applications/{submitted}/",               401, 200, 200, 200, 403, 403, 200),
    row("GET",     "/api/v1/applications/{other_active}/",            401, 200, 404, 404, 403, 403, 200),
    row("GET",     "/api/v1/applications/{unfollowed}/",              401, 200, 200, 404, 403, 403, 200),
    row("PUT",     "/api/v1/applications/{submitted}/",               401, 405, 405, 403, 403, 403, 405,
        data={}),
    # Officers change the planned cost until the approval; promoters hold change_application for their
    # sessions and closing, and the service refuses them this.
    row("PATCH",   "/api/v1/applications/{submitted}/",               401, 200, 403, 403, 403, 403, 200,
        data={"planned_cost": "12000.00"}),
    row("POST",    "/api/v1/applications/{draft}/submit/",            401, 200, 403, 200, 403, 403, 200),
    row("POST",    "/api/v1/applications/{other_draft}/submit/",      401, 200, 404, 404, 403, 403, 200),
    row("POST",    "/api/v1/applications/{submitted}/approve/",       401, 200, 403, 403, 403, 403, 200,
        data={}),
    row("POST",    "/api/v1/applications/{submitted}/reject/",        401, 200, 403, 403, 403, 403, 200,
        data=REASON),
    row("POST",    "/api/v1/applications/{submitted}/withdraw/",      401, 200, 403, 403, 403, 403, 200,
        data=REASON),
    row("POST",    "/api/v1/applications/{active}/complete/",         401, 200, 200, 403, 403, 403, 200),
    row("POST",    "/api/v1/applications/{other_active}/complete/",   401, 200, 404, 404, 403, 403, 200),
    row("POST",    "/api/v1/applications/{active}/stop/",             401, 200, 200, 403, 403, 403, 200,
        data=STOP),
    row("POST",    "/api/v1/applications/{other_active}/stop/",       401, 200, 404, 404, 403, 403, 200,
        data=STOP),
    row("GET",     "/api/v1/applications/{active}/sessions/",
        401, 200, 200, 403, 403, 403, 200),
    row("GET",     "/api/v1/applications/{other_active}/sessions/",   401, 200, 404, 403, 403, 403, 200),
    row("POST",    "/api/v1/applications/{active}/sessions/",         401, 201, 201, 403, 403, 403, 201,
        data=SESSION),
    row("POST",    "/api/v1/applications/{other_active}/sessions/",   401, 201, 404, 403, 403, 403, 201,
        data=SESSION),
    # The situation at intake: promoters, officers and the consultant who did the intake log it.
    row("GET",     "/api/v1/applications/{active}/baseline/",         401, 200, 200, 200, 403, 403, 200),
    row("GET",     "/api/v1/applications/{other_active}/baseline/",   401, 200, 404, 404, 403, 403, 200),
    row("POST",    "/api/v1/applications/{active}/baseline/",         401, 200, 200, 200, 403, 403, 200,
        data=BASELINE),
    row("POST",    "/api/v1/applications/{other_active}/baseline/",   401, 200, 404, 404, 403, 403, 200,
        data=BASELINE),
    # The consultant referred the company and follows it, but another consultant did its intake.
    row("POST",    "/api/v1/applications/{other_intake}/baseline/",
        401, 200, 200, 403, 403, 403, 200, data=BASELINE),
    # Too late: the trajectory ended (the consultant did not do its intake, so is refused before).
    row("POST",    "/api/v1/applications/{completed}/baseline/",      401, 409, 409, 403, 403, 403, 409,
        data=BASELINE),
    # No PUT: a POST records or corrects the baseline.
    row("PUT",     "/api/v1/applications/{active}/baseline/",         401, 405, 405, 405, 403, 403, 405,
        data=BASELINE),
    row("GET",     "/api/v1/applications/{submitted}/history/",       401, 200, 200, 200, 403, 403, 200),
    row("GET",     "/api/v1/applications/{other_active}/history/",    401, 200, 404, 404, 403, 403, 200),
    row("GET",     "/api/v1/applications/{unfollowed}/history/",      401, 200, 200, 404, 403, 403, 200),
    # -- referrals -------------------------------------------------------------------------------------------
    row("GET",     "/api/v1/referrals/",                              401, 200, 403, 200, 403, 403, 200),
    # Only a consultant of a sector fund refers; officers and admins hold add_referral but no fund.
    row("POST",    "/api/v1/referrals/",                              401, 403, 403, 201, 403, 403, 403,
        data={"company": "{free_company}", "traject": "leren", "notes": "Via beurs"}),
    row("GET",     "/api/v1/referrals/{referral}/",                   401, 200, 403, 200, 403, 403, 200),
    row("GET",     "/api/v1/referrals/{other_referral}/",             401, 200, 403, 404, 403, 403, 200),
    # -- declarations ----------------------------------------------------------------------------------------
    row("GET",     "/api/v1/declarations/",                           401, 200, 200, 403, 403, 200, 200),
    # Officers decide on declarations but do not declare (no add_declaration).
    row("POST",    "/api/v1/declarations/",                           401, 403, 201, 403, 403, 403, 201,
        data=DECLARATION),
    row("POST",    "/api/v1/declarations/",                           401, 403, 404, 403, 403, 403, 201,
        data={**DECLARATION, "application": "{other_active}"}),
    row("GET",     "/api/v1/declarations/{declaration}/",             401, 200, 200, 403, 403, 200, 200),
    row("GET",     "/api/v1/declarations/{other_declaration}/",       401, 200, 404, 403, 403, 200, 200),
    row("GET",     "/api/v1/declarations/{declaration}/attachments/{attachment}/",
        401, 200, 200, 403, 403, 200, 200),
    row("GET",     "/api/v1/declarations/{other_declaration}/attachments/{other_attachment}/",
        401, 200, 404, 403, 403, 200, 200),
    row("POST",    "/api/v1/declarations/{declaration}/approve/",     401, 200, 403, 403, 403, 403, 200),
    row("POST",    "/api/v1/declarations/{other_declaration}/approve/",
        401, 200, 404, 403, 403, 403, 200),
    row("POST",    "/api/v1/declarations/{declaration}/reject/",      401, 200, 403, 403, 403, 403, 200,
        data=REASON),
    # The financial service pays, never whoever approved (the officer here); officers do not pay.
    row("POST",    "/api/v1/declarations/{approved_declaration}/mark-paid/",
        401, 403, 403, 403, 403, 200, 200, data={}),
    # -- approvals over the budget: one officer asks, another signs off or refuses -------------------------
    row("GET",     "/api/v1/budget-overrides/",                       401, 200, 403, 403, 403, 403, 200),
    row("GET",     "/api/v1/budget-overrides/?status=pending",        401, 200, 403, 403, 403, 403, 200),
    row("POST",    "/api/v1/budget-overrides/",                       401, 201, 403, 403, 403, 403, 201,
        data={"application": "{over_budget}", "reason": "Bijkrediet toegezegd"}),
    row("GET",     "/api/v1/budget-overrides/{override}/",            401, 200, 403, 403, 403, 403, 200),
    row("POST",    "/api/v1/budget-overrides/{override}/sign-off/",   401, 200, 403, 403, 403, 403, 200),
    # Whoever asked may not sign off their own request.
    row("POST",    "/api/v1/budget-overrides/{own_override}/sign-off/",
        401, 409, 403, 403, 403, 403, 200),
    row("POST",    "/api/v1/budget-overrides/{override}/refuse/",     401, 200, 403, 403, 403, 403, 200,
        data=REASON),
    # -- aggregates: no company named, so the cabinet reads them ---------------------------------------------
    row("GET",     "/api/v1/funding/summary/",                        401, 200, 403, 403, 200, 200, 200),
    row("GET",     "/api/v1/statistics/pq244/?as_of=2025-11-26",      401, 200, 403, 403, 200, 403, 200),
    row("GET",     "/api/v1/statistics/esf/?as_of=2025-11-26",        401, 200, 403, 403, 200, 403, 200),
    row("GET",     "/api/v1/statistics/breakdown/?as_of=2025-11-26&by=traject&measure=places_taken",
                                                                      401, 200, 403, 403, 200, 403, 200),
    row("GET",     "/api/v1/evaluations/summary/",                    401, 200, 403, 403, 200, 403, 200),
    row("GET",     "/api/v1/statistics/reach/?as_of=2025-11-26&by=province",
        401, 200, 403, 403, 200, 403, 200),
    row("GET",     "/api/v1/statistics/reach/?as_of=2025-11-26&by=size_class",
        401, 200, 403, 403, 200, 403, 200),
    # -- report requests -------------------------------------------------------------------------------------
    row("GET",     "/api/v1/report-requests/",                        401, 200, 403, 403, 200, 403, 200),
    row("POST",    "/api/v1/report-requests/",                        401, 202, 403, 403, 202, 403, 202,
        data={"question": 244, "as_of": "2025-11-26", "format": "json"}),
    row("GET",     "/api/v1/report-requests/{report}/",               401, 200, 403, 403, 200, 403, 200),
    row("DELETE",  "/api/v1/report-requests/{report}/",               401, 405, 403, 403, 405, 403, 405),
    row("GET",     "/api/v1/report-requests/{report}/download/",      401, 200, 403, 403, 200, 403, 200),
    row("POST",    "/api/v1/report-requests/{failed_report}/retry/",  401, 202, 403, 403, 202, 403, 202),
    # -- the API contract, public ----------------------------------------------------------------------------
    every("GET",   "/api/schema/",                                    200),
    every("GET",   "/api/docs/",                                      200),
    every("GET",   "/api/docs/redoc/",                                200),
    # -- pages -----------------------------------------------------------------------------------------------
    every("GET",   "/",                                               302),
    every("GET",   "/aanmelden/",                                     200),
    # Anonymous posts wrong credentials and gets the form again.
    row("POST",    "/aanmelden/",                                     200, 302, 302, 302, 302, 302, 302,
        data=CREDENTIALS),
    every("POST",  "/afmelden/",                                      302),
    row("GET",     "/api-sleutels/",                                  302, 200, 200, 200, 200, 200, 200),
    row("POST",    "/api-sleutels/",                                  302, 200, 200, 200, 200, 200, 200,
        data={"label": "script"}),
    row("POST",    "/api-sleutels/{officer_api_token}/intrekken/",    302, 302, 404, 404, 404, 404, 404),
    row("GET",     "/api-sleutels/{officer_api_token}/intrekken/",    302, 405, 405, 405, 405, 405, 405),
    every("GET",   "/afmelden/",                                      405),
    row("GET",     "/trajecten/",                                     302, 200, 200, 403, 403, 403, 200),
    row("POST",    "/trajecten/",                                     302, 405, 405, 403, 403, 403, 405),
    row("GET",     "/trajecten/{active}/",                            302, 200, 200, 403, 403, 403, 200),
    row("GET",     "/trajecten/{other_active}/",                      302, 200, 404, 403, 403, 403, 200),
    row("POST",    "/trajecten/{active}/",                            302, 405, 405, 403, 403, 403, 405),
    row("POST",    "/trajecten/{active}/sessies/",                    302, 302, 302, 403, 403, 403, 302,
        data=SESSION),
    row("POST",    "/trajecten/{other_active}/sessies/",              302, 302, 404, 403, 403, 403, 302,
        data=SESSION),
    row("GET",     "/trajecten/{active}/sessies/",                    302, 405, 405, 403, 403, 403, 405),
    row("POST",    "/trajecten/{active}/afsluiten/",                  302, 302, 302, 403, 403, 403, 302,
        data=COMPLETE),
    row("POST",    "/trajecten/{other_active}/afsluiten/",            302, 302, 404, 403, 403, 403, 302,
        data=COMPLETE),
    row("POST",    "/trajecten/{active}/situatie-bij-intake/",        302, 302, 302, 403, 403, 403, 302,
        data=BASELINE_FORM),
    row("POST",    "/trajecten/{other_active}/situatie-bij-intake/",  302, 302, 404, 403, 403, 403, 302,
        data=BASELINE_FORM),
    row("GET",     "/trajecten/{active}/situatie-bij-intake/",        302, 405, 405, 403, 403, 403, 405),
    # The consultant who did the intake logs it from the referrals; another's referral answers 404.
    row("GET",     "/doorverwijzingen/{referral}/situatie-bij-intake/",
        302, 403, 403, 200, 403, 403, 404),
    row("POST",    "/doorverwijzingen/{referral}/situatie-bij-intake/",
        302, 403, 403, 302, 403, 403, 404, data=BASELINE_FORM),
    row("GET",     "/doorverwijzingen/{other_referral}/situatie-bij-intake/",
        302, 403, 403, 404, 403, 403, 404),
    # The confirmation, with the milestones reached.
    row("GET",     "/trajecten/{active}/afsluiten/",                  302, 200, 200, 403, 403, 403, 200),
    row("GET",     "/trajecten/{other_active}/afsluiten/",            302, 200, 404, 403, 403, 403, 200),
    row("GET",     "/doorverwijzingen/",                              302, 403, 403, 200, 403, 403, 200),
    row("GET",     "/doorverwijzingen/nieuw/",                        302, 403, 403, 200, 403, 403, 200),
    # The admin may open the page but has no sector fund: the form comes back with the refusal.
    row("POST",    "/doorverwijzingen/nieuw/?kbo={free_company_kbo}", 302, 403, 403, 302, 403, 403, 200,
        data={"traject": "{leren}", "follow_progress": "on", "notes": "Via beurs"}),
    # The company's questionnaire links need no login.
    every("GET",   "/evaluatie/{token}/",                             200),
    every("POST",  "/evaluatie/{token}/",                             302, data=EVALUATION),
    every("GET",   "/evaluatie/opvolging/{follow_up_token}/",         200),
    every("POST",  "/evaluatie/opvolging/{follow_up_token}/",         302, data=FOLLOW_UP),
    every("GET",   "/evaluatie/stopzetting/{exit_token}/",            200),
    every("POST",  "/evaluatie/stopzetting/{exit_token}/",            302, data=EXIT),
    every("GET",   "/evaluatie/niet-geldig/",                         404),
    every("GET",   "/evaluatie/bedankt/",                             200),
    every("GET",   "/kan-ik-deelnemen/",                              200),
    every("GET",   "/kan-ik-deelnemen/?kbo={company_kbo}&traject=leren", 200),
    every("POST",  "/kan-ik-deelnemen/",                              405),
    # The work queue: officers' sections, the financial service's own (declarations to pay, budget).
    row("GET",     "/werkbak/",                                       302, 200, 403, 403, 403, 200, 200),
    row("POST",    "/werkbak/",                                       302, 405, 403, 403, 403, 405, 405),
    row("GET",     "/financiering/",                                  302, 200, 403, 403, 403, 200, 200),
    row("POST",    "/financiering/",                                  302, 405, 403, 403, 403, 405, 405),
    row("GET",     "/financiering/export/",                           302, 200, 403, 403, 403, 200, 200),
    row("GET",     "/rapporten/",                                     302, 200, 403, 403, 200, 403, 200),
    row("POST",    "/rapporten/",                                     302, 302, 403, 403, 302, 403, 302,
        data={"question": 244, "as_of": "2025-11-26", "format": "csv"}),
    row("POST",    "/rapporten/{failed_report}/opnieuw/",             302, 302, 403, 403, 302, 403, 302),
    row("POST",    "/rapporten/{missing}/opnieuw/",                   302, 404, 403, 403, 404, 403, 404),
    row("GET",     "/rapporten/{failed_report}/opnieuw/",             302, 405, 403, 403, 405, 403, 405),
    every("GET",   "/health/",                                        200),
    every("POST",  "/health/",                                        405),
    # -- two-step verification: every user's own (tests/test_two_factor.py follows each step) ----------------
    row("GET",     "/tweestapsverificatie/",                          302, 200, 200, 200, 200, 200, 200),
    row("GET",     "/tweestapsverificatie/instellen/",                302, 200, 200, 200, 200, 200, 200),
    # A wrong code: the form again, nothing set up.
    row("POST",    "/tweestapsverificatie/instellen/",                302, 200, 200, 200, 200, 200, 200,
        data={"code": "000000"}),
    # No code owed (no authenticator): on to the start page.
    row("GET",     "/tweestapsverificatie/code/",                     302, 302, 302, 302, 302, 302, 302),
    # No codes to show, none to replace without an authenticator: back to the overview.
    row("GET",     "/tweestapsverificatie/herstelcodes/",             302, 302, 302, 302, 302, 302, 302),
    row("POST",    "/tweestapsverificatie/herstelcodes/",             302, 302, 302, 302, 302, 302, 302),
    row("POST",    "/tweestapsverificatie/uitschakelen/",             302, 302, 302, 302, 302, 302, 302),
    every("GET",   "/tweestapsverificatie/uitschakelen/",             405),
    # -- the Django admin: staff only; others are sent to its login page -------------------------------------
    row("GET",     "/admin/",                                         302, 200, 302, 302, 302, 200, 200),
    row("GET",     "/admin/participants/application/",                302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/application/import/",         302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/smedeclaration/",             302, 200, 302, 302, 302, 403, 200),
    # The company's answers and the invitations, to read.
    row("GET",     "/admin/participants/learningsituation/",          302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/learningsituation/add/",      302, 403, 302, 302, 302, 403, 403),
    row("GET",     "/admin/participants/followup/",                   302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/exitanswer/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/invitation/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/participants/smedeclaration/add/",         302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/trajects/project/",                        302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/declaration/",                     302, 200, 302, 302, 302, 200, 200),
    row("GET",     "/admin/funding/budgetoverride/",                  302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/fundingrule/",                     302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/aidline/",                         302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/aidline/add/",                     302, 403, 302, 302, 302, 403, 403),
    row("GET",     "/admin/funding/aidline/headroom/{company}/",      302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/aidline/register/",                302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/aidline/register/?start=2025-01-01&end=2025-12-31&file_format=xlsx",
        302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/companylink/",                     302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/companylink/add/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/declaredaid/",                     302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/funding/declaredaid/add/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/reportrequest/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/answerstatement/",               302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/answerstatement/add/",           302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/sizetable/",                     302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/sizetable/add/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/retentionrule/",                 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/retentionrule/add/",             302, 403, 302, 302, 302, 403, 403),
    row("GET",     "/admin/reporting/personaldatarecord/",            302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/reporting/personaldatarecord/access-export/", 302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/voorsprong/user/",                         302, 200, 302, 302, 302, 403, 200),
    row("GET",     "/admin/auth/group/",                              302, 403, 302, 302, 302, 403, 200),
]
# fmt: on


def _cells():
    for table_row in TABLE:
        for role, expected in zip(ROLES, table_row.expected, strict=True):
            name = f"{table_row.method} {table_row.path} as {role}"
            yield pytest.param(table_row, role, expected, id=name)


# -- the data set -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the world once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of it (the ``db`` fixture), so a write by one test never reaches the next."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> dict:
    """Create one organisation's objects ("own") and another's ("other"), for every role at once."""
    today = timezone.localdate()
    days = datetime.timedelta
    leren = TrajectFactory(code="leren")
    # Covers today, so approvals find a free place.
    period = CapacityPeriodFactory(traject=leren, start=today - days(300), end=today + days(300), places=50)

    own_org = OrganisationFactory(name="Voka")
    other_org = OrganisationFactory(name="Unizo")
    own_fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    other_fund = OrganisationFactory(name="Alimento", kind=OrganisationKind.SECTOR_FUND)
    users = {
        "officer": UserFactory(username="officer", role=Role.OFFICER, is_staff=True),
        "promoter": UserFactory(username="promoter", role=Role.PROMOTER, organisation=own_org),
        "consultant": UserFactory(username="consultant", role=Role.SECTOR_CONSULTANT, organisation=own_fund),
        "cabinet": UserFactory(username="cabinet", role=Role.CABINET),
        # The financial service works in the admin, at the declarations.
        "finance": UserFactory(username="finance", role=Role.FINANCE, is_staff=True),
        "admin": UserFactory(username="admin", role=Role.ADMIN, is_staff=True),
    }
    consultant, officer = users["consultant"], users["officer"]
    other_consultant = UserFactory(role=Role.SECTOR_CONSULTANT, organisation=other_fund)
    project = ProjectFactory(traject=leren, organisations=[own_org])
    other_project = ProjectFactory(traject=leren, organisations=[other_org])

    def application(project, consultant, follow_progress=True, **fields):
        company = CompanyFactory()
        referral = ReferralFactory(
            consultant=consultant,
            sector_fund=consultant.organisation,
            company=company,
            traject=leren,
            follow_progress=follow_progress,
        )
        return ApplicationFactory(
            company=company, traject=leren, project=project, referral=referral, **fields
        )

    running = {
        "status": ApplicationStatus.IN_PROGRESS,
        "capacity_period": period,
        "decided_on": today - days(60),
        "started_on": today - days(30),
    }
    draft = application(project, consultant, status=ApplicationStatus.DRAFT, submitted_on=None)
    other_draft = application(
        other_project, other_consultant, status=ApplicationStatus.DRAFT, submitted_on=None
    )
    submitted = application(project, consultant)
    unfollowed = application(project, consultant, follow_progress=False)
    active = application(project, consultant, **running)
    other_active = application(other_project, other_consultant, **running)
    completed = application(
        project, consultant, **{**running, "status": ApplicationStatus.COMPLETED, "ended_on": today - days(1)}
    )
    completed_half_a_year_ago = application(
        project,
        consultant,
        **{
            **running,
            "status": ApplicationStatus.COMPLETED,
            "decided_on": today - days(400),
            "started_on": today - days(380),
            "ended_on": today - days(200),
        },
    )
    stopped = application(
        project,
        consultant,
        **{
            **running,
            "status": ApplicationStatus.STOPPED,
            "ended_on": today - days(1),
            "stop_reason": "no_time",
        },
    )
    other_intake = application(project, consultant, **running)
    for committed in (active, other_active):
        ApplicationFundingFactory(application=committed, amount=Decimal("1000.00"))
    # Each consultant did the intake of their own referral in progress, and its situation at intake is
    # recorded; another consultant did the intake of the consultant's own referral ``other_intake``.
    for running_application, intake_by in (
        (active, consultant),
        (other_active, other_consultant),
        (other_intake, other_consultant),
    ):
        Referral.objects.filter(pk=running_application.referral_id).update(intake_by=intake_by)
    for running_application in (active, other_active):
        services.record_baseline(
            running_application, by=officer, answers=services.SituationAnswers(**BASELINE)
        )
    declaration = DeclarationFactory(application=active, declared_by=users["promoter"])
    approved_declaration = DeclarationFactory(
        application=active,
        status=DeclarationStatus.APPROVED,
        decided_on=today - days(5),
        decided_by=officer,
    )
    other_declaration = DeclarationFactory(application=other_active)
    attachment, other_attachment = (
        DeclarationAttachment(declaration=declared, original_name="factuur.pdf")
        for declared in (declaration, other_declaration)
    )
    for stored in (attachment, other_attachment):
        stored.file.save("factuur.pdf", ContentFile(PDF))
    sme_declaration, other_sme_declaration = (
        services.declare_sme_status(
            declared.company,
            by=by,
            reference_year=today.year - 1,
            staff_awu=Decimal(20),
            turnover=Decimal("3000000.00"),
            balance_sheet_total=Decimal("2000000.00"),
            attachment=SimpleUploadedFile("verklaring.pdf", PDF),
        )
        for declared, by in ((active, consultant), (other_active, other_consultant))
    )

    report = ReportRequest(
        kind="pq244", as_of=datetime.date(2025, 11, 26), format="json", status=ReportStatus.DONE,
        progress=100, fingerprint="0" * 64, requested_by=users["cabinet"],
    )  # fmt: skip
    report.file.save("pq244.json", ContentFile(b"{}"), save=False)
    report.save()
    failed_report = ReportRequest.objects.create(
        kind="pq244",
        as_of=datetime.date(2025, 10, 1),
        format="csv",
        status=ReportStatus.FAILED,
        requested_by=officer,
        error="Time limit exceeded.",
    )
    over_budget, waiting, own_waiting = _short_of_budget(today, period)
    other_officer = UserFactory(role=Role.OFFICER, is_staff=True)
    override, own_override = (
        BudgetOverride.objects.create(
            application=application, reason="Bijkrediet", requested_by=by, requested_at=timezone.now()
        )
        for application, by in ((waiting, other_officer), (own_waiting, officer))
    )

    free_company = CompanyFactory()
    return {
        "users": users,
        "sessions": {role: _session_of(user) for role, user in users.items()},
        "ids": {
            "today": today.isoformat(),
            "yesterday": (today - days(1)).isoformat(),
            "last_month": (today - days(28)).isoformat(),
            "next_start": (today + days(400)).isoformat(),
            "next_end": (today + days(700)).isoformat(),
            "leren": leren.pk,
            "period": period.pk,
            "project": project.pk,
            "company": active.company_id,
            "company_kbo": active.company.kbo_number,
            "other_company": other_active.company_id,
            "free_company": free_company.pk,
            "free_company_kbo": free_company.kbo_number,
            "draft": draft.pk,
            "other_draft": other_draft.pk,
            "submitted": submitted.pk,
            "unfollowed": unfollowed.pk,
            "active": active.pk,
            "other_active": other_active.pk,
            "other_intake": other_intake.pk,
            "completed": completed.pk,
            "referral": active.referral_id,
            "other_referral": other_active.referral_id,
            "declaration": declaration.pk,
            "approved_declaration": approved_declaration.pk,
            "over_budget": over_budget.pk,
            "override": override.pk,
            "own_override": own_override.pk,
            "other_declaration": other_declaration.pk,
            "attachment": attachment.pk,
            "other_attachment": other_attachment.pk,
            "sme_declaration": sme_declaration.pk,
            "other_sme_declaration": other_sme_declaration.pk,
            "report": report.pk,
            "failed_report": failed_report.pk,
            "missing": 999_999,
            "officer_api_token": issue_api_token(users["officer"], label="script")[0].pk,
            "token": make_questionnaire_token("evaluation", completed),
            "follow_up_token": make_questionnaire_token("follow_up", completed_half_a_year_ago),
            "exit_token": make_questionnaire_token("exit", stopped),
        },
    }


def _short_of_budget(today, period):
    """Return three submitted applications of a traject whose budget (100.00 euro) is short of what an
    approval commits (5,000.00 euro), with places free today."""
    traject = TrajectFactory(code="werk")
    CapacityPeriodFactory(traject=traject, start=period.start, end=period.end, places=50)
    source = FundingSourceFactory(code="eu")
    BudgetLine.objects.create(traject=traject, source=source, amount=Decimal("100.00"))
    FundingRuleFactory(traject=traject, default_planned_cost=Decimal("5000.00"))
    return [ApplicationFactory(traject=traject, submitted_on=today) for _ in range(3)]


def _session_of(user) -> str:
    """Return a logged-in session made once: logging in per test costs more than the request itself."""
    client = APIClient()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _fill(value, ids: dict):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


_HANDLER = APIClient().handler


def _request(table_row: Row, role: str, world):
    ids = world["ids"]
    path = table_row.path.format(**ids)
    client = APIClient()
    # One handler for all: a new one loads the middleware again, and WhiteNoise rescans the static files.
    client.handler = _HANDLER
    user = world["users"].get(role)
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    data = table_row.data
    if data is CREDENTIALS:
        # Anonymous tries a wrong password.
        data = (
            {"username": user.username, "password": PASSWORD}
            if user
            else {"username": "officer", "password": "x"}
        )
    data = _fill(data, ids)
    is_api = path.startswith("/api/v1/")
    send = getattr(client, table_row.method.lower())
    if table_row.method == "GET":
        return send(path)
    if is_api:
        return send(path, data, format="json")
    return send(path, data or {})


# Pages whose anonymous 302 is their own success, not the login page.
REDIRECT_ELSEWHERE = ("/evaluatie/", "/afmelden/")


@pytest.mark.parametrize(("table_row", "role", "expected"), list(_cells()))
def test_permission_matrix(table_row, role, expected, world, db):
    response = _request(table_row, role, world)
    # Reading a streamed download to its end closes it the test client's way; calling close() here
    # would signal request_finished, which closes the test's database connection on PostgreSQL.
    body = (b"".join(response.streaming_content) if response.streaming else response.content)[:300]
    assert response.status_code == expected, body
    if expected == 302 and table_row.path.startswith("/admin/"):
        # Users without staff access are sent to the admin's login page, not anywhere else.
        assert response.url.startswith("/admin/login/")
    elif expected == 302 and role == "anonymous" and not table_row.path.startswith(REDIRECT_ELSEWHERE):
        assert response.url.startswith("/aanmelden/")


# -- every route has a row -----------------------------------------------------------------------------------
def _routes(patterns, prefix=""):
    """Yield every route as resolve() names it (a router's regex loses its leading "^"), with its view."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _api_methods(view) -> set[str]:
    """Return the methods a DRF view routes; plain Django views do not say, so they give none. HEAD and
    OPTIONS follow GET (a viewset adds "head" to its actions at its first request)."""
    if getattr(view, "actions", None):
        methods = set(view.actions)
    elif getattr(view, "cls", None):
        methods = {method for method in view.cls.http_method_names if hasattr(view.cls, method)}
    else:
        methods = set()
    return {method.upper() for method in methods} - {"HEAD", "OPTIONS"}


class _AnyId(dict):
    """Fills every placeholder with a value any path converter accepts."""

    def __missing__(self, key):
        return "1"


def _covered() -> set[tuple[str, str]]:
    return {
        (resolve(table_row.path.split("?")[0].format_map(_AnyId())).route, table_row.method)
        for table_row in TABLE
    }


def _checked_routes():
    """Yield the routes to check, leaving out the admin's own routes (the table samples them) and DRF's
    ``.<format>`` variants."""
    for route, view in _routes(get_resolver().url_patterns):
        if not route.startswith("admin/") and "<format>" not in route and "drf_format_suffix" not in route:
            yield route, view


def test_every_route_has_a_row():
    """A new endpoint or page without a row in TABLE fails here."""
    covered = {route for route, _method in _covered()}
    missing = sorted({route for route, _view in _checked_routes()} - covered)
    assert not missing, f"routes without a row in TABLE: {missing}"


def test_every_api_method_has_a_row():
    """A new method on an API route (an @action, an update) without a row fails here."""
    covered = _covered()
    missing = sorted(
        (route, method)
        for route, view in _checked_routes()
        for method in _api_methods(view)
        if (route, method) not in covered
    )
    assert not missing, f"API methods without a row in TABLE: {missing}"
