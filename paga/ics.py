"""The timeline as an iCalendar feed (RFC 5545): one all-day event per dated stage."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from .models import ActionPlan, TimelineStage


def timeline_calendar(
    *, plan: ActionPlan, stages: Iterable[TimelineStage], base_url: str, host: str
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Co-crea//Cronograma//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{plan.short_name}: cronograma")
    cal.add("x-wr-timezone", "America/Lima")
    stamp = timezone.now().replace(microsecond=0)
    for stage in stages:
        if not stage.starts_on:
            continue
        event = Event()
        event.add("uid", f"stage-{stage.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", stage.title)
        event.add("dtstart", stage.starts_on)
        # All-day events end on the day *after* the last one (exclusive DTEND).
        event.add("dtend", stage.last_day + datetime.timedelta(days=1))
        description = "\n".join(filter(None, [stage.phase, stage.description]))
        if description:
            event.add("description", description)
        location = ", ".join(filter(None, [stage.place, stage.region.name if stage.region else ""]))
        if location:
            event.add("location", location)
        event.add("categories", [stage.pillar.name])
        event.add("url", base_url + stage.get_absolute_url())
        cal.add_component(event)
    return cal.to_ical()
