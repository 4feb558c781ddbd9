import pytest

from participants.models import ApplicationStatus, Referral
from tests.factories import OrganisationFactory, TrajectFactory, UserFactory
from trajects.models import OrganisationKind
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_consultant_refers_a_new_company_with_intake_and_follows_it(page, log_in):
    TrajectFactory(code="leren", name="Voorsprong in leren")
    fund = OrganisationFactory(name="Cevora", kind=OrganisationKind.SECTOR_FUND)
    consultant = UserFactory(username="sofie", role=Role.SECTOR_CONSULTANT, organisation=fund)

    log_in(consultant)
    assert page.url.endswith("/doorverwijzingen/")
    page.get_by_test_id("nav-new-referral").click()
    page.locator("#id_kbo").fill("BE 0403.170.701")
    page.get_by_test_id("lookup").click()

    page.get_by_test_id("unknown-company").wait_for()
    page.locator("#id_name").fill("Bakkerij Janssens")
    page.locator("#id_legal_form").select_option("bv")
    page.locator("#id_staff_headcount").fill("12")
    page.locator("#id_postal_code").fill("2000")
    page.locator("#id_traject").select_option(label="Voorsprong in leren")
    assert page.locator("#id_follow_progress").is_checked()
    page.locator("#id_intake_done").check()
    page.get_by_test_id("refer").click()

    page.wait_for_url("**/doorverwijzingen/")
    row = page.locator('[data-testid="referral"][data-kbo="0403170701"]')
    assert "Bakkerij Janssens" in row.inner_text()
    assert row.get_by_test_id("status").get_attribute("data-status") == ApplicationStatus.SUBMITTED
    assert Referral.objects.get().intake_by == consultant
