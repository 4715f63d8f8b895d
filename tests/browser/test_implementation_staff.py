"""Implementation tracking's write side in real Chromium, at 1280 px and on a phone (issue 14): the MINAM
reviewer reports a milestone of commitment 3 with a link and a file, the Secretaría returns it with a
reason, the reviewer corrects it, the Secretaría validates it and a follower of the commitment is
emailed. Every page on the way: 0 axe violations, nothing wider than the window, no other host."""

from __future__ import annotations

import datetime

import pytest

from commitments.models import Commitment
from consultations.models import Follow
from implementation import progress
from implementation.models import ProgressReport, ReportState
from paga import clock
from paga.models import OutboundEmail
from tests.browser.conftest import VIEWPORTS, Journey
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REASON = "Falta el acta firmada de la reunión «Áncash»"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_report_return_correct_and_validate(
    browser, live_server, example_plan, reviewer, other_reviewer, secretariat, tmp_path, viewport
):
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    three = Commitment.objects.get(plan=example_plan, number=3)
    milestone = three.milestones.order_by("order", "pk").first()
    follower = UserFactory()
    Follow.objects.create(user=follower, commitment=three)
    evidence = tmp_path / "acta.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%acta\n")
    yesterday = (clock.today() - datetime.timedelta(days=1)).isoformat()

    ministry = _journey(browser, live_server, viewport, reviewer)
    page = ministry.page
    page.goto(f"{live_server.url}/revision/seguimiento/")
    ministry.check()
    ministry.submit(page.locator(f"main a[href='/revision/seguimiento/hitos/{milestone.pk}/']"))
    ministry.submit(page.get_by_role("button", name="Send the report"))  # empty: the errors, listed
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("Substantial").check()
    page.get_by_label("What was done").fill("Se realizó el taller de validación del diagnóstico")
    page.get_by_label("Date of the report").fill(yesterday)
    page.get_by_label("Title of link 1").fill("Nota de prensa")
    page.get_by_label("Address of link 1").fill("https://www.gob.pe/minam/nota")
    page.get_by_label("Title of file 1").fill("Acta")
    page.get_by_label("File 1", exact=True).set_input_files(str(evidence))
    ministry.submit(page.get_by_role("button", name="Send the report"))
    assert "waiting for the Secretaría" in page.locator("main").inner_text()
    ministry.context.close()

    first = ProgressReport.objects.get(milestone=milestone)
    desk = _journey(browser, live_server, viewport, secretariat)
    page = desk.page
    page.goto(f"{live_server.url}/gestion/seguimiento/")
    desk.check()
    desk.submit(page.locator(f"main a[href='/gestion/seguimiento/informes/{first.pk}/']"))
    desk.submit(page.get_by_role("button", name="Return with a reason"))  # no reason: refused
    assert page.locator(".error-summary a[href='#id_reason']").is_visible()
    page.get_by_label("Reason for returning it").fill(REASON)
    desk.submit(page.get_by_role("button", name="Return with a reason"))
    desk.context.close()
    first.refresh_from_db()
    assert first.state == ReportState.RETURNED

    ministry = _journey(browser, live_server, viewport, reviewer)
    page = ministry.page
    page.goto(f"{live_server.url}/revision/seguimiento/hitos/{milestone.pk}/")
    ministry.check()
    assert REASON in page.locator("main").inner_text()
    page.get_by_label("Complete").check()
    page.get_by_label("What was done").fill("Acta firmada publicada")
    page.get_by_label("Date of the report").fill(yesterday)
    ministry.submit(page.get_by_role("button", name="Send the corrected report"))
    ministry.context.close()

    second = ProgressReport.objects.get(milestone=milestone, number=2)
    assert second.corrects == first
    desk = _journey(browser, live_server, viewport, secretariat)
    page = desk.page
    page.goto(f"{live_server.url}/gestion/seguimiento/informes/{second.pk}/")
    desk.check()
    desk.submit(page.get_by_role("button", name="Validate", exact=True))
    assert "No report is waiting" in page.locator("main").inner_text()
    desk.context.close()

    second.refresh_from_db()
    assert second.state == ReportState.VALIDATED
    assert any(follower.email in email.to for email in OutboundEmail.objects.all())

    # The public side shows it at once (the page cache expires with the validation): the commitment's
    # page with the validated report, /seguimiento/ with its completion.
    statuses = [m.progress_status for m in progress.with_progress(three.milestones.all())]
    visitor = Journey(browser, live_server, VIEWPORTS[viewport])
    page = visitor.page
    page.goto(f"{live_server.url}{three.get_absolute_url()}")
    visitor.check()
    assert "Acta firmada publicada" in page.locator("main").inner_text()
    assert "Se realizó el taller" not in page.locator("main").inner_text()  # returned: never public
    page.goto(f"{live_server.url}/seguimiento/")
    visitor.check()
    row = page.locator("#compromisos tr", has=page.locator(f"a[href='{three.get_absolute_url()}#avance']"))
    assert f"{progress.completion(statuses)} %" in row.inner_text()
    visitor.context.close()


def _journey(browser, live_server, viewport: str, user) -> Journey:
    """A new English browser context signed in as `user`."""
    return Journey(browser, live_server, VIEWPORTS[viewport], user=user)
