"""workshops/stats.py: participants of held events and contributions, counted exactly, never named."""

from __future__ import annotations

import pytest
from django.utils import translation

from consultations.models import Contribution
from paga.models import ActorType, Channel
from tests.commitments.factories import current_plan
from tests.workshops.factories import lima, region
from tests.workshops.participation_data import attend, consultation, contribution, held, other_plan, theme
from workshops import stats
from workshops.models import EventState, Gender, Kind


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def figures(breakdown: stats.Breakdown) -> dict[str, int]:
    return {row.label: row.n for row in breakdown.rows}


@pytest.fixture
def small(db):
    """Two held events of the plan (8 people), one scheduled and one of another plan (not counted)."""
    plan = current_plan()
    ambiente, educacion = theme("Ambiente", 1), theme("Educación", 2)
    a = held(themes=[ambiente, educacion])
    attend(a, 3)  # civil society, female, Arequipa, Proética
    attend(
        a,
        2,
        actor_type=ActorType.PUBLIC_ENTITY,
        gender=Gender.MALE,
        region=region("Cusco"),
        organisation="MINAM",
    )
    attend(a, 1, actor_type=ActorType.ACADEMIA, gender=Gender.OTHER, region=None, organisation="")
    b = held(kind=Kind.NATIONAL_TABLE, themes=[ambiente])
    attend(b, 2, actor_type=ActorType.CITIZENRY, gender=Gender.UNSTATED, organisation=" Proética ")
    scheduled = held(state=EventState.SCHEDULED, starts_at=lima(2030, 1, 10, 9), themes=[ambiente])
    attend(scheduled, 4)
    elsewhere = other_plan()
    attend(held(plan=elsewhere), 5)
    return plan, a, b


def test_participants_are_counted_by_actor_type_gender_region_theme_and_organisation(small):
    plan, _a, _b = small
    found = stats.participation(plan)

    assert found.participants == 8
    assert found.events == 2
    assert found.illustrative is False
    assert figures(found.get("participantes-tipo-de-actor")) == {
        "Public entity": 2,
        "Civil society organisation": 3,
        "Business guild": 0,
        "Academia": 1,
        "Citizens": 2,
    }
    assert figures(found.get("participantes-genero")) == {
        "Female": 3,
        "Male": 2,
        "Other": 1,
        "Prefers not to say": 2,
    }
    assert [(r.label, r.n) for r in found.get("participantes-region").rows] == [
        ("Arequipa", 5),
        ("Cusco", 2),
        ("Region not recorded", 1),
    ]
    assert [(r.label, r.n) for r in found.get("participantes-organizacion").rows] == [
        ("Proética", 5),  # " Proética " is the same organisation
        ("MINAM", 2),
        ("No organisation given", 1),
    ]
    # Through the event's themes, in the themes' order: the 6 at the first event count under both.
    assert [(r.label, r.n) for r in found.get("participantes-tema").rows] == [
        ("Ambiente", 8),
        ("Educación", 6),
    ]


def test_an_event_without_a_theme_counts_under_no_theme(small):
    plan, _a, _b = small
    attend(held(), 3)
    assert figures(stats.participation(plan).get("participantes-tema"))["No theme"] == 3


def test_contributions_are_counted_by_channel_and_stage_hidden_ones_included(small):
    plan, a, b = small
    forum = consultation()
    contribution(forum)
    contribution(forum)
    contribution(forum, state=Contribution.State.HIDDEN, hidden_reason="Insultos")  # counting is not showing
    contribution(forum, channel=Channel.EMAIL)
    contribution(forum, channel=Channel.IN_PERSON, event=a)
    contribution(forum, channel=Channel.IN_PERSON, event=a)
    contribution(forum, channel=Channel.IN_PERSON, event=b)
    contribution(consultation(plan=other_plan()))

    found = stats.participation(plan)

    assert found.contributions == 7
    assert [(r.label, r.n) for r in found.get("aportes-canal").rows] == [
        ("Virtual forum", 3),
        ("Email", 1),
        ("In person", 3),
    ]
    assert [(r.label, r.n) for r in found.get("aportes-etapa").rows] == [
        ("Public consultation", 4),
        ("Regional workshop", 2),
        ("National table", 1),
    ]


def test_figures_are_illustrative_when_any_event_counted_is(small):
    plan, _a, b = small
    assert stats.participation(plan).illustrative is False
    b.is_illustrative = True
    b.save()
    assert stats.participation(plan).illustrative is True


def test_an_illustrative_event_that_is_not_held_does_not_make_the_figures_illustrative(small):
    plan, _a, _b = small
    attend(held(state=EventState.SCHEDULED, is_illustrative=True, starts_at=lima(2030, 1, 1, 9)), 2)
    assert stats.participation(plan).illustrative is False


def test_no_breakdown_holds_a_name(small):
    plan, _a, _b = small
    found = stats.participation(plan)
    labels = " ".join(row.label for b in found.breakdowns for row in b.rows)
    assert "Zacarías" not in labels
    assert "Trazabilidad" not in labels


def test_the_attendance_of_one_event(small):
    _plan, a, _b = small
    found = stats.event_attendance(a)

    assert found.recorded is True
    assert found.participants == 6
    by_key = {b.key.rsplit("-", 1)[-1]: figures(b) for b in found.breakdowns}
    assert by_key["actor"]["Civil society organisation"] == 3
    assert by_key["genero"] == {"Female": 3, "Male": 2, "Other": 1, "Prefers not to say": 0}
    assert by_key["region"] == {"Arequipa": 3, "Cusco": 2, "Region not recorded": 1}
    assert by_key["organizacion"] == {"Proética": 3, "MINAM": 2, "No organisation given": 1}


def test_a_held_event_without_attendance_is_not_recorded_and_a_scheduled_one_costs_no_query(
    db, django_assert_num_queries
):
    assert stats.event_attendance(held()).recorded is False
    scheduled = held(state=EventState.SCHEDULED, starts_at=lima(2030, 1, 1, 9))
    with django_assert_num_queries(0):
        assert stats.event_attendance(scheduled).recorded is False


def test_the_queries_do_not_grow_with_the_volume(db, django_assert_num_queries):
    plan = current_plan()
    forum = consultation()
    for n in (5, 50):
        event = held(themes=[theme(f"Tema {n}", n)])
        attend(event, n, organisation=f"Organización {n}")
        for _i in range(n // 5):
            contribution(forum, channel=Channel.IN_PERSON, event=event)
        with django_assert_num_queries(3):
            found = stats.participation(plan)
        with django_assert_num_queries(1):
            stats.event_attendance(event)
        with django_assert_num_queries(1):
            stats.held_events(plan)
    assert found.participants == 55
    assert found.contributions == 11
