"""The addresses of reporting: the cabinet's report pages and the statistics and report API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from reporting import api, report_api, views

router = SimpleRouter()
router.register("report-requests", report_api.ReportRequestViewSet, basename="report-request")

report_pages = [
    path("", views.report_list, name="list"),
    path("<int:pk>/opnieuw/", views.retry, name="retry"),
]

urlpatterns = [
    # The cabinet's reports of parliamentary questions.
    path("rapporten/", include((report_pages, "reports"))),
    path("api/v1/statistics/pq244/", api.PQ244View.as_view(), name="statistics-pq244"),
    path("api/v1/", include(router.urls)),
]
