"""Read-side helpers for the public pages of events and the documents' repository.

Dates are Lima's. An event known by its days only (`all_day`) ends at 00:00 of the day after its last
day: its last day is `ends_at` minus one day. An undated event (a thematic table without a date) has no
`When` at all and is listed apart, never given an invented date.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from paga.models import ActionPlan

from .models import Document, Event, EventState, EventTransition


@dataclass(frozen=True)
class When:
    first_day: datetime.date
    last_day: datetime.date
    all_day: bool
    starts: datetime.datetime  # Lima time
    ends: datetime.datetime | None  # Lima time

    @property
    def single_day(self) -> bool:
        return self.first_day == self.last_day


def when(event: Event) -> When | None:
    """The event's days and times in Lima, or None for an undated event."""
    if event.starts_at is None:
        return None
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at) if event.ends_at else None
    first = starts.date()
    if ends is None:
        last = first
    elif event.all_day or (ends.time() == datetime.time(0, 0) and ends > starts):
        last = max(first, ends.date() - datetime.timedelta(days=1))  # ends_at is exclusive
    else:
        last = ends.date()
    return When(first_day=first, last_day=last, all_day=event.all_day, starts=starts, ends=ends)


def _with_when(events) -> list[Event]:
    events = list(events)
    for event in events:
        event.when = when(event)
    return events


def public_events(plan: ActionPlan) -> QuerySet[Event]:
    """The plan's events with what the list shows (region, themes: two queries)."""
    return Event.objects.filter(plan=plan).select_related("region").prefetch_related("themes")


def month_events(plan: ActionPlan) -> QuerySet[Event]:
    """The plan's events for the month calendar (titles and dates: one query)."""
    return Event.objects.filter(plan=plan)


@dataclass
class EventList:
    upcoming: list[Event]
    past: list[Event]
    undated: list[Event]

    @property
    def total(self) -> int:
        return len(self.upcoming) + len(self.past) + len(self.undated)


def split_events(events, *, today: datetime.date) -> EventList:
    """Upcoming (still to come or under way today, soonest first), past (latest first), undated."""
    upcoming, past, undated = [], [], []
    for event in _with_when(events):
        if event.when is None:
            undated.append(event)
        elif event.when.last_day >= today:
            upcoming.append(event)
        else:
            past.append(event)
    upcoming.sort(key=lambda e: (e.when.starts, e.title))
    past.sort(key=lambda e: (e.when.starts, e.title), reverse=True)
    undated.sort(key=lambda e: e.title)
    return EventList(upcoming=upcoming, past=past, undated=undated)


def next_event_month(events: QuerySet[Event], *, today: datetime.date) -> datetime.date:
    """The month of the next event (one still to come or under way today), else `today`'s month."""
    tz = timezone.get_default_timezone()
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=tz)
    starts = (
        events.filter(starts_at__isnull=False)
        .exclude(ends_at__lte=midnight)
        .exclude(ends_at__isnull=True, starts_at__lt=midnight)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    day = timezone.localtime(starts).date() if starts else today
    return day.replace(day=1)


@dataclass
class Day:
    date: datetime.date
    events: list[Event] = field(default_factory=list)
    is_today: bool = False


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[Day | None]]  # Monday first; None outside the month
    previous: datetime.date
    next: datetime.date
    count: int

    @property
    def weekdays(self) -> list[datetime.date]:
        """A Monday to Sunday week, to name the columns."""
        return [datetime.date(2017, 10, 2) + datetime.timedelta(days=n) for n in range(7)]


def month_grid(events, *, month: datetime.date, today: datetime.date) -> Month:
    """The weeks of `month` (Monday first), each day with the events that take place on it."""
    days: dict[datetime.date, Day] = {}
    weeks: list[list[Day | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        row: list[Day | None] = []
        for date in week:
            if date.month != month.month:
                row.append(None)
                continue
            days[date] = Day(date=date, is_today=date == today)
            row.append(days[date])
        weeks.append(row)
    count = 0
    for event in sorted(_with_when(events), key=lambda e: (e.when.starts, e.title) if e.when else (0, "")):
        if event.when is None:
            continue
        count += 1
        day = event.when.first_day
        while day <= event.when.last_day:
            if day in days:
                days[day].events.append(event)
            day += datetime.timedelta(days=1)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return Month(first=month, weeks=weeks, previous=previous, next=following, count=count)


def event_detail(*, plan: ActionPlan, slug: str) -> Event:
    """One event of the plan with what its public page shows (404 for an unknown slug)."""
    queryset = (
        Event.objects.filter(plan=plan)
        .select_related("region", "stage")
        .prefetch_related(
            "themes",
            Prefetch("documents", queryset=Document.objects.order_by("-dated", "-uploaded_at", "-pk")),
        )
    )
    event = get_object_or_404(queryset, slug=slug)
    event.when = when(event)
    return event


def cancelled_on(event: Event) -> datetime.datetime | None:
    """When the event was cancelled (its last transition to "cancelled"), or None."""
    if event.state != EventState.CANCELLED:
        return None
    return (
        EventTransition.objects.filter(event=event, to_state=EventState.CANCELLED)
        .order_by("-created", "-pk")
        .values_list("created", flat=True)
        .first()
    )


def calendar_events(plan: ActionPlan) -> QuerySet[Event]:
    """The plan's dated events, for the iCalendar feed (one query)."""
    return (
        Event.objects.filter(plan=plan, starts_at__isnull=False)
        .select_related("region")
        .order_by("starts_at")
    )


def repository(plan: ActionPlan) -> QuerySet[Document]:
    """The plan's documents, newest first (by their date, then upload time), each carrying the time the
    repository was last updated (`last_updated`, the latest upload of the plan): one query."""
    latest = Document.objects.filter(plan=OuterRef("plan")).order_by("-uploaded_at").values("uploaded_at")[:1]
    return (
        Document.objects.filter(plan=plan)
        .select_related("event", "stage")
        .annotate(last_updated=Subquery(latest))
        .order_by("-dated", "-uploaded_at", "-pk")
    )


def last_updated(plan: ActionPlan) -> datetime.datetime | None:
    latest = Document.objects.filter(plan=plan).order_by("-uploaded_at").values_list("uploaded_at", flat=True)
    return latest.first()
