from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from funding.api import DeclarationViewSet
from funding.views import BudgetSummaryView
from participants.api import ApplicationViewSet, CompanyViewSet, EvaluationSummaryView, ReferralViewSet
from reporting.api import PQ244View
from reporting.report_api import ReportRequestViewSet
from trajects.api import CapacityPeriodViewSet, TrajectViewSet
from voorsprong.auth_api import AuthTokenView
from voorsprong.health import health
from voorsprong.views import home

api = DefaultRouter()
api.register("companies", CompanyViewSet, basename="company")
api.register("trajects", TrajectViewSet, basename="traject")
api.register("capacity-periods", CapacityPeriodViewSet, basename="capacity-period")
api.register("applications", ApplicationViewSet, basename="application")
api.register("referrals", ReferralViewSet, basename="referral")
api.register("declarations", DeclarationViewSet, basename="declaration")
api.register("report-requests", ReportRequestViewSet, basename="report-request")

# An unknown address under /api/ answers in JSON (voorsprong.views.not_found).
handler404 = "voorsprong.views.not_found"

urlpatterns = [
    path("", home, name="home"),
    path("aanmelden/", auth_views.LoginView.as_view(), name="login"),
    path("afmelden/", auth_views.LogoutView.as_view(), name="logout"),
    # The pages of promoters, sector consultants and companies, in Dutch.
    path("trajecten/", include("participants.coaching_urls")),
    path("doorverwijzingen/", include("participants.referral_urls")),
    path("evaluatie/", include("participants.evaluation_urls")),
    # The officers' budget monitor.
    path("financiering/", include("funding.urls")),
    # The cabinet's reports of parliamentary questions.
    path("rapporten/", include("reporting.urls")),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", AuthTokenView.as_view(), name="api-token"),
    path("api/v1/evaluations/summary/", EvaluationSummaryView.as_view(), name="evaluation-summary"),
    path("api/v1/funding/summary/", BudgetSummaryView.as_view(), name="funding-summary"),
    path("api/v1/statistics/pq244/", PQ244View.as_view(), name="statistics-pq244"),
    path("api/v1/", include(api.urls)),
    # The OpenAPI contract and its browsable docs; anyone may read them (SPECTACULAR_SETTINGS).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
