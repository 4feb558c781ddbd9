"""The sections of NACE-BEL: the letter a company's main activity falls under, in its own nomenclature.

``Company.nace_code`` holds the five digits of the main activity and ``Company.nace_version`` the
nomenclature they belong to: NACE-BEL 2008 (NACE Rev. 2), 2025 (NACE Rev. 2.1) or 2003 (NACE Rev. 1.1).
A section follows from the first two digits, the division, but each version draws the sections
differently (62010 is J in 2008, K in 2025), so a code is only ever read with the table of its version.

A section is named by its key: the bare letter for NACE-BEL 2008, the nomenclature of the officers' forms
and the size tables (``J``), the version and the letter for the others (``2025-K``), so figures of
different versions are never added up under one letter.
"""

from django.db import models
from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _


class NaceVersion(models.TextChoices):
    NACE_2025 = "2025", "NACE-BEL 2025"
    NACE_2008 = "2008", "NACE-BEL 2008"
    NACE_2003 = "2003", "NACE-BEL 2003"


class NaceSection(models.TextChoices):
    """The sections of NACE-BEL 2008."""

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


# Per version, the last division of each section in order, with the section's letter and name; a section
# runs from the division after the previous section's last one. Divisions that do not exist (04 in 2008,
# 45 in 2025, ...) fall in the section after the gap, as no valid code has them.
SECTIONS = {
    NaceVersion.NACE_2008: tuple(
        (last, section.value, section.label)
        for last, section in (
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
    ),
    # NACE Rev. 2.1, 22 sections from A to V (divisions and names checked against the classification's
    # published list): trade in motor vehicles joined G (no division 45), information split in J and K.
    NaceVersion.NACE_2025: (
        ("03", "A", NaceSection.A.label),
        ("09", "B", NaceSection.B.label),
        ("33", "C", NaceSection.C.label),
        ("35", "D", NaceSection.D.label),
        ("39", "E", NaceSection.E.label),
        ("43", "F", NaceSection.F.label),
        ("47", "G", _("Wholesale and retail trade")),
        ("53", "H", NaceSection.H.label),
        ("56", "I", NaceSection.I.label),
        ("60", "J", _("Publishing, broadcasting, and content production and distribution activities")),
        (
            "63",
            "K",
            _(
                "Telecommunication, computer programming, consulting, computing infrastructure and other "
                "information service activities"
            ),
        ),
        ("66", "L", NaceSection.K.label),
        ("68", "M", NaceSection.L.label),
        ("75", "N", NaceSection.M.label),
        ("82", "O", NaceSection.N.label),
        ("84", "P", NaceSection.O.label),
        ("85", "Q", NaceSection.P.label),
        ("88", "R", NaceSection.Q.label),
        ("93", "S", _("Arts, sports and recreation")),
        ("96", "T", NaceSection.S.label),
        ("98", "U", NaceSection.T.label),
        ("99", "V", NaceSection.U.label),
    ),
    # NACE Rev. 1.1.
    NaceVersion.NACE_2003: (
        ("02", "A", _("Agriculture, hunting and forestry")),
        ("05", "B", _("Fishing")),
        ("14", "C", NaceSection.B.label),
        ("37", "D", NaceSection.C.label),
        ("41", "E", _("Electricity, gas and water supply")),
        ("45", "F", NaceSection.F.label),
        ("52", "G", _("Wholesale and retail trade; repair of motor vehicles and household goods")),
        ("55", "H", _("Hotels and restaurants")),
        ("64", "I", _("Transport, storage and communication")),
        ("67", "J", _("Financial intermediation")),
        ("74", "K", _("Real estate, renting and business activities")),
        ("75", "L", NaceSection.O.label),
        ("80", "M", NaceSection.P.label),
        ("85", "N", _("Health and social work")),
        ("93", "O", _("Other community, social and personal service activities")),
        ("97", "P", NaceSection.T.label),
        ("99", "Q", NaceSection.U.label),
    ),
}
# The order the breakdowns list the versions in: the newest first.
VERSIONS = (NaceVersion.NACE_2025, NaceVersion.NACE_2008, NaceVersion.NACE_2003)


def section_key(version: str, letter: str) -> str:
    """Return the key of a section: ``J`` for NACE-BEL 2008, ``2025-K`` for another version."""
    return letter if version == NaceVersion.NACE_2008 else f"{version}-{letter}"


def section_keys(version: str) -> list[str]:
    """Return the keys of the sections of ``version``, in order."""
    return [section_key(version, letter) for _last, letter, _label in SECTIONS[version]]


def section_version(key: str) -> str:
    """Return the version of the section ``key``: ``2025`` for ``2025-K``, ``2008`` for ``J``."""
    return key.split("-")[0] if "-" in key else NaceVersion.NACE_2008


def section_letter(key: str) -> str:
    """Return the letter of the section ``key``: ``K`` for ``2025-K``."""
    return key.rsplit("-", 1)[-1]


def section_name(key: str) -> str:
    """Return the name of the section ``key``, with its version unless that is 2008: ``Telecommunication,
    … (NACE-BEL 2025)``; "" for a key that names no section."""
    version, letter = section_version(key), section_letter(key)
    label = next((label for _last, each, label in SECTIONS.get(version, ()) if each == letter), None)
    if label is None:
        return ""
    return str(label) if version == NaceVersion.NACE_2008 else f"{label} ({NaceVersion(version).label})"


def section_order(key: str) -> tuple[int, str]:
    """Return what sorts section keys: the newest version first, then by letter."""
    return VERSIONS.index(section_version(key)), section_letter(key)


def nace_section(nace_code: str, version: str = NaceVersion.NACE_2008) -> str | None:
    """Return the letter of the section of ``nace_code`` in ``version`` (``62010`` -> J in 2008, K in
    2025), or None without a valid division."""
    division = nace_code[:2]
    if len(division) != 2 or not division.isdigit() or division == "00":
        return None
    for last, letter, _label in SECTIONS[version]:
        if division <= last:
            return letter
    return None


def _section_whens(field: str, version: str) -> list[When]:
    # The whens are tried in order, so each section needs only its upper bound: the codes compare as
    # text, and "62010" < "64" (the division after J's last in 2008) puts 62010 in J.
    sections = SECTIONS[version]
    return [
        When(**{f"{field}__lt": f"{int(last) + 1:02d}"}, then=Value(section_key(version, letter)))
        for last, letter, _label in sections[:-1]
    ] + [When(**{f"{field}__lt": ":"}, then=Value(section_key(version, sections[-1][1])))]


def nace_section_expression(field: str = "nace_code", version_field: str = "nace_version") -> Case:
    """Return a database expression for the section key (:func:`section_key`) of the code in ``field``
    read in the version in ``version_field`` ("" without a valid division), to group by in one query;
    it gives what :func:`nace_section` gives."""
    return Case(
        When(~Q(**{f"{field}__regex": r"^(0[1-9]|[1-9][0-9])"}), then=Value("")),
        *(
            When(Q(**{version_field: version}), then=Case(*_section_whens(field, version), default=Value("")))
            for version in VERSIONS
        ),
        default=Value(""),
        output_field=CharField(),
    )
