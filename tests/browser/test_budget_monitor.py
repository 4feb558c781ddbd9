"""The budget monitor in a browser at 1280x800 with the demo data: it fits, and its chart can be read."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from funding.views import CHART_SERIES
from tests.demo_data import SMALL_POPULATION

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "voorsprong-demo"

# Every value label of the chart against every bar: a label overlapping a bar is hidden behind it.
OVERLAPS = """colours => {
  const svg = document.querySelector('[data-testid="budget-chart"] svg');
  const bars = [...svg.querySelectorAll('path')].filter(p => colours.includes(p.getAttribute('fill')))
    .map(p => p.getBoundingClientRect());
  const inside = svg.getBoundingClientRect();
  const found = [];
  for (const text of svg.querySelectorAll('text')) {
    const box = text.getBoundingClientRect();
    if (box.left < inside.left || box.right > inside.right) found.push('clipped: ' + text.textContent);
    for (const bar of bars) {
      const width = Math.min(box.right, bar.right) - Math.max(box.left, bar.left);
      const height = Math.min(box.bottom, bar.bottom) - Math.max(box.top, bar.top);
      if (width > 1 && height > 1) found.push(text.textContent);
    }
  }
  return {labels: svg.querySelectorAll('text').length, bars: bars.length, found};
}"""


def test_the_budget_monitor_fits_1280_pixels_for_finance_and_officers(page, log_in):
    call_command("seed_demo", *SMALL_POPULATION, stdout=io.StringIO())
    from voorsprong.models import User

    page.set_viewport_size({"width": 1280, "height": 800})
    for username in ("finance", "officer"):
        page.context.clear_cookies()
        log_in(User.objects.get(username=username), password=DEMO_PASSWORD)
        page.goto("/financiering/?as_of=26/11/2025")
        assert page.get_by_role("heading", name="Budgetbewaking").is_visible()
        assert page.locator('[data-testid="budget-row"]').count() == 8
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), username
        # The last column is inside the page's content, not cut off at its edge.
        main = page.locator("main").bounding_box()
        table = page.locator('[data-testid="budget"]').bounding_box()
        last = page.locator('[data-testid="budget"] thead th').last.bounding_box()
        assert table["x"] + table["width"] <= main["x"] + main["width"] + 0.5, username
        assert last["x"] + last["width"] <= table["x"] + table["width"] + 0.5
        assert page.locator('[data-testid="budget"] thead th').last.inner_text() == "Einde periode"

        # Motivatie's own means: committed own contributions, not a budget of 0 overrun in red.
        own = page.locator('[data-testid="budget-row"][data-source="own_company"]')
        assert (
            own.locator('[data-testid="own-contribution"]').inner_text()
            == "eigen inbreng bovenop de subsidie"
        )
        assert own.locator(".error").count() == 0 and own.locator("progress").count() == 0
        assert "-" not in own.inner_text().replace("–", "")

        chart = page.evaluate(OVERLAPS, [colour for _name, _label, colour in CHART_SERIES])
        assert chart["labels"] > 40 and chart["bars"] >= 8 * 3
        assert chart["found"] == [], chart["found"]


def test_an_invalid_date_shows_the_error_and_no_figures(page, log_in):
    from tests.factories import UserFactory
    from voorsprong.roles import Role

    log_in(UserFactory(role=Role.FINANCE))
    page.goto("/financiering/")
    page.get_by_label("Op datum").fill("31/02/2026")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Voer een geldige datum in.")).to_be_visible()
    assert page.locator('[data-testid="budget"]').count() == 0
    assert page.locator('[data-testid="budget-chart"]').count() == 0
    page.get_by_label("Op datum").fill("26/11/2025")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Stand op 26 november 2025.")).to_be_visible()
