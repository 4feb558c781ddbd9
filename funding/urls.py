from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("", views.budget_monitor, name="budget_monitor"),
    path("export/", views.budget_export, name="budget_export"),
]
