"""Commitments' public pages in real Chromium: 0 axe violations at 360 and 1280 px, nothing from
another host, nothing wider than the screen."""

import os

import pytest

from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {
    "list": "/compromisos/",
    "filtered list": "/compromisos/?tema=ambiente&q=comisiones",
    "detail": "/compromisos/3/",
    "merged proposal": None,  # its slug is looked up
    "matrix": "/compromisos/matriz/",
    "ranking": "/compromisos/ranking/",
    "diff": "/compromisos/3/historial/diff/",
}
SCREENSHOTS = os.environ.get("COCREA_SCREENSHOTS", "")  # a folder: save list and detail at 360 px


@pytest.fixture
def scored(example_plan):
    """Two proposals scored by the example's Secretaría, so the ranking shows both of its parts."""
    from commitments import services
    from commitments.models import Commitment, Criterion, Status
    from paga.models import User

    secretariat = User.objects.get(email="secretaria@cocrea.example")
    for n, proposal in enumerate(Commitment.objects.filter(status=Status.IN_CONSULTATION)[:2]):
        for criterion in Criterion.values:
            services.score(
                commitment=proposal,
                actor=secretariat,
                criterion=criterion,
                value=3 - n,
                note="Nota «ejemplo»",
            )
    return example_plan


def _url(name: str) -> str:
    if PAGES[name] is not None:
        return PAGES[name]
    from commitments.models import Commitment, Status

    return Commitment.objects.filter(status=Status.MERGED).order_by("pk").first().get_absolute_url()


def _problems_of(page, base_url: str, name: str, viewport: str) -> list[str]:
    """The page `name` at the size `viewport`: what failed (and its screenshots when asked for)."""
    log = RequestLog(page, base_url)
    response = page.goto(base_url + _url(name))
    if response.status != 200:
        return [f"status {response.status}"]
    page.wait_for_load_state("load")
    problems = [f"other host: {url}" for url in log.foreign] + axe_violations(page)
    if (wide := page.evaluate("document.documentElement.scrollWidth")) > VIEWPORTS[viewport]["width"]:
        problems.append(f"{wide} px wide")
    if SCREENSHOTS and (viewport == "phone" and name in ("list", "detail") or viewport == "desktop"):
        height = page.evaluate("document.documentElement.scrollHeight")
        for n, top in enumerate(range(0, height, 1200)):
            width = VIEWPORTS[viewport]["width"]
            clip = {"x": 0, "y": top, "width": width, "height": min(1200, height - top)}
            path = os.path.join(SCREENSHOTS, f"{name}-{width}-{n}.png".replace(" ", "-"))
            page.screenshot(path=path, full_page=True, clip=clip)
    return problems


# One test per size, every page on the same data (set up once), each in a page of its own; every failure
# listed at the end.
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_commitment_pages_are_accessible_and_self_contained(browser, live_server, scored, viewport):
    problems = {}
    for name in PAGES:
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        if found := _problems_of(context.new_page(), live_server.url, name, viewport):
            problems[f"{name} ({_url(name)})"] = found
        context.close()
    listed = "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert problems == {}, listed


def test_filters_work_without_javascript(browser, live_server, example_plan):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/compromisos/")
    page.locator(".more-filters > summary").click()  # a native disclosure: no JavaScript needed
    page.select_option("select[name=region]", "san-martin")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/compromisos/?*region=san-martin*")
    assert page.locator(".commitment-cards > li").count() == 4
    context.close()
