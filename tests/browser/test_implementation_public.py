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


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_tracking_pages_are_accessible_light_and_self_contained(page, live_server, reported, name, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    log = RequestLog(page, live_server.url)
    bodies = []
    page.on("response", lambda response: bodies.append(response))
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    page.wait_for_load_state("load")
    assert log.foreign == []
    assert axe_violations(page) == []
    assert page.evaluate(STICKING_OUT, VIEWPORTS[viewport]["width"]) == []
    if name == "tracking":
        assert page.locator(".stats-chart svg").count() == 4  # by commitment, entity, theme, value
        rights = page.evaluate(
            "[...document.querySelectorAll('.stats-chart svg')].map(s => s.getBoundingClientRect().right)"
        )
        assert max(rights) <= VIEWPORTS[viewport]["width"]
    if name == "commitment":
        assert page.locator("#avance").count() == 1
    weight = 0
    for item in bodies:
        body = item.body()
        kind = item.headers.get("content-type", "")
        weight += len(gzip.compress(body, 9)) if any(t in kind for t in TEXT_TYPES) else len(body)
    assert weight <= BUDGET
