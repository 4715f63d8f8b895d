"""The technical review in real Chromium: the MINAM reviewer requests changes on commitment 3, the
Secretaría sees it in its queue. Every page visited: 0 axe violations, at 1280 px and at 360 px."""

import pytest

from commitments.models import Commitment, Review, Status
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations, sign_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REASON = "Falta el presupuesto del hito 2 y su fuente «Áncash»"


def sign_in(browser, live_server, user, viewport: str):
    """A new browser context for `user`, in English (the test reads our wording), signed in through
    the real login form and the code of their authenticator app."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    sign_in_through_form(page, live_server.url, user.email, "/revision/")
    page.wait_for_url(f"{live_server.url}/revision/")
    return context, page


def check(page, viewport: str) -> None:
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_reviewer_requests_changes_and_the_secretariat_sees_it(
    browser, live_server, example_plan, reviewer, secretariat, viewport
):
    commitment = Commitment.objects.get(number=3)
    review_url = f"/revision/{commitment.pk}/"

    context, page = sign_in(browser, live_server, reviewer, viewport)
    log = RequestLog(page, live_server.url)
    check(page, viewport)  # the queue
    page.locator(f"main a[href='{review_url}']").click()
    page.wait_for_url(live_server.url + review_url)
    check(page, viewport)  # the review page, with its forms

    changes = page.locator("button[name='decision-decision'][value='changes']")
    with page.expect_navigation():
        changes.click()  # no reason: refused, with the error summary
    assert page.locator(".error-summary a[href='#id_decision-reason']").is_visible()
    check(page, viewport)

    page.fill("#id_decision-reason", REASON)
    with page.expect_navigation():
        changes.click()
    assert page.url.startswith(live_server.url + review_url)
    assert "Changes requested" in page.locator("#revision").inner_text()
    assert REASON in page.locator("#decisiones").inner_text()
    assert page.locator("button[name='decision-decision']").count() == 0
    check(page, viewport)
    assert log.foreign == []
    context.close()

    commitment.refresh_from_db()
    assert commitment.status == Status.CHANGES_REQUESTED
    assert Review.objects.get(commitment=commitment).decided_by == reviewer

    context, page = sign_in(browser, live_server, secretariat, viewport)
    row = page.locator("main tr", has=page.locator(f"a[href='{review_url}']"))
    assert "Changes requested" in row.inner_text()
    assert "MINAM" in row.inner_text()
    check(page, viewport)
    page.locator(f"main a[href='{review_url}']").click()
    page.wait_for_url(live_server.url + review_url)
    assert page.get_by_role("button", name="Send back to review").is_visible()
    check(page, viewport)
    context.close()
