from django.urls import path

from reporting import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/opnieuw/", views.retry, name="retry"),
]
