"""The plan's approval in real Chromium: the Secretaría assembles a version, previews it, freezes it,
records its approval, and anyone downloads the PDF whose SHA-256 the page shows. Every page visited:
0 axe violations, at 1280 px and at 360 px, no horizontal scrolling, no other host.

The example has no signed-off commitment: the MINAM reviewer signs off commitment 3 before the journey
(test data, not example data). Tasks run inline in the test suite, so the PDF is ready after approval.
"""

import hashlib

import pytest
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, PlanVersion, RenderJob
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations, sign_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RESOLUTION = "000-2017-PCM-PRUEBA"


def sign_in(browser, live_server, user, viewport: str):
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    sign_in_through_form(page, live_server.url, user.email, "/gestion/plan/")
    page.wait_for_url(f"{live_server.url}/gestion/plan/")
    return context, page


def check(page, viewport: str) -> None:
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_secretariat_assembles_freezes_and_approves_the_plan_then_anyone_downloads_it(
    browser, live_server, example_plan, secretariat, reviewer, settings, tmp_path, viewport
):
    settings.MEDIA_ROOT = tmp_path
    three = Commitment.objects.get(plan=example_plan, number=3)
    services.decide_review(commitment=three, actor=reviewer, approve=True, reason="Conforme (prueba)")

    context, page = sign_in(browser, live_server, secretariat, viewport)
    log = RequestLog(page, live_server.url)
    check(page, viewport)  # the versions: none yet
    page.goto(f"{live_server.url}/plan/")
    assert "not been approved yet" in page.locator("main").inner_text()
    check(page, viewport)
    page.goto(f"{live_server.url}/gestion/plan/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the first version").click()
    assert page.url == f"{live_server.url}/gestion/plan/1/"
    check(page, viewport)

    page.get_by_label(three.title).fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the order").click()
    assert three.title in page.locator("#incluidos").inner_text()
    check(page, viewport)

    page.get_by_role("link", name="Preview as it will be published").click()
    page.wait_for_url(f"{live_server.url}/gestion/plan/1/vista-previa/")
    assert three.title in page.locator("#compromisos").inner_text()
    check(page, viewport)
    page.go_back()

    page.get_by_role("link", name="Freeze this version").click()
    page.wait_for_url(f"{live_server.url}/gestion/plan/1/congelar/")
    with page.expect_navigation():
        page.get_by_role("button", name="Freeze the version").click()  # not confirmed: the error summary
    assert page.locator(".error-summary a[href='#id_confirm']").is_visible()
    check(page, viewport)
    page.get_by_label("I have checked the preview").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Freeze the version").click()
    check(page, viewport)

    page.get_by_role("link", name="Record the instrument that approves it").click()
    page.wait_for_url(f"{live_server.url}/gestion/plan/1/aprobar/")
    check(page, viewport)
    page.get_by_label("Resolución Ministerial").check()
    page.get_by_label("Number").fill(RESOLUTION)
    page.get_by_label("Date of the instrument").fill(timezone.localdate().isoformat())  # frozen today
    with page.expect_navigation():
        page.get_by_role("button", name="Record the approval").click()
    assert page.url == f"{live_server.url}/gestion/plan/1/"
    documents = page.locator("#documentos").inner_text()
    assert documents.count("Ready") == 2
    check(page, viewport)
    assert log.foreign == []
    context.close()

    version = PlanVersion.objects.get(plan=example_plan, number=1)
    assert version.state == PlanVersion.State.APPROVED
    job = version.jobs.get(kind=RenderJob.Kind.PLAN)

    # Anyone: the published plan, its hash, the download.
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    log = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}/plan/")
    assert RESOLUTION in page.locator("main").inner_text()
    assert job.sha256 in page.locator("#descargas").inner_text()
    assert three.title in page.locator("#compromisos").inner_text()
    check(page, viewport)
    with page.expect_download() as download:
        page.locator("#descargas a[href$='/plan.pdf']").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "paga-2017-2019-v1-plan.pdf"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == job.sha256
    assert log.foreign == []
    context.close()
