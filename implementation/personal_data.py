"""What implementation tracking holds about a person (paga/personal_data.py): the progress reports a
ministry reviewer sent and the decisions a member of the Secretaría took on them.

A citizen has nothing here. Reports and decisions are the institution's record of how the plan was
carried out (a validated report is public): cancellation keeps them, and the account they point to is
stripped of the person instead (paga's erase_account).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ProgressReport, ReportTransition

TITLE = _("Implementation tracking")
SECTIONS = {
    "reports_sent": _("Progress reports you sent"),
    "report_decisions": _("Progress reports you validated or returned"),
}


def _milestone(report: ProgressReport) -> dict:
    commitment = report.milestone.commitment
    return {
        "commitment": {"id": commitment.pk, "number": commitment.number, "title": commitment.title},
        "milestone": report.milestone.description,
        "report": report.number,
    }


def export(user) -> dict:
    return {
        "reports_sent": [
            {
                **_milestone(r),
                "status": r.status,
                "done": r.done,
                "as_of": r.as_of,
                "state": r.state,
                "created": r.created,
            }
            for r in ProgressReport.objects.filter(author=user)
            .select_related("milestone__commitment")
            .order_by("created", "pk")
        ],
        "report_decisions": [
            {**_milestone(t.report), "to": t.to_state, "reason": t.reason, "at": t.at}
            for t in ReportTransition.objects.filter(Q(actor=user) & ~Q(from_state=""))
            .select_related("report__milestone__commitment")
            .order_by("at", "pk")
        ],
    }


def erase(user) -> None:
    """Nothing to erase: every row here is part of the institution's record (see the docstring)."""
