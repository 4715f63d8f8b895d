"""The one rule for how far a commitment has got, written once: the pages show `RULE`, the code below
applies it (issue 14: "commitment completion computed from its milestones, the rule written down and
shown").

- Each milestone counts the same.
- A milestone's status is that of its latest validated report (by version number); with no validated
  report it has not started. Submitted or returned reports count for nothing until validated.
- Weights: not started 0, limited 1/3, substantial 2/3, complete 1.
- A commitment's completion is the mean of its milestones' weights, as a whole percentage.
- A milestone is delayed when its due date is before today (the portal's clock) and it is not complete.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from fractions import Fraction

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from paga import clock

from .models import ProgressReport, ProgressStatus, ReportState

RULE = _(
    "Each milestone counts the same. A milestone's status is that of its latest report validated by the "
    "Secretaría (without one, not started). A commitment's completion is the average of its milestones: "
    "not started counts 0, limited one third, substantial two thirds and complete the whole; it is shown "
    "as a percentage without decimals. A milestone is delayed when its due date has passed and it is not "
    "complete."
)

WEIGHTS: dict[str, Fraction] = {
    ProgressStatus.NOT_STARTED: Fraction(0),
    ProgressStatus.LIMITED: Fraction(1, 3),
    ProgressStatus.SUBSTANTIAL: Fraction(2, 3),
    ProgressStatus.COMPLETE: Fraction(1),
}


def weight(status: str | None) -> Fraction:
    """A status's share of a milestone (None or empty: not started)."""
    return WEIGHTS[status or ProgressStatus.NOT_STARTED]


def completion(statuses: Iterable[str | None]) -> int | None:
    """The completion of a commitment whose milestones have `statuses`, as a whole percentage (half up);
    None when it has no milestone (nothing to measure, not 0 %)."""
    shares = [weight(s) for s in statuses]
    if not shares:
        return None
    mean = sum(shares, Fraction(0)) / len(shares) * 100
    return int(mean + Fraction(1, 2))


def is_delayed(
    status: str | None, due_date: datetime.date | None, today: datetime.date | None = None
) -> bool:
    """Due date before today and not complete (a milestone without a due date is never delayed)."""
    if due_date is None:
        return False
    today = today or clock.today()
    return due_date < today and (status or ProgressStatus.NOT_STARTED) != ProgressStatus.COMPLETE


def _latest_validated(field: str) -> Subquery:
    return Subquery(
        ProgressReport.objects.filter(milestone=OuterRef("pk"), state=ReportState.VALIDATED)
        .order_by("-number")
        .values(field)[:1]
    )


def with_progress(milestones: QuerySet) -> QuerySet:
    """Milestones annotated, in the same query, with `progress_status` (the latest validated report's
    status, NOT_STARTED without one), `progress_as_of` and `progress_report_id` (None without one)."""
    return milestones.annotate(
        progress_status=Coalesce(_latest_validated("status"), Value(ProgressStatus.NOT_STARTED.value)),
        progress_as_of=_latest_validated("as_of"),
        progress_report_id=_latest_validated("pk"),
    )


def milestone_status(milestone) -> str:
    """The status of a milestone from `with_progress` (or, unannotated, one query)."""
    if hasattr(milestone, "progress_status"):
        return milestone.progress_status
    latest = (
        milestone.progress_reports.filter(state=ReportState.VALIDATED)
        .order_by("-number")
        .values("status")
        .first()
    )
    return latest["status"] if latest else ProgressStatus.NOT_STARTED
