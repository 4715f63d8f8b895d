"""A final self-assessment's PDF through a real Celery worker (a thread of this process) and a real Redis
broker, with the real renderer (WeasyPrint), as the plan's (tests/commitments/test_plan_worker.py).
Skipped without REDIS_URL (a failure in CI)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from implementation import assessment_services as services
from implementation.models import AssessmentDocument, SelfAssessment
from paga import vocabulary
from tests.commitments.factories import complete_commitment, ministry
from tests.commitments.test_plan_worker import pdf_text
from tests.paga.test_celery import worker  # noqa: F401 - the real-worker fixture

from .factories import approve_directly

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK = "implementation.tasks.render_assessment"


@pytest.fixture(autouse=True)
def groups() -> None:
    vocabulary.ensure()


def test_the_worker_renders_the_final_report_after_commit(worker, secretariat, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    commitment = complete_commitment(lead_entity=ministry("MINAM"))
    approve_directly(commitment)
    report = services.generate(
        plan=commitment.plan,
        kind=SelfAssessment.Kind.END_OF_TERM,
        as_of=timezone.localdate(),
        actor=secretariat,
    )
    opens = timezone.now() - datetime.timedelta(days=20)
    services.publish(
        assessment=report,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=19),
        actor=secretariat,
        at=opens,
    )
    with transaction.atomic():
        final = services.finalize(assessment=report, actor=secretariat)
        job = AssessmentDocument.objects.get(assessment=final)
        assert job.state == AssessmentDocument.State.PENDING  # sent only after commit

    assert worker.wait_for(TASK, (job.pk,)) == ["done"]
    job.refresh_from_db()
    assert job.state == AssessmentDocument.State.DONE, job.error
    assert job.sha256 == hashlib.sha256((tmp_path / job.file).read_bytes()).hexdigest()
    text = " ".join(pdf_text(tmp_path / job.file).split())
    assert final.sha256 in text
    assert commitment.title[:40] in text
