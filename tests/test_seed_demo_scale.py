"""seed_demo --scale, in a module of its own: the main seed tests share one seeded database."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from participants.models import Company
from participants.selectors import approved_company_counts
from trajects.models import CapacityPeriod, Traject

AS_OF = datetime.date(2025, 11, 26)


@pytest.mark.django_db
def test_scale_multiplies_the_volume_and_the_places():
    call_command("seed_demo", "--scale", "2", stdout=io.StringIO())
    assert approved_company_counts(AS_OF) == {"leren": 302, "werk": 1976, "motivatie": 40}
    assert CapacityPeriod.objects.get(traject__code="motivatie").places == 506
    assert Company.objects.values("kbo_number").distinct().count() == Company.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("scale", ["0", "501"])
def test_scale_out_of_range_is_refused_and_changes_nothing(scale):
    with pytest.raises(CommandError, match="between 1 and 500"):
        call_command("seed_demo", "--scale", scale)
    assert not Traject.objects.exists()
