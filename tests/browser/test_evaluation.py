"""A company evaluates its completed trajectory on a phone through the link in its e-mail, once, without
scrolling sideways."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from participants import services
from participants.models import ApplicationStatus, Evaluation, LearningSituation, SituationMoment
from tests.factories import ApprovedApplicationFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
SCORES = {
    "Hoe nuttig was het traject voor uw onderneming?": "5",
    "Hoe beoordeelt u de kwaliteit van de coach?": "4",
    "In welke mate heeft het traject de leercultuur versterkt?": "3",
    "Zou u het traject aanbevelen aan andere ondernemingen?": "5",
    "Gebruiken uw medewerkers wat ze leerden in hun werk?": "4",
    "Zijn uw medewerkers meer gemotiveerd om te leren dan voordien?": "2",
}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def group(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def test_a_company_evaluates_once_on_a_phone_through_its_link(page, settings):
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
    page.set_viewport_size(PHONE)

    assert page.goto(link).status == 200
    assert fits_the_screen(page)
    for question, score in SCORES.items():
        group(page, question).get_by_label(score, exact=True).check()
    took_part = group(page, "Wie nam deel")
    took_part.get_by_label("Hoeveel verschillende medewerkers namen deel?").fill("9")
    took_part.get_by_label("Van wie laaggeschoold").fill("3")
    took_part.get_by_label("Van wie 55 jaar of ouder").fill("2")
    page.get_by_label("Situationeel: tijd, werkdruk, gezin").check()
    page.get_by_label("Informationeel: het aanbod niet kennen").check()
    page.get_by_label("Welke van die drempels weegt het zwaarst?").select_option("informational")
    group(page, "Is er een opleidingsbeleid (VTO-beleid)?").get_by_label("Ja").check()
    page.get_by_label("Informeel leren (op de werkvloer, van collega's)").check()
    staff = group(page, "Personeel")
    staff.get_by_label("Hoeveel medewerkers zijn er in dienst?").fill("40")
    staff.get_by_label("Van wie laaggeschoold").fill("45")  # a typing error: more than the 40 in all
    staff.get_by_label("Van wie 55 jaar of ouder").fill("6")
    page.get_by_label("Wat blijft uw onderneming doen?").fill("Elke maand een leermoment.")

    page.get_by_test_id("submit-answers").click()
    # The browser itself asks for the forgotten answer before anything is sent.
    assert page.locator("input[name=has_learning_jobs]:invalid").count() == 2
    assert not Evaluation.objects.exists()
    group(page, "Zijn er leerbanen?").get_by_label("Nee").check()
    page.get_by_test_id("submit-answers").click()

    # The service refuses the group larger than the staff, at its question; the answers stay.
    expect(page.locator("#id_low_skilled_error")).to_contain_text(
        "Deze groep kan niet groter zijn dan de 40 medewerkers in totaal."
    )
    assert fits_the_screen(page)
    assert not Evaluation.objects.exists()
    expect(group(page, "Hoe nuttig was het traject voor uw onderneming?").get_by_label("5")).to_be_checked()
    group(page, "Personeel").get_by_label("Van wie laaggeschoold").fill("12")
    page.get_by_test_id("submit-answers").click()

    expect(page.get_by_test_id("questionnaire-thanks")).to_be_visible()
    assert fits_the_screen(page)
    evaluation = Evaluation.objects.get()
    assert (evaluation.usefulness, evaluation.would_recommend, evaluation.motivation) == (5, 5, 2)
    assert (evaluation.staff_participated, evaluation.staff_low_skilled, evaluation.staff_aged_55_plus) == (
        9,
        3,
        2,
    )
    assert evaluation.will_keep_doing == "Elke maand een leermoment."
    closing = LearningSituation.objects.get(application=application)
    assert closing.moment == SituationMoment.CLOSING
    assert (closing.barriers, closing.main_barrier) == (["situational", "informational"], "informational")
    assert (closing.has_training_policy, closing.has_learning_jobs) == (True, False)
    assert (closing.headcount, closing.low_skilled, closing.aged_55_plus) == (40, 12, 6)
    assert closing.learning_forms == ["informal"]

    reopened = page.goto(link)
    assert reopened.status == 410
    expect(page.get_by_test_id("link_used")).to_be_visible()
    assert page.locator("form[data-testid=questionnaire-form]").count() == 0
    assert Evaluation.objects.count() == 1
