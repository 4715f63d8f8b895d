"""What implementation tells about the plan for paga's shared pages (paga/reports.py):

- compliance: the self-assessment, published and put to public comment for at least two weeks (OGP: "the
  government publishes its mid-term and end-of-term self-assessment and opens each to public comment
  for at least two weeks"), with the tracking page that lists them as evidence. One query.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.reports import Line
from paga.timeline_reports import day

from .assessment_models import SelfAssessment
from .assessment_services import MIN_CONSULTATION


def compliance(plan: ActionPlan) -> list[Line]:
    reports = list(
        SelfAssessment.objects.filter(plan=plan)
        .exclude(state=SelfAssessment.State.DRAFT)
        .select_related("consultation")
        .order_by("kind")
    )
    requirement = _(
        "The government publishes a mid-term and an end-of-term self-assessment and opens each to public "
        "comment for at least two weeks."
    )
    if not reports:
        return [
            Line(
                key="self-assessment",
                requirement=requirement,
                finding=_("No self-assessment has been put to public comment yet."),
                met=None,
                order=90,
            )
        ]
    parts = []
    for report in reports:
        window = report.consultation.closes_at - report.consultation.opens_at
        parts.append(
            _("%(kind)s: open to comment from %(opens)s to %(closes)s (%(days)s days), %(state)s.")
            % {
                "kind": report.get_kind_display(),
                "opens": day(timezone.localdate(report.consultation.opens_at)),
                "closes": day(timezone.localdate(report.consultation.closes_at)),
                "days": window.days,
                "state": report.get_state_display().lower(),
            }
        )
    met = all(r.consultation.closes_at - r.consultation.opens_at >= MIN_CONSULTATION for r in reports)
    return [
        Line(
            key="self-assessment",
            requirement=requirement,
            finding=" ".join(parts),
            met=met,
            evidence_url=reverse("implementation:tracking") + "#autoevaluacion",
            order=90,
        )
    ]
