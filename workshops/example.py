"""The events of PAGA 2017-2019's co-creation as the seed slides give them, and the Foro Multiactor.

- Three regional workshops: La Libertad (21.09.2017), San Martín (28.09.2017) and Arequipa (02.10.2017).
  The slides give days, not hours: each is `all_day` (00:00 in Lima of its day to 00:00 of the next).
- The national tables in Lima on 12 and 13 October 2017, "por temáticas": one session per theme, all day
  over both days.
- The five thematic tables, one per theme. The slides date none of them: they stay undated. They are
  held (they produced the proposals the virtual forum consulted).
- The seed's 25 proposals (made by commitments/example.py, found here by title) credited to the event the
  slide names ("Fuente: Mesas temáticas y talleres regionales"): the regional workshop where the slide
  names a region, otherwise the thematic table of their theme. The two illustrative consolidations
  (commitments 3 and 9, made "in the national tables") are credited to the national table of their theme.
- The Foro Multiactor, which the slides name: no members, meetings or rules are recorded, so none are
  invented and its page says so.

ILLUSTRATIVE: the slides give no attendance figures. The attendance of the three regional workshops below
is illustrative (the events carry `is_illustrative=True` and every page says so): modest counts by actor
type and gender, everyone from the workshop's region, under the names "Participante ilustrativo N", which
are never shown (attendance is published only as counts). No other event has attendance.

No venues, addresses, capacities or hours are invented (the events are past: no registration), and no
documents or table decisions (the seed has no files and records no decisions).

`load()` is idempotent: events by slug, attendance by (event, name), the forum by plan.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from commitments.example import PROPOSALS
from commitments.models import Commitment, OriginKind
from paga.models import ActionPlan, ActorType, Region

from .models import Attendance, Event, EventState, Forum, Gender, Kind

LIMA = ZoneInfo("America/Lima")
D = datetime.date

THEMATIC_STAGE = "Mesas temáticas: elaboración de propuesta de compromisos por temáticas"
NATIONAL_STAGE = "Mesas nacionales por temáticas"
SOURCE = "Fuente de las propuestas: «Mesas temáticas y talleres regionales» (presentación de co-creación)."

# (slug, title, region, day); the timeline stage has the same title.
REGIONAL_WORKSHOPS = [
    ("taller-regional-la-libertad-2017", "Taller regional La Libertad", "La Libertad", D(2017, 9, 21)),
    ("taller-regional-san-martin-2017", "Taller regional San Martín", "San Martín", D(2017, 9, 28)),
    ("taller-regional-arequipa-2017", "Taller regional Arequipa", "Arequipa", D(2017, 10, 2)),
]
NATIONAL_TABLES = (D(2017, 10, 12), D(2017, 10, 13), "Lima")

F, M, X = Gender.FEMALE, Gender.MALE, Gender.UNSTATED
A = ActorType
# Illustrative attendance: region -> [(actor type, gender, how many)].
ATTENDANCE = {
    "La Libertad": [
        (A.PUBLIC_ENTITY, F, 6),
        (A.PUBLIC_ENTITY, M, 7),
        (A.CIVIL_SOCIETY, F, 5),
        (A.CIVIL_SOCIETY, M, 4),
        (A.BUSINESS_GUILD, M, 2),
        (A.ACADEMIA, F, 2),
        (A.ACADEMIA, M, 1),
        (A.CITIZENRY, F, 3),
        (A.CITIZENRY, M, 2),
        (A.CITIZENRY, X, 1),
    ],
    "San Martín": [
        (A.PUBLIC_ENTITY, F, 5),
        (A.PUBLIC_ENTITY, M, 6),
        (A.CIVIL_SOCIETY, F, 6),
        (A.CIVIL_SOCIETY, M, 5),
        (A.BUSINESS_GUILD, F, 1),
        (A.BUSINESS_GUILD, M, 1),
        (A.ACADEMIA, M, 2),
        (A.CITIZENRY, F, 4),
        (A.CITIZENRY, M, 3),
    ],
    "Arequipa": [
        (A.PUBLIC_ENTITY, F, 4),
        (A.PUBLIC_ENTITY, M, 5),
        (A.CIVIL_SOCIETY, F, 4),
        (A.CIVIL_SOCIETY, M, 3),
        (A.BUSINESS_GUILD, F, 1),
        (A.BUSINESS_GUILD, M, 2),
        (A.ACADEMIA, F, 2),
        (A.ACADEMIA, M, 2),
        (A.CITIZENRY, F, 2),
        (A.CITIZENRY, M, 2),
        (A.CITIZENRY, X, 1),
    ],
}
ATTENDEE = "Participante ilustrativo {}"

FORUM = {"name": "Foro Multiactor", "is_illustrative": False}


def all_day(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """00:00 in Lima of the first day, 00:00 of the day after the last (the model's all-day convention)."""
    starts = datetime.datetime(first.year, first.month, first.day, tzinfo=LIMA)
    after = last + datetime.timedelta(days=1)
    return starts, datetime.datetime(after.year, after.month, after.day, tzinfo=LIMA)


@transaction.atomic
def load(*, plan: ActionPlan, stdout=None) -> ActionPlan:
    """Create or update the example's events, their proposals and attendance, and the forum."""
    regions = {r.name: r for r in Region.objects.all()}
    themes = list(plan.themes.order_by("order"))
    stages = {s.title: s for s in plan.stages.all()}
    proposals = {c.title: c for c in Commitment.objects.filter(plan=plan, number__isnull=True)}
    region_of = {title: region for rows in PROPOSALS.values() for title, region, _credit in rows}

    for slug, title, region, day in REGIONAL_WORKSHOPS:
        starts_at, ends_at = all_day(day, day)
        credited = [c for t, c in proposals.items() if region_of.get(t) == region]
        event = _event(
            plan,
            slug,
            kind=Kind.REGIONAL_WORKSHOP,
            title=title,
            summary=f"Taller regional del proceso de co-creación del {plan.short_name} en {region}. {SOURCE}",
            stage=stages.get(title),
            region=regions[region],
            starts_at=starts_at,
            ends_at=ends_at,
            is_illustrative=True,
        )
        event.themes.set(sorted({c.theme_id for c in credited}))
        event.proposals.set(credited)
        _attendance(event, ATTENDANCE[region])

    first, last, place = NATIONAL_TABLES
    starts_at, ends_at = all_day(first, last)
    consolidated = Commitment.objects.filter(
        plan=plan, number__isnull=False, origin_kind=OriginKind.NATIONAL_TABLE, is_illustrative=True
    )
    for theme in themes:
        event = _event(
            plan,
            f"mesa-nacional-{theme.slug}-2017",
            kind=Kind.NATIONAL_TABLE,
            title=f"Mesa nacional: {theme.name}",
            summary=f"Mesa nacional por temáticas ({theme.name}), en Lima los días 12 y 13 de octubre de "
            "2017, para consensuar los compromisos propuestos.",
            stage=stages.get(NATIONAL_STAGE),
            region=regions[place],
            starts_at=starts_at,
            ends_at=ends_at,
            is_illustrative=False,
        )
        event.themes.set([theme])
        event.proposals.set([c for c in consolidated if c.theme_id == theme.pk])

    for theme in themes:
        event = _event(
            plan,
            f"mesa-tematica-{theme.slug}",
            kind=Kind.THEMATIC_TABLE,
            title=f"Mesa temática: {theme.name}",
            summary=f"Mesa temática de {theme.name}: elaboración de propuesta de compromisos. {SOURCE}",
            stage=stages.get(THEMATIC_STAGE),
            region=None,
            starts_at=None,
            ends_at=None,
            is_illustrative=False,
        )
        event.themes.set([theme])
        event.proposals.set(
            [
                c
                for t, c in proposals.items()
                if c.theme_id == theme.pk and t in region_of and not region_of[t]
            ]
        )

    Forum.objects.update_or_create(plan=plan, defaults=FORUM)
    if stdout is not None:
        stdout.write(
            f"Workshops: {Event.objects.filter(plan=plan).count()} events, "
            f"{Attendance.objects.filter(event__plan=plan).count()} illustrative attendees"
        )
    return plan


def _event(plan: ActionPlan, slug: str, **values) -> Event:
    """An event of the seed: held, known by its days only (or undated), no venue and no registration."""
    event, _ = Event.objects.update_or_create(
        slug=slug,
        defaults={
            **values,
            "plan": plan,
            "state": EventState.HELD,
            "all_day": values["starts_at"] is not None,
            "province": "",
            "venue": "",
            "address": "",
            "capacity": None,
            "registration_opens_at": None,
            "registration_closes_at": None,
            "cancel_reason": "",
        },
    )
    return event


def _attendance(event: Event, rows: list[tuple[str, str, int]]) -> None:
    """The illustrative attendees of a workshop, all from its region; the missing ones only."""
    existing = set(event.attendances.values_list("name", flat=True))
    attendees = []
    for actor_type, gender, count in rows:
        for _ in range(count):
            name = ATTENDEE.format(len(attendees) + 1)
            attendees.append(
                Attendance(
                    event=event,
                    name=name,
                    actor_type=actor_type,
                    gender=gender,
                    region=event.region,
                    created=event.starts_at,
                )
            )
    Attendance.objects.bulk_create([a for a in attendees if a.name not in existing])
