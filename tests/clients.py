from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """An API client acting as ``user``, without going through a log-in."""
    client = APIClient()
    client.force_authenticate(user)
    return client
