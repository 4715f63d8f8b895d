"""The self-assessment in real Chromium, at 1280 px and on a phone (issue 14): the Secretaría generates
the mid-term report from the data, edits a section (refused first without a reason), puts it to public
consultation, finalizes it once the consultation has closed; a visitor reads the final report and finds
it on /seguimiento/ with its hashes. Every page on the way: 0 axe violations, nothing wider than the
window, no other host (the example's pages are swept by test_every_page.py; these need a report)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultations.models import Consultation
from implementation.models import AssessmentDocument, SelfAssessment
from tests.browser.conftest import VIEWPORTS, Journey
from tests.commitments.factories import approve_today, freeze_example_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_generate_edit_consult_and_finalize_the_self_assessment(
    browser, live_server, example_plan, reviewer, other_reviewer, secretariat, settings, tmp_path, viewport
):
    settings.MEDIA_ROOT = tmp_path
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    desk = Journey(browser, live_server, VIEWPORTS[viewport], user=secretariat)
    page = desk.page
    page.goto(f"{live_server.url}/gestion/seguimiento/autoevaluacion/")
    desk.check()
    page.get_by_label("Mid-term self-assessment").check()
    page.get_by_label("Data as of").fill(timezone.localdate().isoformat())
    desk.submit(page.get_by_role("button", name="Generate the report"))
    report = SelfAssessment.objects.get(plan=example_plan)
    assert "Lecciones aprendidas" in page.locator("main").inner_text()

    desk.submit(page.locator("main a[href$='/secciones/lecciones/']"))
    page.get_by_label("Text").fill("Aprendimos a publicar cada avance con su evidencia.")
    desk.submit(page.get_by_role("button", name="Save a new version"))  # no reason: refused
    assert page.locator(".error-summary a[href='#id_reason']").is_visible()
    page.get_by_label("Reason for the change").fill("Redacción de la Secretaría")
    desk.submit(page.get_by_role("button", name="Save a new version"))
    assert "Aprendimos a publicar" in page.locator("main").inner_text()

    desk.submit(page.get_by_role("link", name="Put it to public consultation"))
    opens = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_label("Opens at").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Closes at").fill((opens + datetime.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"))
    desk.submit(page.get_by_role("button", name="Open the consultation"))
    report.refresh_from_db()
    assert report.state == SelfAssessment.State.IN_CONSULTATION

    # The consultation, on the forum's own page, then closed (its fortnight over).
    page.goto(f"{live_server.url}/consultas/{report.consultation.slug}/")
    desk.check()
    assert "Aprendimos a publicar" in page.locator("main").inner_text()
    Consultation.objects.filter(pk=report.consultation_id).update(
        opens_at=opens - datetime.timedelta(days=20), closes_at=opens - datetime.timedelta(days=1)
    )
    page.goto(f"{live_server.url}/gestion/seguimiento/autoevaluacion/{report.pk}/finalizar/")
    desk.check()
    page.get_by_label("Finalize the report: its text will no longer change").check()
    desk.submit(page.get_by_role("button", name="Finalize the report"))
    desk.context.close()
    report.refresh_from_db()
    document = AssessmentDocument.objects.get(assessment=report)
    assert report.is_final
    assert document.is_done, document.error  # rendered after commit (no broker: at once)

    visitor = Journey(browser, live_server, VIEWPORTS[viewport])
    page = visitor.page
    page.goto(f"{live_server.url}/seguimiento/")
    visitor.check()
    assert report.sha256 in page.locator("#autoevaluacion").inner_text()
    visitor.submit(page.locator("#autoevaluacion a", has_text="Mid-term self-assessment"))
    main = page.locator("main").inner_text()
    assert report.sha256 in main
    assert document.sha256 in main
    assert "Aprendimos a publicar" in main
    visitor.context.close()
