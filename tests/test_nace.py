"""The NACE-BEL 2008 section of a company's main activity, in Python and in the database alike."""

import pytest

from participants.models import Company
from participants.nace import NaceSection, nace_section, nace_section_expression
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
