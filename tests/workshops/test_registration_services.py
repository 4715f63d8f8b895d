"""Registration services (issue 5, item 2): signed in or by email with a confirmation link, capacity and
the waiting list, every refusal with its message, promotion in order, idempotent confirm and cancel, the
cancelled event's email and the reminder the day before (once). Every email carries the cancel link."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from paga.models import ActorType, OutboundEmail
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, RegistrationFactory, lima, region, undated
from workshops import registrations
from workshops.models import Attendance, EventState, Gender, Registration

State = Registration.State
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def by_email(event, n: int = 0, **kw) -> Registration:
    data = {
        "event": event,
        "email": f"Persona{n}@Ejemplo.pe ",
        "name": f"Rosa Quispe «Ñahui» {n}",
        "actor_type": ActorType.CIVIL_SOCIETY,
        "organisation": "Asociación Civil Transparencia",
        "gender": Gender.FEMALE,
        "region": region("Arequipa"),
    }
    return registrations.register(**{**data, **kw})


def signed_in(event, user=None, **kw) -> Registration:
    user = user or UserFactory()
    return registrations.register(
        event=event, user=user, email="ignored@ejemplo.pe", name=user.display_name,
        actor_type=ActorType.ACADEMIA, **kw,
    )  # fmt: skip


def cancel_path(registration: Registration) -> str:
    return reverse("workshops:registration_cancel", kwargs={"key": registration.key})


def confirm_path(registration: Registration) -> str:
    return reverse("workshops:registration_confirm", kwargs={"key": registration.key})


def outbox() -> list[OutboundEmail]:
    """The emails queued (paga's outbox rows, written in the service's transaction)."""
    return list(OutboundEmail.objects.order_by("pk"))


def clear_outbox() -> None:
    OutboundEmail.objects.all().delete()


def emails_to(address: str) -> list[OutboundEmail]:
    return [m for m in outbox() if address in m.to]


def refusal(excinfo) -> tuple[str, str]:
    (error,) = excinfo.value.error_list
    return error.code, " ".join(excinfo.value.messages)


# --- Registering ---------------------------------------------------------------------------------
def test_by_email_is_pending_holds_no_place_and_emails_the_confirmation_and_cancel_links():
    event = EventFactory(capacity=1)
    registration = by_email(event)

    assert registration.state == State.PENDING
    assert registration.email == "persona0@ejemplo.pe"  # normalised
    assert registration.confirmed_at is None
    assert registrations.places(event).left == 1
    (email,) = emails_to("persona0@ejemplo.pe")
    assert email.subject == f"Confirm your registration for “{event.title}”"
    assert "http://testserver" not in email.body
    assert registrations.registration_url(registration, "registration_confirm") in email.body
    assert registrations.registration_url(registration, "registration_cancel") in email.body
    assert email.body.count("://") >= 3  # absolute links: confirm, event, cancel
    assert "<script>" in email.body  # plain text: the title as typed, not escaped HTML


def test_the_email_leaves_through_the_outbox_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = by_email(EventFactory())
        assert not mail.outbox  # nothing leaves before the registration is committed
    (sent,) = mail.outbox
    assert sent.to == [registration.email]
    assert registrations.registration_url(registration, "registration_cancel") in sent.body
    assert OutboundEmail.objects.get().sent_at is not None


def test_signed_in_person_with_a_verified_email_is_registered_at_once_with_their_account_address():
    user = UserFactory()
    event = EventFactory()
    registration = signed_in(event, user)

    assert registration.state == State.CONFIRMED
    assert (registration.user, registration.email) == (user, user.email)
    assert registration.confirmed_at is not None
    (email,) = emails_to(user.email)
    assert email.subject == f"You are registered for “{event.title}”"
    assert registrations.registration_url(registration, "registration_cancel") in email.body
    assert registrations.registration_url(registration, "registration_confirm") not in email.body


def test_signed_in_person_without_a_verified_email_confirms_by_email_like_anyone():
    user = UserFactory(verified_email=False)
    registration = signed_in(EventFactory(), user)
    assert registration.state == State.PENDING
    assert registration.user == user
    assert "Confirm your registration" in emails_to(user.email)[0].subject


def test_a_full_event_puts_the_next_on_the_waiting_list_with_its_position():
    event = EventFactory(capacity=2)
    first, second, third, fourth = (signed_in(event) for _ in range(4))

    assert [r.state for r in (first, second, third, fourth)] == [State.CONFIRMED] * 2 + [State.WAITING] * 2
    assert third.waiting_since is not None
    assert first.waiting_since is None
    assert [registrations.waiting_position(r) for r in (first, third, fourth)] == [None, 1, 2]
    (email,) = emails_to(fourth.email)
    assert email.subject == f"You are on the waiting list for “{event.title}”"
    assert "You are number 2 on the waiting list" in email.body
    assert registrations.registration_url(fourth, "registration_cancel") in email.body
    assert registrations.places(event) == registrations.Places(capacity=2, confirmed=2, waiting=2)


# --- Refusals --------------------------------------------------------------------------------------
def test_a_registered_address_gets_the_answer_of_a_new_one_and_its_owner_an_email():
    """A stranger typing someone's address learns nothing: the answer is a new pending registration
    (not saved), and the owner is emailed, in the language they registered in, with their links."""
    event = EventFactory()
    with translation.override("es"):
        first = by_email(event, name="Rosa Quispe")  # the owner, in Spanish
    registrations.confirm(key=first.key)
    clear_outbox()

    again = by_email(event, email="PERSONA0@ejemplo.pe", name="Un extraño")
    new = by_email(event, n=1)

    assert (again.pk, again.state, again.email, again.name) == (None, State.PENDING, "persona0@ejemplo.pe",
                                                               "Un extraño")  # fmt: skip
    assert (new.state, new.email) == (State.PENDING, "persona1@ejemplo.pe")
    assert Registration.objects.filter(event=event).count() == 2
    first.refresh_from_db()
    assert (first.state, first.name) == (State.CONFIRMED, "Rosa Quispe")
    (email,) = emails_to("persona0@ejemplo.pe")
    assert email.subject == f"Su dirección ya está inscrita en «{event.title}»"
    assert "Rosa Quispe" in email.body
    assert "Un extraño" not in email.body
    assert "Su lugar está confirmado." in email.body
    assert registrations.registration_url(first, "registration_cancel") in email.body
    assert len(emails_to("persona1@ejemplo.pe")) == 1  # a new one: its confirmation link


def test_a_pending_registration_asked_again_sends_its_owner_the_confirmation_link():
    event = EventFactory()
    first = by_email(event)
    clear_outbox()

    by_email(event)

    (email,) = emails_to(first.email)
    assert email.subject == f"Your address is already registered for “{event.title}”"
    assert registrations.registration_url(first, "registration_confirm") in email.body
    assert registrations.registration_url(first, "registration_cancel") in email.body


def test_the_signed_in_owner_of_a_verified_address_hears_it_is_already_registered():
    user = UserFactory(email="rosa@ejemplo.pe")
    event = EventFactory()
    by_email(event, email="ROSA@ejemplo.pe")
    clear_outbox()

    with pytest.raises(ValidationError) as signed:
        signed_in(event, user)

    code, message = refusal(signed)
    assert code == "duplicate"
    assert message.startswith("This email address is already registered for this event.")
    assert Registration.objects.filter(event=event).count() == 1
    assert outbox() == []


def test_after_cancelling_the_same_address_may_register_again():
    event = EventFactory()
    first = by_email(event)
    registrations.cancel(registration=first)
    again = by_email(event)
    assert again.pk != first.pk
    assert again.state == State.PENDING


def test_the_database_constraint_backs_the_once_per_event_rule(monkeypatch):
    """Two requests that both passed the check: the constraint refuses the second, answered the same way."""
    event = EventFactory()
    by_email(event)
    monkeypatch.setattr(registrations, "already_registered", lambda **kw: False)

    clear_outbox()
    again = by_email(event)
    assert again.pk is None  # answered as a new one; the owner is emailed
    assert Registration.objects.filter(event=event).count() == 1
    assert len(emails_to("persona0@ejemplo.pe")) == 1


def test_before_the_window_the_refusal_says_its_dates_in_lima():
    event = EventFactory(
        starts_at=lima(2031, 10, 2, 9), ends_at=lima(2031, 10, 2, 17),
        registration_opens_at=lima(2031, 9, 21, 8), registration_closes_at=lima(2031, 10, 1, 18),
    )  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        by_email(event)
    code, message = refusal(excinfo)
    assert code == "not_open_yet"
    assert "Sept. 21, 2031" in message
    assert "8 a.m." in message
    assert "Oct. 1, 2031" in message
    assert "6 p.m." in message
    assert "Lima time" in message
    assert not Registration.objects.exists()
    assert not outbox()


def test_after_the_window_the_refusal_says_when_it_closed():
    closes = timezone.now() - datetime.timedelta(hours=1)
    event = EventFactory(
        registration_opens_at=closes - datetime.timedelta(days=3), registration_closes_at=closes
    )
    with pytest.raises(ValidationError) as excinfo:
        signed_in(event)
    code, message = refusal(excinfo)
    assert code == "closed"
    assert message.startswith("Registration closed on ")
    assert registrations.moment_text(closes) in message


@pytest.mark.parametrize(
    ("state", "code", "message"),
    [
        (EventState.CANCELLED, "cancelled", "This event was cancelled: it takes no registrations."),
        (EventState.HELD, "held", "This event has already been held: registration is closed."),
    ],
)
def test_a_cancelled_or_held_event_refuses_registration(state, code, message):
    event = EventFactory(state=state, cancel_reason="Paro de transportistas" if state == "cancelado" else "")
    with pytest.raises(ValidationError) as excinfo:
        by_email(event)
    assert refusal(excinfo) == (code, message)


@pytest.mark.parametrize("make", [lambda: undated(), lambda: EventFactory(capacity=None)])
def test_an_event_without_registration_refuses_it(make):
    with pytest.raises(ValidationError) as excinfo:
        by_email(make())
    assert refusal(excinfo) == ("no_registration", "This event takes no registrations.")


def test_bad_actor_type_or_empty_name_is_refused():
    event = EventFactory()
    with pytest.raises(ValidationError) as bad_type:
        by_email(event, actor_type="marciano")
    with pytest.raises(ValidationError) as no_name:
        by_email(event, name="   ")
    assert refusal(bad_type)[0] == "actor_type"
    assert refusal(no_name)[0] == "name"


# --- Confirming ------------------------------------------------------------------------------------
def test_confirming_gives_a_place_and_is_idempotent():
    event = EventFactory(capacity=1)
    registration = by_email(event)
    clear_outbox()

    confirmed = registrations.confirm(key=registration.key)
    again = registrations.confirm(key=registration.key)

    assert confirmed.state == again.state == State.CONFIRMED
    assert confirmed.confirmed_at == again.confirmed_at is not None
    (email,) = outbox()  # one email, not two
    assert email.subject == f"You are registered for “{event.title}”"
    assert registrations.registration_url(registration, "registration_cancel") in email.body


def test_confirming_when_full_joins_the_waiting_list_pending_ones_having_held_nothing():
    event = EventFactory(capacity=1)
    early = by_email(event, 1)
    late = by_email(event, 2)
    registrations.confirm(key=late.key)  # the one who confirms first gets the place
    early = registrations.confirm(key=early.key)
    assert Registration.objects.get(pk=late.pk).state == State.CONFIRMED
    assert early.state == State.WAITING
    assert early.waiting_since is not None


def test_confirming_after_the_window_closed_is_refused_and_stays_pending():
    event = EventFactory()
    registration = by_email(event)
    event.registration_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    event.registration_opens_at = event.registration_closes_at - datetime.timedelta(days=2)
    event.save()
    with pytest.raises(ValidationError) as excinfo:
        registrations.confirm(key=registration.key)
    assert refusal(excinfo)[0] == "closed"
    assert Registration.objects.get(pk=registration.pk).state == State.PENDING


def test_confirming_a_cancelled_registration_changes_nothing():
    registration = by_email(EventFactory())
    registrations.cancel(registration=registration)
    assert registrations.confirm(key=registration.key).state == State.CANCELLED


def test_confirming_an_unknown_key_raises_does_not_exist():
    import uuid

    with pytest.raises(Registration.DoesNotExist):
        registrations.confirm(key=uuid.uuid4())


# --- Cancelling and the waiting list ---------------------------------------------------------------
def test_cancelling_a_place_promotes_the_first_waiting_in_order_and_emails_them():
    event = EventFactory(capacity=1)
    holder = signed_in(event)
    now = timezone.now()
    # Waiting since: the second registered earlier than the first by pk; order is waiting_since, then pk.
    later = RegistrationFactory(event=event, state=State.WAITING, waiting_since=now)
    tie_b = RegistrationFactory(
        event=event, state=State.WAITING, waiting_since=now - datetime.timedelta(hours=1)
    )
    tie_a = RegistrationFactory(event=event, state=State.WAITING, waiting_since=tie_b.waiting_since)
    clear_outbox()

    cancelled = registrations.cancel(registration=holder)

    assert cancelled.state == State.CANCELLED
    assert cancelled.cancelled_at is not None
    states = dict(Registration.objects.filter(event=event).values_list("pk", "state"))
    assert states == {holder.pk: State.CANCELLED, tie_b.pk: State.CONFIRMED, tie_a.pk: State.WAITING,
                      later.pk: State.WAITING}  # fmt: skip
    promoted = Registration.objects.get(pk=tie_b.pk)
    assert promoted.promoted_at == cancelled.cancelled_at
    (email,) = outbox()
    assert email.to == [tie_b.email]
    assert registrations.registration_url(promoted, "registration_cancel") in email.body
    assert registrations.waiting_position(Registration.objects.get(pk=tie_a.pk)) == 1


def test_cancelling_a_waiting_or_pending_registration_promotes_nobody_and_is_idempotent():
    event = EventFactory(capacity=1)
    signed_in(event)
    waiting = signed_in(event)
    pending = by_email(event)
    clear_outbox()

    registrations.cancel(registration=waiting)
    registrations.cancel(registration=pending)
    first = Registration.objects.get(pk=waiting.pk).cancelled_at
    registrations.cancel(registration=waiting)

    assert Registration.objects.get(pk=waiting.pk).cancelled_at == first
    assert registrations.places(event) == registrations.Places(capacity=1, confirmed=1, waiting=0)
    assert not outbox()


def test_cancelling_keeps_the_row_and_what_the_person_typed():
    registration = by_email(EventFactory())
    registrations.cancel(registration=registration)
    kept = Registration.objects.get(pk=registration.pk)
    assert (kept.name, kept.organisation, kept.state) == (
        registration.name,
        registration.organisation,
        "cancelado",
    )


def test_an_actor_must_own_the_registration_or_be_staff(citizen, other_citizen, secretariat):
    event = EventFactory()
    mine = signed_in(event, citizen)
    with pytest.raises(PermissionDenied):
        registrations.cancel(registration=mine, actor=other_citizen)
    assert registrations.cancel(registration=mine, actor=secretariat).state == State.CANCELLED
    theirs = signed_in(event, other_citizen)
    assert registrations.cancel(registration=theirs, actor=other_citizen).state == State.CANCELLED


def test_no_promotion_once_the_event_is_cancelled():
    event = EventFactory(capacity=1)
    holder = signed_in(event)
    waiting = signed_in(event)
    event.state, event.cancel_reason = EventState.CANCELLED, "Huaico en la carretera"
    event.save()
    registrations.cancel(registration=holder)
    assert Registration.objects.get(pk=waiting.pk).state == State.WAITING


# --- The cancelled event ---------------------------------------------------------------------------
def test_notify_event_cancelled_emails_every_active_registrant_the_reason():
    event = EventFactory(capacity=1)
    confirmed, waiting, pending = signed_in(event), signed_in(event), by_email(event)
    gone = signed_in(event)
    registrations.cancel(registration=gone)
    clear_outbox()

    with translation.override("es"):
        told = registrations.notify_event_cancelled(event=event, reason="Paro regional «Ñ» <b>")

    assert told == 3
    assert sorted(m.to[0] for m in outbox()) == sorted(r.email for r in (confirmed, waiting, pending))
    for message in outbox():
        assert "Paro regional «Ñ» <b>" in message.body
        assert event.title in message.subject
        (registration,) = [r for r in (confirmed, waiting, pending) if r.email == message.to[0]]
        assert registrations.registration_url(registration, "registration_cancel") in message.body


# --- Reminders -------------------------------------------------------------------------------------
def test_reminders_go_once_to_the_confirmed_of_events_starting_the_next_lima_day():
    # 21:30 in Lima on Sept. 20 is already Sept. 21 in UTC: "tomorrow" is Sept. 21 in Lima.
    now = lima(2017, 9, 20, 21, 30)
    opens, closes = lima(2017, 9, 1), lima(2017, 9, 20)
    tomorrow = EventFactory(starts_at=lima(2017, 9, 21, 9), ends_at=lima(2017, 9, 21, 17),
                            registration_opens_at=opens, registration_closes_at=closes)  # fmt: skip
    late_tomorrow = EventFactory(starts_at=lima(2017, 9, 21, 23, 30), ends_at=lima(2017, 9, 21, 23, 45),
                                 registration_opens_at=opens, registration_closes_at=closes)  # fmt: skip
    day_after = EventFactory(starts_at=lima(2017, 9, 22, 0, 0), ends_at=lima(2017, 9, 22, 17),
                             registration_opens_at=opens, registration_closes_at=closes)  # fmt: skip
    cancelled = EventFactory(starts_at=lima(2017, 9, 21, 9), ends_at=lima(2017, 9, 21, 17), state="cancelado",
                             cancel_reason="Lluvias", registration_opens_at=opens,
                             registration_closes_at=closes)  # fmt: skip
    due = [RegistrationFactory(event=tomorrow), RegistrationFactory(event=late_tomorrow)]
    RegistrationFactory(event=tomorrow, state=State.WAITING, waiting_since=now)
    RegistrationFactory(event=tomorrow, state=State.PENDING, confirmed_at=None)
    RegistrationFactory(event=tomorrow, state=State.CANCELLED, cancelled_at=now)
    RegistrationFactory(event=day_after)
    RegistrationFactory(event=cancelled)

    assert registrations.send_reminders(now=now) == 2
    assert registrations.send_reminders(now=now + datetime.timedelta(hours=1)) == 0  # the hourly rerun

    assert sorted(m.to[0] for m in outbox()) == sorted(r.email for r in due)
    for registration in due:
        registration.refresh_from_db()
        assert registration.reminded_at == now
        (message,) = emails_to(registration.email)
        assert registration.event.title in message.subject
        assert registrations.registration_url(registration, "registration_cancel") in message.body


def test_someone_promoted_after_the_reminders_gets_one_at_the_next_run():
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1
    )
    event = EventFactory(capacity=1, starts_at=start, ends_at=start + datetime.timedelta(hours=6),
                         registration_closes_at=start)  # fmt: skip
    holder = signed_in(event)
    waiting = signed_in(event)
    assert registrations.send_reminders() == 1
    registrations.cancel(registration=holder)
    clear_outbox()
    assert registrations.send_reminders() == 1
    assert [m.to for m in outbox()] == [[waiting.email]]


def test_the_task_sends_the_reminders():
    from workshops import tasks

    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1
    )
    event = EventFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), registration_closes_at=start
    )
    RegistrationFactory(event=event)
    assert tasks.send_registration_reminders.delay().get() == 1
    assert tasks.send_registration_reminders.delay().get() == 0


def test_beat_runs_the_reminders_every_hour(settings):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("workshops.")]
    assert entry == {"task": "workshops.tasks.send_registration_reminders", "schedule": 3600.0}


def test_email_links_use_the_site_address(settings):
    settings.COCREA_SITE_URL = "https://cocrea.gob.pe"
    registration = by_email(EventFactory())
    (email,) = outbox()
    links = re.findall(r"https?://\S+", email.body)
    assert f"https://cocrea.gob.pe{confirm_path(registration)}" in links
    assert f"https://cocrea.gob.pe{cancel_path(registration)}" in links
    assert all(link.startswith("https://cocrea.gob.pe/") for link in links)


def test_every_email_is_written_in_the_language_the_person_registered_in():
    """The answer to the request, and later ones (the promotion, the reminder, a cancelled event) sent
    from other requests or by the worker, whatever language those are in."""
    event = EventFactory(capacity=1, starts_at=lima(2031, 10, 2, 9), ends_at=lima(2031, 10, 2, 17),
                         registration_closes_at=lima(2031, 10, 1, 18))  # fmt: skip
    with translation.override("es"):
        holder = signed_in(event)
    with translation.override("en"):
        waiting = signed_in(event)
    assert (holder.language, waiting.language) == ("es", "en")
    assert "2 de octubre de 2031" in emails_to(holder.email)[0].body
    assert "Oct. 2, 2031, 9 a.m." in emails_to(waiting.email)[0].body

    with translation.override("es"):  # from a Spanish request: the promotion is in English
        registrations.cancel(registration=holder)
    promoted = emails_to(waiting.email)[-1]
    assert "Oct. 2, 2031, 9 a.m." in promoted.body
    assert "2 de octubre" not in promoted.body

    with translation.override("es"):  # the worker's language
        registrations.send_reminders(now=lima(2031, 10, 1, 10))
    reminder = emails_to(waiting.email)[-1]
    assert reminder is not promoted
    assert "Oct. 2, 2031, 9 a.m." in reminder.body


def test_a_registration_cannot_be_cancelled_once_the_event_took_place(db):
    """Cancelling after the event (held, or the person checked in) would rewrite its record."""
    held = EventFactory(state=EventState.HELD)
    registration = RegistrationFactory(event=held)
    with pytest.raises(ValidationError) as refused:
        registrations.cancel(registration=registration)
    assert refused.value.code == "held"
    registration.refresh_from_db()
    assert registration.state == Registration.State.CONFIRMED

    ongoing = EventFactory()
    came = RegistrationFactory(event=ongoing)
    Attendance.objects.create(event=ongoing, registration=came, name=came.name, actor_type=came.actor_type)
    with pytest.raises(ValidationError):
        registrations.cancel(registration=came)
    assert Registration.objects.get(pk=came.pk).state == Registration.State.CONFIRMED
