"""iCalendar feeds (RFC 5545): the timeline's (one all-day event per dated stage), and what every feed
shares, for the apps' own (workshops/ics.py: the events; implementation/ics.py: the milestones' due
dates)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import ActionPlan, TimelineStage


def new_calendar(*, product: str, name: str) -> Calendar:
    """An empty calendar to publish, named `name`, in Lima's time zone."""
    cal = Calendar()
    cal.add("prodid", f"-//Co-crea//{product}//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "America/Lima")
    return cal


def ics_response(body: bytes, filename: str) -> HttpResponse:
    """A feed's answer: shown by the browser or handed to a calendar app, under `filename`."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def timeline_calendar(
    *, plan: ActionPlan, stages: Iterable[TimelineStage], base_url: str, host: str
) -> bytes:
    cal = new_calendar(product="Cronograma", name=f"{plan.short_name}: cronograma")
    stamp = timezone.now().replace(microsecond=0)  # DTSTAMP: when the file was made, by the real clock
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
