"""Belgian provinces and the postal-code ranges that fall in each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    ANTWERPEN = "antwerpen", _("Antwerp")
    LIMBURG = "limburg", _("Limburg")
    OOST_VLAANDEREN = "oost_vlaanderen", _("East Flanders")
    VLAAMS_BRABANT = "vlaams_brabant", _("Flemish Brabant")
    WEST_VLAANDEREN = "west_vlaanderen", _("West Flanders")
    BRUSSEL = "brussel", _("Brussels-Capital Region")
    WAALS_BRABANT = "waals_brabant", _("Walloon Brabant")
    HENEGOUWEN = "henegouwen", _("Hainaut")
    LUIK = "luik", _("Liège")
    LUXEMBURG = "luxemburg", _("Luxembourg")
    NAMEN = "namen", _("Namur")


# (first postal code, last postal code, province), after bpost's numbering.
_POSTAL_RANGES = (
    (1000, 1299, Province.BRUSSEL),
    (1300, 1499, Province.WAALS_BRABANT),
    (1500, 1999, Province.VLAAMS_BRABANT),
    (2000, 2999, Province.ANTWERPEN),
    (3000, 3499, Province.VLAAMS_BRABANT),
    (3500, 3999, Province.LIMBURG),
    (4000, 4999, Province.LUIK),
    (5000, 5999, Province.NAMEN),
    (6000, 6599, Province.HENEGOUWEN),
    (6600, 6999, Province.LUXEMBURG),
    (7000, 7999, Province.HENEGOUWEN),
    (8000, 8999, Province.WEST_VLAANDEREN),
    (9000, 9999, Province.OOST_VLAANDEREN),
)


def province_for_postal_code(postal_code: str) -> Province | None:
    """Return the province of a Belgian postal code, or None when it is not one."""
    if not (postal_code.isdigit() and len(postal_code) == 4):
        return None
    number = int(postal_code)
    for first, last, province in _POSTAL_RANGES:
        if first <= number <= last:
            return province
    return None
