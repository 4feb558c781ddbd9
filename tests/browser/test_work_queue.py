"""An officer starts the day at the work queue and opens a submitted application from it."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ApplicationFactory, CompanyFactory, TrajectFactory, UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_lands_on_the_work_queue_and_opens_a_submitted_application(page, log_in):
    page.set_viewport_size({"width": 1280, "height": 800})
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    today = timezone.localdate()
    late = ApplicationFactory(
        traject=traject,
        company=CompanyFactory(name="Bakkerij Peeters BV"),
        submitted_on=today - datetime.timedelta(days=45),
    )
    ApplicationFactory(
        traject=traject,
        company=CompanyFactory(name="Garage Claes BV"),
        submitted_on=today - datetime.timedelta(days=3),
    )
    officer = UserFactory(
        username="annelies", role=Role.OFFICER, is_staff=True, first_name="Annelies", last_name="Peeters"
    )

    log_in(officer)

    assert page.url.endswith("/werkbak/")
    assert page.get_by_role("heading", level=1).inner_text() == "Werkbak"
    assert page.locator(".who").inner_text() == "Annelies Peeters"
    assert page.get_by_test_id("count-applications-to-decide").inner_text() == "2"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    section = page.get_by_test_id("section-applications-to-decide")
    lines = section.get_by_test_id("work-item")
    # The longest waiting first, past the 30-day target and marked late.
    assert lines.nth(0).get_by_role("link").inner_text() == "Bakkerij Peeters BV"
    assert "45 dagen" in lines.nth(0).inner_text() and "te laat" in lines.nth(0).inner_text()
    assert "te laat" not in lines.nth(1).inner_text()

    lines.nth(0).get_by_role("link").click()

    page.wait_for_url(f"**/admin/participants/application/{late.pk}/change/")
    # The admin carries the same menu back, and the officer's name.
    assert page.get_by_test_id("user-name").inner_text() == "Annelies Peeters"
    page.get_by_test_id("menu-work-queue").click()
    page.wait_for_url("**/werkbak/")
