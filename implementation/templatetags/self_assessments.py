"""The plan's self-assessments on its tracking page (/seguimiento/): the final ones with their SHA-256
and PDF, the one in consultation with its link. One query."""

from __future__ import annotations

from django import template

from ..assessment_models import SelfAssessment

register = template.Library()


@register.inclusion_tag("implementation/public/_self_assessments.html")
def self_assessments(plan) -> dict:
    reports = (
        list(
            SelfAssessment.objects.filter(plan=plan)
            .exclude(state=SelfAssessment.State.DRAFT)
            .select_related("consultation", "document")
            .order_by("kind")
        )
        if plan is not None
        else []
    )
    return {"reports": reports}
