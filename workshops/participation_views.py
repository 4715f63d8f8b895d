"""Public pages of participation: the statistics (/participacion/) and the multi-stakeholder forum
(/foro-multiactor/). Counts only, never a name; served from the page cache to anonymous visitors."""

from __future__ import annotations

from django.views.decorators.http import require_safe

from paga import clock
from paga import selectors as paga_selectors
from paga.pagecache import SITE, kept_page, public_page

from . import forum as forum_selectors
from . import stats


@require_safe
@public_page  # reads the forum's contributions: "*" (tests/paga/test_pagecache_generations.py)
def participation(request):
    plan = paga_selectors.current_plan(request)

    def context() -> dict:
        figures = stats.participation(plan)
        return {
            "plan": plan,
            "figures": figures,
            "people": [b for b in figures.breakdowns if b.key.startswith("participantes")],
            "contributions": [b for b in figures.breakdowns if b.key.startswith("aportes")],
        }

    return kept_page(request, "workshops/participation.html", context)


@require_safe
@public_page(reads=(SITE,))
def forum(request):
    plan = paga_selectors.current_plan(request)
    return kept_page(
        request,
        "workshops/forum.html",
        lambda: {"plan": plan, "page": forum_selectors.forum_page(plan=plan, today=clock.today())},
    )
