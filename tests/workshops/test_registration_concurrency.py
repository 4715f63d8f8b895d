"""Capacity under concurrency on PostgreSQL (issue 5): 50 people register at the same moment for 20
places → exactly 20 registered and 30 waiting, never more; the same when 50 emailed registrations are
confirmed at once; then a cancellation gives the place to the first on the waiting list.

Transactional tests: each thread has its own connection, and the event row lock (SELECT … FOR UPDATE)
is what serialises them. Skipped without PostgreSQL, a failure when CI requires it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from paga.models import ActorType, OutboundEmail
from tests.commitments.test_concurrency import run_together
from tests.conftest import require
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory
from workshops import registrations
from workshops.models import Registration

State = Registration.State
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PEOPLE, PLACES = 50, 20


@pytest.fixture(autouse=True)
def on_postgresql() -> None:
    require("postgresql", connection.vendor == "postgresql", "needs PostgreSQL")


def assert_twenty_and_thirty(event) -> None:
    states = Counter(Registration.objects.filter(event=event).values_list("state", flat=True))
    assert states == {State.CONFIRMED: PLACES, State.WAITING: PEOPLE - PLACES}
    waiting = list(
        Registration.objects.filter(event=event, state=State.WAITING).order_by("waiting_since", "pk")
    )
    assert all(r.waiting_since is not None for r in waiting)
    assert [registrations.waiting_position(r) for r in waiting] == list(range(1, PEOPLE - PLACES + 1))


def assert_cancellation_promotes_the_first_waiting(event) -> None:
    first = Registration.objects.filter(event=event, state=State.WAITING).order_by("waiting_since", "pk")[0]
    second = Registration.objects.filter(event=event, state=State.WAITING).order_by("waiting_since", "pk")[1]
    holder = Registration.objects.filter(event=event, state=State.CONFIRMED).order_by("pk").last()

    registrations.cancel(registration=holder)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.CONFIRMED
    assert first.promoted_at is not None
    assert registrations.waiting_position(second) == 1
    assert Registration.objects.filter(event=event, state=State.CONFIRMED).count() == PLACES


def test_fifty_signed_in_people_registering_at_once_for_twenty_places():
    event = EventFactory(capacity=PLACES)
    people = [UserFactory() for _ in range(PEOPLE)]

    results = run_together(
        PEOPLE,
        lambda i: registrations.register(
            event=event, user=people[i], email=people[i].email, name=f"Persona {i}",
            actor_type=ActorType.CIVIL_SOCIETY,
        ),
    )  # fmt: skip

    assert [type(r).__name__ for r in results] == ["Registration"] * PEOPLE, results
    assert Counter(r.state for r in results) == {State.CONFIRMED: PLACES, State.WAITING: PEOPLE - PLACES}
    assert_twenty_and_thirty(event)
    assert_cancellation_promotes_the_first_waiting(event)


def test_fifty_emailed_registrations_confirmed_at_once_for_twenty_places():
    event = EventFactory(capacity=PLACES)
    pending = [
        registrations.register(
            event=event, email=f"persona{i}@ejemplo.pe", name=f"Persona {i}", actor_type=ActorType.ACADEMIA
        )
        for i in range(PEOPLE)
    ]
    assert {r.state for r in pending} == {State.PENDING}

    results = run_together(PEOPLE, lambda i: registrations.confirm(key=pending[i].key))

    assert [type(r).__name__ for r in results] == ["Registration"] * PEOPLE, results
    assert_twenty_and_thirty(event)
    assert_cancellation_promotes_the_first_waiting(event)


def test_the_same_address_registering_ten_times_at_once_makes_one_registration():
    event = EventFactory(capacity=PLACES)

    results = run_together(
        10,
        lambda i: registrations.register(
            event=event, email="rosa@ejemplo.pe", name="Rosa", actor_type=ActorType.CITIZENRY
        ),
    )

    # Each is answered as a new registration (nothing tells a stranger the address is taken); one is saved
    # and the address's owner is emailed about the nine others.
    assert [type(r).__name__ for r in results] == ["Registration"] * 10, results
    assert sorted(r.pk is None for r in results) == [False] + [True] * 9
    assert Registration.objects.filter(event=event).count() == 1
    assert OutboundEmail.objects.filter(to__icontains="rosa@ejemplo.pe").count() == 10
