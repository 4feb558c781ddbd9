"""The full KBO import on PostgreSQL (COPY into staging tables) does what the streaming import does."""

import datetime
import gc
import io

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from participants.models import Company, KboImport, LegalForm
from participants.services import KboImportStopped, import_kbo_extract, kbo_copy
from tests.test_import_kbo import activity, address, denomination, enterprise, kbo, write_extract

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


BAD_CHECKSUMS = [f"0400.000.{n:03d}" for n in range(1, 8)]
NOT_PRINTED = kbo(20).replace(".", "")  # a valid number, written without its dots


def hostile_extract(directory, *, renamed: bool = False):
    """Write an extract with a skip of every reason, establishment units and branches among the lines,
    several NACE versions and name languages, struck-off and foreign seats; ``renamed`` changes one
    enterprise's name and another's main activity."""
    return write_extract(
        directory,
        enterprises=[
            *(enterprise(number) for number in BAD_CHECKSUMS),
            enterprise(kbo(1), form="015", cac="610", start="01-04-2009"),
            enterprise(kbo(2), form="017", start="20-09-1987"),
            enterprise(kbo(3), form="014", status="ST"),
            enterprise(kbo(4), form="", kind="1", start="02-01-2020"),
            enterprise(kbo(5), start="2012-03-15"),  # not dd-mm-yyyy
            enterprise(kbo(6), start="01-01-1700"),
            enterprise(kbo(7)),  # only an abbreviation
            enterprise(kbo(8)),  # a control character in its name
            enterprise(kbo(9)),  # a main activity that is not a NACE code
            enterprise(kbo(10), form="999"),  # a form the programme does not tell apart
            enterprise(kbo(11)),  # a German name only, a seat abroad
            enterprise(kbo(12), form="706"),
            enterprise(NOT_PRINTED),
            enterprise("12345"),
        ],
        denominations=[
            *(denomination(number, "Onderneming") for number in BAD_CHECKSUMS),
            denomination(kbo(1), "Boulangerie Peeters", language="1"),
            denomination(kbo(1), "Bakkerij Peeters" + (" & Zonen" if renamed else "")),
            denomination(kbo(1), "BP", kind="002"),
            denomination(kbo(2), "Jeugdhuis De Schakel", language="0"),
            denomination(kbo(3), "Brasserie du Parc", language="1"),
            denomination(kbo(4), "Janssens, Jan"),
            denomination(kbo(5), "Verkeerde datum"),
            denomination(kbo(6), "Te oud"),
            denomination(kbo(7), "AFK", kind="002"),
            denomination(kbo(8), "Stuur\x01karakter"),
            denomination(kbo(9), "Verkeerde code"),
            denomination(kbo(10), "Openbaar lichaam"),
            denomination(kbo(11), "Deutsche Firma", language="3"),
            denomination(kbo(12), "Coöperatie Samen", language="2"),
            denomination(kbo(12), "Coopérative Ensemble", language="1"),
            denomination(NOT_PRINTED, "Zonder punten"),
            denomination("2.000.000.339", "Bakkerij Peeters - vestiging Lier", kind="003"),
            denomination("9.000.006.626", "Bijkantoor", kind="004"),
        ],
        addresses=[
            address(kbo(1), "9000", "Gent", struck_off="01-01-2015"),
            address(kbo(1), "9050", "Gentbrugge"),
            address(kbo(2), "3500", "Hasselt"),
            address(kbo(3), "1000", "Brussel"),
            address(kbo(10), "4000", "Luik"),
            address(kbo(11), "10115", "Berlin", country="Duitsland"),
            address(kbo(12), "2000", "Antwerpen"),
            address("2.000.000.339", "2500", "Lier", kind="BAET"),
        ],
        activities=[
            activity(kbo(1), "10711", group="006"),
            activity(kbo(1), "15811", version="2003"),
            activity(kbo(1), "10710", version="2025"),
            activity(kbo(1), "47241"),
            activity(kbo(1), "56101", classification="SECO"),
            activity(kbo(2), "94991", group="006"),
            activity(kbo(2), "94992", group="001", version="2003"),
            activity(kbo(3), "56101", version="2003"),
            activity(kbo(9), "ABC"),
            activity(kbo(10), "84111", version="2025", group="003"),
            activity(kbo(10), "84112", version="2025", group="001"),
            activity(kbo(12), "47110" if renamed else "46900"),
            activity(kbo(12), "62010", classification="SECO", version="2025"),
            activity("2.000.000.339", "47300", version="2025"),
        ],
    )


def _outcome(result) -> tuple:
    return (
        (result.created, result.updated, result.unchanged),
        {reason: (skipped.count, skipped.examples) for reason, skipped in result.skipped.items()},
    )


def _companies() -> list[tuple]:
    fields = [
        f.attname
        for f in Company._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    ]
    return list(Company.objects.order_by("kbo_number").values_list(*fields))


def _history() -> list[tuple]:
    fields = [
        f.attname
        for f in Company.history.model._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at", "history_id", "history_date")
    ]
    return sorted(Company.history.values_list(*fields), key=repr)


def _run(tmp_path, *, use_copy: bool) -> list:
    """Import the hostile extract twice, then a changed one, beside a company the officers entered; return
    what a user would see of each step: counts, skip reasons, companies and their history."""
    Company.objects.create(
        kbo_number=kbo(2).replace(".", ""),
        name="De Schakel",
        legal_form=LegalForm.VZW,
        is_non_profit=True,
        staff_headcount=4,
        founded_on=datetime.date(1987, 9, 20),
        contact_name="An Peeters",
    )
    first, changed = tmp_path / "first", tmp_path / "changed"
    first.mkdir(exist_ok=True)
    changed.mkdir(exist_ok=True)
    steps = []
    for directory in (hostile_extract(first), hostile_extract(first), hostile_extract(changed, renamed=True)):
        result = import_kbo_extract(directory, use_copy=use_copy)
        steps.append((_outcome(result), _companies(), _history()))
    return steps


@pytest.fixture
def in_stretches(monkeypatch):
    """Load activity.csv in stretches of a line or two, as a national extract's is in 128 MB ones."""
    monkeypatch.setattr(kbo_copy, "PART_BYTES", 50)


def _joins(monkeypatch) -> list[str]:
    """Return the list the joins of the reductions made by the loading connections are added to."""
    joins = []

    def join(cursor, staging):
        joins.append(staging.joined)
        return original(cursor, staging)

    original = kbo_copy._join
    monkeypatch.setattr(kbo_copy, "_join", join)
    return joins


def _by_copy_and_streamed(tmp_path) -> tuple[list, list]:
    by_copy = _run(tmp_path, use_copy=True)
    Company.objects.all().delete()
    Company.history.all().delete()
    KboImport.objects.all().delete()
    return by_copy, _run(tmp_path, use_copy=False)


@pytest.mark.parametrize("stretches", [False, True], ids=["whole", "in stretches"])
def test_the_copy_import_and_the_streaming_import_give_the_same_companies_counts_and_history(
    tmp_path, request, monkeypatch, stretches
):
    if stretches:
        request.getfixturevalue("in_stretches")
    joins = _joins(monkeypatch)

    by_copy, streamed = _by_copy_and_streamed(tmp_path)

    # Inside the test's transaction every import follows a write to the companies (the officers' company,
    # the import before): the loading connections would not see them, so the import's connection joins.
    assert joins == []
    assert by_copy == streamed
    (first, skipped), companies, history = by_copy[0]
    assert first == (6, 1, 0)
    assert sum(count for count, _examples in skipped.values()) == 14
    assert skipped["invalid enterprise number: the check digits do not match"] == (7, BAD_CHECKSUMS[:5])
    assert skipped["enterprise number not printed as 0123.456.789"] == (1, [NOT_PRINTED])
    assert [row[:2] for row in companies] == [
        (kbo(n).replace(".", ""), name)
        for n, name in [
            (1, "Bakkerij Peeters"),
            (2, "Jeugdhuis De Schakel"),
            (3, "Brasserie du Parc"),
            (4, "Janssens, Jan"),
            (10, "Openbaar lichaam"),
            (11, "Deutsche Firma"),
            (12, "Coöperatie Samen"),
        ]
    ]
    assert len(history) == 1 + 7  # the officers' company, then every company the import wrote
    assert {row[-3] for row in history} == {None, "Imported from the KBO open data"}
    (again, _skipped), _companies_again, history_again = by_copy[1]
    assert again == (0, 0, 7) and history_again == history
    (renamed, _skipped), companies_renamed, history_renamed = by_copy[2]
    assert renamed == (0, 2, 5) and len(history_renamed) == len(history) + 2
    assert ("47110", "2008") in {(row[8], row[9]) for row in companies_renamed}


@pytest.mark.django_db(transaction=True)  # each import commits, as outside a test
def test_the_join_made_by_the_loading_connections_gives_what_the_import_s_own_gives(tmp_path, monkeypatch):
    joins = _joins(monkeypatch)

    by_copy, streamed = _by_copy_and_streamed(tmp_path)

    assert len(joins) == 3  # the officers' company committed before the first import, each import after
    assert by_copy == streamed
    (first, _skipped), _companies, _history = by_copy[0]
    assert first == (6, 1, 0)  # the officers' company found, and updated
    assert [outcome for (outcome, _skipped), _companies, _history in by_copy[1:]] == [(0, 0, 7), (0, 2, 5)]


def test_the_copy_import_keeps_the_officers_figures_and_takes_the_newest_nace_version(tmp_path):
    import_kbo_extract(hostile_extract(tmp_path))

    bakery = Company.objects.get(kbo_number=kbo(1).replace(".", ""))
    assert (bakery.legal_form, bakery.postal_code, bakery.municipality) == (
        LegalForm.BV,
        "9050",
        "Gentbrugge",
    )
    assert (bakery.nace_code, bakery.nace_version) == ("10710", "2025")
    club = Company.objects.get(kbo_number=kbo(2).replace(".", ""))
    assert (club.nace_code, club.nace_version, club.postal_code) == ("94991", "2008", "3500")
    public = Company.objects.get(kbo_number=kbo(10).replace(".", ""))
    assert (public.legal_form, public.nace_code) == (LegalForm.OTHER, "84112")
    foreign = Company.objects.get(kbo_number=kbo(11).replace(".", ""))
    assert (foreign.postal_code, foreign.municipality) == ("", "")
    assert not Company.objects.get(kbo_number=kbo(3).replace(".", "")).is_active


def test_the_copy_import_leaves_the_planner_the_companies_real_size(tmp_path):
    # Without statistics the planner takes a freshly filled table for an empty one: an update right after
    # the import would read its companies by a sequential scan per batch.
    result = import_kbo_extract(hostile_extract(tmp_path))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [Company._meta.db_table, Company.history.model._meta.db_table],
        )
        sizes = dict(cursor.fetchall())
    assert result.created == Company.objects.count() > 0
    assert sizes == {
        Company._meta.db_table: Company.objects.count(),
        Company.history.model._meta.db_table: Company.history.count(),
    }


def test_the_order_of_the_lines_does_not_matter_to_the_copy_import(tmp_path):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(3)), enterprise(kbo(1)), enterprise(kbo(2))],
        denominations=[denomination(kbo(n), f"Onderneming {n}") for n in (2, 3, 1)],
        activities=[
            activity(kbo(2), "10711", version="2003"),
            activity(kbo(1), "47110"),
            activity(kbo(2), "10710"),
        ],
    )

    result = import_kbo_extract(tmp_path)

    assert result.created == 3
    assert list(Company.objects.order_by("kbo_number").values_list("name", "nace_code")) == [
        ("Onderneming 1", "47110"),
        ("Onderneming 2", "10710"),
        ("Onderneming 3", ""),
    ]


@pytest.mark.parametrize(
    ("file_name", "content", "problem"),
    [
        (
            "activity.csv",
            b'"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"\n"\xff"\n',
            "invalid byte sequence",
        ),
        ("address.csv", None, "address.csv is missing"),
        (
            "denomination.csv",
            b'"EntityNumber","Language","TypeOfDenomination","Denomination"\n"1","2"\n',
            "missing data for column",
        ),
        ("denomination.csv", b'"EntityNumber","Language"\n', "lacks the column(s) TypeOfDenomination"),
    ],
)
def test_a_file_copy_cannot_read_stops_the_import_and_changes_nothing(tmp_path, file_name, content, problem):
    hostile_extract(tmp_path)
    if content is None:
        (tmp_path / file_name).unlink()
    else:
        (tmp_path / file_name).write_bytes(content)

    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(tmp_path)

    assert problem in stopped.value.message
    assert (Company.objects.count(), Company.history.count(), KboImport.objects.count()) == (0, 0, 0)
    with pytest.raises(CommandError, match=r"Import stopped: .* Nothing was changed; correct the extract"):
        call_command("import_kbo", str(tmp_path), stdout=io.StringIO())


@pytest.mark.parametrize("stretches", [False, True], ids=["whole", "in stretches"])
def test_a_line_copy_cannot_read_is_named_by_its_line_in_the_file(tmp_path, request, stretches):
    if stretches:
        request.getfixturevalue("in_stretches")
    hostile_extract(tmp_path)
    lines = (tmp_path / "activity.csv").read_text().splitlines()
    lines[10:10] = ['"0200.065.765","001"']  # line 11 of the file, far past the first stretch
    (tmp_path / "activity.csv").write_text("\n".join(lines) + "\n")

    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(tmp_path)

    assert stopped.value.message.startswith("activity.csv cannot be loaded as CSV text in UTF-8")
    assert stopped.value.message.endswith('missing data for column "c2" (line 11)')
    assert Company.objects.count() == 0


def _staging_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'kbo\\_staging\\_%%'")
        return {name for (name,) in cursor.fetchall()}


def test_an_import_leaves_no_staging_table_behind_whether_it_stops_or_not(tmp_path):
    hostile_extract(tmp_path)
    import_kbo_extract(tmp_path)
    assert _staging_tables() == set()

    (tmp_path / "address.csv").write_bytes(b'"EntityNumber","TypeOfAddress"\n"1"\n')
    with pytest.raises(KboImportStopped):
        import_kbo_extract(tmp_path)
    assert _staging_tables() == set()


def test_a_reduction_that_fails_on_its_lane_leaves_nothing_behind(tmp_path, monkeypatch):
    # The files are loaded and reduced on connections of their own, which commit what they create: a
    # server error in one reduction (here a division by zero) must not leave the others' tables.
    failing = "SELECT {EntityNumber} AS number, 1 / (line - line) AS nothing FROM {table}"
    monkeypatch.setitem(kbo_copy._REDUCTIONS, "address.csv", failing)
    with pytest.raises(psycopg.errors.DivisionByZero):
        import_kbo_extract(hostile_extract(tmp_path))
    assert _staging_tables() == set()
    assert Company.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the import drops what it finds in its own transaction
def test_the_staging_tables_of_a_gone_import_are_dropped_and_a_running_one_s_kept(tmp_path):
    # A killed import leaves its tables; their name says whose connection loaded them.
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as running:
        (pid,) = running.execute("SELECT pg_backend_pid()").fetchone()
        for name in (f"kbo_staging_{pid}_cafe_activity", "kbo_staging_7_dead_activity"):
            running.execute(f"CREATE UNLOGGED TABLE {name} (line bigint)")
        try:
            import_kbo_extract(hostile_extract(tmp_path))

            assert _staging_tables() == {f"kbo_staging_{pid}_cafe_activity"}
        finally:
            running.execute(
                f"DROP TABLE IF EXISTS kbo_staging_{pid}_cafe_activity, kbo_staging_7_dead_activity"
            )


def test_the_import_leaves_python_s_cycle_collector_on_whether_it_stops_or_not(tmp_path, monkeypatch):
    # Paused while the companies are judged and written, it must run again after: a worker process goes on.
    import_kbo_extract(hostile_extract(tmp_path))
    assert gc.isenabled()

    def lost_connection(*args):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(kbo_copy, "insert_companies", lost_connection)
    Company.objects.all().delete()
    with pytest.raises(OperationalError):
        import_kbo_extract(tmp_path)
    assert gc.isenabled()
