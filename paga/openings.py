"""What a visitor can do now, across the apps: the one sentence and the one action of the home page.

`paga` imports no app (as in paga/reports.py): each installed project app may have an `openings` module
with a function

    openings(plan, now) -> Found

that gives, in any plan, what is open at `now` for a visitor of `plan` (its most relevant: the request's
plan first) and when the next thing of its kind opens, if any (the page changes then). Consultations give
the open consultation, workshops the open registration, commitments the approved plan to read.
`what_now()` picks one: the lowest `rank` open now (a consultation before a registration before
reading), the request's plan before another, a real plan before a demonstration one, the one that closes
first; when nothing is open, the request's plan's timeline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Model, QuerySet, Subquery, Value, When
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import clock, registry
from .models import ActionPlan
from .plans import reverse_in
from .templatetags.portal import in_content_lang

# Ranks: the smaller, the more useful to a visitor who arrives now.
COMMENT = 100  # an open consultation: what they say now changes the plan
REGISTER = 200  # a workshop whose registration is open
READ = 300  # the approved plan
FOLLOW = 900  # the timeline (paga's own fallback)


@dataclass(frozen=True)
class Opening:
    """Something a visitor can do, in one sentence (in the active language) and one action."""

    rank: int
    plan: ActionPlan
    sentence: SafeString  # "Hasta el 28 de diciembre de 2026 puede comentar …" (say())
    action: str  # the button's label: "Comentar la consulta"
    url: str  # in `plan`'s addresses (paga.plans.reverse_in)
    closes_at: datetime.datetime | None = None  # None: stays open


@dataclass(frozen=True)
class Found:
    """One app's answer: what is open now, and when the next thing of its kind opens (None: nothing
    planned)."""

    openings: tuple[Opening, ...] = ()
    opens_next: datetime.datetime | None = None


@dataclass(frozen=True)
class Now:
    """The answer: the opening to show, and the next moment the answer may change (None: not before the
    day changes)."""

    opening: Opening
    changes_at: datetime.datetime | None


def say(message: str, **params) -> SafeString:
    """A translated sentence with its values filled in and escaped, as `{% blocktranslate %}` would (a
    value already safe, such as stored text in `in_content_lang`, is kept)."""
    return mark_safe(message % {name: conditional_escape(value) for name, value in params.items()})  # noqa: S308


def first_open(
    queryset: QuerySet, *, plan: ActionPlan, now: datetime.datetime, opens: str, closes: str
) -> tuple[Model | None, datetime.datetime | None]:
    """The best row of `queryset` open at `now`, if any, and when the next one opens (None: none still to
    open), in one query whatever the number of rows. A row is open from its `opens` field to its `closes`
    field (names of datetime fields) and belongs to a plan (`plan`, a foreign key): the best open row is
    the visitor's `plan`'s first, a real plan's before a demonstration one's, the one that closes first.
    The row comes with its plan (select_related)."""
    not_closed = queryset.filter(**{f"{closes}__gt": now})
    upcoming = not_closed.filter(**{f"{opens}__gt": now}).order_by(opens).values(opens)[:1]
    # The open ones first, best first; when none is open, the first row is one still to open.
    first = (
        not_closed.select_related("plan")
        .annotate(
            waiting=Case(
                When(**{f"{opens}__gt": now}, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            elsewhere=Case(When(plan=plan, then=Value(0)), default=Value(1), output_field=IntegerField()),
            opens_next=Subquery(upcoming),
        )
        .order_by("waiting", "elsewhere", "plan__is_demonstration", closes, "pk")
        .first()
    )
    if first is None:
        return None, None
    return (None if first.waiting else first), first.opens_next


def collect(plan: ActionPlan, now: datetime.datetime) -> list[Found]:
    """Every app's answer for a visitor of `plan`, in INSTALLED_APPS order."""
    return [module.openings(plan, now) for module in registry.app_modules("openings")]


def _relevance(plan: ActionPlan):
    def key(opening: Opening):
        closes = opening.closes_at or datetime.datetime.max.replace(tzinfo=datetime.UTC)
        return (
            opening.rank,
            opening.plan.pk != plan.pk,
            opening.plan.is_demonstration,
            closes,
        )

    return key


def follow_timeline(plan: ActionPlan) -> Opening:
    """paga's own fallback: follow the process in the plan's timeline."""
    return Opening(
        rank=FOLLOW,
        plan=plan,
        sentence=say(
            _(
                "Nothing is open for comments or registration today in %(plan)s: you can follow every "
                "stage of the process in its timeline."
            ),
            plan=in_content_lang(plan.short_name),
        ),
        action=_("See the timeline"),
        url=reverse_in(plan, "paga:timeline"),
    )


def what_now(plan: ActionPlan, now: datetime.datetime | None = None) -> Now:
    """The most relevant thing a visitor of `plan` can do at `now` (see the module's docstring)."""
    now = now or clock.now()
    found = collect(plan, now)
    open_now = sorted((o for answer in found for o in answer.openings), key=_relevance(plan))
    opening = open_now[0] if open_now else follow_timeline(plan)
    moments = [answer.opens_next for answer in found if answer.opens_next is not None]
    if opening.closes_at is not None:
        moments.append(opening.closes_at)
    return Now(opening=opening, changes_at=min(moments, default=None))
