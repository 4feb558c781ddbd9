"""Applying the register's update files: what they add, change and remove, and which updates are refused."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from demo.kbo_extract import HEADERS, write_meta
from participants.models import Company, KboImport
from participants.services import KboImportRefused, KboImportStopped, import_kbo_extract, import_kbo_update
from tests.factories import ApplicationFactory
from tests.test_import_kbo import activity, address, denomination, enterprise, kbo, write_extract

pytestmark = pytest.mark.django_db

BAKERY, YOUTH_CLUB, BRASSERIE, GARAGE, NEWCOMER = kbo(1), kbo(2), kbo(3), kbo(4), kbo(5)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def digits(number: str) -> str:
    return number.replace(".", "")


def company(number: str) -> Company:
    return Company.objects.get(kbo_number=digits(number))


@pytest.fixture
def imported(tmp_path):
    """Import full extract 140: a bakery, a youth club, a brasserie and a garage, all active."""
    full = tmp_path / "full"
    full.mkdir()
    write_extract(
        full,
        enterprises=[enterprise(number) for number in (BAKERY, YOUTH_CLUB, BRASSERIE, GARAGE)],
        denominations=[
            denomination(BAKERY, "Bakkerij Peeters"),
            denomination(YOUTH_CLUB, "Jeugdhuis De Schakel"),
            denomination(BRASSERIE, "Brasserie du Parc"),
            denomination(GARAGE, "Garage Vermeulen"),
        ],
        addresses=[address(number, "9000", "Gent") for number in (BAKERY, YOUTH_CLUB, BRASSERIE, GARAGE)],
        activities=[
            activity(BAKERY, "10711"),
            activity(YOUTH_CLUB, "94991"),
            activity(BRASSERIE, "56101"),
            activity(GARAGE, "45201"),
        ],
    )
    write_meta(full, extract_type="full", number=140)
    import_kbo_extract(full)
    return tmp_path


def write_update(directory, number, *, deletes=None, inserts=None, meta=True):
    """Write an update: ``deletes`` and ``inserts`` per file (enterprise.csv, ...), lines without header."""
    directory.mkdir()
    for file_name, header in HEADERS.items():
        numbers = (deletes or {}).get(file_name, [])
        column = header.split(",")[0]
        (directory / file_name.replace(".csv", "_delete.csv")).write_text(
            "\n".join([column, *(f'"{n}"' for n in sorted(numbers))]) + "\n", encoding="utf-8"
        )
        lines = (inserts or {}).get(file_name, [])
        (directory / file_name.replace(".csv", "_insert.csv")).write_text(
            "\n".join([header, *lines]) + "\n", encoding="utf-8"
        )
    if meta:
        write_meta(directory, extract_type="update", number=number)
    return directory


@pytest.fixture
def update_141(imported):
    """Update 141: the garage leaves the register, the brasserie stops, the bakery is renamed and moves
    to the 2025 coding, the youth club moves, a newcomer arrives."""
    return write_update(
        imported / "update",
        141,
        deletes={
            "enterprise.csv": [GARAGE, BRASSERIE],
            "denomination.csv": [BAKERY],
            "address.csv": [YOUTH_CLUB],
            "activity.csv": [BAKERY],
        },
        inserts={
            "enterprise.csv": [enterprise(BRASSERIE, status="ST"), enterprise(NEWCOMER, start="01-09-2025")],
            "denomination.csv": [
                denomination(BAKERY, "Bakkerij Peeters & Zonen"),
                denomination(NEWCOMER, "Nieuw"),
            ],
            "address.csv": [address(YOUTH_CLUB, "3500", "Hasselt"), address(NEWCOMER, "2000", "Antwerpen")],
            "activity.csv": [
                activity(BAKERY, "10711"),
                activity(BAKERY, "10710", version="2025"),
                activity(NEWCOMER, "62100", version="2025"),
            ],
        },
    )


def test_an_update_adds_changes_and_removes_as_its_files_say(update_141):
    ApplicationFactory(company=company(GARAGE))  # a company with an application is never deleted

    result = import_kbo_update(update_141)

    assert (result.created, result.updated, result.removed, result.unchanged, result.skipped_count) == (
        1,
        3,
        1,
        0,
        0,
    )
    bakery = company(BAKERY)
    assert bakery.name == "Bakkerij Peeters & Zonen"
    assert (bakery.nace_code, bakery.nace_version) == ("10710", "2025")
    assert (bakery.postal_code, bakery.is_active) == ("9000", True)  # the facts the update leaves alone
    club = company(YOUTH_CLUB)
    assert (club.name, club.postal_code, club.province, club.nace_code) == (
        "Jeugdhuis De Schakel",
        "3500",
        "limburg",
        "94991",
    )
    assert not company(BRASSERIE).is_active
    garage = company(GARAGE)  # still there, with its application and history, but out of the population
    assert (garage.is_active, garage.applications.count(), garage.name) == (False, 1, "Garage Vermeulen")
    newcomer = company(NEWCOMER)
    assert (newcomer.name, newcomer.province, newcomer.nace_code, newcomer.nace_version) == (
        "Nieuw",
        "antwerpen",
        "62100",
        "2025",
    )
    record = KboImport.objects.get(extract_type="update")
    assert (record.extract_number, record.created, record.updated, record.removed) == (141, 1, 3, 1)


def test_every_company_an_update_changes_keeps_its_history(update_141):
    import_kbo_update(update_141)

    assert [r.history_change_reason for r in company(BAKERY).history.order_by("history_date")] == [
        "Imported from the KBO open data",
        "Updated from the KBO open data (update 141)",
    ]
    assert [
        (r.history_change_reason, r.is_active) for r in company(GARAGE).history.order_by("history_date")
    ] == [
        ("Imported from the KBO open data", True),
        ("Removed from the KBO register", False),
    ]
    assert (
        company(NEWCOMER).history.get().history_change_reason == "Updated from the KBO open data (update 141)"
    )


def test_the_same_update_twice_is_refused_and_changes_nothing(update_141):
    import_kbo_update(update_141)
    company(BAKERY).__class__.objects.filter(kbo_number=digits(BAKERY)).update(name="Hand edited")

    with pytest.raises(KboImportRefused, match="Update 141 is not newer than the extract already imported"):
        import_kbo_update(update_141)

    assert company(BAKERY).name == "Hand edited"
    assert KboImport.objects.filter(extract_type="update").count() == 1


def test_an_update_older_than_the_full_extract_is_refused_and_changes_nothing(imported):
    old = write_update(imported / "old", 139, deletes={"enterprise.csv": [BAKERY]})
    history_rows = Company.history.count()

    with pytest.raises(KboImportRefused, match=r"Update 139 is not newer .* \(number 140\)"):
        import_kbo_update(old)
    # Equal is not newer either: the full extract 140 already holds update 140.
    with pytest.raises(KboImportRefused, match="Update 140 is not newer"):
        import_kbo_update(write_update(imported / "same", 140, deletes={"enterprise.csv": [BAKERY]}))

    assert company(BAKERY).is_active
    assert (Company.history.count(), KboImport.objects.count()) == (history_rows, 1)


def test_an_update_before_any_numbered_extract_is_refused(tmp_path):
    update = write_update(tmp_path / "update", 141, inserts={"enterprise.csv": [enterprise(BAKERY)]})

    with pytest.raises(KboImportRefused, match="No extract with a number was imported yet"):
        import_kbo_update(update)

    assert not Company.objects.exists()
    assert not KboImport.objects.exists()


def test_an_update_without_its_meta_or_a_full_extract_for_update_is_refused(imported, update_141):
    (update_141 / "meta.csv").unlink()
    with pytest.raises(KboImportRefused, match=r"meta\.csv does not say this is an update"):
        import_kbo_update(update_141)
    # The full extract handed to --update, and an update to the full import.
    with pytest.raises(KboImportRefused, match=r"meta\.csv does not say this is an update"):
        import_kbo_update(imported / "full")
    write_meta(update_141, extract_type="update", number=141)
    with pytest.raises(KboImportRefused, match="import it with --update"):
        import_kbo_extract(update_141)
    assert company(BAKERY).name == "Bakkerij Peeters"


def test_an_older_full_extract_is_refused_and_the_same_one_again_is_allowed(imported, update_141):
    import_kbo_update(update_141)

    with pytest.raises(KboImportRefused, match=r"number 140\) is older than the extract already imported"):
        import_kbo_extract(imported / "full")
    write_meta(imported / "full", extract_type="full", number=141)
    result = import_kbo_extract(imported / "full")

    # The full extract 141 is the register as it stands: it holds what it holds.
    assert company(BAKERY).name == "Bakkerij Peeters"
    assert result.updated == 4


def test_an_unsorted_update_file_changes_nothing(imported):
    update = write_update(
        imported / "update",
        141,
        deletes={"enterprise.csv": [GARAGE]},
        inserts={"denomination.csv": [denomination(BRASSERIE, "B"), denomination(BAKERY, "A")]},
    )

    with pytest.raises(KboImportStopped, match=r"denomination_insert\.csv is not sorted"):
        import_kbo_update(update, batch_size=1)

    assert company(GARAGE).is_active
    assert not KboImport.objects.filter(extract_type="update").exists()


def test_an_update_naming_an_unknown_enterprise_without_its_enterprise_line_skips_it(imported):
    update = write_update(
        imported / "update", 141, inserts={"denomination.csv": [denomination(NEWCOMER, "Wie?")]}
    )

    result = import_kbo_update(update)

    assert result.skipped["not in the register's enterprise file, nor imported before"].examples == [NEWCOMER]
    assert not Company.objects.filter(kbo_number=digits(NEWCOMER)).exists()


def test_the_command_applies_an_update_and_prints_what_changed(update_141):
    out = io.StringIO()

    call_command("import_kbo", str(update_141), "--update", stdout=out)

    assert out.getvalue().splitlines() == [
        "Created: 1",
        "Updated: 3",
        "Removed from the register: 1",
        "Unchanged: 0",
        "Skipped: 0",
    ]
    with pytest.raises(CommandError, match="Not imported: Update 141 is not newer"):
        call_command("import_kbo", str(update_141), "--update", stdout=io.StringIO())


def test_an_import_is_named_by_its_day_and_time_in_brussels(imported):
    record = KboImport.objects.get()
    record.imported_at = datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)

    # Half past eleven UTC is half past midnight the next day in Brussels, as the officers read it.
    assert str(record).endswith("(2026-01-16 00:30)")
