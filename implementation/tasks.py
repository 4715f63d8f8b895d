"""The worker's side of the self-assessment: render a final report's PDF, and sweep the renders left
behind (the plan's machinery, commitments.plan_tasks, with this document's renderer and file name)."""

from __future__ import annotations

from celery import shared_task

from commitments import plan_tasks

from .assessment_models import AssessmentDocument

FOLDER = "autoevaluacion"


def execute(pk: int) -> str:
    """Render one final report's PDF once (commitments.plan_tasks.run)."""
    from . import assessment_pdf

    return plan_tasks.run(
        AssessmentDocument.objects.select_related("assessment__plan"),
        pk,
        render=lambda job: assessment_pdf.render(job.assessment),
        name=lambda job, sha: f"{FOLDER}/{job.assessment.plan.slug}-{job.assessment.kind}-{sha[:16]}.pdf",
    )


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def render_assessment(self, pk: int) -> str:
    """Render a final self-assessment's PDF (idempotent: a redelivered task renders nothing twice)."""
    return plan_tasks.run_task(self, execute, pk, AssessmentDocument.DoesNotExist)


@shared_task
def sweep_assessment_documents(older_than_seconds: int = 60) -> int:
    """Periodic sweep of the self-assessments' PDFs (commitments.plan_tasks.sweep)."""
    return plan_tasks.sweep(AssessmentDocument, render_assessment, older_than_seconds)
