"""Registration for events (issue 5, item 2): signed in, or by email confirmed through a link; capacity
enforced under concurrency; a waiting list promoted in order when a place frees; a cancel link in every
email; a reminder the day before.

Rules:

- A signed-in person with a verified email is registered at once; anyone else gets a pending registration
  and an email with a confirmation link. A pending registration holds no place: the place is given (or
  the waiting list joined) when the link is confirmed.
- Capacity holds under concurrency: every change that gives or frees a place first locks the event row
  (SELECT … FOR UPDATE on PostgreSQL), then counts. Lock order is always event, then registration.
- One active registration per address and event (the constraint `registration_once_per_event` backs the
  check). The form never tells a stranger that an address is registered: a second registration with
  it answers as a new one by email would ("check your email") and emails the address's owner instead,
  with their links; only a signed-in person whose verified address it is hears "already registered".
  Registering is refused outside the registration window (dates said in Lima time), for a
  cancelled or held event, and for an event taking no registrations. Each refusal is a ValidationError
  with a code and a message in words.
- Cancelling a confirmed registration promotes the first on the waiting list (by `waiting_since`, then
  pk) in the same transaction and emails them. Nothing is deleted: a cancellation is a state and a time.
- Emails go through paga's outbox (a row written in the caller's transaction, sent after commit), each
  with the registration's cancel link, in the language the person registered in (kept on the
  registration, so the promotion, the reminder and a cancelled event's email use it too).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from paga import clock, personal_data
from paga.models import ActorType, OutboundEmail, Region
from paga.services import absolute_url, queue_email

from .models import Attendance, Event, EventState, Gender, Registration

State = Registration.State
LIMA = zoneinfo.ZoneInfo("America/Lima")


# --- Selectors -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Places:
    capacity: int
    confirmed: int
    waiting: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.left == 0


def places(event: Event) -> Places:
    """Places taken and people waiting at `event`, in one query."""
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(state=State.CONFIRMED)),
        waiting=Count("pk", filter=Q(state=State.WAITING)),
    )
    return Places(capacity=event.capacity or 0, confirmed=counts["confirmed"], waiting=counts["waiting"])


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.state != State.WAITING:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, state=State.WAITING).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def own_registration(*, event: Event, user) -> Registration | None:
    """The signed-in person's active registration at `event`, with its waiting position
    (`position`), in one query; None for anonymous visitors."""
    if user is None or not user.is_authenticated:
        return None
    ahead = Registration.objects.filter(event_id=OuterRef("event_id"), state=State.WAITING).filter(
        Q(waiting_since__lt=OuterRef("waiting_since"))
        | Q(waiting_since=OuterRef("waiting_since"), pk__lt=OuterRef("pk"))
    )
    registration = (
        Registration.objects.filter(event=event, user=user, state__in=Registration.ACTIVE_STATES)
        .annotate(n_ahead=_subquery_count(ahead))
        .order_by("-created", "-pk")
        .first()
    )
    if registration is not None:
        registration.position = registration.n_ahead + 1 if registration.state == State.WAITING else None
    return registration


def _subquery_count(queryset) -> Coalesce:
    counted = queryset.order_by().values("event_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- Dates in words --------------------------------------------------------------------------------
def moment_text(moment: datetime.datetime) -> str:
    """A moment in Lima time, in the active language ("21 de septiembre de 2017 a las 10:00")."""
    return formats.date_format(moment.astimezone(LIMA), "DATETIME_FORMAT")


def window_text(event: Event) -> dict[str, str]:
    return {
        "opens": moment_text(event.registration_opens_at) if event.registration_opens_at else "",
        "closes": moment_text(event.registration_closes_at) if event.registration_closes_at else "",
    }


def event_when_text(event: Event) -> str:
    """The event's date (and times) in Lima, for an email."""
    if event.starts_at is None:
        return _("Date to be announced")
    starts = event.starts_at.astimezone(LIMA)
    day = formats.date_format(starts.date(), "DATE_FORMAT")
    if event.all_day:
        return day
    text = f"{day}, {formats.time_format(starts.time(), 'TIME_FORMAT')}"
    if event.ends_at and event.ends_at.astimezone(LIMA).date() == starts.date():
        text += "–" + formats.time_format(event.ends_at.astimezone(LIMA).time(), "TIME_FORMAT")
    return _("%(when)s (Lima time)") % {"when": text}


def event_where_text(event: Event) -> str:
    parts = [event.venue, event.address, event.province]
    if event.region_id:
        parts.append(str(event.region))
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)


# --- Checks ----------------------------------------------------------------------------------------
def check_open(event: Event, *, at: datetime.datetime | None = None) -> None:
    """Refuse (ValidationError with a code) unless `event` takes registrations at `at`."""
    at = at or clock.now()
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("This event was cancelled: it takes no registrations."), code="cancelled")
    if event.state == EventState.HELD:
        raise ValidationError(_("This event has already been held: registration is closed."), code="held")
    if not event.takes_registrations:
        raise ValidationError(_("This event takes no registrations."), code="no_registration")
    if event.registration_opens_at and at < event.registration_opens_at:
        raise ValidationError(
            _("Registration opens on %(opens)s and closes on %(closes)s (Lima time)."),
            code="not_open_yet",
            params=window_text(event),
        )
    if at >= event.registration_closes_at:
        raise ValidationError(
            _("Registration closed on %(closes)s (Lima time)."), code="closed", params=window_text(event)
        )


def _duplicate() -> ValidationError:
    return ValidationError(
        _(
            "This email address is already registered for this event. The email we sent has the links "
            "to confirm or cancel the registration."
        ),
        code="duplicate",
    )


def already_registered(*, event: Event, email: str) -> bool:
    active = Registration.objects.filter(event=event, email=email, state__in=Registration.ACTIVE_STATES)
    return active.exists()


def has_verified_email(user) -> bool:
    """The account's address (the one a signed-in registration uses) is one the person verified."""
    return bool(user.email) and user.email.lower() in personal_data.verified_addresses(user)


# --- Emails ----------------------------------------------------------------------------------------
def registration_url(registration: Registration, name: str) -> str:
    return absolute_url(reverse(f"workshops:{name}", kwargs={"key": registration.key}))


def _email(registration: Registration, template: str, **extra) -> OutboundEmail:
    """Queue one email about `registration`, with its cancel link, in the registrant's language."""
    language = registration.language or settings.LANGUAGE_CODE
    event = registration.event
    with translation.override(language):
        context = {
            "registration": registration,
            "name": registration.name,
            "event": event.title,
            "when": event_when_text(event),
            "where": event_where_text(event),
            "event_url": absolute_url(event.get_absolute_url()),
            "cancel_url": registration_url(registration, "registration_cancel"),
            "confirm_url": registration_url(registration, "registration_confirm"),
            **extra,
        }
        subject = render_to_string(f"workshops/email/registration_{template}_subject.txt", context)
        body = render_to_string(f"workshops/email/registration_{template}_message.txt", context)
    return queue_email(EmailMessage(subject=" ".join(subject.split()), body=body, to=[registration.email]))


def _email_placed(registration: Registration) -> OutboundEmail:
    if registration.state == State.WAITING:
        return _email(registration, "waiting", position=waiting_position(registration))
    return _email(registration, "confirmed")


def _language() -> str:
    """The language of the request registering (one of the site's; the site's own otherwise)."""
    current = translation.get_language() or ""
    known = dict(settings.LANGUAGES)
    return next((code for code in (current, current.split("-")[0]) if code in known), settings.LANGUAGE_CODE)


# --- Services --------------------------------------------------------------------------------------
def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _place(registration: Registration, event: Event, now: datetime.datetime) -> Registration:
    """Give `registration` a place if one is free, else put it on the waiting list. `event` is locked."""
    confirmed = Registration.objects.filter(event=event, state=State.CONFIRMED).count()
    registration.confirmed_at = registration.confirmed_at or now
    if confirmed < (event.capacity or 0):
        registration.state = State.CONFIRMED
    else:
        registration.state = State.WAITING
        registration.waiting_since = now
    return registration


@transaction.atomic
def register(
    *,
    event: Event,
    user=None,
    email: str,
    name: str,
    actor_type: str,
    organisation: str = "",
    gender: str = Gender.UNSTATED,
    region: Region | None = None,
) -> Registration:
    """Register for `event`. A signed-in person with a verified email (`user`, whose address is used)
    gets a place or joins the waiting list at once; anyone else gets a pending registration and an
    email to confirm it (it holds no place until then). An address already registered at the event
    gets the same answer, unsaved, and its owner an email (`_already_registered`). The event row is
    locked before counting, so simultaneous registrations never exceed the capacity (issue 5)."""
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None:
        if personal_data.withdrew_consent(user):
            raise ValidationError(personal_data.CONSENT_WITHDRAWN, code="consent")
        email = user.email
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if not email:
        raise ValidationError(_("Give your email address."), code="email")
    if not name:
        raise ValidationError(_("Give your name."), code="name")
    if actor_type not in ActorType.values:
        raise ValidationError(_("Choose a valid actor type."), code="actor_type")
    if gender not in Gender.values:
        raise ValidationError(_("Choose a valid option."), code="gender")
    verified = user is not None and has_verified_email(user)
    locked = _lock(event)
    now = clock.now()
    check_open(locked, at=now)
    if already_registered(event=locked, email=email):
        return _already_registered(event=locked, email=email, name=name, revealed=verified)
    registration = Registration(
        event=locked,
        user=user,
        email=email,
        name=name,
        actor_type=actor_type,
        organisation=(organisation or "").strip(),
        gender=gender,
        region=region,
        state=State.PENDING,
        created=now,
        language=_language(),
    )
    if verified:
        _place(registration, locked, now)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:  # the same address at the same moment (the constraint decides)
        return _already_registered(event=locked, email=email, name=name, revealed=verified)
    if registration.state == State.PENDING:
        _email(registration, "pending")
    else:
        _email_placed(registration)
    return registration


def _already_registered(*, event: Event, email: str, name: str, revealed: bool) -> Registration:
    """The address already holds an active registration at `event`. Its owner, signed in with it
    verified, is told so (ValidationError "duplicate"). Anyone else gets the answer a new registration
    by email gets, a pending registration (not saved: `pk` is None), so the form tells no stranger who
    registered; the owner is emailed instead, in the language of their registration, with its links."""
    if revealed:
        raise _duplicate()
    existing = (
        Registration.objects.select_related("event")
        .filter(event=event, email=email, state__in=Registration.ACTIVE_STATES)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        _email(existing, "again", position=waiting_position(existing))
    return Registration(event=event, email=email, name=name, state=State.PENDING, language=_language())


@transaction.atomic
def confirm(*, key) -> Registration:
    """Confirm an email registration through its link: a place if one is free, else the waiting list.
    Idempotent: a registration already confirmed, waiting or cancelled is returned unchanged.
    Refused like `register` when the event no longer takes registrations."""
    found = Registration.objects.only("pk", "event_id").get(key=key)  # DoesNotExist: the view's 404
    locked_event = _lock(found.event)
    registration = Registration.objects.select_for_update().select_related("event").get(pk=found.pk)
    if registration.state != State.PENDING:
        return registration
    now = clock.now()
    check_open(locked_event, at=now)
    _place(registration, locked_event, now)
    registration.save(update_fields=["state", "confirmed_at", "waiting_since"])
    _email_placed(registration)
    return registration


def fill_places(*, event: Event, now: datetime.datetime | None = None) -> list[Registration]:
    """Promote people from the waiting list, in order, while places are free; email each. Call inside a
    transaction that has locked `event` (cancelling, or staff raising the capacity)."""
    if event.state != EventState.SCHEDULED or not event.capacity:
        return []
    now = now or clock.now()
    confirmed = Registration.objects.filter(event=event, state=State.CONFIRMED).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_for_update()
        .select_related("event")
        .filter(event=event, state=State.WAITING)
        .order_by("waiting_since", "pk")[:free]
    )
    for registration in promoted:
        registration.state = State.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at"])
        _email(registration, "promoted")
    return promoted


@transaction.atomic
def cancel(*, registration: Registration, actor=None) -> Registration:
    """Cancel a registration. `actor` None: the holder of the secret link (the link is the authority);
    otherwise the signed-in owner or staff (`workshops.cancel_registration`). Cancelling a confirmed
    registration frees its place for the first on the waiting list, in the same transaction.
    Idempotent: cancelling a cancelled registration changes nothing."""
    if actor is not None and not actor.has_perm("workshops.cancel_registration", registration):
        raise PermissionDenied
    locked_event = _lock(registration.event)
    locked = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    if locked.state == State.CANCELLED:
        return locked
    if locked_event.state == EventState.HELD or Attendance.objects.filter(registration=locked).exists():
        raise ValidationError(
            _(
                "The event has taken place: its registrations are part of its record and can no longer be "
                "cancelled."
            ),
            code="held",
        )
    was_confirmed = locked.state == State.CONFIRMED
    now = clock.now()
    locked.state = State.CANCELLED
    locked.cancelled_at = now
    locked.save(update_fields=["state", "cancelled_at"])
    if was_confirmed:
        fill_places(event=locked_event, now=now)
    return locked


def notify_event_cancelled(*, event: Event, reason: str) -> int:
    """Email every active registrant of `event` that it was cancelled, and why. Call inside the
    transaction that cancels the event; returns how many were told."""
    registrations = list(
        Registration.objects.filter(event=event, state__in=Registration.ACTIVE_STATES)
        .select_related("event")
        .order_by("pk")
    )
    for registration in registrations:
        _email(registration, "event_cancelled", reason=reason)
    return len(registrations)


def notify_event_changed(*, event: Event) -> int:
    """Email every active registrant of `event` its date, time and place as they now stand. Call inside
    the transaction that changed them; returns how many were told."""
    registrations = list(
        Registration.objects.filter(event=event, state__in=Registration.ACTIVE_STATES)
        .select_related("event")
        .order_by("pk")
    )
    for registration in registrations:
        _email(registration, "event_changed")
    return len(registrations)


def reminder_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The next day in Lima, as [start, end) moments."""
    tomorrow = now.astimezone(LIMA).date() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=LIMA)
    return start, start + datetime.timedelta(days=1)


@transaction.atomic
def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Email every confirmed registrant of a scheduled event starting the next day (Lima date) who has
    not been reminded yet. Idempotent: `reminded_at` is set in the same transaction as the email is
    queued, and rows another run holds are skipped (SKIP LOCKED on PostgreSQL)."""
    now = now or clock.now()
    start, end = reminder_window(now)
    due = list(
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event")
        .filter(
            state=State.CONFIRMED,
            reminded_at__isnull=True,
            event__state=EventState.SCHEDULED,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .order_by("pk")
    )
    for registration in due:
        registration.reminded_at = now
        registration.save(update_fields=["reminded_at"])
        _email(registration, "reminder")
    return len(due)
