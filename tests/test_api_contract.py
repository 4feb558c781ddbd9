"""The API keeps its OpenAPI contract: schemathesis generates requests for every operation of the live schema.

The schema is the one the running app serves at ``/api/schema/`` (loaded through Django's WSGI handler),
the data set is ``seed_demo``'s (with a smaller population), seeded once per worker, so the ids in paths
hit real rows, and every operation is tried with the API token of every role: the officer, a promoter,
the cabinet, the financial service, a sector consultant, a promoter of another organisation (whose rows
the first promoter must not reach) and the administrator.
Every check schemathesis has runs (the CLI's ``--checks all``): no server error; a documented status code,
content type, headers and body; data the schema allows accepted and data it forbids refused; the
authentication enforced; the methods the schema does not list refused with an ``Allow`` header.

CI runs two examples per operation and role (some three minutes with two workers, most of it creating
and seeding each worker's database); ``CONTRACT_EXAMPLES=200`` runs a longer search.

Each generated request runs in a savepoint that is rolled back afterwards, so the requests of one
example never see another's writes and the seeded data stays as ``seed_demo`` left it.
"""

import datetime
import io
import os

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.config import SchemathesisConfig

pytestmark = [pytest.mark.api_contract, pytest.mark.slow]

# The enterprises seed_demo imports as the reach's population (its default is 20,000).
POPULATION = 1000
# seed_demo's log-ins, and "promoter2", a promoter of another organisation made by the ``_seeded`` fixture.
ROLES = ("officer", "promoter", "promoter2", "cabinet", "finance", "consultant", "admin")
OTHER_PROMOTER_ORGANISATION = "UNIZO"
# Two examples per operation and role keep the pass to a few minutes; derandomized, so a
# failure in CI is the same failure on a laptop. CONTRACT_EXAMPLES asks for a longer search.
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "2"))

# Every check schemathesis registers (the CLI's --checks all), those of the whole run (classes) aside:
# a test calls them case by case.
load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]
ALL_CHECKS_BUT_ACCEPTANCE = [check for check in ALL_CHECKS if check.__name__ != "positive_data_acceptance"]

# positive_data_acceptance wants every request the schema allows answered 2xx. These operations answer
# a documented 400 (or 410) to data no JSON schema can rule out; each says why. The other checks still
# run on them, the refusal's body included.
REFUSES_VALID_LOOKING_DATA = {
    # A row named by id or code that does not exist (a filter's or a body's reference): 400 "unknown ...".
    "GET /api/v1/applications/": "an unknown project, traject or company in a filter",
    "GET /api/v1/budget-overrides/": "an unknown application in a filter",
    "GET /api/v1/capacity-periods/": "an unknown traject in a filter",
    "GET /api/v1/declarations/": "an unknown application or project in a filter",
    "GET /api/v1/referrals/": "an unknown traject in a filter",
    "GET /api/v1/trajects/": "an unknown traject code in the filter",
    "GET /api/v1/funding/summary/": "an unknown capacity period",
    "GET /api/v1/eligibility/": "a KBO number that does not pass its check digits",
    "POST /api/v1/applications/": "an unknown company or traject",
    "POST /api/v1/referrals/": "an unknown company or traject",
    "POST /api/v1/declarations/": "an application not approved, or amounts over what it commits",
    "POST /api/v1/capacity-periods/": "an unknown traject, or a period overlapping another",
    "PUT /api/v1/capacity-periods/{id}/": "fewer places than are taken (places_taken)",
    "PATCH /api/v1/capacity-periods/{id}/": "fewer places than are taken (places_taken)",
    "PATCH /api/v1/applications/{id}/": (
        "an unknown project, one of another traject (invalid_project), or a planned cost once approved"
    ),
    "POST /api/v1/companies/": "a KBO number that does not pass its check digits, or one already there",
    "PUT /api/v1/companies/{id}/": "a KBO number that does not pass its check digits, or one already there",
    "PATCH /api/v1/companies/{id}/": "a KBO number that does not pass its check digits, or one already there",
    "POST /api/v1/companies/{id}/sme-declarations/": "shares and staff that do not add up",
    "POST /api/v1/report-requests/": "neither a question nor a kind of report (one of both is needed)",
    # Rules across fields, documented per operation.
    "POST /api/v1/applications/{id}/stop/": "the reason other needs a description (reason_required)",
    "POST /api/v1/applications/{id}/baseline/": "a group larger than the staff in all (group_exceeds_total)",
    "POST /api/v1/applications/{id}/complete/": "a group larger than the staff reached",
    "POST /api/v1/applications/{id}/sessions/": "a session outside the trajectory's dates",
    "GET /api/v1/statistics/breakdown/": "dimensions named in one comma-separated parameter",
    # Documented answers that are not 2xx by nature.
    "POST /api/v1/auth/token/": "a username and password that do not match (400)",
    "GET /api/v1/report-requests/{id}/download/": "a report whose file is gone (410 file_gone)",
}

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


def _other_promoter() -> None:
    """Create "promoter2", a promoter of another organisation than seed_demo's promoter (Voka)."""
    from django.contrib.auth.models import Group

    from trajects.models import Organisation
    from voorsprong.models import User
    from voorsprong.roles import Role

    organisation = Organisation.objects.get(name=OTHER_PROMOTER_ORGANISATION)
    user = User.objects.create_user("promoter2", organisation=organisation)
    user.groups.add(Group.objects.get(name=Role.PROMOTER))


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """Run seed_demo once for the module, inside a transaction rolled back afterwards; with the users'
    tokens."""
    from funding.models import BudgetOverride, Declaration
    from participants.models import Application, Company, Referral
    from participants.selectors import applications_visible_to
    from reporting.models import ReportRequest
    from trajects.models import CapacityPeriod, Traject
    from voorsprong.models import User
    from voorsprong.services import issue_api_token

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # A population of 1,000 enterprises rather than 20,000 gives the reach every kind of cell
            # and spares each worker most of the seeding (the import of 20,000 takes some 45 s).
            call_command("seed_demo", population=POPULATION, stdout=io.StringIO())
            _other_promoter()
            users = {role: User.objects.get(username=role) for role in ROLES}
            # seed_demo's declarations are in every status, declared, approved and paid by three people.
            _budget_overrides(users["officer"])
            _report_requests(users["cabinet"])
            promoters = applications_visible_to(users["promoter"])
            own_companies = promoters.values("company_id")
            others = applications_visible_to(users["promoter2"])
            ROWS.update(
                {
                    "companies": _some(Company.objects) + _some(Company.objects.filter(pk__in=own_companies)),
                    "trajects": _some(Traject.objects, count=10),
                    "capacity-periods": _some(CapacityPeriod.objects, count=20),
                    "applications": (
                        _some(Application.objects, per="status")
                        + _some(promoters, per="status")
                        + _some(others, per="status", count=1)
                    ),
                    "referrals": _some(Referral.objects, count=3),
                    "declarations": _some(Declaration.objects, per="status"),
                    "budget-overrides": _some(BudgetOverride.objects, per="status"),
                    "report-requests": _some(ReportRequest.objects, count=10),
                }
            )
            yield {role: issue_api_token(user)[1] for role, user in users.items()}
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
        refused = case.operation.label in REFUSES_VALID_LOOKING_DATA
        checks = ALL_CHECKS_BUT_ACCEPTANCE if refused else ALL_CHECKS
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)
        transaction.set_rollback(True)
