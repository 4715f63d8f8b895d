"""What the commitments tell about the co-creation process (hooks of paga/reports.py).

- process_summary: the proposals received by origin (thematic table, regional workshop and its region,
  virtual forum, national table…) and the commitments by theme and status.
- compliance: every commitment on its way into the plan has a lead entity and verifiable milestones,
  each with a responsible entity and a due date (what the IRM checks for "verifiable").

Only what the public may see is counted: a draft proposal (status "proposed") is left out, as on the
public pages. Strings follow the active language. Each hook runs a fixed number of queries.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paga.models import ActionPlan
from paga.reports import Block, Line, Table

from .models import Commitment, OriginKind, Status

# Commitments on their way into the plan: agreed at the national tables, then reviewed and signed off.
PLAN_STATUSES = (Status.AGREED, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED, Status.INCLUDED)


def _public(plan: ActionPlan):
    return Commitment.objects.filter(plan=plan).exclude(status=Status.PROPOSED)


def process_summary(plan: ActionPlan) -> list[Block]:
    """Proposals by origin, commitments by theme and status. Two queries."""
    origins = list(
        _public(plan).values_list("origin_kind", "origin_region__name").annotate(n=Count("pk")).order_by()
    )
    kind_order = {code: n for n, code in enumerate(OriginKind.values)}
    origins.sort(key=lambda row: (kind_order.get(row[0], len(kind_order)), row[1] or ""))
    total = sum(n for _kind, _region, n in origins)
    by_origin = Table(
        caption=_("Proposals and commitments by origin"),
        headers=[_("Origin"), _("Region of origin"), _("Proposals")],
        rows=[[str(OriginKind(kind).label), region or "", n] for kind, region, n in origins]
        + ([[_("Total"), "", total]] if origins else []),
    )

    cells = (
        _public(plan).values_list("theme__order", "theme__name", "status").annotate(n=Count("pk")).order_by()
    )
    matrix: dict[tuple, Counter] = {}
    for theme_order, theme, status, n in cells:
        key = (theme_order is None, theme_order or 0, theme or "")
        matrix.setdefault(key, Counter())[status] += n
    present = [code for code in Status.values if any(row[code] for row in matrix.values())]
    by_theme = Table(
        caption=_("Proposals and commitments by theme and status"),
        headers=[_("Theme"), *[str(Status(code).label) for code in present], _("Total")],
        rows=[
            [theme or _("No theme"), *[row[code] for code in present], sum(row.values())]
            for (_none, _order, theme), row in sorted(matrix.items())
        ],
    )
    regional = sum(n for kind, _region, n in origins if kind == OriginKind.REGIONAL_WORKSHOP)
    paragraphs = [
        ngettext(
            "%(total)s proposal or commitment is public; %(regional)s came from the regional workshops.",
            "%(total)s proposals and commitments are public; %(regional)s came from the regional workshops.",
            total,
        )
        % {"total": total, "regional": regional}
        if total
        else _("No proposals published yet.")
    ]
    return [
        Block(
            key="commitments-by-origin",
            title=_("Proposals received by origin"),
            paragraphs=paragraphs,
            tables=[by_origin] if origins else [],
            order=20,
        ),
        Block(
            key="commitments-by-theme",
            title=_("Commitments by theme and status"),
            paragraphs=[
                _("Each proposal is counted once, in the status it has now (merged and split ones included).")
            ],
            tables=[by_theme] if matrix else [],
            order=25,
        ),
    ]


def compliance(plan: ActionPlan) -> list[Line]:
    """Every commitment on its way into the plan has a lead entity and verifiable milestones. One query."""
    rows = list(
        Commitment.objects.filter(plan=plan, status__in=PLAN_STATUSES)
        .annotate(
            n_milestones=Count("milestones"),
            n_unverifiable=Count(
                "milestones",
                filter=Q(milestones__responsible__isnull=True) | Q(milestones__due_date__isnull=True),
            ),
        )
        .values_list("number", "title", "lead_entity_id", "n_milestones", "n_unverifiable")
        .order_by("number", "pk")
    )
    requirement = _(
        "Every commitment has a lead entity and verifiable milestones, each with a responsible entity "
        "and a due date."
    )
    if not rows:
        return [
            Line(
                key="commitments-verifiable",
                requirement=requirement,
                finding=_("Not recorded: no commitment has been agreed for the plan yet."),
                met=None,
                evidence_url=reverse("commitments:list"),
                order=80,
            )
        ]
    lacking = [
        f"{number}. {title}" if number else title
        for number, title, lead, n_milestones, n_unverifiable in rows
        if not lead or not n_milestones or n_unverifiable
    ]
    complete = len(rows) - len(lacking)
    of_total = ngettext("%(n)s commitment", "%(n)s commitments", len(rows)) % {"n": len(rows)}
    finding = ngettext(  # the verb agrees with the first number: "1 of 4 commitments has"
        "%(complete)s of %(commitments)s has a lead entity and verifiable milestones.",
        "%(complete)s of %(commitments)s have a lead entity and verifiable milestones.",
        complete,
    ) % {"complete": complete, "commitments": of_total}
    if lacking:
        finding += " " + _("Lacking: %(titles)s.") % {"titles": "; ".join(lacking)}
    return [
        Line(
            key="commitments-verifiable",
            requirement=requirement,
            finding=finding,
            met=not lacking,
            evidence_url=reverse("commitments:list"),
            note=_("Counted: commitments agreed at the national tables and after (review, approval, plan)."),
            order=80,
        )
    ]
