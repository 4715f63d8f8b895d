"""/seguimiento/, its data dictionary and a commitment's page with its validated reports, in real Chromium
(issue 14): 0 axe violations at 360 and 1280 px, nothing from another host, nothing sticking out sideways
on a phone but a table in its own scrolling box, the charts within a phone's width, and the page within
the 60 KB budget (HTML and CSS gzipped, as production sends them; tests/browser/test_weight.py)."""

import gzip

import pytest

from commitments.models import Commitment
from implementation.models import ProgressStatus, ReportState
from tests.browser.conftest import STICKING_OUT, VIEWPORTS, RequestLog, axe_violations
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.implementation.factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {
    "tracking": "/seguimiento/",
    "dictionary": "/seguimiento/diccionario/",
    "commitment": "/compromisos/3/",
}
BUDGET = 60 * 1024
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")


@pytest.fixture
def reported(example_plan, secretariat, reviewer, other_reviewer):
    """The example approved (commitments 3 and 9), with validated, returned and submitted reports."""
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    states = [ReportState.VALIDATED, ReportState.RETURNED, ReportState.SUBMITTED]
    statuses = [ProgressStatus.COMPLETE, ProgressStatus.SUBSTANTIAL, ProgressStatus.LIMITED]
    for number in (3, 9):
        for i, milestone in enumerate(
            Commitment.objects.get(plan=example_plan, number=number).milestones.all()
        ):
            EvidenceLinkFactory(
                report=ProgressReportFactory(
                    milestone=milestone, state=ReportState.VALIDATED, status=statuses[i % 3]
                )
            )
            ProgressReportFactory(milestone=milestone, state=states[(i + 1) % 3])
    return example_plan


def _problems_of(browser, base_url: str, name: str, viewport: str) -> list[str]:
    """The page `name` at the size `viewport`, cold in a context of its own: what failed."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    log = RequestLog(page, base_url)
    bodies = []
    page.on("response", lambda response: bodies.append(response))
    response = page.goto(base_url + PAGES[name])
    if response.status != 200:
        context.close()
        return [f"status {response.status}"]
    page.wait_for_load_state("load")
    width = VIEWPORTS[viewport]["width"]
    problems = [f"other host: {url}" for url in log.foreign] + axe_violations(page)
    problems += [f"wider than the window: {wide}" for wide in page.evaluate(STICKING_OUT, width)]
    if name == "tracking":
        charts = page.locator(".stats-chart svg").count()
        if charts != 4:  # by commitment, entity, theme, value
            problems.append(f"{charts} charts, not 4")
        rights = page.evaluate(
            "[...document.querySelectorAll('.stats-chart svg')].map(s => s.getBoundingClientRect().right)"
        )
        if not rights or max(rights) > width:
            problems.append(f"charts reach {rights} px")
    if name == "commitment" and page.locator("#avance").count() != 1:
        problems.append("no #avance")
    weight = 0
    for item in bodies:
        body = item.body()
        kind = item.headers.get("content-type", "")
        weight += len(gzip.compress(body, 9)) if any(t in kind for t in TEXT_TYPES) else len(body)
    if weight > BUDGET:
        problems.append(f"{weight:,} B compressed, over {BUDGET:,}")
    context.close()
    return problems


def test_tracking_pages_are_accessible_light_and_self_contained(browser, live_server, reported):
    """Each page at each size on the same data (set up once), every failure listed at the end."""
    problems = {}
    for name in PAGES:
        for viewport in VIEWPORTS:
            if found := _problems_of(browser, live_server.url, name, viewport):
                problems[f"{name} ({PAGES[name]}) at {viewport}"] = found
    listed = "\n".join(f"{where}: {found}" for where, found in problems.items())
    assert problems == {}, listed
