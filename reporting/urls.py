"""The addresses of reporting: the cabinet's report pages and the statistics and report API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from reporting import api, views
from reporting.kinds import kinds
from reporting.questions import questions

router = SimpleRouter()
router.register("report-requests", api.ReportRequestViewSet, basename="report-request")

report_pages = [
    path("", views.report_list, name="list"),
    path("<int:pk>/opnieuw/", views.retry, name="retry"),
]

urlpatterns = [
    # The cabinet's reports of parliamentary questions.
    path("rapporten/", include((report_pages, "reports"))),
    # The figures of every registered question.
    *(
        path(
            f"api/v1/statistics/pq{question.number}/",
            api.figures_view(question).as_view(),
            name=f"statistics-pq{question.number}",
        )
        for question in questions()
    ),
    # The figures of every other registered kind, with its parameters.
    *(
        path(
            f"api/v1/statistics/{kind.key.replace('_', '-')}/",
            api.kind_figures_view(kind).as_view(),
            name=f"statistics-{kind.key}",
        )
        for kind in kinds()
        if kind.question is None
    ),
    path("api/v1/", include(router.urls)),
]
