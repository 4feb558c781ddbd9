"""A promoter follows a trajectory in the browser; another organisation's promoter is kept out."""

import pytest

from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CompanyFactory,
    OrganisationFactory,
    ProjectFactory,
    TrajectFactory,
    UserFactory,
)
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def promoter():
    return UserFactory(username="an", role=Role.PROMOTER, organisation=OrganisationFactory(name="Voka"))


@pytest.fixture
def application(promoter):
    traject = TrajectFactory(code="leren", name="Voorsprong Leren")
    project = ProjectFactory(traject=traject, organisations=[promoter.organisation])
    return ApprovedApplicationFactory(
        traject=traject,
        project=project,
        capacity_period=CapacityPeriodFactory(traject=traject),
        company=CompanyFactory(name="Bakkerij Peeters BV"),
    )


def test_a_promoter_logs_a_session_and_sees_the_trajectory_start(page, log_in, promoter, application):
    log_in(promoter)
    # The start page of a promoter is Mijn trajecten.
    assert page.url.endswith("/trajecten/")
    row = page.locator(f'[data-application="{application.pk}"]')
    assert row.locator("[data-status]").get_attribute("data-status") == "approved"
    assert row.get_by_test_id("progress").inner_text() == "0/5"

    row.get_by_role("link").click()
    page.wait_for_url(f"**/trajecten/{application.pk}/")
    assert page.get_by_test_id("status").inner_text() == "Goedgekeurd"
    # The date defaults to today and the phase to the intake: only the hours need typing.
    page.locator("#id_hours").fill("2.5")
    page.locator("#id_employees_present").fill("6")
    page.locator("#id_notes").fill("Kennismaking met de zaakvoerder")
    page.get_by_test_id("log-session").click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/trajecten/{application.pk}/")
    assert page.get_by_test_id("status").get_attribute("data-status") == "in_progress"
    assert page.get_by_test_id("status").inner_text() == "Lopend"
    assert page.get_by_test_id("progress").inner_text() == "1/5"
    assert page.locator('[data-milestone="intake"]').get_attribute("data-reached") == "true"
    assert page.get_by_test_id("session").count() == 1
    assert page.get_by_text("Kennismaking met de zaakvoerder").is_visible()

    page.get_by_test_id("nav-applications").click()
    page.wait_for_url("**/trajecten/")
    row = page.locator(f'[data-application="{application.pk}"]')
    assert row.get_by_test_id("progress").inner_text() == "1/5"


def test_a_promoter_of_another_organisation_gets_404(page, log_in, application):
    stranger = UserFactory(
        username="bert", role=Role.PROMOTER, organisation=OrganisationFactory(name="Unizo")
    )
    log_in(stranger)
    assert page.locator(f'[data-application="{application.pk}"]').count() == 0
    response = page.goto(f"/trajecten/{application.pk}/")
    assert response.status == 404
    assert page.locator("#id_hours").count() == 0
