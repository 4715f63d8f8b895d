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


def events_calendar(*, name: str, events: Iterable, base_url: str, host: str) -> bytes:
    """Workshops' events as iCalendar: a timed event in UTC, one known by its days only (`all_day`) with
    VALUE=DATE and an exclusive DTEND; undated events are left out. UIDs are stable (`event-<pk>@host`)
    and DTSTAMP is the event's last change, so a calendar that subscribed sees updates, and a
    cancelled event arrives as STATUS:CANCELLED instead of vanishing."""
    cal = Calendar()
    cal.add("prodid", "-//Co-crea//Talleres//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "America/Lima")
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


def milestones_calendar(*, plan: ActionPlan, rows: Iterable, base_url: str, host: str) -> bytes:
    """The due dates of a plan's milestones as iCalendar (implementation/public_views.py): one all-day
    event per dated milestone, on its due date, named after it and its commitment, its status in the
    description (from validated reports only, as `rows` give it: CommitmentRow of
    implementation/public_selectors.py). UIDs are stable (`milestone-<pk>@host`), so a calendar that
    subscribed sees a date moved instead of a second event."""
    cal = Calendar()
    cal.add("prodid", "-//Co-crea//Seguimiento//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{plan.short_name}: plazos de los hitos")
    cal.add("x-wr-timezone", "America/Lima")
    stamp = timezone.now().replace(microsecond=0)  # DTSTAMP: when the file was made, by the real clock
    for row in rows:
        commitment = row.commitment
        for item in row.milestones:
            milestone = item.milestone
            if not milestone.due_date:
                continue
            event = Event()
            event.add("uid", f"milestone-{milestone.pk}@{host}")
            event.add("dtstamp", stamp)
            name = " ".join(milestone.description.split())
            name = name if len(name) <= 120 else name[:119].rstrip() + "…"
            event.add("summary", f"Hito del compromiso {commitment.number}: {name}")
            event.add("dtstart", milestone.due_date)
            event.add("dtend", milestone.due_date + datetime.timedelta(days=1))
            state = f"Estado: {item.status_label}" + (" (retrasado)" if item.delayed else "")
            event.add("description", "\n".join([commitment.title, milestone.description, state]))
            event.add("categories", ["Plazo de hito"])
            event.add("url", base_url + commitment.get_absolute_url())
            cal.add_component(event)
    return cal.to_ical()
