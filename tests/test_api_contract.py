"""The API keeps its OpenAPI contract: schemathesis generates requests for every operation of the live schema.

The schema is the one the running app serves at ``/api/schema/`` (loaded through Django's WSGI handler),
the data set is ``seed_demo``'s, so the ids in paths hit real rows, and every operation is tried as the
officer, a promoter, the cabinet and the financial service, each with its API token. No answer may be a
server error, and every answer must have a documented status code and content type and match its
documented schema.

Each generated request runs in a savepoint that is rolled back afterwards, so the requests of one
example never see another's writes and the seeded data stays as ``seed_demo`` left it.
"""

import datetime
import io

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.api_contract

ROLES = ("officer", "promoter", "cabinet", "finance")
# A handful of examples per operation and role keeps the pass under a minute; derandomized, so a
# failure in CI is the same failure on a laptop.
EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        # The coverage phase would add dozens of boundary cases per operation, unbounded by
        # max_examples; the examples phase (the schema's own examples) and fuzzing remain.
        "phases": {"coverage": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), config=CONFIG)

# Per resource (the path's segment after /api/v1/), ids of seeded rows; filled by the ``_seeded`` fixture.
ROWS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Give an ``{id}`` in a path a seeded row (a random integer would almost always answer 404); leave
    the ids that are not integers, generated to be refused, as they are."""
    ids = ROWS.get(context.operation.path.split("/")[3])
    if ids and path_parameters and type(path_parameters.get("id")) is int:
        return st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk})
    return st.just(path_parameters)


def _some(queryset, *, per: str | None = None, count: int = 2) -> list[int]:
    """Return the first ``count`` ids of ``queryset`` (per value of ``per``), so each state is
    represented."""
    if per is None:
        return list(queryset.order_by("pk").values_list("pk", flat=True)[:count])
    values = queryset.order_by().values_list(per, flat=True).distinct()
    return [pk for value in sorted(values) for pk in _some(queryset.filter(**{per: value}), count=count)]


def _budget_overrides(officer) -> None:
    """Record approvals over the budget, as seed_demo's budgets are never short: one waiting for a
    sign-off, one refused, each on a submitted application."""
    from django.utils import timezone

    from funding.models import BudgetOverride, BudgetOverrideStatus
    from participants.models import Application, ApplicationStatus

    waiting, refused = Application.objects.filter(status=ApplicationStatus.SUBMITTED).order_by("pk")[:2]
    BudgetOverride.objects.create(
        application=waiting, reason="Bijkrediet.", requested_by=officer, requested_at=timezone.now()
    )
    BudgetOverride.objects.create(
        application=refused,
        reason="Bijkrediet.",
        requested_by=officer,
        requested_at=timezone.now(),
        status=BudgetOverrideStatus.REFUSED,
        decided_by=officer,
        decided_at=timezone.now(),
        refusal_reason="Geen bijkrediet.",
    )


def _report_requests(cabinet) -> None:
    """Create one queued, one failed and one done whose file is gone: the states download and retry
    answer."""
    from reporting.models import ReportRequest, ReportStatus

    common = {"kind": "pq244", "as_of": datetime.date(2025, 11, 26), "requested_by": cabinet}
    ReportRequest.objects.create(format="pdf", **common)
    ReportRequest.objects.create(format="csv", status=ReportStatus.FAILED, error="Kapot.", **common)
    ReportRequest.objects.create(
        format="json", status=ReportStatus.DONE, progress=100, file="reports/gone.json", **common
    )


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """Run seed_demo once for the module, inside a transaction rolled back afterwards; with the users'
    tokens."""
    from rest_framework.authtoken.models import Token

    from funding.models import BudgetOverride, Declaration
    from participants.models import Application, Company, Referral
    from participants.selectors import applications_visible_to
    from reporting.models import ReportRequest
    from trajects.models import CapacityPeriod, Traject
    from voorsprong.models import User

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            users = {role: User.objects.get(username=role) for role in ROLES}
            # seed_demo's declarations are in every status, declared, approved and paid by three people.
            _budget_overrides(users["officer"])
            _report_requests(users["cabinet"])
            promoters = applications_visible_to(users["promoter"])
            own_companies = promoters.values("company_id")
            ROWS.update(
                {
                    "companies": _some(Company.objects) + _some(Company.objects.filter(pk__in=own_companies)),
                    "trajects": _some(Traject.objects, count=10),
                    "capacity-periods": _some(CapacityPeriod.objects, count=20),
                    "applications": _some(Application.objects, per="status") + _some(promoters, per="status"),
                    "referrals": _some(Referral.objects, count=3),
                    "declarations": _some(Declaration.objects, per="status"),
                    "budget-overrides": _some(BudgetOverride.objects, per="status"),
                    "report-requests": _some(ReportRequest.objects, count=10),
                }
            )
            yield {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}
        finally:
            ROWS.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(params=ROLES)
def token(request, _seeded, db):
    return _seeded[request.param]


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction():
    """Keep the test's transaction open across requests: Django closes a connection whose transaction
    is open after each request; the test client stops it doing so, and so must a request that goes
    through the plain WSGI handler."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case, token):
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
        transaction.set_rollback(True)
