"""The multi-stakeholder forum (Foro Multiactor): what its public page and the compliance page show.

OGP's Participation and Co-Creation Standards ask for a forum with government and non-government
members, public rules, and meetings at least every six months with their minutes published. The
forum's rows (name, rules, members) are kept in the back office; its meetings are events of kind
"forum session", their minutes documents of type "minutes" of that event.

A meeting counts once it is HELD and dated on or before today (Lima, or COCREA_AS_OF: a meeting after
the day the example is shown as of has not happened yet then).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from paga.models import ActionPlan

from .models import Document, DocumentType, Event, EventState, Forum, ForumMember, Kind

# OGP asks the forum to meet at least this often.
MEETING_MONTHS = 6


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the last day of that month when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def event_day(event: Event) -> datetime.date | None:
    return timezone.localtime(event.starts_at).date() if event.starts_at else None


def has_met(event: Event, today: datetime.date) -> bool:
    day = event_day(event)
    return event.state == EventState.HELD and day is not None and day <= today


@dataclass
class Meeting:
    event: Event
    day: datetime.date | None
    minutes: list[Document]


@dataclass
class Sector:
    label: str
    members: list[ForumMember]


@dataclass
class ForumPage:
    forum: Forum | None
    sectors: list[Sector]
    meetings: list[Meeting]  # newest first; undated ones last
    today: datetime.date
    since: datetime.date  # six months before today
    last_met: datetime.date | None
    illustrative: bool = False

    @property
    def overdue(self) -> bool:
        """No meeting held in the last six months (or none at all): the page flags it."""
        return self.last_met is None or self.last_met < self.since


def last_meeting(events, today: datetime.date) -> datetime.date | None:
    days = [event_day(e) for e in events if has_met(e, today)]
    return max(days, default=None)


def forum_page(*, plan: ActionPlan, today: datetime.date) -> ForumPage:
    """The forum, its current members by sector, its meetings with their minutes. Four queries (three
    when the forum is not recorded)."""
    forum = Forum.objects.filter(plan=plan).first()
    sectors: list[Sector] = []
    if forum is not None:
        members = list(
            ForumMember.objects.filter(forum=forum)
            .filter(Q(until__isnull=True) | Q(until__gte=today))
            .order_by("sector", "organisation", "pk")
        )
        for code, label in ForumMember.Sector.choices:
            found = [m for m in members if m.sector == code]
            if found:
                sectors.append(Sector(str(label), found))
    minutes = Document.objects.filter(doc_type=DocumentType.MINUTES).order_by("-dated", "-uploaded_at", "-pk")
    events = list(
        Event.objects.filter(plan=plan, kind=Kind.FORUM_SESSION)
        .select_related("region")
        .prefetch_related(Prefetch("documents", queryset=minutes, to_attr="minutes"))
        .order_by("-starts_at", "-pk")
    )
    meetings = [Meeting(e, event_day(e), e.minutes) for e in events]
    meetings.sort(key=lambda m: (m.day is None, -(m.day.toordinal() if m.day else 0)))
    return ForumPage(
        forum=forum,
        sectors=sectors,
        meetings=meetings,
        today=today,
        since=months_before(today, MEETING_MONTHS),
        last_met=last_meeting(events, today),
        illustrative=bool(forum and forum.is_illustrative) or any(e.is_illustrative for e in events),
    )
