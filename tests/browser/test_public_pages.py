"""Home and timeline in real Chromium: 0 axe violations at 360 and 1280 px, nothing from another host."""

import pytest

from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {"home": "/", "timeline": "/cronograma/", "login": "/cuenta/login/", "signup": "/cuenta/signup/"}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_public_page_is_accessible_and_self_contained(
    page, live_server, example_plan, settings, name, viewport
):
    settings.COCREA_AS_OF = "2017-09-25"  # a day with a stage in progress, so every state is on the page
    page.set_viewport_size(VIEWPORTS[viewport])
    log = RequestLog(page, live_server.url)
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    page.wait_for_load_state("load")
    assert log.foreign == []
    assert axe_violations(page) == []
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


def test_language_switch_without_javascript(browser, live_server, example_plan):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/cronograma/")
    assert page.locator("h1").inner_text().startswith("Cronograma")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + "/cronograma/")
    assert page.locator("h1").inner_text().startswith("Timeline")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_skip_link_is_the_first_stop_and_reaches_main(page, live_server, example_plan):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#contenido"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenido"


def test_the_axe_check_can_fail(page, live_server, example_plan):
    """Guards the guard: a page with an unlabelled field and low contrast does produce violations."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text">');
        main.insertAdjacentHTML('beforeend', '<p class="meta">Texto de prueba con poco contraste</p>');
        main.lastElementChild.style.color = '#eeeeee';
    }"""
    )
    found = " ".join(axe_violations(page))
    assert "label" in found
    assert "color-contrast" in found
