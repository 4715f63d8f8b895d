"""The header and the home page in real Chromium (issue 13): on a phone the menu is collapsed in a
<details> (no JavaScript) and the first screen shows the home's sentence and its one action; at 1280 px
the menu's left edge is the content's; the identity bar names the Secretaría; a demonstration plan's pages
say so. 0 axe violations at both widths. Screenshots with COCREA_SCREENSHOTS=/tmp/h7- (see shot())."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from paga.models import ActionPlan
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations
from tests.commitments.factories import PlanFactory, current_plan
from tests.consultations.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IDENTITY = "Secretaría de Gestión Pública · Presidencia del Consejo de Ministros"


@pytest.fixture
def plans() -> tuple[ActionPlan, ActionPlan]:
    plan = current_plan()
    demo = PlanFactory(
        slug="demostracion",
        short_name="PAGA de demostración",
        name="Plan de Acción de Gobierno Abierto de demostración",
        is_current=False,
        is_demonstration=True,
        start_year=2027,
        end_year=2028,
    )
    ConsultationFactory(
        plan=demo, slug="consulta-demo", title="Consulta de demostración",
        closes_at=timezone.now() + datetime.timedelta(days=20),
    )  # fmt: skip
    return plan, demo


def shot(page, name: str) -> None:
    """A screenshot to look at, when COCREA_SCREENSHOTS gives where (a folder and a prefix: /tmp/h7-)."""
    if prefix := os.environ.get("COCREA_SCREENSHOTS"):
        page.screenshot(path=f"{prefix}{name}.png")


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_on_a_phone_the_menu_is_collapsed_and_the_first_screen_says_what_to_do(page, live_server, plans):
    viewport = VIEWPORTS["phone"]
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    menu = page.locator("nav.main-nav details.menu")
    assert menu.get_attribute("open") is None
    assert not page.locator("nav.main-nav").get_by_role("link", name="Cronograma").is_visible()
    # The sentence and its action are on the first screen, whole.
    for selector in (".what-now-sentence", ".what-now-action a.button"):
        assert page.locator(selector).is_visible()
        assert box(page, selector)["y"] + box(page, selector)["height"] <= viewport["height"], selector
    assert page.locator("a.button").count() == 1  # one prominent action
    assert page.locator(".identity").inner_text().strip() == IDENTITY
    shot(page, "home-360")

    page.get_by_text("Menú", exact=True).click()
    assert menu.get_attribute("open") is not None
    for name in ("Inicio", "Cronograma", "Compromisos", "Consultas", "Talleres", "Plan"):
        assert page.locator("nav.main-nav").get_by_role("link", name=name, exact=True).is_visible(), name
    # The open list is a column of touch targets, inside the window.
    links = page.locator("nav.main-nav a")
    assert all(links.nth(i).bounding_box()["height"] >= 44 for i in range(links.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert axe_violations(page) == []
    shot(page, "menu-open-360")


def test_at_1280_the_menu_is_shown_and_aligned_with_the_content(page, live_server, plans):
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    assert not page.locator("nav.main-nav summary").is_visible()
    links = page.locator("nav.main-nav a")
    assert links.first.is_visible()
    content = box(page, "main h1")["x"]
    assert box(page, "nav.main-nav ul")["x"] == content
    assert links.first.bounding_box()["x"] == content
    assert box(page, ".brand a")["x"] == content
    assert page.locator(".identity").is_visible()
    assert box(page, ".identity p")["x"] + 16 == content  # the same column (its padding is the wrap's)
    shot(page, "home-1280")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_without_javascript_the_menu_works_at_both_widths(browser, live_server, plans, viewport):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(live_server.url + "/cronograma/")
    timeline = page.locator("nav.main-nav").get_by_role("link", name="Compromisos", exact=True)
    if viewport == "phone":
        assert not timeline.is_visible()
        page.get_by_text("Menú", exact=True).click()  # a <details>: the browser opens it
    assert timeline.is_visible()
    with page.expect_navigation():
        timeline.click()
    assert page.url == live_server.url + "/compromisos/"
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    "path", ["/", "/planes/demostracion/", "/planes/demostracion/consultas/consulta-demo/"]
)
def test_home_and_demonstration_pages_are_accessible(page, live_server, plans, viewport, path):
    page.set_viewport_size(VIEWPORTS[viewport])
    log = RequestLog(page, live_server.url)
    assert page.goto(live_server.url + path).status == 200
    page.wait_for_load_state("load")
    assert log.foreign == []
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    if path.startswith("/planes/"):
        banner = page.locator(".demo-banner")
        assert banner.is_visible()
        assert banner.inner_text().startswith("Plan de demostración: los datos son ficticios")
        assert box(page, ".demo-banner")["y"] < box(page, "main h1")["y"]
        assert banner.get_by_role("link", name="Ir al plan vigente").get_attribute("href") == "/"
        if viewport == "phone":  # the banner is seen without scrolling
            assert box(page, ".demo-banner")["y"] < VIEWPORTS["phone"]["height"] / 2
    shot(page, f"{'demo' if path != '/' else 'home'}-{path.count('/')}-{VIEWPORTS[viewport]['width']}-axe")
