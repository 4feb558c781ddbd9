import pytest

from voorsprong.roles import Role

# The real Celery worker fixture of the worker pass.
pytest_plugins = ["tests.workers"]


def pytest_collection_modifyitems(items):
    """Put the modules marked ``slow`` first. xdist hands out one module at a time (``--dist loadfile``,
    in the order of collection with ``--no-loadscope-reorder``), so a long module handed out last would
    keep the pass waiting on one worker while the others have nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Hashing strength is not under test; PBKDF2 would make every log-in take a third of a second.
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _two_factor_not_required():
    """Let staff in without a second factor, as ``make run`` does, so the suite's log-ins (``force_login``,
    the browser tests' log-in form) need no authenticator; tests/test_two_factor.py turns it on. Whoever
    set one up is still asked for its code."""
    from django.conf import settings

    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture(autouse=True, scope="session")
def _axes_skips_logins_without_a_request():
    """Let a login without a request through axes: Axes' backend refuses an ``authenticate()`` without a
    request, as ``Client.login`` and a direct ``authenticate(username=..., password=...)`` make; such a
    login has no address to lock, so in tests axes lets it through to the model backend. Every login
    through a request is still counted and locked (tests/test_security.py)."""
    from axes.backends import AxesStandaloneBackend

    checked = AxesStandaloneBackend.authenticate

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return checked(self, request, username=username, password=password, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AxesStandaloneBackend, "authenticate", authenticate)
        yield


@pytest.fixture
def officer(db):
    from tests.factories import UserFactory

    return UserFactory(role=Role.OFFICER, is_staff=True)


@pytest.fixture
def finance(db):
    """Return a member of the financial service, who pays approved declarations (in the admin, as staff)."""
    from tests.factories import UserFactory

    return UserFactory(role=Role.FINANCE, is_staff=True)


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Run tasks in the test's process, also when CI points Celery at Redis; a test that needs a real
    worker says so and gets one from its own fixture.

    A worker that ran in a thread of this process (tests/workers.py) may have marked the process as a
    worker's, where waiting for a result is refused ("Never call result.get() within a task!"); its thread
    can do so after the test ended, so every test starts as a plain process again."""
    from celery._state import _set_task_join_will_block

    from voorsprong.celery import app

    _set_task_join_will_block(False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _rate_limits_start_afresh():
    """Clear the cache, which counts the rate limits: one test's requests never limit the next's."""
    from django.core.cache import cache

    cache.clear()
