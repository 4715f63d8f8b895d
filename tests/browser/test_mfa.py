"""Two-step verification in real Chromium: a Secretaría member without an authenticator app signs in,
is sent from the desk to set one up (after confirming the password), types the code computed from the
secret shown on the page, keeps the recovery codes and goes on to the desk; the next sign-in asks for the
code. Every page visited: 0 axe violations, at 1280 px and at 360 px, no sideways scrolling, no other host.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache

from paga import roles
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations, sign_in_through_form
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESK = "/gestion/compromisos/"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_secretariat_member_sets_up_the_app_and_reaches_the_desk(
    browser, live_server, example_plan, viewport
):
    cache.clear()  # allauth's rate limits and used codes live in the cache, which outlives a test
    member = UserFactory(groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True, authenticator_app=False)
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    log = RequestLog(page, base)
    checked = []

    def check(expected_path: str) -> None:
        page.wait_for_load_state("load")
        assert page.url.removeprefix(base).split("?")[0] == expected_path
        assert axe_violations(page) == [], expected_path
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"], (
            expected_path
        )
        checked.append(expected_path)

    def submit(name: str) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=True).click()

    # Signed in with the password alone (no app yet), the desk sends to the setup, via the password.
    sign_in_through_form(page, base, member.email, DESK)
    check("/cuenta/reauthenticate/")
    assert "Staff pages need two-step verification" in page.locator("main").inner_text()
    page.fill("#id_password", PASSWORD)
    submit("Confirm")
    check("/cuenta/2fa/totp/activate/")

    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("#id_code", "12345")
    submit("Turn on two-step verification")
    check("/cuenta/2fa/totp/activate/")
    assert "Incorrect code." in page.locator("main").inner_text()
    assert page.locator("#totp-secret").inner_text() == secret
    page.fill("#id_code", totp_code(secret))
    submit("Turn on two-step verification")
    check("/cuenta/2fa/recovery-codes/")
    assert page.locator("main ul.recovery-codes li").count() == 10
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()

    with page.expect_navigation():
        page.get_by_role("link", name="Continue to the staff page you asked for").click()
    page.wait_for_load_state("load")
    assert page.url == base + DESK
    assert page.locator("h1").count() == 1

    page.goto(base + "/cuenta/2fa/")
    check("/cuenta/2fa/")
    page.goto(base + "/cuenta/2fa/recovery-codes/generate/")
    check("/cuenta/2fa/recovery-codes/generate/")
    page.goto(base + "/cuenta/2fa/totp/deactivate/")
    check("/cuenta/2fa/totp/deactivate/")

    # Signing in again asks for the code the app shows now.
    submit("Sign out")
    page.goto(f"{base}/cuenta/login/?next={DESK}")
    page.fill("#id_login", member.email)
    page.fill("#id_password", PASSWORD)
    submit("Sign in")
    check("/cuenta/2fa/authenticate/")
    page.fill("#id_code", "12345")
    submit("Sign in")
    check("/cuenta/2fa/authenticate/")
    assert "Incorrect code." in page.locator("main").inner_text()
    page.fill("#id_code", totp_code(secret))
    submit("Sign in")
    assert page.url == base + DESK

    assert log.foreign == []
    assert len(checked) == 9
    context.close()
