"""iCalendar files of the events (RFC 5545): one per event and a feed of every dated event of the plan.

Checked as bytes (CRLF, lines folded at 75 octets, escaping) and parsed back with `icalendar`."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.commitments.factories import PlanFactory, current_plan
from tests.workshops.factories import EventFactory, lima, undated
from workshops.ics import events_calendar
from workshops.models import EventState, Kind

pytestmark = pytest.mark.django_db

FEED = reverse("workshops:ics")


@pytest.fixture(autouse=True)
def plan():
    return current_plan()


def event_ics(event) -> str:
    return reverse("workshops:event_ics", kwargs={"slug": event.slug})


def check_rfc5545(body: bytes) -> None:
    """What a strict reader checks: CRLF line ends, no line over 75 octets, balanced components, the
    required properties of the calendar and of each event."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    unfolded = body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode().split("\r\n")[:-1]
    assert unfolded[0] == "BEGIN:VCALENDAR"
    assert unfolded[-1] == "END:VCALENDAR"
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded]
    assert "VERSION" in names
    assert "PRODID" in names
    assert names.count("BEGIN") == names.count("END")
    for block in "\r\n".join(unfolded).split("BEGIN:VEVENT")[1:]:
        props = [line.split(":", 1)[0].split(";", 1)[0] for line in block.split("\r\n")]
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert props.count(required) == 1, required


def vevents(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_one_event_as_icalendar(client):
    event = EventFactory(starts_at=lima(2030, 10, 2, 10), ends_at=lima(2030, 10, 2, 17))
    response = client.get(event_ics(event))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
    body = response.content
    check_rfc5545(body)
    assert b"DTSTART:20301002T150000Z\r\n" in body  # 10:00 in Lima is 15:00 UTC
    assert b"DTEND:20301002T220000Z\r\n" in body
    assert f"UID:event-{event.pk}@testserver".encode() in body
    assert b"STATUS:CONFIRMED" in body
    (parsed,) = vevents(body)
    assert str(parsed["summary"]) == event.title  # the <script> is text in a calendar: kept as typed
    assert str(parsed["url"]) == "http://testserver" + event.get_absolute_url()
    assert str(parsed["location"]) == "Auditorio del Gobierno Regional, Av. Unión 200, Cercado, Arequipa"
    assert str(parsed["categories"].cats[0]) == "Taller regional"


def test_the_uid_is_stable_between_downloads(client):
    event = EventFactory()
    first = vevents(client.get(event_ics(event)).content)[0]
    second = vevents(client.get(FEED).content)[0]
    assert first["uid"] == second["uid"]
    assert first["dtstamp"].dt == second["dtstamp"].dt


def test_an_all_day_event_uses_dates_with_an_exclusive_end(client):
    event = EventFactory(
        all_day=True,
        starts_at=lima(2030, 10, 12),
        ends_at=lima(2030, 10, 14),  # 00:00 of the day after the 13th, the last day
        capacity=None,
        registration_opens_at=None,
        registration_closes_at=None,
    )
    body = client.get(event_ics(event)).content
    check_rfc5545(body)
    assert b"DTSTART;VALUE=DATE:20301012\r\n" in body
    assert b"DTEND;VALUE=DATE:20301014\r\n" in body
    (parsed,) = vevents(body)
    assert parsed["dtstart"].dt == datetime.date(2030, 10, 12)


def test_a_cancelled_event_says_so_with_its_reason(client):
    event = EventFactory(state=EventState.CANCELLED, cancel_reason="Paro de transportistas")
    body = client.get(event_ics(event)).content
    check_rfc5545(body)
    (parsed,) = vevents(body)
    assert parsed["status"] == "CANCELLED"
    assert "Paro de transportistas" in str(parsed["description"])


def test_commas_semicolons_backslashes_and_newlines_are_escaped_and_long_lines_folded(client):
    event = EventFactory(
        title="Mesa; agua, saneamiento \\ «Ñandú» " + "muy larga " * 12,
        summary="Primera línea\nSegunda, con coma; y punto y coma",
    )
    body = client.get(event_ics(event)).content
    check_rfc5545(body)
    unfolded = body.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Mesa\\; agua\\, saneamiento \\\\ «Ñandú» muy larga" in unfolded
    assert "Primera línea\\nSegunda\\, con coma\\; y punto y coma" in unfolded
    assert b"\r\n " in body  # folded
    (parsed,) = vevents(body)
    assert str(parsed["summary"]) == event.title
    assert str(parsed["description"]).startswith("Primera línea\nSegunda, con coma; y punto y coma")


def test_folding_never_splits_a_multibyte_character(client):
    event = EventFactory(title="ñ" * 100)
    body = client.get(event_ics(event)).content
    check_rfc5545(body)
    for line in body.split(b"\r\n"):
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own


def test_the_feed_holds_every_dated_event_of_the_current_plan_only(client):
    dated = EventFactory(title="Con fecha", kind=Kind.NATIONAL_TABLE)
    cancelled = EventFactory(title="Cancelado", state=EventState.CANCELLED, cancel_reason="Lluvias")
    table = undated(title="Sin fecha")
    other = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    EventFactory(plan=other, title="De otro plan")
    response = client.get(FEED)
    assert response.status_code == 200
    body = response.content
    check_rfc5545(body)
    summaries = {str(e["summary"]) for e in vevents(body)}
    assert summaries == {dated.title, cancelled.title}
    assert table.title not in body.decode()
    assert client.get(event_ics(table)).status_code == 404  # an undated table has no calendar entry


def test_an_empty_feed_is_still_a_valid_calendar(client):
    body = client.get(FEED).content
    check_rfc5545(body)
    assert vevents(body) == []


def test_the_timeline_feed_still_works(client, example_plan):
    response = client.get(reverse("paga:timeline_ics"))
    assert response.status_code == 200
    check_rfc5545(response.content)
    assert len(vevents(response.content)) > 5


def test_events_calendar_leaves_undated_events_out_when_called_directly():
    body = events_calendar(name="x", events=[undated()], base_url="https://e.example", host="e.example")
    check_rfc5545(body)
    assert vevents(body) == []
