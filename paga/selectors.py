"""Read-side helpers for the public pages of the plan and its timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404

from . import pagecache
from .models import ActionPlan, StageStatus, TimelineStage
from .pagecache import SITE


def find_current_plan(request) -> ActionPlan | None:
    """The plan being co-created now, fetched once per request (views and the header share it). A GET
    takes it from the cache under the site's generation (paga/pagecache.py `shared_value`: never stale;
    most pages read that generation anyway, so it costs no query); other methods, which may write in
    the request's transaction, from the database."""
    if not hasattr(request, "_current_plan"):

        def fetch() -> ActionPlan | None:
            return ActionPlan.objects.filter(is_current=True).first()

        if request.method in ("GET", "HEAD"):
            request._current_plan = pagecache.shared_value(request, "current-plan", fetch, reads=(SITE,))
        else:
            request._current_plan = fetch()
    return request._current_plan


def current_plan(request) -> ActionPlan:
    plan = find_current_plan(request)
    if plan is None:
        raise Http404("No current plan")
    return plan


@dataclass(frozen=True)
class PlanEntry:
    plan: ActionPlan
    url: str  # its home: the plain address for the current plan
    stable_url: str  # /planes/<slug>/: the address that stays when another plan becomes the current one


def plans_index() -> list[PlanEntry]:
    """Every plan with the address of its home (one query): the current plan first, then the others
    from the newest, a demonstration plan last."""
    from .plans import prefix, reverse_in

    found = ActionPlan.objects.order_by("-is_current", "is_demonstration", "-start_year", "short_name")
    home = reverse_in(None, "paga:home")
    return [PlanEntry(plan, reverse_in(plan, "paga:home"), f"{home}{prefix(plan)}/") for plan in found]


@dataclass(frozen=True)
class StageRow:
    stage: TimelineStage
    status: StageStatus


@dataclass
class Timeline:
    plan: ActionPlan
    today: datetime.date
    rows: list[StageRow]

    @property
    def current(self) -> list[TimelineStage]:
        return [r.stage for r in self.rows if r.status == StageStatus.CURRENT]

    @property
    def upcoming(self) -> list[TimelineStage]:
        future = [r.stage for r in self.rows if r.status == StageStatus.UPCOMING]
        return sorted(future, key=lambda s: (s.starts_on, s.order))

    @property
    def phases(self) -> list[tuple[str, list[StageRow]]]:
        """Rows grouped by phase, in the published order."""
        groups: list[tuple[str, list[StageRow]]] = []
        for row in self.rows:
            if not groups or groups[-1][0] != row.stage.phase:
                groups.append((row.stage.phase, []))
            groups[-1][1].append(row)
        return groups


def timeline(*, plan: ActionPlan, today: datetime.date) -> Timeline:
    """The plan's stages in published order, each with its status on `today` (one query)."""
    stages = TimelineStage.objects.filter(plan=plan).for_display().order_by("order")
    return Timeline(plan=plan, today=today, rows=[StageRow(s, s.status_on(today)) for s in stages])
