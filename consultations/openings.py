"""What consultations offer a visitor now (paga/openings.py): the open consultation to comment on.

One query whatever the number of consultations: the best one open now (the visitor's plan first, a real
plan before a demonstration one, the one that closes first) and when the next one opens (the home page
changes then).
"""

from __future__ import annotations

import datetime

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.openings import COMMENT, Found, Opening, first_open, say
from paga.plans import reverse_in
from paga.templatetags.portal import in_content_lang

from .models import Consultation
from .services import window_dates


def _sentence(consultation: Consultation) -> SafeString:
    document = consultation.kind == Consultation.Kind.DOCUMENT
    if consultation.plan.is_demonstration and document:
        message = _(
            "Until %(day)s you can comment, paragraph by paragraph, on the document under consultation in "
            "the demonstration plan."
        )
    elif consultation.plan.is_demonstration:
        message = _(
            "Until %(day)s you can comment on the proposed commitments in the consultation of the "
            "demonstration plan."
        )
    elif document:
        message = _(
            "Until %(day)s you can comment, paragraph by paragraph, on the document “%(title)s” of the plan "
            "%(plan)s."
        )
    else:
        message = _(
            "Until %(day)s you can comment on the proposed commitments in the consultation “%(title)s” of "
            "the plan %(plan)s."
        )
    return say(
        message,
        day=window_dates(consultation)["closes"],
        title=in_content_lang(consultation.title),
        plan=in_content_lang(consultation.plan.short_name),
    )


def openings(plan: ActionPlan, now: datetime.datetime) -> Found:
    first, opens_next = first_open(
        Consultation.objects.all(), plan=plan, now=now, opens="opens_at", closes="closes_at"
    )
    if first is None:
        return Found(opens_next=opens_next)
    opening = Opening(
        rank=COMMENT,
        plan=first.plan,
        sentence=_sentence(first),
        action=_("Take part in the consultation"),
        url=reverse_in(first.plan, "consultations:detail", kwargs={"slug": first.slug}),
        closes_at=first.closes_at,
    )
    return Found(openings=(opening,), opens_next=opens_next)
