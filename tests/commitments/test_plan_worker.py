"""The plan's documents through a real Celery worker (a thread of this process) and a real Redis broker,
with the real renderer (commitments.pdf, WeasyPrint). Skipped without REDIS_URL (a failure in CI).

The example plan has no signed-off commitment: the test has the ministries sign off its commitments 3
(MINAM, in review) and 9 (MTC, agreed) itself, then freezes and approves them with a test resolution.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from django.db import transaction

from commitments import plan_services
from commitments.models import Commitment, RenderJob
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.conftest import require
from tests.paga.test_celery import worker  # noqa: F401 - the real-worker fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TASK = "commitments.plan_tasks.render_job"
RESOLUTION = "000-2017-PCM-PRUEBA"


def pdf_text(path) -> str:
    require("poppler", bool(shutil.which("pdftotext")), "pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_worker_renders_the_approved_example_plan(
    worker,  # noqa: F811
    example_plan,
    secretariat,
    reviewer,
    other_reviewer,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer)
    three, nine = (Commitment.objects.get(plan=example_plan, number=n) for n in (3, 9))

    with transaction.atomic():
        approve_today(version, secretariat, RESOLUTION)
        assert set(version.jobs.values_list("state", flat=True)) == {RenderJob.State.PENDING}

    jobs = {job.kind: job for job in version.jobs.all()}
    for job in jobs.values():  # sent after commit, rendered by the worker
        assert worker.wait_for(TASK, (job.pk,)) == ["done"]
        job.refresh_from_db()
        assert job.state == RenderJob.State.DONE, job.error
        assert job.sha256 == hashlib.sha256((tmp_path / job.file).read_bytes()).hexdigest()

    text = pdf_text(tmp_path / jobs["plan"].file)
    for commitment in (three, nine):
        assert commitment.title in " ".join(text.split()), commitment.title
    assert RESOLUTION in text
    assert "Página 2 de" in text  # the cover (page 1) has no page number

    # Rendered again (a redelivery, a re-run): the same bytes, so the same hash and the same single file.
    plan = jobs["plan"]
    first = (plan.file, plan.sha256)
    RenderJob.objects.filter(pk=plan.pk).update(state=RenderJob.State.PENDING)
    plan_services.dispatch_render(plan.pk)
    assert worker.wait_for(TASK, (plan.pk,), count=2) == ["done", "done"]
    plan.refresh_from_db()
    assert (plan.file, plan.sha256) == first
    assert sorted(p.name for p in (tmp_path / "plan").iterdir()) == sorted(
        j.file.removeprefix("plan/") for j in jobs.values()
    )
