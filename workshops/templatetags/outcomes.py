"""What events produced, on other pages: `{% load outcomes %}{% event_outcomes event %}` on an event's
page (the proposals it produced, the decisions it took, how many contributions were recorded there and
how many have a published response: counts only) and `{% commitment_events commitment %}` on a
proposal's page (the events it came from, with link and date, and the national tables' decisions).

Queries: two for an event, one for a proposal (workshops/outcomes.py). Proposals the visitor may not
see (drafts) are left out, as everywhere else.
"""

from __future__ import annotations

from django import template

from .. import outcomes

register = template.Library()


@register.inclusion_tag("workshops/outcomes/_event_outcomes.html", takes_context=True)
def event_outcomes(context, event):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    return {"event": event, "outcomes": outcomes.event_outcomes(event=event, user=user)}


@register.inclusion_tag("workshops/outcomes/_commitment_events.html")
def commitment_events(commitment):
    origins, decisions = outcomes.commitment_events(commitment=commitment)
    return {"commitment": commitment, "origins": origins, "decisions": decisions}
