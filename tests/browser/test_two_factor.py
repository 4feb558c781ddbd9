"""Two-step verification in a real browser: an officer sets up an authenticator at the log-in, the QR code
shows (the Content-Security-Policy allows its data: image), and the next log-in asks for the code."""

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests.factories import UserFactory
from voorsprong.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def app_code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_an_officer_sets_it_up_at_the_log_in_and_is_asked_for_the_code_next_time(page, log_in, settings):
    settings.TWO_FACTOR_REQUIRED = True
    officer = UserFactory(username="an", role=Role.OFFICER, is_staff=True)

    log_in(officer)
    assert "/tweestapsverificatie/instellen/" in page.url
    qr = page.get_by_test_id("qr")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.get_by_test_id("secret").inner_text()
    page.get_by_label("Code uit de app").fill(app_code(secret))
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.get_by_role("link", name="Ik heb ze bewaard: verder").click()
    assert page.url.endswith("/werkbak/")

    page.get_by_role("button", name="Afmelden").click()
    log_in(officer)
    assert "/tweestapsverificatie/code/" in page.url
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/werkbak/")
