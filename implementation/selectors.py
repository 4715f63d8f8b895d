"""Read-side helpers of the staff pages: which commitments are being implemented (those of the plan's
approved version), a reviewer's milestones with their progress, the Secretaría's queue. Each is a fixed
number of queries whatever the number of milestones or reports."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from commitments.models import Commitment, Milestone, PlanItem, PlanVersion
from paga.models import ActionPlan

from . import progress
from .models import Evidence, ProgressReport, ReportState


def approved_version(plan: ActionPlan) -> PlanVersion | None:
    """The plan's approved version in force: the latest approved (a later one supersedes it)."""
    return PlanVersion.objects.filter(plan=plan, state=PlanVersion.State.APPROVED).order_by("-number").first()


def implemented_items(plan: ActionPlan) -> QuerySet[PlanItem]:
    """The items of the plan's approved version in force: the commitments being implemented."""
    latest = PlanVersion.objects.filter(plan=OuterRef("version__plan"), state=PlanVersion.State.APPROVED)
    return PlanItem.objects.filter(
        version__plan=plan,
        version__state=PlanVersion.State.APPROVED,
        version__number=Subquery(latest.order_by("-number").values("number")[:1]),
    )


def implemented_commitments(plan: ActionPlan) -> QuerySet[Commitment]:
    return Commitment.objects.filter(plan=plan, plan_items__in=implemented_items(plan))


def is_implemented(commitment: Commitment) -> bool:
    """The commitment is in its plan's approved version in force (what progress may be reported on)."""
    return implemented_items(commitment.plan).filter(commitment=commitment).exists()


def _latest_report(field: str) -> Subquery:
    return Subquery(
        ProgressReport.objects.filter(milestone=OuterRef("pk")).order_by("-number").values(field)[:1]
    )


def milestones_to_report(*, user, plan: ActionPlan) -> list[Milestone]:
    """The milestones of the commitments `user`'s entity leads in the plan's approved version, each with
    its progress (progress.with_progress) and its latest report's state and id (`last_state`,
    `last_report_id`): one query."""
    entity_id = getattr(user, "entity_id", None)
    if entity_id is None:
        return []
    milestones = Milestone.objects.filter(
        commitment__in=implemented_commitments(plan), commitment__lead_entity_id=entity_id
    ).select_related("commitment")
    milestones = progress.with_progress(milestones).annotate(
        last_state=_latest_report("state"), last_report_id=_latest_report("pk")
    )
    return list(milestones.order_by("commitment__number", "order", "pk"))


def history(milestone: Milestone) -> list[ProgressReport]:
    """Every report on the milestone, newest first, with its evidence and transitions (three queries)."""
    return list(
        milestone.progress_reports.select_related("author", "decided_by", "corrects")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("pk")),
            "transitions__actor",
        )
        .order_by("-number")
    )


def queue(plan: ActionPlan) -> list[ProgressReport]:
    """Reports waiting for the Secretaría in the plan, oldest first, with what it needs to decide (two
    queries)."""
    return list(
        ProgressReport.objects.in_plan(plan)
        .filter(state=ReportState.SUBMITTED)
        .select_related("milestone__commitment", "entity", "author", "corrects")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("created", "pk")
    )
