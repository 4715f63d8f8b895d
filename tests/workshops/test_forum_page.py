"""/foro-multiactor/: the forum's rules, members by sector, meetings with their minutes, and a flag when
the last meeting is more than six months old (OGP asks the forum to meet at least every six months)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.commitments.factories import SCRIPT, current_plan
from tests.workshops.factories import lima
from tests.workshops.participation_data import document, forum_session, held
from workshops.forum import months_before
from workshops.models import DocumentType, EventState, Forum, ForumMember

URL = "/foro-multiactor/"
D = datetime.date
S = ForumMember.Sector


def page(client) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")


@pytest.fixture
def forum(db) -> Forum:
    forum = Forum.objects.create(
        plan=current_plan(),
        name="Foro Multiactor de Gobierno Abierto",
        rules=f"Artículo 1. El foro se reúne cada trimestre.\n\nArtículo 2. {SCRIPT}",
        rules_adopted_on=D(2017, 8, 15),
    )
    ForumMember.objects.create(
        forum=forum, organisation="Proética", sector=S.CIVIL_SOCIETY, since=D(2016, 1, 4)
    )
    ForumMember.objects.create(
        forum=forum,
        organisation="Secretaría de Gestión Pública",
        sector=S.GOVERNMENT,
        representative="Mayen Ugarte",
        since=D(2015, 3, 1),
    )
    ForumMember.objects.create(
        forum=forum, organisation="Consejo de la Prensa Peruana", sector=S.CIVIL_SOCIETY, until=D(2017, 1, 1)
    )
    return forum


def test_the_url_is_named():
    assert reverse("workshops:forum") == URL


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2018, 6, 1), 6, D(2017, 12, 1)),
        (D(2017, 8, 31), 6, D(2017, 2, 28)),
        (D(2024, 8, 31), 6, D(2024, 2, 29)),
        (D(2024, 3, 31), 6, D(2023, 9, 30)),
    ],
)
def test_six_months_before_is_calendar_months(day, months, expected):
    assert months_before(day, months) == expected


def test_the_page_shows_the_rules_and_the_current_members_by_sector(client, forum):
    html = page(client)
    body = text(html)

    assert '<h1><span lang="es">Foro Multiactor de Gobierno Abierto</span></h1>' in html
    assert "Adopted on Aug. 15, 2017." in body
    assert "Artículo 1. El foro se reúne cada trimestre." in body
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    assert (
        "Government Organisation Representative Member since Secretaría de Gestión Pública Mayen Ugarte"
        in body
    )
    assert "Civil society Organisation Representative Member since Proética Not given Jan. 4, 2016" in body
    assert body.index("Government Organisation") < body.index("Civil society Organisation")
    assert "Consejo de la Prensa Peruana" not in body  # no longer a member
    assert '<th scope="row" lang="es">Proética</th>' in html


@pytest.mark.parametrize(("months_ago", "overdue"), [(5, False), (7, True)])
def test_the_page_flags_a_last_meeting_older_than_six_months(client, forum, settings, months_ago, overdue):
    settings.COCREA_AS_OF = "2018-06-01"
    meeting = forum_session(months_before(D(2018, 6, 1), months_ago))
    document(event=meeting)
    body = text(page(client))

    assert ("Overdue" in body) is overdue
    assert ("Up to date" in body) is not overdue
    if overdue:
        assert "has not met in the last six months: its last meeting was on Nov. 1, 2017." in body
    else:
        assert "The forum met in the last six months: its last meeting was on Jan. 1, 2018." in body


def test_a_forum_that_never_met_is_flagged(client, forum):
    body = text(page(client))
    assert "Overdue No meeting of the forum is recorded." in body
    assert "No meeting of the forum has been recorded yet." in body


def test_a_meeting_not_held_or_after_today_does_not_count(client, forum, settings):
    settings.COCREA_AS_OF = "2018-06-01"
    forum_session(D(2018, 5, 1), state=EventState.SCHEDULED)  # never marked held
    forum_session(D(2018, 7, 1))  # held, but after the day shown
    body = text(page(client))
    assert "Overdue No meeting of the forum is recorded." in body


def test_without_a_date_shown_the_flag_is_relative_to_today(client, forum):
    forum_session(timezone.localdate() - datetime.timedelta(days=20))
    assert "Up to date" in text(page(client))


def test_meetings_list_their_minutes_with_a_download_link(client, forum):
    met = forum_session(D(2017, 11, 20))
    minutes = document(event=met)
    document(event=met, doc_type=DocumentType.AGENDA)  # not minutes: not listed here
    without = forum_session(D(2018, 2, 20))
    held(title="Taller que no es del foro")
    html = page(client)
    body = text(html)

    download = reverse("workshops:document_download", kwargs={"pk": minutes.pk})
    assert f'<a href="{download}" download>{minutes.title}' in unescape(html)
    assert body.count("(minutes, download)") == 1
    assert "Minutes not published yet." in body
    assert body.index(without.title) < body.index(met.title)  # newest first
    assert f'href="{met.get_absolute_url()}"' in html
    assert "Taller que no es del foro" not in body


def test_without_a_forum_recorded_the_page_says_so(client, db):
    current_plan()
    body = text(page(client))
    assert "<h1>Multi-stakeholder forum</h1>" in page(client)
    assert "The forum's rules have not been published yet." in body
    assert "The forum's members have not been published yet." in body


def test_an_illustrative_forum_says_so(client, forum):
    forum.is_illustrative = True
    forum.save()
    assert "Illustrative example." in text(page(client))


def test_a_post_is_not_allowed(client, forum):
    assert client.post(URL).status_code == 405


def test_without_a_current_plan_the_page_is_not_found(client, db):
    assert client.get(URL).status_code == 404


def test_the_queries_do_not_grow_with_the_volume(client, forum, django_assert_num_queries):
    for n in (3, 30):
        for i in range(n):
            ForumMember.objects.create(forum=forum, organisation=f"Organización {n}-{i}", sector=S.ACADEMIA)
            meeting = forum_session(D(2017, 1, 1) + datetime.timedelta(days=n * 40 + i))
            document(event=meeting)
        with django_assert_num_queries(5):  # the plan, the forum, its members, meetings, their minutes
            page(client)


def test_the_meeting_link_is_an_event_page(client, forum):
    meeting = forum_session(D(2017, 11, 20))
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert meeting.starts_at == lima(2017, 11, 20, 10)
