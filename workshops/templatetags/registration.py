"""`{% load registration %}{% registration_box event %}`: registration on an event's page.

Says whether the event takes registrations and how (places left; full, with the waiting list; the
registration window, in Lima time; closed; cancelled), with a link to the registration page (a link, not
a form: the event's page carries no CSRF token, so it can be served from the cache to anonymous
visitors); for a signed-in person, their own registration and a link to cancel it.

Queries: at most two (the places taken and waiting; the person's own registration with its position).
The cached page expires when the registration window opens or closes (`changes_at`).
"""

from __future__ import annotations

from django import template

from paga import clock
from paga.pagecache import changes_at
from workshops import registrations
from workshops.models import EventState

register = template.Library()


def _status(event, now) -> str:
    if event.state == EventState.CANCELLED:
        return "cancelled"
    if event.state == EventState.HELD:
        return "held"
    if not event.takes_registrations:
        return "none"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    if now >= event.registration_closes_at:
        return "closed"
    return "open"


@register.inclusion_tag("workshops/registration/box.html", takes_context=True)
def registration_box(context, event) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    now = clock.now()
    status = _status(event, now)
    if request is not None and status in ("not_open_yet", "open"):
        changes_at(request, event.registration_opens_at)
        changes_at(request, event.registration_closes_at)
    places = registrations.places(event) if status == "open" else None
    own = registrations.own_registration(event=event, user=user) if event.takes_registrations else None
    return {
        "event": event,
        "status": status,
        "places": places,
        "window": registrations.window_text(event) if event.takes_registrations else None,
        "own": own,
    }
