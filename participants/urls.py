"""The addresses of participants: the promoters', consultants' and companies' pages and their API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from participants import api
from participants.views import coaching, eligibility, evaluation, referrals, work_queue

router = SimpleRouter()
router.register("companies", api.CompanyViewSet, basename="company")
router.register("capacity-periods", api.CapacityPeriodViewSet, basename="capacity-period")
router.register("applications", api.ApplicationViewSet, basename="application")
router.register("referrals", api.ReferralViewSet, basename="referral")

coaching_pages = [
    path("", coaching.application_list, name="applications"),
    path("<int:pk>/", coaching.application_detail, name="application"),
    path("<int:pk>/sessies/", coaching.log_session, name="log_session"),
    path("<int:pk>/situatie-bij-intake/", coaching.record_baseline, name="baseline"),
    path("<int:pk>/afsluiten/", coaching.close_application, name="close"),
]
referral_pages = [
    path("", referrals.referral_list, name="list"),
    path("nieuw/", referrals.new_referral, name="new"),
    path("<int:pk>/situatie-bij-intake/", referrals.record_baseline, name="baseline"),
]
evaluation_pages = [
    # Before the token pattern, which would take "bedankt" for a token; real tokens contain a colon.
    path("bedankt/", evaluation.thanks, name="thanks"),
    path("opvolging/<str:token>/", evaluation.follow_up_form, name="follow_up"),
    path("stopzetting/<str:token>/", evaluation.exit_form, name="exit"),
    path("<str:token>/", evaluation.evaluation_form, name="form"),
]

urlpatterns = [
    # The officers' start page: what waits for them.
    path("werkbak/", work_queue.work_queue, name="work_queue"),
    # The promoters' coaching pages (Mijn trajecten).
    path("trajecten/", include((coaching_pages, "coaching"))),
    # The sector consultants' referrals.
    path("doorverwijzingen/", include((referral_pages, "referrals"))),
    # The company's questionnaires behind its personal links: evaluation, follow-up, exit.
    path("evaluatie/", include((evaluation_pages, "evaluation"))),
    # Can a company take part: anyone may ask, without logging in.
    path("kan-ik-deelnemen/", eligibility.precheck, name="eligibility"),
    path("api/v1/evaluations/summary/", api.EvaluationSummaryView.as_view(), name="evaluation-summary"),
    path("api/v1/eligibility/", api.EligibilityView.as_view(), name="eligibility-check"),
    path("api/v1/", include(router.urls)),
]
