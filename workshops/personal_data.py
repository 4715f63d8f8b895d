"""What workshops holds about a person (paga/personal_data.py): their registrations for events and the
attendance recorded from them; for staff, the events, documents, attendance and decisions they recorded.

A registration is the person's when it is linked to their account, or when it was made by email (signed
out) with one of the account's verified addresses (paga.personal_data.verified_addresses: an address
typed into the account but never confirmed brings in nothing of its owner). Attendance is theirs when
it came from such a registration (a walk-in typed by staff names no account and cannot be matched).

Cancellation: registrations for events still to come are cancelled through `registrations.cancel`, so
the first on the waiting list gets the place. Then every matched registration and its attendance lose
what names the person (name, address, account, the secret link's key); what the participation figures
count stays (actor type, gender, region, and the organisation of who came), so the figures do not change.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from paga.personal_data import ANONYMOUS_NAME, PLACEHOLDER_DOMAIN, addresses, iexact_any

from . import registrations
from .models import Attendance, Document, EventState, EventTransition, Registration, TableDecision

TITLE = _("Workshops and events")
SECTIONS = {
    "registrations": _("Your registrations for events"),
    "attendance": _("Your attendance at events"),
    "event_changes": _("Changes of events you made as staff"),
    "documents_uploaded": _("Documents you uploaded"),
    "attendance_recorded": _("Attendance you recorded, counted by event"),
    "decisions_recorded": _("National table decisions you recorded"),
}


def mine(user):
    """The person's registrations: by account, or by one of the account's verified addresses while
    signed out."""
    return Registration.objects.filter(
        Q(user=user) | (Q(user__isnull=True) & iexact_any("email", addresses(user)))
    )


def _event(event) -> dict:
    return {"title": event.title, "slug": event.slug, "starts_at": event.starts_at, "state": event.state}


def export(user) -> dict:
    registrations_ = list(
        mine(user).select_related("event", "region", "attendance__region").order_by("created", "pk")
    )
    attendance = [r.attendance for r in registrations_ if hasattr(r, "attendance")]
    recorded = (
        Attendance.objects.filter(recorded_by=user)
        .values("event__title", "event__slug")
        .annotate(n=Count("pk"))
        .order_by("event__title", "event__slug")
    )
    return {
        "registrations": [
            {
                "event": _event(r.event),
                "state": r.state,
                "state_label": r.get_state_display(),
                "name": r.name,
                "email": r.email,
                "actor_type": r.actor_type,
                "organisation": r.organisation,
                "gender": r.gender,
                "language": r.language,
                "region": str(r.region) if r.region_id else None,
                "created": r.created,
                "confirmed_at": r.confirmed_at,
                "waiting_since": r.waiting_since,
                "promoted_at": r.promoted_at,
                "cancelled_at": r.cancelled_at,
                "reminded_at": r.reminded_at,
            }
            for r in registrations_
        ],
        "attendance": [
            {
                "event": _event(a.registration.event),
                "name": a.name,
                "actor_type": a.actor_type,
                "organisation": a.organisation,
                "gender": a.gender,
                "region": str(a.region) if a.region_id else None,
                "recorded": a.created,
            }
            for a in attendance
        ],
        "event_changes": [
            {
                "event": t.event.title,
                "from": t.from_state,
                "to": t.to_state,
                "reason": t.reason,
                "at": t.created,
            }
            for t in EventTransition.objects.filter(actor=user)
            .select_related("event")
            .order_by("created", "pk")
        ],
        "documents_uploaded": list(
            Document.objects.filter(uploaded_by=user)
            .order_by("uploaded_at", "pk")
            .values("title", "doc_type", "dated", "uploaded_at")
        ),
        "attendance_recorded": [
            {"event": row["event__title"], "slug": row["event__slug"], "people": row["n"]} for row in recorded
        ],
        "decisions_recorded": [
            {"event": d.event.title, "commitment": str(d.commitment), "decision": d.decision, "at": d.created}
            for d in TableDecision.objects.filter(recorded_by=user)
            .select_related("event", "commitment")
            .order_by("created", "pk")
        ],
    }


def erase(user) -> None:
    for registration in (
        mine(user)
        .filter(state__in=Registration.ACTIVE_STATES, event__state=EventState.SCHEDULED)
        .order_by("pk")
    ):
        try:
            registrations.cancel(registration=registration, actor=None)
        except ValidationError as error:
            if error.code != "held":  # the event took place: the registration is part of its record
                raise
    matched = list(mine(user).values_list("pk", flat=True))
    Attendance.objects.filter(registration_id__in=matched).update(name=ANONYMOUS_NAME)
    for pk in matched:  # a new secret key each: the emailed links stop working
        Registration.objects.filter(pk=pk).update(key=uuid.uuid4())
    Registration.objects.filter(pk__in=matched).update(
        user=None,
        name=ANONYMOUS_NAME,
        organisation="",
        email=Concat(
            Value("inscripcion-"),
            Cast("pk", CharField()),
            Value(f"@{PLACEHOLDER_DOMAIN}"),
            output_field=CharField(),
        ),
    )
