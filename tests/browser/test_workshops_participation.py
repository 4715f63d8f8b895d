"""/participacion/, /foro-multiactor/ and an event's attendance in real Chromium: 0 axe violations at
360 and 1280 px, nothing from another host, nothing sticking out sideways on a phone."""

import datetime

import pytest

from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations
from tests.workshops.participation_data import SECRET, document, forum_session
from workshops.models import Event, Forum, ForumMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = {
    "participation": "/participacion/",
    "forum": "/foro-multiactor/",
    "event": "/talleres/taller-regional-la-libertad-2017/",
}


@pytest.fixture
def forum_data(example_plan):
    """The example's forum, with members, rules and a meeting with its minutes (not in the example)."""
    forum = Forum.objects.get(plan=example_plan)
    forum.rules = "Artículo 1. El Foro Multiactor se reúne al menos cada seis meses."
    forum.rules_adopted_on = datetime.date(2017, 8, 15)
    forum.save()
    ForumMember.objects.create(
        forum=forum,
        organisation="Secretaría de Gestión Pública (PCM)",
        sector=ForumMember.Sector.GOVERNMENT,
        representative="Representante de la Secretaría",
        since=datetime.date(2015, 3, 1),
    )
    ForumMember.objects.create(
        forum=forum, organisation="Asociación Civil Transparencia", sector=ForumMember.Sector.CIVIL_SOCIETY
    )
    document(event=forum_session(datetime.date(2017, 11, 20)))
    return example_plan


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_participation_pages_are_accessible_and_self_contained(page, live_server, forum_data, name, viewport):
    assert Event.objects.filter(slug="taller-regional-la-libertad-2017", attendances__isnull=False).exists()
    page.set_viewport_size(VIEWPORTS[viewport])
    log = RequestLog(page, live_server.url)
    response = page.goto(live_server.url + PAGES[name])
    assert response.status == 200
    page.wait_for_load_state("load")
    assert log.foreign == []
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert SECRET not in page.content()
    assert "Participante ilustrativo" not in page.content()  # the example's attendance names


def test_the_charts_fit_a_phone(page, live_server, forum_data):
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + PAGES["participation"])
    widths = page.evaluate(
        "[...document.querySelectorAll('.stats-chart svg')].map(s => s.getBoundingClientRect().right)"
    )
    assert widths
    assert max(widths) <= VIEWPORTS["phone"]["width"]
