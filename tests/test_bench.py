"""The benchmark's parts that must be right before its figures mean anything (the run itself is in CI)."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from bench.kbo_extract import ROWS_PER_ENTERPRISE, write_synthetic_extract
from bench.statistics_sql import numbers_from_figures, numbers_from_sql, pq244_rows
from demo.synthetic import AS_OF
from participants.models import Company
from participants.services import import_kbo_extract
from reporting.questions.pq244 import pq244_figures
from trajects.models import Traject


@pytest.mark.django_db
def test_the_benchmark_refuses_sqlite_and_says_what_to_do():
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite only")
    with pytest.raises(CommandError, match=r"needs PostgreSQL.*DATABASE_URL=postgres://"):
        call_command("bench", "--scale", "1")


@pytest.mark.django_db
def test_the_synthetic_extract_has_the_rows_asked_for_and_imports_without_skips(tmp_path):
    enterprises = write_synthetic_extract(tmp_path, 300, first=17_000_000)
    lines = sum(1 for path in tmp_path.iterdir() for _line in path.open(encoding="utf-8")) - 4
    assert (enterprises, lines) == (20, 20 * ROWS_PER_ENTERPRISE)

    result = import_kbo_extract(tmp_path)

    assert (result.created, result.skipped_count) == (20, 0)
    company = Company.objects.get(kbo_number="1700000026")
    assert company.name == "Onderneming 17000000"
    assert (company.postal_code, company.is_active, len(company.nace_code)) != ("", False, 0)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_hand_written_query_gives_the_numbers_of_the_statistics():
    """The yardstick of the ratio computes the same numbers, or the ratio compares two different things."""
    if connection.vendor != "postgresql":
        pytest.skip("the hand-written query is PostgreSQL's")
    call_command("seed_demo", stdout=io.StringIO())
    figures = pq244_figures(AS_OF)
    traject_codes = dict(Traject.objects.values_list("pk", "code"))

    by_hand = numbers_from_sql(pq244_rows(AS_OF, settings.TIME_ZONE), traject_codes)

    assert by_hand == numbers_from_figures(figures)
    assert by_hand["trajects"]["werk"]["size_classes"]["non_profit"] == 242
    assert by_hand["any_traject"] == figures["companies_in_any_traject"]
