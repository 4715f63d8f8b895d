"""/participacion/ and the attendance on an event's page: charts and tables with the same figures,
never a name, a flat number of queries."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from paga.models import ActorType, Channel
from tests.commitments.factories import current_plan
from tests.workshops.factories import RegistrationFactory, lima, region
from tests.workshops.participation_data import SECRET, attend, consultation, contribution, held, theme
from workshops.models import Attendance, EventState, Gender

URL = "/participacion/"


def get(client, url: str = URL) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, key: str) -> str:
    found = re.search(rf'<section id="{re.escape(key)}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no section {key}"
    return found.group(1)


def svg_figures(html: str) -> list[tuple[str, int]]:
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    labels = [unescape(x) for x in re.findall(r'<text class="bar-label"[^>]*>(.*?)</text>', svg)]
    values = [int(x) for x in re.findall(r'<text class="bar-value"[^>]*>(\d+)</text>', svg)]
    return list(zip(labels, values, strict=True))


def table_figures(html: str) -> list[tuple[str, int]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        (unescape(label), int(n))
        for label, n in re.findall(r'<th scope="row"[^>]*>(.*?)</th><td class="count">(\d+)</td>', body)
    ]


@pytest.fixture
def data(db):
    """Two held events with 8 people; contributions by three channels."""
    ambiente = theme("Ambiente", 1)
    a = held(themes=[ambiente])
    for person in RegistrationFactory.create_batch(2, event=a, name=f"Inscrita {SECRET}"):
        Attendance.objects.create(
            event=a, registration=person, name=person.name, actor_type=person.actor_type
        )
    attend(a, 3)
    attend(
        a, 1, actor_type=ActorType.ACADEMIA, gender=Gender.MALE, region=region("Cusco"), organisation="PUCP"
    )
    b = held(is_illustrative=True)
    attend(b, 2, actor_type=ActorType.PUBLIC_ENTITY, organisation="MINAM «Ñ» <script>alert(1)</script>")
    forum = consultation()
    contribution(forum)
    contribution(forum, channel=Channel.EMAIL)
    contribution(forum, channel=Channel.IN_PERSON, event=a)
    return a, b


def test_the_url_is_named():
    assert reverse("workshops:participation") == URL


def test_every_breakdown_has_a_chart_and_a_table_with_the_same_figures(client, data):
    html = get(client)
    keys = [
        "participantes-tipo-de-actor",
        "participantes-region",
        "participantes-genero",
        "participantes-tema",
        "participantes-organizacion",
        "aportes-canal",
        "aportes-etapa",
    ]
    for key in keys:
        part = section(html, key)
        chart, table = svg_figures(part), table_figures(part)
        assert chart, key
        assert chart == table, key
    assert table_figures(section(html, "participantes-tipo-de-actor")) == [
        ("Public entity", 2),
        ("Civil society organisation", 5),
        ("Business guild", 0),
        ("Academia", 1),
        ("Citizens", 0),
    ]
    assert table_figures(section(html, "aportes-canal")) == [
        ("Virtual forum", 1),
        ("Email", 1),
        ("In person", 1),
    ]
    assert '<tfoot><tr><th scope="row">Total</th><td class="count">8</td>' in section(
        html, "participantes-genero"
    )


def test_the_charts_are_accessible_svg_without_script(client, data):
    html = get(client)
    part = section(html, "participantes-region")
    svg = re.search(r"<svg[^>]*>", part).group(0)
    assert 'role="img"' in svg
    ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    for ident in ids:
        assert f'id="{ident}"' in part
    assert "<title id=" in part
    assert "<desc id=" in part
    assert "Arequipa: 5" in text(re.search(r"<desc[^>]*>(.*?)</desc>", part).group(1))
    assert 'viewBox="0 0 360 ' in svg
    assert 'width="100%"' in svg
    assert 'fill="#0a4a8c"' in part  # 9:1 on white: well over the 3:1 asked of graphics
    assert '<caption id="table-participantes-region-caption">' in part
    assert '<th scope="col">' in part
    assert "<script" not in html.replace("&lt;script", "")
    assert "style=" not in html


def test_long_labels_are_shortened_in_the_chart_only(client, db):
    long = "Asociación Nacional de Municipalidades Rurales y Comunidades Campesinas del Perú"
    attend(held(), 2, organisation=long)
    html = get(client)
    part = section(html, "participantes-organizacion")
    assert long in text(re.search(r"<table.*?</table>", part, re.S).group(0))
    assert "…" in re.search(r"<svg.*?</svg>", part, re.S).group(0)


def test_no_name_of_who_came_or_registered_appears(client, data):
    html = get(client)
    assert SECRET not in html
    assert "Zacarías" not in html
    # what people typed is escaped
    assert "<script>alert(1)</script>" not in html
    assert "MINAM «Ñ» &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_illustrative_figures_are_said_so(client, data):
    assert "Illustrative figures." in text(get(client))


def test_real_figures_carry_no_illustrative_note(client, db):
    attend(held(), 2)
    assert "Illustrative figures." not in text(get(client))


def test_a_plan_without_attendance_says_what_will_appear(client, db):
    current_plan()
    page = text(get(client))
    assert "No attendance recorded yet" in page
    assert "<svg" not in get(client)


def test_the_page_is_linked_from_the_main_navigation(client, data):
    html = get(client)
    assert f'<a href="{URL}" aria-current="page">Participation</a>' in html


def test_a_post_is_not_allowed(client, data):
    assert client.post(URL).status_code == 405


def test_without_a_current_plan_the_page_is_not_found(client, db):
    assert client.get(URL).status_code == 404


def test_the_page_is_light(client, data):
    assert len(get(client).encode()) < 60_000


def test_the_queries_do_not_grow_with_the_volume(client, db, django_assert_num_queries):
    forum = consultation()
    for n in (5, 50):
        event = held(themes=[theme(f"Tema {n}", n)])
        attend(event, n, organisation=f"Organización {n}")
        for _i in range(n // 5):
            contribution(forum, channel=Channel.IN_PERSON, event=event)
        with django_assert_num_queries(4):  # the plan, attendance, attendance by theme, contributions
            get(client)


# --- the attendance on an event's page --------------------------------------------------------------
def test_a_held_event_shows_its_attendance_as_counts_never_names(client, data):
    a, _b = data
    html = get(client, a.get_absolute_url())
    page = text(html)

    assert SECRET not in html
    assert "6 people took part." in page
    assert (
        "Participants by actor type Actor type Participants Civil society organisation 5 Academia 1" in page
    )
    assert "Participants by gender Gender Participants Female 3 Male 1 Prefers not to say 2" in page
    assert "Participants by region Region Participants Arequipa 3 Cusco 1 Region not recorded 2" in page
    assert "Participants by organisation" in page
    assert "Illustrative figures." not in page


def test_an_illustrative_event_says_so(client, data):
    _a, b = data
    assert "This attendance is an illustrative example" in text(get(client, b.get_absolute_url()))


def test_a_held_event_without_attendance_says_it_is_not_recorded_yet(client, db):
    event = held()
    assert "Attendance not recorded yet." in text(get(client, event.get_absolute_url()))


def test_a_scheduled_event_shows_no_attendance(client, db):
    event = held(state=EventState.SCHEDULED, starts_at=lima(2030, 1, 1, 9))
    attend(event, 2)
    html = get(client, event.get_absolute_url())
    assert 'id="asistencia-h"' not in html
    assert SECRET not in html


def test_the_attendance_summary_costs_one_query_whatever_the_volume(db, django_assert_num_queries):
    template = Template("{% load participation %}{% attendance_summary event %}")
    event = held()
    for n in (5, 50):
        attend(event, n, organisation=f"Organización {n}")
        with django_assert_num_queries(1):
            html = template.render(Context({"event": event}))
        assert SECRET not in html
    assert "55" in html


def test_event_page_queries_do_not_grow_with_the_attendance(db):
    event = held()
    counts = []
    for n in (5, 50):
        attend(event, n)
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(event.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "role",
    ["anonymous", "citizen", "other_citizen", "reviewer", "other_reviewer", "secretariat", "administrator"],
)
@pytest.mark.parametrize("url", [URL, "/foro-multiactor/"])
def test_every_role_reads_the_pages_and_none_may_post(client, data, request, role, url):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    assert SECRET not in client.get(url).content.decode()
