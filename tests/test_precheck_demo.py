"""The pre-check agrees with the approval for every company of the demo data.

For each company of ``seed_demo`` (one traject each, in turn, to keep it fast) the pre-check's verdict is
compared with what really happens to a fresh application: created, submitted and approved on the same day
inside a savepoint that is rolled back. Yes means approved; no means refused with the pre-check's first
reason.
"""

import datetime
from collections import Counter

import pytest
from django.db import transaction

from demo.synthetic import HORIZON
from participants import services
from participants.models import Company
from tests.demo_data import demo_data
from trajects.models import Traject
from voorsprong.models import User
from voorsprong.services import WorkflowRefusal

pytestmark = [pytest.mark.engine_independent, pytest.mark.slow]

# A day before werk and motivatie had any capacity period: their answer is no_free_place.
BEFORE_WERK = datetime.date(2023, 6, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # A small population: the test tries every company.
    with demo_data(django_db_blocker, "--population", "60"):
        yield {
            "companies": list(Company.objects.order_by("pk")),
            "trajects": list(Traject.objects.order_by("code")),
            "officer": User.objects.get(username="officer"),
        }


def what_the_approval_does(company, traject, day, officer) -> str:
    """Return ``approved`` or the refusal's code for a fresh application, leaving nothing behind.

    The application has a project where its traject has projects, as the approval requires."""
    try:
        with transaction.atomic():
            application = services.create_application(
                company=company, traject=traject, by=officer, project=traject.projects.first()
            )
            services.submit_application(application, by=officer, on=day)
            services.approve_application(application, by=officer, on=day)
            transaction.set_rollback(True)
    except WorkflowRefusal as refusal:
        return refusal.code
    return "approved"


def compare(demo, day, every=1) -> Counter:
    outcomes = Counter()
    trajects = demo["trajects"]
    for index, company in enumerate(demo["companies"][::every]):
        traject = trajects[index % len(trajects)]
        verdict = services.precheck_eligibility(company.kbo_number, traject, day)
        outcome = what_the_approval_does(company, traject, day, demo["officer"])
        expected = "approved" if verdict.eligible else verdict.codes[0]
        assert outcome == expected, (company.name, company.size_class, traject.code, day, verdict.codes)
        outcomes[outcome] += 1
    return outcomes


def test_the_pre_check_agrees_with_the_approval_for_every_demo_company(demo, db):
    outcomes = compare(demo, HORIZON)
    assert sum(outcomes.values()) == len(demo["companies"]) > 1000
    # The demo data has every kind of answer to agree on.
    assert {"approved", "duplicate_application", "size_unknown", "not_eligible"} <= set(outcomes), outcomes


def test_and_on_a_day_some_trajects_had_no_places(demo, db):
    outcomes = compare(demo, BEFORE_WERK, every=7)
    assert {"approved", "no_free_place"} <= set(outcomes), outcomes
