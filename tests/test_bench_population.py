"""The benchmark's population and its yardstick: the reach and every breakdown over it, by the ORM and by
hand-written SQL, agree; a wrong figure stops the benchmark; the queries of each view do not grow with
the data."""

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.kbo_extract import STOPPED_EVERY, population_size, write_population_extract
from bench.measures import BenchmarkError, check_agreement, population_views
from demo.size_table import load_size_table
from participants.models import Company
from participants.services import import_kbo_extract
from reporting.statistics.reach import population
from tests.factories import (
    ApprovedApplicationFactory,
    OrganisationFactory,
    ProjectFactory,
    ReferralFactory,
    TrajectFactory,
)
from trajects.models import CapacityPeriod, OrganisationKind

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-written SQL is PostgreSQL's"
)


def _grow(directory: Path, enterprises: int, approved_every: int) -> None:
    """Import the first ``enterprises`` of the benchmark's population, and approve every
    ``approved_every``th of them not approved yet in one of two trajects, with projects, promoters,
    referrals and decision dates that differ."""
    extract = directory / str(enterprises)
    extract.mkdir()
    write_population_extract(extract, enterprises)
    import_kbo_extract(extract)
    trajects = [TrajectFactory(code=code) for code in ("leren", "werk")]
    until = {"end": datetime.date(2026, 12, 31), "places": 999}
    periods = [
        CapacityPeriod.objects.get_or_create(traject=traject, start=traject.start_date, defaults=until)[0]
        for traject in trajects
    ]
    fund = OrganisationFactory(kind=OrganisationKind.SECTOR_FUND)
    promoter = OrganisationFactory(kind=OrganisationKind.PROMOTER)
    projects = [ProjectFactory(traject=traject) for traject in trajects]
    projects[0].organisations.add(promoter, OrganisationFactory(kind=OrganisationKind.UNION))
    companies = Company.objects.filter(applications__isnull=True).order_by("kbo_number")
    for index, company in enumerate(companies[::approved_every]):
        # Every fifth company in both trajects: counted in each, once in the total.
        for other in (0, 1) if index % 5 == 0 else (0,):
            number = (index + other) % 2
            decided_on = datetime.date(2024, 1, 10) + datetime.timedelta(days=37 * index + other)
            ApprovedApplicationFactory(
                company=company,
                traject=trajects[number],
                capacity_period=periods[number],
                project=projects[number] if index % 3 else None,
                referral=ReferralFactory(company=company, traject=trajects[number], sector_fund=fund)
                if index % 4
                else None,
                submitted_on=decided_on - datetime.timedelta(days=10),
                decided_on=decided_on,
            )


@pytest.mark.django_db
def test_the_population_is_the_active_enterprises_asked_for_with_a_few_stopped_beside_them(tmp_path):
    enterprises = write_population_extract(tmp_path, 400)

    result = import_kbo_extract(tmp_path)

    assert enterprises == population_size(400) == 400 + 400 // STOPPED_EVERY
    assert (result.created, result.skipped_count) == (enterprises, 0)
    assert Company.objects.filter(is_active=True).count() == 400
    versions = set(Company.objects.values_list("nace_version", flat=True))
    assert versions == {"2025", "2008", "2003"}
    # Wallonia is in the register but not in the population of the reach.
    assert 0 < population().count() < 400
    assert Company.objects.filter(postal_code__startswith="4").exists()


@postgres_only
@pytest.mark.django_db
def test_the_hand_written_sql_gives_the_figures_of_every_reach_and_breakdown_view(tmp_path, officer):
    _grow(tmp_path, 300, approved_every=4)
    load_size_table(officer)

    views = population_views()
    for view, _budget, computed, by_hand, _sql in views:
        check_agreement(view, computed(), by_hand())

    assert len(views) == 3 + 10
    by_province = next(view[2] for view in views if view[0] == "reach by province")
    cells = by_province()["cells"]
    assert sum(enterprises for enterprises, _reached in cells.values()) == population().count()
    assert sum(reached for _enterprises, reached in cells.values()) > 0


@postgres_only
@pytest.mark.django_db
def test_a_figure_that_differs_from_the_hand_written_sql_stops_the_benchmark(tmp_path):
    _grow(tmp_path, 200, approved_every=3)
    view, _budget, computed, by_hand, _sql = next(
        v for v in population_views() if v[0] == "breakdown by province"
    )
    figures = computed()
    province = next(iter(figures["cells"]))
    figures["cells"][province] += 1

    with pytest.raises(BenchmarkError, match="breakdown by province and its hand-written SQL disagree"):
        check_agreement(view, figures, by_hand())


@pytest.mark.django_db
def test_each_view_takes_its_budget_of_queries_with_a_small_and_a_larger_data_set(tmp_path, officer):
    def counts():
        found = {}
        for view, budget, computed, _by_hand, _sql in population_views():
            computed()  # caches filled on first use (content types, translations) count in neither
            with CaptureQueriesContext(connection) as captured:
                computed()
            found[view] = (len(captured), budget)
        return found

    _grow(tmp_path, 40, approved_every=4)
    load_size_table(officer)
    small = counts()
    _grow(tmp_path, 200, approved_every=3)
    larger = counts()

    assert small == larger
    assert all(queries == budget for queries, budget in small.values())
