"""The reach on the cabinet's reports page in a browser at 1280 pixels: it fits, its chart is there and
the under-reached cells stand out in the table and the chart."""

import datetime

import pytest

from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

UNDER_COLOUR = "#cc4125"


def test_the_reach_fits_1280_pixels_and_shows_the_under_reached(page, log_in):
    traject = TrajectFactory(code="leren")
    period = CapacityPeriodFactory(traject=traject, start=datetime.date(2025, 1, 1), places=100)
    # Antwerpen 4 of 10 reached, Limburg 1 of 10: Limburg is under-reached.
    for postal_code, reached in (("2000", 4), ("3500", 1)):
        for index in range(10):
            company = CompanyFactory(postal_code=postal_code, nace_code="62010")
            if index < reached:
                ApprovedApplicationFactory(company=company, traject=traject, capacity_period=period)
    cabinet = UserFactory(role=Role.CABINET)

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(cabinet)
    for by in ("province", "nace_section", "size_class"):
        page.goto(f"/rapporten/?bereik-as_of=2025-11-26&bereik-by={by}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, by
        assert page.get_by_test_id("reach-table").is_visible()
    page.goto("/rapporten/?bereik-as_of=2025-11-26&bereik-by=province")
    chart = page.locator('[data-testid="reach-chart"] svg')
    assert chart.is_visible()
    assert chart.bounding_box()["width"] <= 1280
    assert chart.locator(f'path[fill="{UNDER_COLOUR}"]').count() >= 1
    under = page.locator('[data-testid="reach-cell"].under-reached')
    assert under.count() == 1 and "Limburg" in under.inner_text()
    page.goto("/rapporten/?bereik-as_of=2025-11-26&bereik-by=size_class")
    assert page.get_by_test_id("no-denominator").is_visible()
