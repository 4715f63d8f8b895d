"""What the workshops tell about the co-creation process (hooks of paga/reports.py).

- compliance: what OGP's Participation and Co-Creation Standards ask of the multi-stakeholder forum
  (meetings at least every six months, with minutes), of the repository (every document with its date,
  updated in the last six months) and of participation (recorded and published by actor type and
  region). "Today" is Lima's, or COCREA_AS_OF (paga/clock.py). A line has no data (met=None) only when
  nothing at all is recorded; when the data shows the requirement unmet, it says so.
- process_summary: the events held (kind, date, region, participants) and the participants by actor
  type, region and gender. Contributions by channel (the in-person channel included) are consultations'
  block: not repeated here.

Strings follow the active language (the plan's PDF calls these under translation.override("es")).
Three queries for compliance, two for process_summary, whatever the volume.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paga import clock
from paga.models import ActionPlan
from paga.reports import Block, Line, Table
from paga.timeline_reports import day

from . import stats
from .forum import MEETING_MONTHS, event_day, has_met, months_before
from .models import Document, Event, Forum, Kind


def _illustrative_note(any_illustrative: bool) -> str:
    return (
        _("Illustrative example: the figures are not records of what happened.") if any_illustrative else ""
    )


def _end_of(today: datetime.date) -> datetime.datetime:
    """The first moment after `today` in Lima."""
    return timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()))


# --- compliance ------------------------------------------------------------------------------------
def compliance(plan: ActionPlan) -> list[Line]:
    """The forum's meetings and minutes, the repository's last update, participation by actor type and
    region. Three queries."""
    today = clock.today()
    since = months_before(today, MEETING_MONTHS)
    held = stats.held_events(plan)
    forum_recorded = Forum.objects.filter(plan=plan).exists()
    repository = Document.objects.filter(plan=plan, uploaded_at__lt=_end_of(today)).aggregate(
        n=Count("pk"), last=Max("uploaded_at")
    )
    return [
        forum_line(held, forum_recorded=forum_recorded, today=today, since=since),
        repository_line(repository["n"], repository["last"], since=since),
        participation_line(held, today=today),
    ]


def forum_line(
    held: list[stats.HeldEvent], *, forum_recorded: bool, today: datetime.date, since: datetime.date
) -> Line:
    meetings = [h for h in held if h.event.kind == Kind.FORUM_SESSION and has_met(h.event, today)]
    recent = [h for h in meetings if event_day(h.event) >= since]
    with_minutes = [h for h in recent if h.minutes]
    last = max((event_day(h.event) for h in meetings), default=None)
    requirement = _("A multi-stakeholder forum meets at least every six months and publishes its minutes.")
    met: bool | None
    if not meetings and not forum_recorded:
        finding = _("Not recorded: no multi-stakeholder forum and no meeting of it are recorded.")
        met = None
    elif not meetings:
        finding = _("No meeting of the forum is recorded.")
        met = False
    elif not recent:
        finding = _("No meeting in the last six months: the last one was on %(day)s.") % {"day": day(last)}
        met = False
    else:
        finding = ngettext(
            "%(n)s meeting in the last six months (the last on %(day)s), %(minutes)s with its minutes "
            "published.",
            "%(n)s meetings in the last six months (the last on %(day)s), %(minutes)s with their minutes "
            "published.",
            len(recent),
        ) % {"n": len(recent), "day": day(last), "minutes": len(with_minutes)}
        met = bool(with_minutes)
    notes = [_("Measured on %(day)s, against the six months before it.") % {"day": day(today)}]
    if any(h.event.is_illustrative for h in meetings):
        notes.append(_illustrative_note(True))
    return Line(
        key="forum-meetings",
        requirement=requirement,
        finding=finding,
        met=met,
        evidence_url=reverse("workshops:forum"),
        note=" ".join(notes),
        order=40,
    )


def repository_line(n: int, last: datetime.datetime | None, *, since: datetime.date) -> Line:
    requirement = _(
        "A public repository holds every document of the process, each with its date, and was updated in "
        "the last six months."
    )
    if not n:
        finding, met = _("The repository holds no document yet."), False
    else:
        last_day = timezone.localtime(last).date()
        finding = ngettext(
            "%(n)s document, each with its date; last updated on %(day)s.",
            "%(n)s documents, each with its date; last updated on %(day)s.",
            n,
        ) % {"n": n, "day": day(last_day)}
        met = last_day >= since
    return Line(
        key="repository-updated",
        requirement=requirement,
        finding=finding,
        met=met,
        evidence_url=reverse("workshops:repository"),
        order=50,
    )


def participation_line(held: list[stats.HeldEvent], *, today: datetime.date) -> Line:
    """Every event of the process held (tables, workshops, technical meetings; the forum's sessions are
    the forum's line) has its attendance recorded, published by actor type and region."""
    events = [h for h in held if h.event.kind != Kind.FORUM_SESSION]
    recorded = [h for h in events if h.participants]
    participants = sum(h.participants for h in events)
    requirement = _("Participation in events is recorded and published by actor type and by region.")
    met: bool | None
    if not events:
        finding, met = _("Not recorded: no event has been held yet."), None
    else:
        people = ngettext("%(n)s participant", "%(n)s participants", participants) % {"n": participants}
        finding = ngettext(
            "Attendance recorded at %(recorded)s of %(n)s event held (%(participants)s), "
            "published as counts by actor type, region, gender and organisation.",
            "Attendance recorded at %(recorded)s of %(n)s events held (%(participants)s), "
            "published as counts by actor type, region, gender and organisation.",
            len(events),
        ) % {"recorded": len(recorded), "n": len(events), "participants": people}
        met = len(recorded) == len(events)
    return Line(
        key="participation-by-actor",
        requirement=requirement,
        finding=finding,
        met=met,
        evidence_url=reverse("workshops:participation"),
        note=_illustrative_note(any(h.event.is_illustrative for h in recorded)),
        order=70,
    )


# --- process_summary -------------------------------------------------------------------------------
def _dates(event: Event) -> str:
    first = event_day(event)
    if first is None:
        return day(None)
    if event.ends_at:
        last = timezone.localtime(event.ends_at - datetime.timedelta(microseconds=1)).date()
        if event.all_day and last > first:
            return _("%(start)s to %(end)s") % {"start": day(first), "end": day(last)}
    return day(first)


def process_summary(plan: ActionPlan) -> list[Block]:
    """The events held with their participants; participants by actor type, region and gender. Two
    queries."""
    held = stats.held_events(plan)
    who = stats.people(plan)
    if not held:
        return []
    illustrative = any(h.event.is_illustrative for h in held)
    total = sum(h.participants for h in held)
    events = Block(
        key="workshops-events",
        title=_("Events held"),
        paragraphs=[
            ngettext(
                "%(n)s event was held, with %(participants)s.",
                "%(n)s events were held, with %(participants)s.",
                len(held),
            )
            % {
                "n": len(held),
                "participants": ngettext(
                    "%(counter)s participant recorded", "%(counter)s participants recorded", total
                )
                % {"counter": total},
            },
        ]
        + ([_illustrative_note(True)] if illustrative else []),
        tables=[
            Table(
                caption=_("Events held"),
                headers=[_("Event"), _("Kind"), _("Date"), _("Region"), _("Participants")],
                rows=[
                    [
                        h.event.title,
                        str(h.event.get_kind_display()),
                        _dates(h.event),
                        h.event.region.name if h.event.region else "",
                        h.participants or _("not recorded"),
                    ]
                    for h in held
                ],
            )
        ],
        order=12,
    )
    blocks = [events]
    if who.total:
        tables = []
        for key in ("tipo-de-actor", "region", "genero"):
            breakdown = who.get(key)
            tables.append(
                Table(
                    caption=breakdown.title,
                    headers=[breakdown.category, breakdown.counted],
                    rows=[[row.label, row.n] for row in breakdown.rows] + [[_("Total"), breakdown.total]],
                )
            )
        blocks.append(
            Block(
                key="workshops-participation",
                title=_("Participation by actor type and region"),
                paragraphs=[
                    ngettext(
                        "%(n)s participant recorded, counted by actor type, region and gender; no name "
                        "is published.",
                        "%(n)s participants recorded, counted by actor type, region and gender; no name "
                        "is published.",
                        who.total,
                    )
                    % {"n": who.total}
                ]
                + ([_illustrative_note(True)] if who.illustrative else []),
                tables=tables,
                order=14,
            )
        )
    return blocks
