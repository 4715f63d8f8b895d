"""The events' public pages in real Chromium: list, month calendar, an event and the repository, at 360
and 1280 px: 0 axe violations, nothing from another host, nothing sticking out sideways."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations
from tests.workshops.factories import EventFactory, lima, undated
from tests.workshops.test_public_views import document, stage, theme
from workshops.models import DocumentType, EventState, Kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def events(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    health, water = theme("Salud «pública»", "salud"), theme("Agua y saneamiento", "agua")
    workshop = EventFactory(
        title="Taller regional de Arequipa con un título bastante largo para un teléfono",
        starts_at=lima(2030, 10, 2, 9),
        ends_at=lima(2030, 10, 2, 17),
        stage=stage(),
    )
    workshop.themes.add(health, water)
    EventFactory(
        title="Mesa nacional de agua",
        kind=Kind.NATIONAL_TABLE,
        all_day=True,
        starts_at=lima(2030, 10, 12),
        ends_at=lima(2030, 10, 14),
        capacity=None,
        registration_opens_at=None,
        registration_closes_at=None,
    ).themes.add(water)
    EventFactory(
        title="Taller suspendido",
        state=EventState.CANCELLED,
        cancel_reason="Paro de transportistas",
        starts_at=lima(2030, 10, 20, 10),
        ends_at=lima(2030, 10, 20, 13),
    )
    undated(title="Mesa temática de salud").themes.add(health)
    document(workshop, title="Acta del taller de Arequipa")
    document(
        workshop, title="Presentación", doc_type=DocumentType.PRESENTATION, dated=datetime.date(2030, 10, 3)
    )
    document(None, title="Informe de autoevaluación", doc_type=DocumentType.REPORT)
    return workshop


def pages(workshop) -> dict[str, str]:
    return {
        "list": reverse("workshops:list"),
        "filtered": reverse("workshops:list") + "?tipo=taller_regional&mes=2030-10",
        "calendar": reverse("workshops:calendar") + "?mes=2030-10",
        "detail": workshop.get_absolute_url(),
        "repository": reverse("workshops:repository"),
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_workshop_pages_are_accessible_and_self_contained(page, live_server, events, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    log = RequestLog(page, live_server.url)
    for name, url in pages(events).items():
        response = page.goto(live_server.url + url)
        assert response.status == 200, name
        page.wait_for_load_state("load")
        assert axe_violations(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"], name
    assert log.foreign == []


def test_calendar_month_navigation_without_javascript(browser, live_server, events):
    context = browser.new_context(java_script_enabled=False, locale="es-PE")
    page = context.new_page()
    page.goto(live_server.url + reverse("workshops:calendar") + "?mes=2030-10")
    assert "octubre de 2030" in page.locator("caption").inner_text()  # Spanish month names by default
    page.locator("a[rel=next]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("mes=2030-11")
    page.locator("a[rel=prev]").click()
    page.locator("a[rel=prev]").click()
    assert page.url.endswith("mes=2030-09")
    # The filters form is a plain GET form.
    page.select_option("#id_tipo", "mesa_nacional")
    page.fill("#id_mes", "2030-10")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "tipo=mesa_nacional" in page.url
    assert "mes=2030-10" in page.url
    assert page.get_by_role("link", name="Mesa nacional de agua").count() == 2
    context.close()
