"""The milestones' due dates as an iCalendar feed (implementation/public_views.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Event

from paga.ics import new_calendar
from paga.models import ActionPlan


def milestones_calendar(*, plan: ActionPlan, rows: Iterable, base_url: str, host: str) -> bytes:
    """The due dates of a plan's milestones as iCalendar: one all-day event per dated milestone, on its
    due date, named after it and its commitment, its status in the description (from validated reports
    only, as `rows` give it: CommitmentRow of public_selectors.py). UIDs are stable
    (`milestone-<pk>@host`), so a calendar that subscribed sees a date moved instead of a second event."""
    cal = new_calendar(product="Seguimiento", name=f"{plan.short_name}: plazos de los hitos")
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
