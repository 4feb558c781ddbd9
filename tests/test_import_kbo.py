"""Importing the KBO open-data extract: what a company gets, what an update keeps, what is skipped."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from demo.kbo_extract import HEADERS, enterprise_number
from participants.models import Company, LegalForm
from participants.services import KboImportStopped, import_kbo_extract
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db
# PostgreSQL loads the full extract with COPY, where the order of the lines does not matter; only the
# streaming path (SQLite) reads the files in one sorted pass and refuses an unsorted one.
streaming_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the COPY path does not need sorted files"
)


def kbo(n: int) -> str:
    """Return a valid enterprise number as the extract prints it; a higher n sorts later."""
    return enterprise_number(4_000_000 + n)


def quoted(value: str) -> str:
    return f'"{value}"' if value else ""


def enterprise(number, *, form="610", cac="", kind="2", status="AC", start="15-03-2012"):
    return f'"{number}","{status}","000","{kind}",{quoted(form)},{quoted(cac)},{start}'


def denomination(number, name, *, language="2", kind="001"):
    return f'"{number}","{language}","{kind}","{name}"'


def address(number, zipcode, municipality, *, kind="REGO", country="", struck_off=""):
    return (
        f'"{number}","{kind}",{quoted(country)},{quoted(country)},"{zipcode}","{municipality}",'
        f'"{municipality}","Kerkstraat","Kerkstraat","12","","",{struck_off}'
    )


def activity(number, nace, *, group="001", version="2008", classification="MAIN"):
    return f'"{number}","{group}","{version}","{nace}","{classification}"'


def write_extract(directory, *, enterprises, denominations=(), addresses=(), activities=()):
    for file_name, lines in (
        ("enterprise.csv", enterprises),
        ("denomination.csv", denominations),
        ("address.csv", addresses),
        ("activity.csv", activities),
    ):
        (directory / file_name).write_text("\n".join([HEADERS[file_name], *lines]) + "\n", encoding="utf-8")
    return directory


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


BAKERY, YOUTH_CLUB, BRASSERIE, PLUMBER = kbo(1), kbo(2), kbo(3), kbo(4)


@pytest.fixture
def extract(tmp_path):
    """Write an extract of a bakery (BV), a youth club (vzw), a stopped brasserie with a French name only,
    a sole trader."""
    return write_extract(
        tmp_path,
        enterprises=[
            enterprise(BAKERY, form="015", cac="610", start="01-04-2009"),
            enterprise(YOUTH_CLUB, form="017", start="20-09-1987"),
            enterprise(BRASSERIE, form="014", status="ST"),
            enterprise(PLUMBER, form="", kind="1", start="02-01-2020"),
        ],
        denominations=[
            denomination(BAKERY, "Boulangerie Peeters", language="1"),
            denomination(BAKERY, "Bakkerij Peeters", language="2"),
            denomination(BAKERY, "BP", kind="002"),
            denomination(BAKERY, "Het Gouden Brood", kind="003"),
            denomination(YOUTH_CLUB, "Jeugdhuis De Schakel", language="0"),
            denomination(BRASSERIE, "Brasserie du Parc", language="1"),
            denomination(PLUMBER, "Janssens, Jan"),
        ],
        addresses=[
            address(BAKERY, "9000", "Gent"),
            address(YOUTH_CLUB, "3500", "Hasselt"),
            address(BRASSERIE, "1000", "Brussel"),
        ],
        activities=[
            activity(BAKERY, "10711", group="006"),
            activity(BAKERY, "15811", version="2003"),
            activity(BAKERY, "10710", version="2025"),
            activity(BAKERY, "47241"),
            activity(BAKERY, "56101", classification="SECO"),
            activity(YOUTH_CLUB, "94991", group="006"),
        ],
    )


def test_every_enterprise_becomes_a_company_with_what_the_kbo_publishes(extract):
    result = import_kbo_extract(extract)

    assert (result.created, result.updated, result.unchanged, result.skipped_count) == (4, 0, 0, 0)
    bakery = Company.objects.get(kbo_number=BAKERY.replace(".", ""))
    assert bakery.name == "Bakkerij Peeters"
    # The old BVBA form is read as the BV it became under the WVV.
    assert bakery.legal_form == LegalForm.BV
    assert not bakery.is_non_profit
    assert bakery.founded_on == datetime.date(2009, 4, 1)
    assert bakery.is_active
    assert (bakery.postal_code, bakery.municipality, bakery.province) == ("9000", "Gent", "oost_vlaanderen")
    # The main activity in NACE-BEL 2025 wins over the codings of 2008 and 2003, whatever its group.
    assert (bakery.nace_code, bakery.nace_version) == ("10710", "2025")
    # The KBO publishes no staff figures: the size class is unknown, never micro, until declared.
    assert bakery.staff_headcount is None
    assert bakery.size_class == "unknown"
    assert [record.history_change_reason for record in bakery.history.all()] == [
        "Imported from the KBO open data"
    ]


def test_a_non_profit_form_makes_a_non_profit_company(extract):
    import_kbo_extract(extract)

    club = Company.objects.get(kbo_number=YOUTH_CLUB.replace(".", ""))
    assert club.name == "Jeugdhuis De Schakel"  # the language of the name is not recorded
    assert (club.legal_form, club.is_non_profit, club.size_class) == (LegalForm.VZW, True, "non_profit")
    assert club.province == "limburg"
    assert club.nace_code == "94991"  # no VAT activity, so the RSZ one


def test_a_stopped_enterprise_with_only_a_french_name_is_imported_inactive(extract):
    import_kbo_extract(extract)

    brasserie = Company.objects.get(kbo_number=BRASSERIE.replace(".", ""))
    assert (brasserie.name, brasserie.legal_form, brasserie.is_active) == (
        "Brasserie du Parc",
        LegalForm.NV,
        False,
    )
    assert (brasserie.province, brasserie.nace_code) == ("brussel", "")


def test_a_natural_person_is_a_sole_trader_whose_address_is_left_to_the_officers(extract):
    import_kbo_extract(extract)
    plumber = Company.objects.get(kbo_number=PLUMBER.replace(".", ""))
    assert (plumber.name, plumber.legal_form, plumber.postal_code) == (
        "Janssens, Jan",
        LegalForm.SOLE_TRADER,
        "",
    )

    # The open data never has the seat of a natural person, so an address typed in survives the next run.
    Company.objects.filter(pk=plumber.pk).update(postal_code="8500", municipality="Kortrijk")
    write_extract(
        extract,
        enterprises=[enterprise(PLUMBER, form="", kind="1", start="02-01-2020")],
        denominations=[denomination(PLUMBER, "Janssens, Jan-Pieter")],
    )
    import_kbo_extract(extract)
    plumber.refresh_from_db()
    assert (plumber.name, plumber.postal_code, plumber.municipality) == (
        "Janssens, Jan-Pieter",
        "8500",
        "Kortrijk",
    )


@pytest.mark.parametrize(
    ("form", "cac", "legal_form", "non_profit"),
    [
        ("610", "", LegalForm.BV, False),
        ("014", "", LegalForm.NV, False),
        ("706", "", LegalForm.CV, False),
        ("008", "706", LegalForm.CV, False),
        ("612", "", LegalForm.COMMV, False),
        ("011", "", LegalForm.VOF, False),
        ("125", "", LegalForm.IVZW, True),
        ("026", "", LegalForm.PRIVATE_FOUNDATION, True),
        ("029", "", LegalForm.PUBLIC_FOUNDATION, True),
        ("124", "", LegalForm.PUBLIC_BODY, False),
        ("416", "", LegalForm.OTHER, False),  # an intercommunale
    ],
)
def test_juridical_form_codes_map_to_legal_forms(tmp_path, form, cac, legal_form, non_profit):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(1), form=form, cac=cac)],
        denominations=[denomination(kbo(1), "Onderneming")],
    )
    import_kbo_extract(tmp_path)

    company = Company.objects.get()
    assert (company.legal_form, company.is_non_profit) == (legal_form, non_profit)
    assert (company.size_class == "non_profit") is non_profit


def test_an_update_takes_the_new_name_and_seat_and_keeps_what_the_officers_entered(tmp_path):
    company = CompanyFactory(
        kbo_number=BAKERY.replace(".", ""),
        name="Bakkerij Peeters",
        staff_headcount=20,
        turnover=Decimal("3000000.00"),
        balance_sheet_total=Decimal("2000000.00"),
        contact_name="An Peeters",
        contact_email="an@peeters.be",
        joint_committee="118",
        postal_code="9000",
        municipality="Gent",
    )
    write_extract(
        tmp_path,
        enterprises=[enterprise(BAKERY)],
        denominations=[denomination(BAKERY, "Bakkerij Peeters & Zonen")],
        addresses=[address(BAKERY, "2000", "Antwerpen")],
        activities=[activity(BAKERY, "10711")],
    )

    result = import_kbo_extract(tmp_path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    company.refresh_from_db()
    assert (company.name, company.postal_code, company.municipality) == (
        "Bakkerij Peeters & Zonen",
        "2000",
        "Antwerpen",
    )
    assert company.province == "antwerpen"
    assert (company.staff_headcount, company.turnover, company.balance_sheet_total) == (
        20,
        Decimal("3000000.00"),
        Decimal("2000000.00"),
    )
    assert (company.contact_name, company.contact_email, company.joint_committee) == (
        "An Peeters",
        "an@peeters.be",
        "118",
    )
    assert company.size_class == "small"
    latest = company.history.first()
    assert (latest.history_type, latest.name, latest.history_change_reason) == (
        "~",
        "Bakkerij Peeters & Zonen",
        "Imported from the KBO open data",
    )


def test_a_second_run_on_the_same_extract_changes_nothing(extract):
    import_kbo_extract(extract)
    written = {company.kbo_number: company.updated_at for company in Company.objects.all()}
    history_rows = Company.history.count()

    result = import_kbo_extract(extract)

    assert (result.created, result.updated, result.unchanged, result.skipped_count) == (0, 0, 4, 0)
    assert Company.history.count() == history_rows
    assert {company.kbo_number: company.updated_at for company in Company.objects.all()} == written


def test_skipped_enterprises_are_counted_per_reason_with_the_first_numbers_as_examples(tmp_path):
    bad_checksums = [f"0400.000.{n:03d}" for n in range(1, 8)]  # none of these has matching check digits
    write_extract(
        tmp_path,
        enterprises=[
            *(enterprise(number) for number in bad_checksums),
            enterprise(kbo(1)),
            enterprise(kbo(2), start="2012-03-15"),
            enterprise(kbo(3)),
            enterprise(kbo(4), start="31-02-2020"),
            enterprise(kbo(5), start="1-4-2009"),  # strptime's %d and %m take one digit too
        ],
        denominations=[
            *(denomination(number, "Onderneming") for number in bad_checksums),
            denomination(kbo(1), "Alleen een afkorting", kind="002"),
            denomination(kbo(2), "Verkeerde datum"),
            denomination(kbo(3), "Goede onderneming"),
            denomination(kbo(4), "Geen dag"),
            denomination(kbo(5), "Korte datum"),
        ],
    )

    result = import_kbo_extract(tmp_path)

    assert (result.created, result.skipped_count) == (2, 10)
    checksum = result.skipped["invalid enterprise number: the check digits do not match"]
    assert (checksum.count, checksum.examples) == (7, bad_checksums[:5])
    assert result.skipped["no legal name in the extract"].examples == [kbo(1)]
    assert result.skipped["start date is not a date (dd-mm-yyyy)"].examples == [kbo(2), kbo(4)]
    assert list(Company.objects.values_list("name", "founded_on")) == [
        ("Goede onderneming", datetime.date(2012, 3, 15)),
        ("Korte datum", datetime.date(2009, 4, 1)),
    ]


def test_establishment_units_and_branches_in_the_files_are_ignored(tmp_path):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(1)), enterprise(kbo(2))],
        denominations=[
            denomination(kbo(1), "Garage Maes"),
            denomination(kbo(2), "Drukkerij Wouters"),
            # As published: after every enterprise, the establishment units and branches.
            denomination("2.000.000.339", "Garage Maes - vestiging Lier", kind="003"),
            denomination("9.000.006.626", "Drukkerij Wouters bijkantoor", kind="004"),
        ],
        addresses=[
            address(kbo(1), "2500", "Lier"),
            address("2.000.000.339", "8000", "Brugge", kind="BAET"),
        ],
        activities=[activity(kbo(1), "45201"), activity("2.000.000.339", "47300")],
    )

    result = import_kbo_extract(tmp_path)

    assert (result.created, result.skipped_count) == (2, 0)
    assert list(Company.objects.order_by("kbo_number").values_list("name", "postal_code", "nace_code")) == [
        ("Garage Maes", "2500", "45201"),
        ("Drukkerij Wouters", "", ""),
    ]


@streaming_only
def test_an_unsorted_file_is_refused_before_its_batch_is_written(tmp_path):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(1)), enterprise(kbo(3)), enterprise(kbo(2))],
        denominations=[denomination(kbo(n), f"Onderneming {n}") for n in (1, 2, 3)],
    )

    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(tmp_path)

    assert stopped.value.message == (
        f"enterprise.csv is not sorted by entity number: {kbo(2)} on line 4 comes after {kbo(3)} on line 3."
    )
    assert not Company.objects.exists()


@streaming_only
def test_an_unsorted_side_file_stops_the_import_and_keeps_the_batches_already_written(tmp_path):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(n)) for n in (1, 2, 3, 4)],
        denominations=[denomination(kbo(n), f"Onderneming {n}") for n in (1, 2, 4, 3)],
    )

    with pytest.raises(KboImportStopped) as stopped:
        import_kbo_extract(tmp_path, batch_size=2)

    assert stopped.value.message.startswith(
        f"denomination.csv is not sorted by entity number: {kbo(3)} on line 5"
    )
    assert stopped.value.result.created == 2
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Onderneming 1", "Onderneming 2"]


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_the_batch_size_does_not_change_the_outcome(extract, batch_size):
    # One company the extract renames, one it already agrees with.
    CompanyFactory(
        kbo_number=YOUTH_CLUB.replace(".", ""),
        name="De Schakel",
        legal_form=LegalForm.VZW,
        is_non_profit=True,
    )
    CompanyFactory(
        kbo_number=PLUMBER.replace(".", ""),
        name="Janssens, Jan",
        legal_form=LegalForm.SOLE_TRADER,
        founded_on=datetime.date(2020, 1, 2),
    )

    result = import_kbo_extract(extract, batch_size=batch_size)

    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    assert list(Company.objects.order_by("kbo_number").values_list("name", "legal_form", "province")) == [
        ("Bakkerij Peeters", "bv", "oost_vlaanderen"),
        ("Jeugdhuis De Schakel", "vzw", "limburg"),
        ("Brasserie du Parc", "nv", "brussel"),
        ("Janssens, Jan", "sole_trader", "oost_vlaanderen"),
    ]


def test_the_command_prints_the_counts_and_the_skip_reasons(extract):
    with (extract / "enterprise.csv").open("a", encoding="utf-8") as enterprises:
        enterprises.write(enterprise("0500.000.001") + "\n")
    out = io.StringIO()

    call_command("import_kbo", str(extract), "--batch-size", "2", stdout=out)

    assert out.getvalue().splitlines() == [
        "Created: 4",
        "Updated: 0",
        "Unchanged: 0",
        "Skipped: 1",
        "  invalid enterprise number: the check digits do not match: 1 (for example 0500.000.001)",
    ]


@streaming_only
def test_the_command_reports_an_unsorted_file_as_an_error(tmp_path):
    write_extract(tmp_path, enterprises=[enterprise(kbo(2)), enterprise(kbo(1))])

    with pytest.raises(CommandError, match=r"Import stopped: enterprise\.csv is not sorted by entity number"):
        call_command("import_kbo", str(tmp_path), stdout=io.StringIO())


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"enterprise\.csv is missing"):
        call_command("import_kbo", str(tmp_path), stdout=io.StringIO())


def test_the_main_activity_is_the_newest_nace_version_the_register_has(tmp_path):
    write_extract(
        tmp_path,
        enterprises=[enterprise(kbo(1)), enterprise(kbo(2)), enterprise(kbo(3))],
        denominations=[denomination(kbo(n), f"Onderneming {n}") for n in (1, 2, 3)],
        activities=[
            # 2025 before 2008 before 2003, whatever the order of the lines and the activity group.
            activity(kbo(1), "15811", version="2003"),
            activity(kbo(1), "47241"),
            activity(kbo(1), "47110", version="2025", group="006"),
            activity(kbo(2), "15811", version="2003"),
            activity(kbo(2), "10711", group="006"),
            activity(kbo(3), "15811", version="2003"),
            activity(kbo(3), "47110", version="2025", classification="SECO"),  # a secondary one never
        ],
    )

    import_kbo_extract(tmp_path)

    assert list(Company.objects.order_by("kbo_number").values_list("nace_code", "nace_version")) == [
        ("47110", "2025"),
        ("10711", "2008"),
        ("15811", "2003"),
    ]
