"""What workshops offer a visitor now (paga/openings.py): an event whose registration is open.

One query whatever the number of events: the best event taking registrations now (the visitor's plan
first, a real plan before a demonstration one, the registration that closes first) and when the next
registration opens (the home page changes then).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, Subquery, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.openings import REGISTER, Found, Opening, say
from paga.plans import reverse_in
from paga.templatetags.portal import in_content_lang

from .models import Event, EventState
from .registrations import moment_text


def _sentence(event: Event) -> SafeString:
    moment, title = moment_text(event.registration_closes_at), in_content_lang(event.title)
    if event.plan.is_demonstration:
        return say(
            _("Until %(moment)s you can register for “%(title)s”, an event of the demonstration plan."),
            moment=moment,
            title=title,
        )
    return say(
        _("Until %(moment)s you can register for “%(title)s”, an event of the plan %(plan)s."),
        moment=moment,
        title=title,
        plan=in_content_lang(event.plan.short_name),
    )


def openings(plan: ActionPlan, now: datetime.datetime) -> Found:
    taking = Event.objects.filter(state=EventState.SCHEDULED, capacity__gt=0, registration_closes_at__gt=now)
    upcoming = (
        taking.filter(registration_opens_at__gt=now)
        .order_by("registration_opens_at")
        .values("registration_opens_at")
    )
    # The open registrations first, best first; when none is open, the first row is one still to open.
    first = (
        taking.select_related("plan")
        .annotate(
            waiting=Case(
                When(registration_opens_at__gt=now, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            elsewhere=Case(When(plan=plan, then=Value(0)), default=Value(1), output_field=IntegerField()),
            opens_next=Subquery(upcoming[:1]),
        )
        .order_by("waiting", "elsewhere", "plan__is_demonstration", "registration_closes_at", "pk")
        .first()
    )
    if first is None:
        return Found()
    if first.waiting:
        return Found(opens_next=first.opens_next)
    opening = Opening(
        rank=REGISTER,
        plan=first.plan,
        sentence=_sentence(first),
        action=_("Register for the event"),
        url=reverse_in(first.plan, "workshops:register", kwargs={"slug": first.slug}),
        closes_at=first.registration_closes_at,
    )
    return Found(openings=(opening,), opens_next=first.opens_next)
