"""The administrators' audit log page in real Chromium, at 360 × 740 and 1280 × 800: 0 axe violations
(WCAG 2.1 A and AA), nothing wider than the window but the scrolling table, no request to another host,
and filtering by action through its plain GET form."""

from __future__ import annotations

import pytest

from paga import audit
from tests.browser.conftest import (  # noqa: F401 (fixtures: Debian's Chromium)
    STICKING_OUT,
    VIEWPORTS,
    RequestLog,
    _chromium_present,
    axe_violations,
    browser_type_launch_args,
    english_context,
)
from tests.commitments.factories import CommitmentFactory, current_plan
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def administrator_context(browser, live_server):
    current_plan()
    admin = UserFactory(groups=["administracion", "ciudadania"], is_staff=True, is_superuser=True)
    staff = UserFactory(groups=["secretaria", "ciudadania"], is_staff=True)
    commitment = CommitmentFactory()
    for n in range(12):
        audit.record(
            actor=staff,
            action="commitment.transition" if n % 2 else "contribution.hide",
            obj=commitment,
            details={
                "from": "propuesto",
                "to": "en_consulta",
                "reason": f"Motivo «Ñandú» <script>x</script> {n}",
            },
        )
    context = english_context(browser, live_server, admin)
    yield context
    context.close()


def test_the_audit_log_page_is_accessible_fits_and_filters_with_a_plain_form(
    administrator_context, live_server
):
    page = administrator_context.new_page()
    log = RequestLog(page, live_server.url)
    problems = {}
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        response = page.goto(f"{live_server.url}/gestion/auditoria/")
        found = {
            "status": response.status if response.status != 200 else None,
            "axe": axe_violations(page),
            "wider than the window": page.evaluate(STICKING_OUT, size["width"]),
            "other hosts": list(log.foreign),
        }
        if found := {k: v for k, v in found.items() if v}:
            problems[viewport] = found
    assert problems == {}

    page.get_by_label("Action").select_option("contribution.hide")
    page.get_by_role("button", name="Show entries").click()
    page.wait_for_load_state("load")
    assert "6 entries" in page.locator("caption").inner_text()
    assert page.locator("script", has_text="x").count() == 0
    assert axe_violations(page) == []
