"""The addresses of funding: the officers' budget monitor and the funding API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from funding import api, views

router = SimpleRouter()
router.register("declarations", api.DeclarationViewSet, basename="declaration")
router.register("budget-overrides", api.BudgetOverrideViewSet, basename="budget-override")

budget_pages = [
    path("", views.budget_monitor, name="budget_monitor"),
    path("export/", views.budget_export, name="budget_export"),
]

urlpatterns = [
    # The budget monitor of the officers and the financial service.
    path("financiering/", include((budget_pages, "funding"))),
    path("api/v1/funding/summary/", api.BudgetSummaryView.as_view(), name="funding-summary"),
    path("api/v1/companies/<int:pk>/aid/", api.CompanyAidView.as_view(), name="company-aid"),
    path("api/v1/", include(router.urls)),
]
