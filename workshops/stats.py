"""Participation figures of the co-creation process (/participacion/, the event pages, the plan's PDF).

OGP asks that participation be recorded and published by actor type, region and gender (Participation
and Co-Creation Standards; Ley 29733 on personal data): everything here is a count, never a name.

- Participants: the attendance rows of the plan's HELD events, by region (where the participant comes
  from, as recorded), actor type, gender, theme (through the event's themes: someone at an event with
  two themes counts under each) and organisation.
- Contributions: every contribution of the plan's consultations, visible or hidden (counting is not
  showing), by channel and by the stage it came from: the kind of event it was made at (linked by
  `EventInput`), or the public consultation.

Figures are illustrative when any event (or consultation) counted is: the example's attendance is.
A fixed number of queries whatever the volume: three for the page, one for an event.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from consultations.models import Contribution
from paga.models import ActionPlan, ActorType, Channel

from .models import Attendance, DocumentType, Event, EventState, Gender, Kind


@dataclass
class Row:
    label: str
    n: int
    stored: bool = False  # the label is a name as stored (a region, an organisation, a theme): Spanish


@dataclass
class Breakdown:
    """One set of figures: a title, what is counted and a row per category (never a person)."""

    key: str  # stable identifier: anchors and ids ("participantes-region")
    title: str
    counted: str  # what the figures count, the header of the figures' column
    category: str  # the header of the categories' column
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    @property
    def total(self) -> int:
        return sum(row.n for row in self.rows)

    @property
    def empty(self) -> bool:
        return not any(row.n for row in self.rows)


@dataclass
class Participation:
    participants: int
    events: int  # held events with attendance recorded
    contributions: int
    illustrative: bool
    breakdowns: list[Breakdown]

    def get(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


def _choices(counter: Counter, choices) -> list[Row]:
    """Every category of a closed list, in its order (zeros included: a missing sector is a finding)."""
    return [Row(str(label), counter[code]) for code, label in choices]


def _by_count(counter: Counter, blank: str) -> list[Row]:
    """An open list (regions, organisations): most first, then alphabetically; blank last."""
    rows = sorted(((name, n) for name, n in counter.items() if name), key=lambda item: (-item[1], item[0]))
    out = [Row(name, n, stored=True) for name, n in rows]
    if counter.get("") or counter.get(None):
        out.append(Row(blank, counter.get("", 0) + counter.get(None, 0)))
    return out


@dataclass
class _People:
    actor: Counter = field(default_factory=Counter)
    gender: Counter = field(default_factory=Counter)
    region: Counter = field(default_factory=Counter)
    organisation: Counter = field(default_factory=Counter)

    def add(self, actor: str, gender: str, region: str | None, organisation: str, n: int) -> None:
        self.actor[actor] += n
        self.gender[gender] += n
        self.region[region or ""] += n
        self.organisation[(organisation or "").strip()] += n

    @property
    def total(self) -> int:
        return sum(self.actor.values())


def _people_breakdowns(people: _People, prefix: str) -> list[Breakdown]:
    participants = _("Participants")
    return [
        Breakdown(
            key=f"{prefix}-tipo-de-actor",
            title=_("Participants by actor type"),
            counted=participants,
            category=_("Actor type"),
            rows=_choices(people.actor, ActorType.choices),
        ),
        Breakdown(
            key=f"{prefix}-region",
            title=_("Participants by region"),
            counted=participants,
            category=_("Region"),
            rows=_by_count(people.region, _("Region not recorded")),
            note=_("The region each participant comes from, as recorded."),
        ),
        Breakdown(
            key=f"{prefix}-genero",
            title=_("Participants by gender"),
            counted=participants,
            category=_("Gender"),
            rows=_choices(people.gender, Gender.choices),
        ),
        Breakdown(
            key=f"{prefix}-organizacion",
            title=_("Participants by organisation"),
            counted=participants,
            category=_("Organisation"),
            rows=_by_count(people.organisation, _("No organisation given")),
        ),
    ]


def held_attendance(plan: ActionPlan):
    return Attendance.objects.filter(event__plan=plan, event__state=EventState.HELD)


@dataclass
class People:
    """Who came to the plan's held events, as counts: `breakdowns` by actor type, region, gender and
    organisation."""

    total: int
    events: int  # held events with attendance recorded
    illustrative: bool
    breakdowns: list[Breakdown]

    def get(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key.endswith(key))


def people(plan: ActionPlan) -> People:
    """The attendance of the plan's held events, counted. One query."""
    counts = _People()
    events: set[int] = set()
    illustrative = False
    rows = (
        held_attendance(plan)
        .values_list(
            "event_id", "event__is_illustrative", "actor_type", "gender", "region__name", "organisation"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for event_id, event_illustrative, actor, gender, region, organisation, n in rows:
        events.add(event_id)
        illustrative = illustrative or event_illustrative
        counts.add(actor, gender, region, organisation, n)
    return People(counts.total, len(events), illustrative, _people_breakdowns(counts, "participantes"))


def participation(plan: ActionPlan) -> Participation:
    """Every figure of /participacion/. Three queries whatever the number of events and participants."""
    who = people(plan)
    illustrative = who.illustrative

    themes: Counter = Counter()
    theme_order: dict[str, tuple] = {}
    for order, name, n in (
        held_attendance(plan)
        .values_list("event__themes__order", "event__themes__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        themes[name or ""] += n
        if name:
            theme_order[name] = (order, name)
    theme_rows = [Row(name, themes[name], stored=True) for name in sorted(theme_order, key=theme_order.get)]
    if themes.get(""):
        theme_rows.append(Row(_("No theme"), themes[""]))

    channels: Counter = Counter()
    stages: Counter = Counter()
    contributions = 0
    for channel, kind, consultation_illustrative, event_illustrative, n in (
        Contribution.objects.filter(consultation__plan=plan)
        .values_list(
            "channel",
            "event_input__event__kind",
            "consultation__is_illustrative",
            "event_input__event__is_illustrative",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        channels[channel] += n
        stages[kind or ""] += n
        contributions += n
        illustrative = illustrative or bool(consultation_illustrative) or bool(event_illustrative)
    contributions_label = _("Contributions")
    stage_rows = [Row(_("Public consultation"), stages[""])] if stages.get("") else []
    stage_rows += [Row(str(label), stages[code]) for code, label in Kind.choices if stages[code]]

    breakdowns = list(who.breakdowns)
    breakdowns.insert(
        3,
        Breakdown(
            key="participantes-tema",
            title=_("Participants by theme"),
            counted=_("Participants"),
            category=_("Theme"),
            rows=theme_rows,
            note=_(
                "Through the themes of the event: someone at an event with several themes counts under each."
            ),
        ),
    )
    breakdowns += [
        Breakdown(
            key="aportes-canal",
            title=_("Contributions by channel"),
            counted=contributions_label,
            category=_("Channel"),
            rows=[Row(str(label), channels[code]) for code, label in Channel.choices if channels[code]],
            note=_("Every contribution counts, including those hidden by moderation."),
        ),
        Breakdown(
            key="aportes-etapa",
            title=_("Contributions by stage"),
            counted=contributions_label,
            category=_("Stage"),
            rows=stage_rows,
            note=_(
                "Where each contribution was made: at an event of the kind given, or in a public "
                "consultation."
            ),
        ),
    ]
    return Participation(
        participants=who.total,
        events=who.events,
        contributions=contributions,
        illustrative=illustrative,
        breakdowns=breakdowns,
    )


@dataclass
class EventAttendance:
    recorded: bool
    participants: int
    illustrative: bool
    breakdowns: list[Breakdown]


def event_attendance(event: Event) -> EventAttendance:
    """The attendance of one event as counts by actor type, gender, region and organisation. One query
    (none for an event not held)."""
    if event.state != EventState.HELD:
        return EventAttendance(
            recorded=False, participants=0, illustrative=event.is_illustrative, breakdowns=[]
        )
    people = _People()
    for actor, gender, region, organisation, n in (
        Attendance.objects.filter(event=event)
        .values_list("actor_type", "gender", "region__name", "organisation")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        people.add(actor, gender, region, organisation, n)
    breakdowns = _people_breakdowns(people, f"asistencia-{event.pk}")
    return EventAttendance(
        recorded=people.total > 0,
        participants=people.total,
        illustrative=event.is_illustrative,
        breakdowns=breakdowns,
    )


@dataclass
class HeldEvent:
    event: Event
    participants: int
    minutes: int


def held_events(plan: ActionPlan) -> list[HeldEvent]:
    """The plan's held events, oldest first, with their number of participants and of minutes. One
    query."""
    events = (
        Event.objects.filter(plan=plan, state=EventState.HELD)
        .select_related("region")
        .annotate(
            n_participants=Count("attendances", distinct=True),
            n_minutes=Count("documents", filter=Q(documents__doc_type=DocumentType.MINUTES), distinct=True),
        )
    )
    return [HeldEvent(event, event.n_participants, event.n_minutes) for event in events]
