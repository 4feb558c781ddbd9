"""seed_demo --scale, in a module of its own: the main seed tests share one seeded database."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from demo.population import default_size
from participants.models import Company
from participants.selectors import approved_company_counts
from trajects.models import CapacityPeriod, Traject

AS_OF = datetime.date(2025, 11, 26)


@pytest.mark.django_db
def test_scale_multiplies_the_volume_and_the_places():
    call_command("seed_demo", "--scale", "2", "--population", "100", stdout=io.StringIO())
    assert approved_company_counts(AS_OF) == {"leren": 302, "werk": 1976, "motivatie": 40}
    assert CapacityPeriod.objects.get(traject__code="motivatie").places == 506
    assert Company.objects.values("kbo_number").distinct().count() == Company.objects.count()


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
