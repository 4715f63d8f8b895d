"""workshops/example.py: the seed's regional workshops, national tables and undated thematic tables, the
proposals credited to the event they came from, illustrative attendance only where it is said, and the
Foro Multiactor with nothing invented; loaded twice without duplicates."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from zoneinfo import ZoneInfo

from django.core.management import call_command

from commitments.example import PROPOSALS
from commitments.models import Commitment, LineageLink
from paga.example import PLAN
from workshops.models import (
    Attendance,
    Document,
    Event,
    EventState,
    Forum,
    ForumMember,
    Kind,
    Registration,
    TableDecision,
)

LIMA = ZoneInfo("America/Lima")
D = datetime.date
ATU = "Creación de la Autoridad de Transporte Urbano (ATU)"
CAM_CAR = "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)"
THEMES = ["Saneamiento", "Seguridad ciudadana", "Infraestructura", "Ambiente", "Educación"]


def events(kind: str) -> list[Event]:
    return list(
        Event.objects.filter(kind=kind, plan__slug=PLAN["slug"])
        .select_related("region", "stage")
        .prefetch_related("themes", "proposals")
        .order_by("starts_at", "slug")
    )


def lima_days(event: Event) -> tuple[datetime.datetime, datetime.datetime]:
    return event.starts_at.astimezone(LIMA), event.ends_at.astimezone(LIMA)


def counts() -> dict[str, int]:
    """The example plan's rows (the demonstration plan, paga/demo.py, has its own)."""
    example = {"event__plan__slug": PLAN["slug"]}
    return {
        "Event": Event.objects.filter(plan__slug=PLAN["slug"]).count(),
        "Forum": Forum.objects.filter(plan__slug=PLAN["slug"]).count(),
        "ForumMember": ForumMember.objects.filter(forum__plan__slug=PLAN["slug"]).count(),
        "Document": Document.objects.filter(plan__slug=PLAN["slug"]).count(),
        **{
            model.__name__: model.objects.filter(**example).count()
            for model in (Attendance, TableDecision, Registration)
        },
        "proposals": Event.proposals.through.objects.filter(**example).count(),
        "themes": Event.themes.through.objects.filter(**example).count(),
    }


def test_loading_the_example_twice_duplicates_no_event_attendance_or_forum(example_plan):
    first = counts()
    call_command("load_example", stdout=io.StringIO())

    assert counts() == first
    assert first["Event"] == 13
    assert first["Forum"] == 1
    assert 0 < first["Attendance"] < 150
    assert first["proposals"] == 25 + 2


def test_three_regional_workshops_on_their_lima_days_all_day_held_and_in_their_region(example_plan):
    workshops = events(Kind.REGIONAL_WORKSHOP)

    assert [(e.slug, e.region.name) for e in workshops] == [
        ("taller-regional-la-libertad-2017", "La Libertad"),
        ("taller-regional-san-martin-2017", "San Martín"),
        ("taller-regional-arequipa-2017", "Arequipa"),
    ]
    for event, day in zip(workshops, [D(2017, 9, 21), D(2017, 9, 28), D(2017, 10, 2)], strict=True):
        starts, ends = lima_days(event)
        assert (starts.date(), starts.hour, starts.minute) == (day, 0, 0)
        assert (ends.date(), ends.hour, ends.minute) == (day + datetime.timedelta(days=1), 0, 0)
        assert event.all_day
        assert event.state == EventState.HELD
        assert event.stage.title == event.title == f"Taller regional {event.region.name}"
        assert event.stage.region_id == event.region_id
        assert (event.venue, event.address, event.capacity) == ("", "", None)
        assert not event.takes_registrations
        assert event.plan_id == example_plan.pk


def test_national_tables_one_per_theme_in_lima_over_12_and_13_october(example_plan):
    tables = events(Kind.NATIONAL_TABLE)

    assert [t.themes.get().name for t in sorted(tables, key=lambda t: t.themes.get().order)] == THEMES
    assert "mesa-nacional-ambiente-2017" in {t.slug for t in tables}
    for table in tables:
        starts, ends = lima_days(table)
        assert (starts.date(), starts.hour) == (D(2017, 10, 12), 0)
        assert (ends.date(), ends.hour) == (D(2017, 10, 14), 0)
        assert table.all_day
        assert table.region.name == "Lima"
        assert table.stage.title == "Mesas nacionales por temáticas"
        assert table.capacity is None


def test_thematic_tables_are_undated_held_and_one_per_theme(example_plan):
    tables = events(Kind.THEMATIC_TABLE)

    assert sorted(t.slug for t in tables) == sorted(
        f"mesa-tematica-{s}"
        for s in ["saneamiento", "seguridad-ciudadana", "infraestructura", "ambiente", "educacion"]
    )
    for table in tables:
        assert (table.starts_at, table.ends_at, table.all_day) == (None, None, False)
        assert table.state == EventState.HELD
        assert table.region is None
        assert table.stage.title.startswith("Mesas temáticas")
        assert [t.name for t in table.themes.all()] == [table.title.removeprefix("Mesa temática: ")]


def test_every_seed_proposal_is_credited_to_the_one_event_it_came_from(example_plan):
    seed = {title: (theme, region) for theme, rows in PROPOSALS.items() for title, region, _c in rows}
    proposals = Commitment.objects.filter(title__in=seed).prefetch_related("origin_events__region", "theme")

    assert len(proposals) == 25
    for proposal in proposals:
        theme, region = seed[proposal.title]
        (origin,) = proposal.origin_events.all()
        if region:
            assert (origin.kind, origin.region.name) == (Kind.REGIONAL_WORKSHOP, region)
            assert proposal.origin_region.name == region
        else:
            assert (origin.kind, origin.slug) == (Kind.THEMATIC_TABLE, f"mesa-tematica-{proposal.theme.slug}")
        assert proposal.theme.name == theme

    by_region = Counter(e.region.name for e in events(Kind.REGIONAL_WORKSHOP) for _p in e.proposals.all())
    assert by_region == {"San Martín": 4, "La Libertad": 1, "Arequipa": 1}


def test_the_atu_and_cam_proposals_are_traceable_from_their_event_to_the_consolidated_commitment(
    example_plan,
):
    cam = Commitment.objects.get(title=CAM_CAR)
    atu = Commitment.objects.get(title=ATU)

    assert [e.slug for e in cam.origin_events.all()] == ["taller-regional-arequipa-2017"]
    assert [e.slug for e in atu.origin_events.all()] == ["mesa-tematica-infraestructura"]
    for proposal, number, table in [(cam, 3, "ambiente"), (atu, 9, "infraestructura")]:
        consolidated = LineageLink.objects.get(source=proposal).target
        assert consolidated.number == number
        assert [e.slug for e in consolidated.origin_events.all()] == [f"mesa-nacional-{table}-2017"]


def test_proposals_are_not_changed_by_the_workshops_example(example_plan):
    before = {c.pk: (c.status, c.modified, c.origin_kind) for c in Commitment.objects.all()}
    # As the fixture loaded it: the approval (commitments/example.finish) moves commitments 3 and 9.
    call_command("load_example", "--no-finish", stdout=io.StringIO())

    assert {c.pk: (c.status, c.modified, c.origin_kind) for c in Commitment.objects.all()} == before


def test_illustrative_attendance_only_at_the_regional_workshops_each_from_its_region(example_plan):
    example = Event.objects.filter(plan__slug=PLAN["slug"])
    illustrative = set(example.filter(is_illustrative=True).values_list("slug", flat=True))
    with_attendance = set(example.filter(attendances__isnull=False).values_list("slug", flat=True))

    assert illustrative == with_attendance == {e.slug for e in events(Kind.REGIONAL_WORKSHOP)}
    for event in events(Kind.REGIONAL_WORKSHOP):
        attendees = list(event.attendances.all())
        assert 20 <= len(attendees) <= 45
        assert {a.region_id for a in attendees} == {event.region_id}
        assert all(a.name.startswith("Participante ilustrativo ") for a in attendees)
        assert len({a.name for a in attendees}) == len(attendees)
        assert len({a.actor_type for a in attendees}) >= 4
        assert {"femenino", "masculino"} <= {a.gender for a in attendees}
        assert all(a.registration_id is None for a in attendees)


def test_the_forum_is_named_and_records_nothing_the_seed_does_not_give(example_plan):
    forum = Forum.objects.get(plan=example_plan)

    assert forum.name == "Foro Multiactor"
    assert (forum.rules, forum.rules_adopted_on, forum.is_illustrative) == ("", None, False)
    assert not forum.members.exists()
    assert not Event.objects.filter(kind=Kind.FORUM_SESSION).exists()
    assert not Document.objects.exists()
    assert not TableDecision.objects.exists()
    assert not Registration.objects.exists()
