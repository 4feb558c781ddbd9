"""A promoter follows a trajectory in the browser; another organisation's promoter is kept out."""

import datetime

import pytest

from participants.models import Application, ApplicationStatus
from tests.factories import (
    ApprovedApplicationFactory,
    CapacityPeriodFactory,
    CoachingSessionFactory,
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


def test_a_promoter_records_the_situation_at_intake_and_completes_with_the_employees_reached(
    page, log_in, promoter, application
):
    CoachingSessionFactory(application=application, date=datetime.date(2025, 4, 1), employees_present=7)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.IN_PROGRESS, started_on=datetime.date(2025, 4, 1)
    )
    log_in(promoter)
    page.goto(f"/trajecten/{application.pk}/")
    # Folded until asked for: the page stays about the sessions.
    assert not page.locator("#baseline-form").is_visible()
    page.get_by_test_id("open-baseline").click()
    page.get_by_label("Situationeel: tijd, werkdruk, gezin").check()
    page.get_by_label("Welke van die drempels weegt het zwaarst?").select_option("situational")
    page.locator("#id_has_training_policy_1").check()
    page.locator("#id_has_learning_jobs_1").check()
    page.get_by_label("Hoeveel medewerkers zijn er in dienst?").fill("30")
    page.get_by_label("Van wie laaggeschoold").fill("9")
    page.get_by_label("Van wie 55 jaar of ouder").fill("4")
    page.get_by_label("Informeel leren (op de werkvloer, van collega's)").check()
    page.get_by_test_id("save-baseline").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("baseline").get_attribute("data-state") == "recorded"
    assert page.get_by_test_id("baseline-recorded").is_visible()

    page.get_by_test_id("complete").click()
    page.wait_for_url(f"**/trajecten/{application.pk}/afsluiten/?outcome=completed")
    staff = page.get_by_test_id("staff-reached")
    assert "Op één sessie waren hoogstens 7 werknemers aanwezig." in staff.inner_text()
    # Choosing "stopped" hides the employees reached, as "completed" hides the stop reason.
    page.get_by_label("Stopgezet vóór het einde").check()
    assert not staff.is_visible()
    page.get_by_label("Afgerond: alle coaching is gebeurd").check()
    assert staff.is_visible()
    page.get_by_label("Bereikte werknemers").fill("11")
    page.get_by_label("Van wie laaggeschoold").fill("3")
    page.get_by_label("Van wie 55 jaar of ouder").fill("1")
    page.get_by_label("Ik bevestig de afsluiting").check()
    page.get_by_test_id("confirm-close").click()
    page.wait_for_url(f"**/trajecten/{application.pk}/")

    assert page.get_by_test_id("status").get_attribute("data-status") == "completed"
    assert (
        page.get_by_test_id("staff-reached").inner_text()
        == "11, van wie 3 laaggeschoold en 1 van 55 jaar of ouder"
    )
