"""The public pre-check on a phone: no horizontal scrolling, and a person gets an answer with its reasons."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CapacityPeriodFactory, CompanyFactory, TrajectFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_phone_checks_a_company_without_scrolling_sideways(page):
    today = timezone.localdate()
    leren = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=leren, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=10)
    )
    CompanyFactory(kbo_number="0403170701", name="Brouwerij Het Anker")
    CompanyFactory(kbo_number="0202239951", name="Drukkerij Vandamme", staff_headcount=None)
    page.set_viewport_size(PHONE)

    assert page.goto("/kan-ik-deelnemen/").status == 200
    assert no_horizontal_overflow(page)
    page.get_by_label("Ondernemingsnummer").fill("BE 0403.170.701")
    page.get_by_label("Traject").select_option("leren")
    page.get_by_test_id("check").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-eligible", "true")
    expect(verdict).to_contain_text("Ja: Brouwerij Het Anker kan een aanvraag indienen")
    assert no_horizontal_overflow(page)

    page.get_by_label("Ondernemingsnummer").fill("0202.239.951")
    page.get_by_test_id("check").click()
    expect(verdict).to_have_attribute("data-eligible", "false")
    expect(page.locator("[data-code=size_unknown]")).to_contain_text("Verklaar eerst de KMO-status")
    assert no_horizontal_overflow(page)
