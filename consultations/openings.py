"""What consultations offer a visitor now (paga/openings.py): the open consultation to comment on.

One query whatever the number of consultations: the best one open now (the visitor's plan first, a real
plan before a demonstration one, the one that closes first) and when the next one opens (the home page
changes then).
"""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, Subquery, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.openings import COMMENT, Found, Opening, say
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
    upcoming = Consultation.objects.filter(opens_at__gt=now).order_by("opens_at").values("opens_at")[:1]
    # The open ones first, best first; when none is open, the first row is one still to open.
    first = (
        Consultation.objects.filter(closes_at__gt=now)
        .select_related("plan")
        .annotate(
            waiting=Case(
                When(opens_at__gt=now, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            elsewhere=Case(When(plan=plan, then=Value(0)), default=Value(1), output_field=IntegerField()),
            opens_next=Subquery(upcoming),
        )
        .order_by("waiting", "elsewhere", "plan__is_demonstration", "closes_at", "pk")
        .first()
    )
    if first is None:
        return Found()
    if first.waiting:
        return Found(opens_next=first.opens_next)
    opening = Opening(
        rank=COMMENT,
        plan=first.plan,
        sentence=_sentence(first),
        action=_("Take part in the consultation"),
        url=reverse_in(first.plan, "consultations:detail", kwargs={"slug": first.slug}),
        closes_at=first.closes_at,
    )
    return Found(openings=(opening,), opens_next=first.opens_next)
