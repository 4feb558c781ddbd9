from django.urls import path

from participants.views import coaching

app_name = "coaching"
urlpatterns = [
    path("", coaching.application_list, name="applications"),
    path("<int:pk>/", coaching.application_detail, name="application"),
    path("<int:pk>/sessies/", coaching.log_session, name="log_session"),
    path("<int:pk>/afsluiten/", coaching.close_application, name="close"),
]
