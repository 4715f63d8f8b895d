"""The Secretaría's event page, attendance page and document upload form (and the events list, the event
form and the documents list) in real Chromium, at 360 × 740 and 1280 × 800: 0 axe violations (WCAG 2.1 A
and AA), nothing wider than the window, no request to another host; and the upload form's refusal of a
fake PDF, shown with what was typed."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from paga.models import ActorType
from tests.browser.conftest import (
    STICKING_OUT,
    VIEWPORTS,
    RequestLog,
    at_both_sizes,
    axe_violations,
    english_context,
)
from tests.commitments.factories import current_plan
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import services
from workshops.models import DocumentType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    current_plan()
    staff = UserFactory(groups=["secretaria", "ciudadania"], is_staff=True)
    now = timezone.now()
    event = EventFactory(
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    people = RegistrationFactory.create_batch(4, event=event)
    RegistrationFactory(event=event, state="en_espera")
    services.check_in(registration=people[0], actor=staff)
    services.add_walk_in(
        event=event,
        actor=staff,
        name="Rosa Quispe",
        actor_type=ActorType.CIVIL_SOCIETY,
        organisation="Red Muqui",
    )
    services.mark_held(event=event, actor=staff, reason="Asistieron las organizaciones de la región")
    services.upload_document(
        plan=current_plan(),
        actor=staff,
        upload=SimpleUploadedFile("Acta Arequipa.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Acta del taller regional",
        doc_type=DocumentType.MINUTES,
        dated=datetime.date(2017, 10, 2),
        event=event,
    )
    event.staff = staff
    return event


def _context(browser, live_server, user):
    return english_context(browser, live_server, user)


def _check(page, live_server, path: str) -> dict:
    log = RequestLog(page, live_server.url)
    problems = {}
    for viewport, size, response in at_both_sizes(page, live_server.url + path):
        found = {
            "status": response.status if response.status != 200 else None,
            "axe": axe_violations(page),
            "wider than the window": page.evaluate(STICKING_OUT, size["width"]),
            "other hosts": list(log.foreign),
        }
        if found := {k: v for k, v in found.items() if v}:
            problems[viewport] = found
    return problems


@pytest.mark.parametrize(
    "path_of",
    [
        lambda e: f"/gestion/talleres/{e.slug}/",
        lambda e: f"/gestion/talleres/{e.slug}/asistencia/",
        lambda e: "/gestion/talleres/documentos/nuevo/",
        lambda e: "/gestion/talleres/",
        lambda e: "/gestion/talleres/nuevo/",
        lambda e: "/gestion/talleres/documentos/",
    ],
    ids=["event page", "attendance", "upload form", "events list", "new event", "documents"],
)
def test_staff_workshop_pages_are_accessible_and_fit(browser, live_server, event, path_of):
    context = _context(browser, live_server, event.staff)
    page = context.new_page()
    path = path_of(event)
    assert _check(page, live_server, path) == {}, path
    context.close()


def test_a_fake_pdf_is_refused_with_what_was_typed_kept(browser, live_server, event, tmp_path):
    fake = tmp_path / "acta.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    context = _context(browser, live_server, event.staff)
    page = context.new_page()
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(f"{live_server.url}/gestion/talleres/documentos/nuevo/?evento={event.slug}")
    page.get_by_label("Title").fill("Acta del taller")
    page.get_by_label("Type of document").select_option("acta")
    page.get_by_label("Date of the document").fill("2017-10-02")
    page.get_by_label("File").set_input_files(str(fake))
    page.get_by_role("button", name="Upload the document").click()
    page.wait_for_load_state("load")
    summary = page.locator(".error-summary")
    assert "is not really a PDF file" in summary.inner_text()
    assert page.get_by_label("Title").input_value() == "Acta del taller"
    assert "choose the file again" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    context.close()
