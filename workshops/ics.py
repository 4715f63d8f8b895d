"""The events as iCalendar feeds (workshops/views.py: one event's, and a plan's)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Event

from paga.ics import new_calendar


def events_calendar(*, name: str, events: Iterable, base_url: str, host: str) -> bytes:
    """Workshops' events as iCalendar: a timed event in UTC, one known by its days only (`all_day`) with
    VALUE=DATE and an exclusive DTEND; undated events are left out. UIDs are stable (`event-<pk>@host`)
    and DTSTAMP is the event's last change, so a calendar that subscribed sees updates, and a
    cancelled event arrives as STATUS:CANCELLED instead of vanishing."""
    cal = new_calendar(product="Talleres", name=name)
    for item in events:
        if item.starts_at is None:
            continue
        event = Event()
        event.add("uid", f"event-{item.pk}@{host}")
        changed = item.modified.astimezone(datetime.UTC).replace(microsecond=0)
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("summary", item.title)
        if item.all_day:
            first = timezone.localdate(item.starts_at)
            event.add("dtstart", first)
            # ends_at is 00:00 of the day after the last day: exactly the exclusive DTEND.
            end = timezone.localdate(item.ends_at) if item.ends_at else first + datetime.timedelta(days=1)
            event.add("dtend", max(end, first + datetime.timedelta(days=1)))
        else:
            event.add("dtstart", item.starts_at.astimezone(datetime.UTC))
            if item.ends_at:
                event.add("dtend", item.ends_at.astimezone(datetime.UTC))
        places = [item.venue, item.address, item.province, item.region.name if item.region else ""]
        location = ", ".join(dict.fromkeys(filter(None, places)))  # once each: province = region often
        if location:
            event.add("location", location)
        description = "\n\n".join(filter(None, [item.summary, item.cancel_reason]))
        if description:
            event.add("description", description)
        event.add("categories", [str(item.get_kind_display())])
        event.add("status", "CANCELLED" if item.state == "cancelado" else "CONFIRMED")
        event.add("url", base_url + item.get_absolute_url())
        cal.add_component(event)
    return cal.to_ical()
