"""A company evaluates its completed trajectory through the link in its e-mail, once."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from participants import services
from participants.models import ApplicationStatus, Evaluation
from tests.factories import ApprovedApplicationFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_company_evaluates_once_through_its_link(page, settings):
    settings.SITE_URL = "https://voorsprong.example"
    application = ApprovedApplicationFactory(
        company=CompanyFactory(contact_email="an@peeters.example"),
        status=ApplicationStatus.IN_PROGRESS,
        started_on=datetime.date(2025, 4, 1),
    )
    # Committed for real here, so the invitation leaves as it would in production. A superuser, not an
    # officer: an earlier transactional test's flush may have emptied the role groups.
    services.complete_application(
        application, by=UserFactory(is_superuser=True), on=datetime.date(2025, 6, 30)
    )
    [message] = mail.outbox
    [link] = re.findall(r"https://voorsprong\.example(/evaluatie/\S+/)", message.body)

    assert page.goto(link).status == 200
    for field, score in [("usefulness", 5), ("coach_quality", 4), ("learning_culture_effect", 3)]:
        page.check(f"#id_{field}_{score - 1}")
    page.locator("#id_recommendations").fill("Meer praktijkvoorbeelden graag.")
    page.get_by_test_id("submit-evaluation").click()
    # The browser itself asks for the forgotten score before anything is sent.
    assert page.locator("input[name=would_recommend]:invalid").count() == 5
    assert not Evaluation.objects.exists()
    page.check("#id_would_recommend_4")
    page.get_by_test_id("submit-evaluation").click()

    expect(page.get_by_test_id("evaluation-thanks")).to_be_visible()
    evaluation = Evaluation.objects.get()
    assert (evaluation.usefulness, evaluation.would_recommend) == (5, 5)
    assert evaluation.recommendations == "Meer praktijkvoorbeelden graag."

    reopened = page.goto(link)
    assert reopened.status == 410
    expect(page.get_by_test_id("link_used")).to_be_visible()
    assert page.locator("form[data-testid=evaluation-form]").count() == 0
    assert Evaluation.objects.count() == 1
