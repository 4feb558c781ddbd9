import pytest

from voorsprong.roles import Role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not under test; PBKDF2 would make every log-in take a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer(db):
    from tests.factories import UserFactory

    return UserFactory(role=Role.OFFICER, is_staff=True)
