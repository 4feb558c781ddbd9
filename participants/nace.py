"""The sections of NACE-BEL 2008: the letter a company's main activity falls under.

``Company.nace_code`` holds the five digits of NACE-BEL 2008 (the KBO import keeps no other version), so
a section follows from the first two digits, the division. The 2025 nomenclature groups divisions into
other sections; a code of that version must never be read with this table.
"""

from django.db import models
from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _


class NaceSection(models.TextChoices):
    A = "A", _("Agriculture, forestry and fishing")
    B = "B", _("Mining and quarrying")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, gas, steam and air conditioning supply")
    E = "E", _("Water supply; sewerage, waste management and remediation")
    F = "F", _("Construction")
    G = "G", _("Wholesale and retail trade; repair of motor vehicles and motorcycles")
    H = "H", _("Transportation and storage")
    I = "I", _("Accommodation and food service activities")  # noqa: E741 - the section's letter
    J = "J", _("Information and communication")
    K = "K", _("Financial and insurance activities")
    L = "L", _("Real estate activities")
    M = "M", _("Professional, scientific and technical activities")
    N = "N", _("Administrative and support service activities")
    O = "O", _("Public administration and defence; compulsory social security")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Human health and social work activities")
    R = "R", _("Arts, entertainment and recreation")
    S = "S", _("Other service activities")
    T = "T", _("Activities of households as employers")
    U = "U", _("Activities of extraterritorial organisations and bodies")


# The last division of each section, in order (NACE Rev. 2, which NACE-BEL 2008 follows); a section
# runs from the division after the previous section's last one. Divisions 04, 34, 40, 44, 48, 54, 57, 67,
# 76, 83 and 89 do not exist.
_LAST_DIVISION = (
    ("03", NaceSection.A),
    ("09", NaceSection.B),
    ("33", NaceSection.C),
    ("35", NaceSection.D),
    ("39", NaceSection.E),
    ("43", NaceSection.F),
    ("47", NaceSection.G),
    ("53", NaceSection.H),
    ("56", NaceSection.I),
    ("63", NaceSection.J),
    ("66", NaceSection.K),
    ("68", NaceSection.L),
    ("75", NaceSection.M),
    ("82", NaceSection.N),
    ("84", NaceSection.O),
    ("85", NaceSection.P),
    ("88", NaceSection.Q),
    ("93", NaceSection.R),
    ("96", NaceSection.S),
    ("98", NaceSection.T),
    ("99", NaceSection.U),
)


def nace_section(nace_code: str) -> NaceSection | None:
    """Return the section of a NACE-BEL 2008 code (``62010`` -> J), or None without a valid division."""
    division = nace_code[:2]
    if len(division) != 2 or not division.isdigit() or division == "00":
        return None
    for last, section in _LAST_DIVISION:
        if division <= last:
            return section
    return None


def nace_section_expression(field: str = "nace_code") -> Case:
    """Return a database expression for the section of the NACE-BEL 2008 code in ``field`` ("" without
    a valid division), to group by in one query; it gives what :func:`nace_section` gives."""
    # The whens are tried in order, so each section needs only its upper bound: the codes compare as
    # text, and "62010" < "64" (the division after J's last) puts 62010 in J.
    return Case(
        When(~Q(**{f"{field}__regex": r"^(0[1-9]|[1-9][0-9])"}), then=Value("")),
        *(
            When(**{f"{field}__lt": f"{int(last) + 1:02d}"}, then=Value(section.value))
            for last, section in _LAST_DIVISION[:-1]
        ),
        # A valid division past the others' bounds: 99.
        default=Value(_LAST_DIVISION[-1][1].value),
        output_field=CharField(),
    )
