from importlib import import_module

from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """Return an API client acting as ``user``, without going through a log-in."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_collections() -> list[tuple[str, type, str]]:
    """Return every (prefix, viewset, basename) that the apps' routers register under /api/v1/."""
    return [
        registration
        for module in ("trajects.urls", "participants.urls", "funding.urls", "reporting.urls")
        for registration in import_module(module).router.registry
    ]
