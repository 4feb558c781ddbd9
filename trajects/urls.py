"""The addresses of trajects: its API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from trajects import api

router = SimpleRouter()
router.register("trajects", api.TrajectViewSet, basename="traject")

urlpatterns = [path("api/v1/", include(router.urls))]
