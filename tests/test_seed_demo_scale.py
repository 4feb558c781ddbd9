"""seed_demo --scale, in a module of its own: the main seed tests share one seeded database."""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from demo.dates import HORIZON
from demo.population import default_size
from funding.models import BudgetLine, BudgetOverride
from participants.models import Application, ApplicationStatus, Company
from participants.selectors import approved_company_counts
from participants.services import approve_application
from trajects.models import CapacityPeriod, Traject
from voorsprong.models import User
from voorsprong.services import WorkflowRefusal

pytestmark = [pytest.mark.engine_independent, pytest.mark.slow]

AS_OF = datetime.date(2025, 11, 26)
# The budget lines of scale 1, as the minister's answer gives them (answer 4).
BUDGET_LINES = {
    ("leren", "eu"): "2688800.00",
    ("leren", "flemish"): "4033200.00",
    ("werk", "eu"): "25000000.00",
    ("werk", "flemish"): "28125000.00",
    ("werk", "own_promoter"): "9375000.00",
    ("motivatie", "eu"): "4400000.00",
    ("motivatie", "flemish"): "6600000.00",
}


@pytest.mark.django_db
def test_scale_multiplies_the_volume_the_places_and_the_budgets():
    """At scale 3 the volume, the places and the budget lines are three times those of scale 1, so the
    demo's submitted applications are all approved without an approval over the budget, as at scale 1
    (with the budgets of scale 1, werk's EU line would already be overdrawn by the seeded approvals)."""
    call_command("seed_demo", "--scale", "3", "--population", "100", stdout=io.StringIO())
    assert approved_company_counts(AS_OF) == {"leren": 453, "werk": 2964, "motivatie": 60}
    assert CapacityPeriod.objects.get(traject__code="motivatie").places == 759
    assert Company.objects.values("kbo_number").distinct().count() == Company.objects.count()
    assert {
        (line.traject.code, line.source.code): line.amount
        for line in BudgetLine.objects.select_related("traject", "source")
    } == {key: Decimal(amount) * 3 for key, amount in BUDGET_LINES.items()}

    officer = User.objects.get(username="officer")
    refused = Counter()
    submitted = Application.objects.filter(status=ApplicationStatus.SUBMITTED).order_by("pk")
    assert submitted.count() == 3 * 26
    for application in submitted:
        try:
            approve_application(application, by=officer, on=HORIZON)
        except WorkflowRefusal as refusal:
            refused[refusal.code] += 1
    assert refused == Counter()
    assert not BudgetOverride.objects.exists()
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("scale", ["0", "501"])
def test_scale_out_of_range_is_refused_and_changes_nothing(scale):
    with pytest.raises(CommandError, match="between 1 and 500"):
        call_command("seed_demo", "--scale", scale)
    assert not Traject.objects.exists()


def test_the_population_grows_with_the_scale_unless_told_its_size():
    assert [default_size(scale) for scale in (1, 2, 100, 500)] == [20_000, 40_000, 2_000_000, 3_000_000]


@pytest.mark.django_db
def test_a_larger_population_adds_only_the_enterprises_still_missing():
    """A smaller population is the start of a larger one: a second run with more adds the rest, with the
    first ones as they were; one with fewer changes nothing."""
    call_command("seed_demo", "--population", "40", stdout=io.StringIO())
    first = {
        company.kbo_number: company.name for company in Company.objects.filter(kbo_number__startswith="12")
    }
    assert len(first) == 40
    history = Company.history.count()

    output = io.StringIO()
    call_command("seed_demo", "--population", "70", stdout=output)

    assert (
        "Population of 70 active enterprises: imported from a synthetic KBO extract (30 new)"
        in output.getvalue()
    )
    again = {
        company.kbo_number: company.name for company in Company.objects.filter(kbo_number__startswith="12")
    }
    assert len(again) == 70 and {number: again[number] for number in first} == first
    assert Company.history.count() == history + 30
    call_command("seed_demo", "--population", "50", stdout=output)
    assert Company.objects.filter(kbo_number__startswith="12").count() == 70
    assert Company.history.count() == history + 30


@pytest.mark.django_db
@pytest.mark.parametrize("population", ["-1", "3000001"])
def test_population_out_of_range_is_refused_and_changes_nothing(population):
    with pytest.raises(CommandError, match="between 0 and 3000000"):
        call_command("seed_demo", "--population", population)
    assert not Traject.objects.exists()
