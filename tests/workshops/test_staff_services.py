"""The Secretaría's services for events: creating and editing (validation on each field), state changes
recorded with who, when and why, attendance (check-in once, walk-ins, undo recorded)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from paga.models import ActorType, OutboundEmail
from tests.commitments.factories import current_plan
from tests.workshops.factories import EventFactory, RegistrationFactory, lima, region, undated
from workshops import services
from workshops.models import Attendance, Event, EventState, EventTransition, Gender, Kind, Registration

pytestmark = pytest.mark.django_db
S = EventState


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def values(**changes) -> dict:
    """A regional workshop in Arequipa on 2 October 2017 (Lima time), 40 places, registration until the
    day before."""
    data = {
        "kind": Kind.REGIONAL_WORKSHOP,
        "title": "Taller regional Arequipa «Ñandú»",
        "summary": "Propuestas regionales",
        "region": region("Arequipa"),
        "venue": "Auditorio",
        "starts_at": lima(2030, 10, 2, 9),
        "ends_at": lima(2030, 10, 2, 17),
        "capacity": 40,
        "registration_opens_at": lima(2030, 9, 1, 0),
        "registration_closes_at": lima(2030, 10, 1, 18),
    }
    data.update(changes)
    return data


def messages_of(error: ValidationError) -> dict:
    return {field: list(errors) for field, errors in error.message_dict.items()}


def started(**kw) -> Event:
    """An event taking place now (began an hour ago), registration closed yesterday."""
    now = timezone.now()
    kw.setdefault("starts_at", now - datetime.timedelta(hours=1))
    kw.setdefault("ends_at", now + datetime.timedelta(hours=5))
    kw.setdefault("registration_opens_at", now - datetime.timedelta(days=10))
    kw.setdefault("registration_closes_at", now - datetime.timedelta(days=1))
    return EventFactory(**kw)


# --- Creating and editing --------------------------------------------------------------------------
def test_an_event_gets_its_slug_from_the_title_unique_and_never_a_staff_address(secretariat):
    plan = current_plan()
    first = services.create_event(plan=plan, actor=secretariat, values=values())
    second = services.create_event(plan=plan, actor=secretariat, values=values())
    reserved = services.create_event(plan=plan, actor=secretariat, values=values(title="Nuevo"))
    assert (first.slug, second.slug, reserved.slug) == (
        "taller-regional-arequipa-nandu",
        "taller-regional-arequipa-nandu-2",
        "nuevo-2",
    )
    assert first.state == S.SCHEDULED
    assert first.plan == plan
    assert first.starts_at == lima(2030, 10, 2, 9)
    # Nor a public address: /talleres/calendario/ is the month calendar.
    calendar = services.create_event(plan=plan, actor=secretariat, values=values(title="Calendario"))
    assert calendar.slug == "calendario-2"


def test_an_undated_thematic_table_stays_undated(secretariat):
    event = services.create_event(
        plan=current_plan(),
        actor=secretariat,
        values={"kind": Kind.THEMATIC_TABLE, "title": "Mesa temática de ambiente"},
    )
    assert (event.starts_at, event.ends_at, event.capacity) == (None, None, None)
    assert not event.takes_registrations


def test_dates_out_of_order_are_refused_on_their_fields(secretariat):
    with pytest.raises(ValidationError) as caught:
        services.create_event(
            plan=current_plan(),
            actor=secretariat,
            values=values(
                ends_at=lima(2030, 10, 2, 8),
                registration_closes_at=lima(2030, 10, 2, 10),
            ),
        )
    errors = messages_of(caught.value)
    assert errors["ends_at"] == ["The event must end after it starts."]
    assert errors["registration_closes_at"] == [
        "Registration must close before the event starts (Oct. 2, 2030)."
    ]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the event a title."),
        ({"starts_at": None}, "starts_at", "Give the start, or leave the end empty too."),
        ({"registration_closes_at": None}, "registration_closes_at", "Give the moment registration closes."),
        (
            {"capacity": None},
            "capacity",
            "Give the number of places: registration needs a capacity.",
        ),
        (
            {"registration_opens_at": lima(2030, 10, 1, 19)},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        (
            {"capacity": 0},
            "capacity",
            "Give at least one place, or leave the capacity empty: no registration.",
        ),
        ({"kind": "fiesta"}, "kind", "Choose the kind of event."),
    ],
)
def test_each_problem_is_named_on_its_field(secretariat, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        services.create_event(plan=current_plan(), actor=secretariat, values=values(**changes))
    assert message in messages_of(caught.value)[field]


def test_an_all_day_event_is_stored_by_its_days_and_editing_keeps_them(secretariat):
    event = services.create_event(
        plan=current_plan(),
        actor=secretariat,
        values=values(
            all_day=True,
            starts_at=lima(2030, 10, 12, 9),
            ends_at=lima(2030, 10, 13, 11),
            capacity=None,
            registration_opens_at=None,
            registration_closes_at=None,
        ),
    )
    assert (event.starts_at, event.ends_at) == (lima(2030, 10, 12, 0), lima(2030, 10, 14, 0))
    services.update_event(event=event, actor=secretariat, values={"title": "Mesa nacional"})
    event.refresh_from_db()
    assert (event.title, event.starts_at, event.ends_at) == (
        "Mesa nacional",
        lima(2030, 10, 12, 0),
        lima(2030, 10, 14, 0),
    )


def test_editing_keeps_the_slug_and_never_drops_capacity_below_confirmed_places(secretariat):
    event = EventFactory(capacity=5)
    RegistrationFactory.create_batch(3, event=event)
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    with pytest.raises(ValidationError) as caught:
        services.update_event(event=event, actor=secretariat, values={"capacity": 2})
    assert messages_of(caught.value)["capacity"] == [
        "3 people hold a confirmed place: the capacity cannot be lower than that."
    ]
    saved = services.update_event(
        event=event, actor=secretariat, values={"capacity": 3, "title": "Otro título"}
    )
    assert (saved.capacity, saved.title, saved.slug) == (3, "Otro título", event.slug)


def test_a_new_date_or_place_is_sent_to_everyone_registered_in_their_language(secretariat):
    event = EventFactory(
        starts_at=lima(2031, 10, 2, 9),
        ends_at=lima(2031, 10, 2, 17),
        registration_closes_at=lima(2031, 10, 1, 18),
    )
    spanish = RegistrationFactory(event=event, language="es")
    english = RegistrationFactory(event=event, language="en", state=Registration.State.WAITING)
    RegistrationFactory(event=event, state=Registration.State.CANCELLED)

    services.update_event(event=event, actor=secretariat, values={"agenda": "Otra agenda", "title": "Otro"})
    assert not OutboundEmail.objects.exists()  # nothing about when or where changed

    moved = {"starts_at": lima(2031, 10, 3, 9), "ends_at": lima(2031, 10, 3, 17)}
    services.update_event(event=event, actor=secretariat, values=moved)
    told = {m.to[0]: m for m in OutboundEmail.objects.all()}
    assert sorted(told) == sorted([spanish.email, english.email])  # not the cancelled registration
    assert "3 de octubre de 2031" in told[spanish.email].body
    assert "Oct. 3, 2031, 9 a.m." in told[english.email].body
    assert "Otro" in told[spanish.email].subject

    services.update_event(event=event, actor=secretariat, values={"venue": "Coliseo Gran Chimú"})
    assert OutboundEmail.objects.count() == 4
    assert "Coliseo Gran Chimú" in OutboundEmail.objects.order_by("pk").last().body


def test_only_staff_create_or_edit_events(citizen, reviewer, administrator):
    for person in (citizen, reviewer):
        with pytest.raises(PermissionDenied):
            services.create_event(plan=current_plan(), actor=person, values=values())
        with pytest.raises(PermissionDenied):
            services.update_event(event=EventFactory(), actor=person, values={"title": "x"})
    assert services.create_event(plan=current_plan(), actor=administrator, values=values()).pk


# --- State changes ---------------------------------------------------------------------------------
def test_cancelling_needs_a_reason_records_it_and_tells_everyone_registered(secretariat):
    event = EventFactory()
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, state=Registration.State.CANCELLED)
    with pytest.raises(ValidationError) as caught:
        services.cancel_event(event=event, actor=secretariat, reason="  ")
    assert messages_of(caught.value)["reason"] == [
        "Give the reason for cancelling: it is published and sent to everyone registered."
    ]
    assert not EventTransition.objects.exists()

    cancelled = services.cancel_event(event=event, actor=secretariat, reason="Paro regional de transportes")

    assert (cancelled.state, cancelled.cancel_reason) == (S.CANCELLED, "Paro regional de transportes")
    transition = EventTransition.objects.get()
    assert (transition.from_state, transition.to_state, transition.actor, transition.reason) == (
        S.SCHEDULED,
        S.CANCELLED,
        secretariat,
        "Paro regional de transportes",
    )
    assert OutboundEmail.objects.count() == 2  # the two active registrations, not the cancelled one
    assert all("Paro regional de transportes" in m.body for m in OutboundEmail.objects.all())


def test_a_held_event_cannot_be_cancelled_and_a_future_one_cannot_be_held(secretariat):
    future = EventFactory()
    with pytest.raises(ValidationError, match="mark it as held once it has started"):
        services.mark_held(event=future, actor=secretariat)
    event = started()
    services.mark_held(event=event, actor=secretariat, reason="Asistieron 40 personas")
    with pytest.raises(ValidationError, match="An event that is “Held” cannot become “Cancelled”"):
        services.cancel_event(event=event, actor=secretariat, reason="Error")
    assert list(EventTransition.objects.values_list("from_state", "to_state", "reason")) == [
        (S.SCHEDULED, S.HELD, "Asistieron 40 personas")
    ]


def test_an_undated_table_can_be_marked_held(secretariat):
    table = undated()
    assert services.mark_held(event=table, actor=secretariat).state == S.HELD


def test_a_cancelled_event_is_scheduled_again_with_a_reason(secretariat):
    event = EventFactory()
    services.cancel_event(event=event, actor=secretariat, reason="Huaico")
    with pytest.raises(ValidationError) as caught:
        services.reschedule(event=event, actor=secretariat, reason="")
    assert messages_of(caught.value)["reason"] == ["Say why the event is scheduled again."]
    again = services.reschedule(event=event, actor=secretariat, reason="Nueva fecha confirmada")
    assert (again.state, again.cancel_reason) == (S.SCHEDULED, "")
    assert list(EventTransition.objects.values_list("to_state", flat=True)) == [S.CANCELLED, S.SCHEDULED]


def test_only_staff_change_states(citizen, reviewer):
    event = started()
    for person in (citizen, reviewer):
        with pytest.raises(PermissionDenied):
            services.mark_held(event=event, actor=person)
        with pytest.raises(PermissionDenied):
            services.cancel_event(event=event, actor=person, reason="No")
    assert not EventTransition.objects.exists()


# --- Attendance ------------------------------------------------------------------------------------
def test_check_in_copies_who_the_person_is_and_happens_once(secretariat):
    event = started()
    registration = RegistrationFactory(
        event=event,
        actor_type=ActorType.ACADEMIA,
        organisation="Universidad Nacional de San Agustín",
        gender=Gender.MALE,
        region=region("Arequipa"),
    )
    came = services.check_in(registration=registration, actor=secretariat)
    assert (came.event, came.registration, came.name, came.recorded_by) == (
        event,
        registration,
        registration.name,
        secretariat,
    )
    assert (came.actor_type, came.organisation, came.gender, came.region) == (
        ActorType.ACADEMIA,
        "Universidad Nacional de San Agustín",
        Gender.MALE,
        region("Arequipa"),
    )
    with pytest.raises(ValidationError, match="is already checked in"):
        services.check_in(registration=registration, actor=secretariat)
    assert Attendance.objects.count() == 1


def test_attendance_only_for_events_held_or_taking_place(secretariat):
    future = RegistrationFactory(event=EventFactory())
    with pytest.raises(ValidationError, match="Attendance is recorded from the day of the event"):
        services.check_in(registration=future, actor=secretariat)
    event = started()
    registration = RegistrationFactory(event=event)
    services.cancel_event(event=event, actor=secretariat, reason="Lluvias")
    with pytest.raises(ValidationError, match="The event was cancelled"):
        services.check_in(registration=registration, actor=secretariat)
    with pytest.raises(ValidationError, match="The event was cancelled"):
        services.add_walk_in(event=event, actor=secretariat, name="Ana", actor_type=ActorType.CITIZENRY)
    table = undated()
    with pytest.raises(ValidationError, match="mark it as held"):
        services.add_walk_in(event=table, actor=secretariat, name="Ana", actor_type=ActorType.CITIZENRY)
    services.mark_held(event=table, actor=secretariat)
    assert services.add_walk_in(event=table, actor=secretariat, name="Ana", actor_type=ActorType.CITIZENRY)
    assert not Attendance.objects.filter(registration__isnull=False).exists()


def test_checking_in_several_is_all_or_nothing(secretariat):
    event = started()
    first, second = RegistrationFactory.create_batch(2, event=event)
    services.check_in(registration=second, actor=secretariat)
    with pytest.raises(ValidationError, match="is already checked in"):
        services.check_in_many(event=event, registrations=[first, second], actor=secretariat)
    assert not Attendance.objects.filter(registration=first).exists()
    other = RegistrationFactory(event=started())
    with pytest.raises(ValidationError, match="not one of this event"):
        services.check_in_many(event=event, registrations=[first, other], actor=secretariat)
    done = services.check_in_many(event=event, registrations=[first], actor=secretariat)
    assert [a.registration for a in done] == [first]


def test_a_cancelled_registration_is_not_checked_in(secretariat):
    registration = RegistrationFactory(event=started(), state=Registration.State.CANCELLED)
    with pytest.raises(ValidationError, match="add the person as a walk-in"):
        services.check_in(registration=registration, actor=secretariat)


def test_a_walk_in_is_counted_with_what_staff_typed(secretariat):
    event = started()
    with pytest.raises(ValidationError) as caught:
        services.add_walk_in(event=event, actor=secretariat, name=" ", actor_type="")
    assert messages_of(caught.value) == {
        "name": ["Give the name of the person who came."],
        "actor_type": ["Choose the actor type of the person who came."],
    }
    walk_in = services.add_walk_in(
        event=event,
        actor=secretariat,
        name="  Rosa   Quispe ",
        actor_type=ActorType.CIVIL_SOCIETY,
        organisation="Red Muqui",
        gender=Gender.FEMALE,
        region=region("Arequipa"),
    )
    assert (walk_in.name, walk_in.registration, walk_in.organisation, walk_in.recorded_by) == (
        "Rosa Quispe",
        None,
        "Red Muqui",
        secretariat,
    )


def test_undoing_a_check_in_removes_the_row_and_records_who_did_it(secretariat):
    event = started()
    registration = RegistrationFactory(event=event)
    came = services.check_in(registration=registration, actor=secretariat)
    services.undo_check_in(attendance=came, actor=secretariat, reason="Otra persona")
    assert not Attendance.objects.exists()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (secretariat, DELETION, str(came.pk))
    assert f"registration {registration.pk}" in entry.change_message
    assert "Otra persona" in entry.change_message
    assert registration.name not in entry.change_message  # no personal data in the log
    assert services.check_in(registration=registration, actor=secretariat)  # may be checked in again


def test_only_staff_record_attendance(citizen, reviewer):
    event = started()
    registration = RegistrationFactory(event=event)
    for person in (citizen, reviewer):
        with pytest.raises(PermissionDenied):
            services.check_in(registration=registration, actor=person)
        with pytest.raises(PermissionDenied):
            services.add_walk_in(event=event, actor=person, name="X", actor_type=ActorType.CITIZENRY)
    assert not Attendance.objects.exists()
