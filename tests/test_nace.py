"""The NACE-BEL section of a company's main activity in the code's own version, in Python and in the
database alike."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from participants.models import Company
from participants.nace import (
    NaceSection,
    nace_section,
    nace_section_expression,
    section_key,
    section_keys,
    section_name,
)
from tests.factories import CompanyFactory

CODES = {
    "01110": NaceSection.A,
    "03220": NaceSection.A,
    "05100": NaceSection.B,
    "10110": NaceSection.C,
    "33200": NaceSection.C,
    "35110": NaceSection.D,
    "36000": NaceSection.E,
    "41101": NaceSection.F,
    "47110": NaceSection.G,
    "49410": NaceSection.H,
    "56101": NaceSection.I,
    "62010": NaceSection.J,
    "63990": NaceSection.J,
    "64110": NaceSection.K,
    "68100": NaceSection.L,
    "69201": NaceSection.M,
    "82990": NaceSection.N,
    "84110": NaceSection.O,
    "85310": NaceSection.P,
    "88991": NaceSection.Q,
    "90011": NaceSection.R,
    "96021": NaceSection.S,
    "97000": NaceSection.T,
    "99000": NaceSection.U,
}
NO_SECTION = ("", "0", "00110", "A1234", "6")


@pytest.mark.parametrize(("code", "section"), [*CODES.items(), *((code, None) for code in NO_SECTION)])
def test_the_section_follows_from_the_division(code, section):
    assert nace_section(code) == section


@pytest.mark.django_db
def test_the_database_groups_by_the_same_sections():
    for code in (*CODES, *NO_SECTION):
        CompanyFactory(nace_code=code)
    found = dict(
        Company.objects.annotate(section=nace_section_expression()).values_list("nace_code", "section")
    )
    assert found == {code: (nace_section(code) or "") for code in (*CODES, *NO_SECTION)}


# The same code falls in another section in another version: each is read with its own table.
VERSIONED = [
    ("62010", "2008", "J"),
    ("62010", "2025", "2025-K"),
    ("59110", "2025", "2025-J"),
    ("64190", "2025", "2025-L"),
    ("90011", "2025", "2025-S"),
    ("99000", "2025", "2025-V"),
    ("15811", "2003", "2003-D"),
    ("72220", "2003", "2003-K"),
    ("05010", "2003", "2003-B"),
    ("99000", "2003", "2003-Q"),
]


@pytest.mark.parametrize(("code", "version", "key"), VERSIONED)
def test_a_section_is_read_in_the_code_s_own_version(code, version, key):
    assert section_key(version, nace_section(code, version)) == key


@pytest.mark.django_db
def test_the_database_reads_each_code_in_its_own_version():
    for code, version, _key in VERSIONED:
        CompanyFactory(nace_code=code, nace_version=version)
    CompanyFactory(nace_code="", nace_version="")
    found = sorted(
        Company.objects.annotate(section=nace_section_expression()).values_list(
            "nace_code", "nace_version", "section"
        )
    )
    assert found == sorted([*VERSIONED, ("", "", "")])


def test_the_names_of_the_sections_say_their_version_unless_2008():
    with translation.override("en"):
        assert section_name("J") == "Information and communication"
        assert section_name("2025-K").endswith("and other information service activities (NACE-BEL 2025)")
        assert section_name("2003-H") == "Hotels and restaurants (NACE-BEL 2003)"
    assert [section_keys(version)[-1] for version in ("2025", "2008", "2003")] == ["2025-V", "U", "2003-Q"]


@pytest.mark.django_db
def test_a_code_typed_in_without_a_version_is_2008_and_no_code_has_no_version():
    typed = CompanyFactory(nace_code="62010", nace_version="")
    cleared = CompanyFactory(nace_code="", nace_version="2025")
    assert (typed.nace_version, cleared.nace_version) == ("2008", "")


@pytest.mark.django_db
def test_the_database_refuses_a_code_without_a_version():
    company = CompanyFactory(nace_code="62010")
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company.pk).update(nace_version="")
