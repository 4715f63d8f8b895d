"""What commitments holds about a person (paga/personal_data.py): the work of staff on proposals,
commitments and plan versions, and the commitments that name the person's address as their contact.

A citizen has nothing here. Staff acts (versions, transitions, merges and splits, scores, reviews,
internal notes, plan versions) are the institution's record of how the plan was made: cancellation keeps
them, and the account they point to is stripped of the person instead (paga's erase_account). The
contact of a commitment is the public contact of a ministry's commitment, published in the plan: it is
listed here but not changed (ask the Secretaría to replace it), and so are the milestone reminders sent to
that address (reminders.py).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paga.personal_data import addresses, iexact_any

from .models import (
    Commitment,
    LineageLink,
    MilestoneReminder,
    PlanVersion,
    Review,
    ReviewNote,
    Score,
    Transition,
    Version,
)

TITLE = _("Commitments and the plan")
SECTIONS = {
    "versions_written": _("Versions of commitments you wrote"),
    "transitions": _("Changes of state you made"),
    "lineage": _("Merges and splits you made"),
    "scores": _("Scores you gave"),
    "reviews": _("Technical reviews you assigned or decided"),
    "review_notes": _("Internal review notes you wrote"),
    "plan_versions": _("Plan versions you created, froze or approved"),
    "contact_of": _("Commitments that give your address as their contact"),
    "milestone_reminders": _("Reminders of milestones sent to your address"),
}


def _item(commitment: Commitment) -> dict:
    return {"id": commitment.pk, "number": commitment.number, "title": commitment.title}


def export(user) -> dict:
    plan_versions = PlanVersion.objects.filter(
        Q(created_by=user) | Q(frozen_by=user) | Q(approved_by=user)
    ).select_related("plan")
    return {
        "versions_written": [
            {"commitment": _item(v.commitment), "number": v.number, "reason": v.reason, "created": v.created}
            for v in Version.objects.filter(author=user)
            .select_related("commitment")
            .order_by("created", "pk")
        ],
        "transitions": [
            {
                "commitment": _item(t.commitment),
                "from": t.from_status,
                "to": t.to_status,
                "reason": t.reason,
                "created": t.created,
            }
            for t in Transition.objects.filter(actor=user)
            .select_related("commitment")
            .order_by("created", "pk")
        ],
        "lineage": [
            {
                "kind": link.kind,
                "source": _item(link.source),
                "target": _item(link.target),
                "reason": link.reason,
                "created": link.created,
            }
            for link in LineageLink.objects.filter(actor=user).select_related("source", "target")
        ],
        "scores": [
            {"commitment": _item(s.commitment), "criterion": s.criterion, "value": s.value, "note": s.note}
            for s in Score.objects.filter(scorer=user).select_related("commitment").order_by("pk")
        ],
        "reviews": [
            {
                "commitment": _item(r.commitment),
                "entity": str(r.entity),
                "assigned_by_you": r.assigned_by_id == user.pk,
                "decided_by_you": r.decided_by_id == user.pk,
                "opened": r.opened,
                "decision": r.decision,
                "decided": r.decided,
                "reason": r.reason if r.decided_by_id == user.pk else "",
            }
            for r in Review.objects.filter(Q(assigned_by=user) | Q(decided_by=user))
            .select_related("commitment", "entity")
            .order_by("opened", "pk")
        ],
        "review_notes": [
            {"commitment": _item(n.commitment), "text": n.text, "created": n.created}
            for n in ReviewNote.objects.filter(author=user).select_related("commitment")
        ],
        "plan_versions": [
            {
                "plan": v.plan.short_name,
                "number": v.number,
                "created_by_you": v.created_by_id == user.pk,
                "frozen_by_you": v.frozen_by_id == user.pk,
                "approved_by_you": v.approved_by_id == user.pk,
                "created": v.created,
            }
            for v in plan_versions.order_by("created", "pk")
        ],
        "contact_of": [
            {**_item(c), "contact_name": c.contact_name, "contact_email": c.contact_email}
            for c in Commitment.objects.filter(iexact_any("contact_email", addresses(user))).order_by("pk")
        ],
        "milestone_reminders": [
            {
                "commitment": _item(r.milestone.commitment),
                "milestone": r.milestone.description,
                "due_date": r.due_date,
                "sent_to": r.sent_to,
                "sent_at": r.sent_at,
            }
            for r in MilestoneReminder.objects.filter(iexact_any("sent_to", addresses(user)))
            .select_related("milestone__commitment")
            .order_by("sent_at", "pk")
        ],
    }


def erase(user) -> None:
    """Nothing to erase: every row here is part of the institution's record (see the docstring)."""
