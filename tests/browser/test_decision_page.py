"""An officer decides applications on their own page, and finds a company by part of its KBO number, in
Chromium at 1280 x 800: nothing scrolls sideways."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import BudgetLine
from participants import services
from participants.models import Application, ApplicationStatus
from tests.factories import (
    CapacityPeriodFactory,
    CompanyFactory,
    FundingRuleFactory,
    FundingSourceFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

# Every test with a Dutch and an English browser: the pages are Dutch whatever the browser asks for.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("browser_locale", ["nl-BE", "en-US"]),
]
TODAY = datetime.date.today()
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    return page


@pytest.fixture
def officer():
    return UserFactory(username="an", first_name="An", last_name="Peeters", role=Role.OFFICER, is_staff=True)


@pytest.fixture
def leren():
    traject = TrajectFactory(code="leren", name="Voorsprong in leren")
    CapacityPeriodFactory(
        traject=traject, start=TODAY.replace(month=1, day=1), end=TODAY.replace(month=12, day=31), places=90
    )
    ProjectFactory(traject=traject, name="Voorsprong in leren – Syntra")
    FundingRuleFactory(traject=traject)
    for code, name, amount in (
        ("eu", "Europese Unie", "40000.00"),
        ("flemish", "Vlaamse overheid", "60000.00"),
    ):
        BudgetLine.objects.create(
            traject=traject, source=FundingSourceFactory(code=code, name=name), amount=Decimal(amount)
        )
    return traject


def submitted(traject, officer, name, kbo_number, project=True):
    application = services.create_application(
        company=CompanyFactory(name=name, kbo_number=kbo_number),
        traject=traject,
        project=traject.projects.first() if project else None,
        by=officer,
    )
    return services.submit_application(application, by=officer, on=TODAY)


def open_decision_page(page, log_in, officer, application):
    log_in(officer)
    page.goto(reverse("admin:participants_application_change", args=[application.pk]))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_an_officer_sees_places_and_budget_and_approves_from_the_page(page, log_in, officer, leren):
    application = submitted(leren, officer, "Brouwerij Het Anker", "0403170701")
    open_decision_page(page, log_in, officer, application)
    places = page.locator("#decision-places")
    assert "90" in places.inner_text() and "Vrij" in places.inner_text()
    sources = page.locator("#decision-sources").inner_text()
    assert "Europese Unie" in sources and "4.000,00" in sources and "40.000,00" in sources
    assert "Komt in aanmerking" in page.locator("#decision-eligibility").inner_text()

    page.locator("#move-approve button").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").inner_text() == "De aanvraag is goedgekeurd."
    assert "Goedgekeurd" in page.locator("#decision-head").inner_text()
    assert page.locator("#move-approve").count() == 0
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_another_is_rejected_with_a_reason_from_its_page(page, log_in, officer, leren):
    application = submitted(leren, officer, "Garage Peeters", "0417497106")
    open_decision_page(page, log_in, officer, application)
    page.get_by_label("Reden (afkeuren)").fill("Geen opleidingsplan bezorgd.")
    page.locator("#move-reject button").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").inner_text() == "De aanvraag is afgewezen."
    assert "Geen opleidingsplan bezorgd." in page.locator("#decision-history").inner_text()
    application.refresh_from_db()
    assert (application.status, application.reason) == (
        ApplicationStatus.REJECTED,
        "Geen opleidingsplan bezorgd.",
    )


def test_an_application_without_a_project_is_refused_with_the_message_on_the_page(
    page, log_in, officer, leren
):
    application = submitted(leren, officer, "Bakkerij Claes", "0202239951", project=False)
    open_decision_page(page, log_in, officer, application)
    page.locator("#move-approve button").click()
    page.wait_for_load_state()
    error = page.locator(".messagelist .error").inner_text()
    assert error.startswith("Kies eerst een project voor deze aanvraag: Voorsprong in leren heeft projecten")
    assert "Ingediend" in page.locator("#decision-head").inner_text()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_company_is_found_by_typing_part_of_its_kbo_number_in_the_add_form(page, log_in, officer, leren):
    CompanyFactory(name="Brouwerij Het Anker", kbo_number="0403170701")
    CompanyFactory(name="Brouwerij Duvel", kbo_number="0417497106")
    log_in(officer)
    page.goto(reverse("admin:participants_application_add"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator(".field-company .select2-selection").click()
    page.locator(".select2-search__field").fill("0403.17")
    option = page.locator(".select2-results__option", has_text="Brouwerij Het Anker (0403.170.701)")
    option.click()
    assert page.locator(".select2-results__option").count() == 0  # the list closed on the choice
    page.locator("#id_traject").select_option(label="Voorsprong in leren")
    page.locator("#id_project").select_option(label="Voorsprong in leren – Syntra")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    application = Application.objects.get()
    assert (application.company.name, application.status) == ("Brouwerij Het Anker", ApplicationStatus.DRAFT)
    # Saved and kept open: the decision page offers to submit it.
    assert page.locator("#move-submit").count() == 1


def test_the_application_list_shows_status_and_dates_without_scrolling_sideways(page, log_in, officer, leren):
    for number, kbo_number in enumerate(("0403170701", "0417497106", "0202239951")):
        submitted(leren, officer, f"Onderneming met een lange naam nummer {number} BV", kbo_number)
    log_in(officer)
    page.goto(reverse("admin:participants_application_changelist"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    results = page.locator(".results")
    assert results.evaluate("element => element.scrollWidth <= element.clientWidth")
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert [header.strip().lower() for header in headers[1:]] == [
        "onderneming",
        "traject",
        "project",
        "status",
        "ingediend",
        "beslist",
    ]
    assert page.locator("#result_list .field-project_name").first.inner_text() == "Syntra"


def test_the_officers_day_from_the_work_queue_to_a_decision_and_back(page, log_in, officer, leren):
    """Queue, decide, and the queue without it: in Dutch whatever language the browser asks for."""
    waiting = submitted(leren, officer, "Brouwerij Het Anker", "0403170701")
    submitted(leren, officer, "Garage Peeters", "0417497106")
    log_in(officer)
    assert page.url.endswith(reverse("work_queue"))
    assert page.locator("html").get_attribute("lang").startswith("nl")
    queue = page.get_by_test_id("section-applications-to-decide")
    assert page.get_by_test_id("count-applications-to-decide").inner_text() == "2"

    queue.get_by_role("link", name="Brouwerij Het Anker").click()
    page.wait_for_url(f"**{reverse('admin:participants_application_change', args=[waiting.pk])}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert "Vrij" in page.locator("#decision-places").inner_text()
    assert "Europese Unie" in page.locator("#decision-sources").inner_text()
    page.locator("#move-approve button").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").inner_text() == "De aanvraag is goedgekeurd."

    page.get_by_test_id("menu-work-queue").click()
    page.wait_for_url(f"**{reverse('work_queue')}")
    assert page.get_by_test_id("count-applications-to-decide").inner_text() == "1"
    assert queue.get_by_role("link", name="Brouwerij Het Anker").count() == 0
    assert queue.get_by_role("link", name="Garage Peeters").count() == 1
    # Approved with a project run by nobody yet: no promoter sees it, so the queue says so.
    assert (
        page.get_by_test_id("section-approved-without-promoter")
        .get_by_role("link", name="Brouwerij Het Anker")
        .count()
        == 1
    )
