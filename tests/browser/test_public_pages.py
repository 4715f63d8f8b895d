"""Home and timeline in real Chromium: 0 axe violations at 360 and 1280 px, nothing from another host."""

import pytest

from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {"home": "/", "timeline": "/cronograma/", "login": "/cuenta/login/", "signup": "/cuenta/signup/"}


def _problems_of(browser, base_url: str, name: str, viewport: str) -> list[str]:
    """The page `name` at the size `viewport`, in a context of its own: what failed."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    log = RequestLog(page, base_url)
    response = page.goto(base_url + PAGES[name])
    if response.status != 200:
        context.close()
        return [f"status {response.status}"]
    page.wait_for_load_state("load")
    problems = [f"other host: {url}" for url in log.foreign] + axe_violations(page)
    # Nothing sticks out sideways on a phone.
    if (wide := page.evaluate("document.documentElement.scrollWidth")) > VIEWPORTS[viewport]["width"]:
        problems.append(f"{wide} px wide")
    context.close()
    return problems


# One test per size, every page on the same data (set up once); every failure listed at the end.
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_public_pages_are_accessible_and_self_contained(
    browser, live_server, example_plan, settings, viewport
):
    settings.COCREA_AS_OF = "2017-09-25"  # a day with a stage in progress, so every state is on the page
    problems = {}
    for name in PAGES:
        if found := _problems_of(browser, live_server.url, name, viewport):
            problems[f"{name} ({PAGES[name]})"] = found
    listed = "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert problems == {}, listed


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
