"""The root of the addresses: each app brings its own pages and API routes in its ``urls.py``.

The apps are included by name, so this module imports none of them and the kernel stays at the bottom of
the stack.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import APIRootView, SimpleRouter

from voorsprong.auth_api import ApiTokenViewSet, AuthTokenView
from voorsprong.health import health
from voorsprong.throttling import login_rate_limit
from voorsprong.views import admin_login, api_tokens, home, revoke_token

# Under /api/ these answer in JSON, like the API's own errors; elsewhere with the Dutch pages.
handler400 = "voorsprong.views.bad_request"
handler403 = "voorsprong.views.permission_denied"
handler404 = "voorsprong.views.not_found"
handler500 = "voorsprong.views.server_error"

# The index of the API at /api/v1/: each collection with the name of its list route.
API_COLLECTIONS = {
    "companies": "company-list",
    "trajects": "traject-list",
    "capacity-periods": "capacity-period-list",
    "applications": "application-list",
    "referrals": "referral-list",
    "declarations": "declaration-list",
    "budget-overrides": "budget-override-list",
    "report-requests": "report-request-list",
}

# The caller's own API tokens: list, revoke.
tokens = SimpleRouter()
tokens.register("tokens", ApiTokenViewSet, basename="api-tokens")

urlpatterns = [
    path("", home, name="home"),
    # Log-ins are rate limited before any password is hashed (the admin's in voorsprong.views).
    path("aanmelden/", login_rate_limit(auth_views.LoginView.as_view()), name="login"),
    path("afmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", health, name="health"),
    path("api-sleutels/", api_tokens, name="api_tokens"),
    path("api-sleutels/<int:pk>/intrekken/", revoke_token, name="revoke_token"),
    path("tweestapsverificatie/", include("voorsprong.two_factor_views")),
    # Before the admin's own: the admin sends a user without access to its login page, which refuses them.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", login_rate_limit(AuthTokenView.as_view()), name="api-token"),
    path("api/v1/auth/", include(tokens.urls)),
    path("api/v1/", APIRootView.as_view(api_root_dict=API_COLLECTIONS), name="api-root"),
    path("", include("trajects.urls")),
    path("", include("participants.urls")),
    path("", include("funding.urls")),
    path("", include("reporting.urls")),
    # The OpenAPI contract and its browsable docs; anyone may read them (SPECTACULAR_SETTINGS).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
