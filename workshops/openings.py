"""What workshops offer a visitor now (paga/openings.py): an event whose registration is open.

One query whatever the number of events: the best event taking registrations now (the visitor's plan
first, a real plan before a demonstration one, the registration that closes first) and when the next
registration opens (the home page changes then).
"""

from __future__ import annotations

import datetime

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.openings import REGISTER, Found, Opening, first_open, say
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
    taking = Event.objects.filter(state=EventState.SCHEDULED, capacity__gt=0)
    first, opens_next = first_open(
        taking, plan=plan, now=now, opens="registration_opens_at", closes="registration_closes_at"
    )
    if first is None:
        return Found(opens_next=opens_next)
    opening = Opening(
        rank=REGISTER,
        plan=first.plan,
        sentence=_sentence(first),
        action=_("Register for the event"),
        url=reverse_in(first.plan, "workshops:register", kwargs={"slug": first.slug}),
        closes_at=first.registration_closes_at,
    )
    return Found(openings=(opening,), opens_next=opens_next)
