"""The render job's mechanics, with a stand-in renderer: one file per job whatever the reruns, the
SHA-256 of its bytes, failures recorded and retried. The real renderer: test_plan_worker.py."""

from __future__ import annotations

import hashlib

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from commitments import plan_services, plan_tasks
from commitments.models import RenderJob
from tests.commitments.test_plan_services import RM, fake_pdf, frozen_version, signed_off

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def job(secretariat, reviewer, monkeypatch, django_capture_on_commit_callbacks) -> RenderJob:
    """The plan job of an approved version, not run yet (the dispatch after commit is held back)."""
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    with monkeypatch.context() as patched:
        patched.setattr(plan_tasks.render_job, "delay", lambda pk: None)
        plan_services.approve(version=version, actor=secretariat, **RM)
    return version.jobs.get(kind=RenderJob.Kind.PLAN)


@pytest.fixture
def renders(monkeypatch):
    calls = []

    def render(kind, document):
        calls.append(kind)
        return fake_pdf(kind, document)

    monkeypatch.setattr(plan_tasks, "render", render)
    return calls


def files(media) -> list[str]:
    return sorted(p.name for p in (media / "plan").iterdir())


def test_a_job_stores_its_file_with_the_hash_of_its_bytes(job, renders, media):
    assert plan_tasks.render_job.delay(job.pk).get() == "done"

    job.refresh_from_db()
    content = (media / job.file).read_bytes()
    assert job.state == RenderJob.State.DONE
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.size == len(content)
    assert job.attempts == 1
    assert job.file.startswith("plan/")
    assert job.sha256[:16] in job.file
    assert job.started <= job.finished <= timezone.now()


def test_running_a_job_twice_gives_one_file_and_the_same_hash(job, renders, media):
    plan_tasks.render_job.delay(job.pk)
    job.refresh_from_db()
    first = (job.file, job.sha256)

    assert plan_tasks.render_job.delay(job.pk).get() == "skipped"  # a redelivered task: nothing to do
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.PENDING)  # rendered again anyway
    assert plan_tasks.render_job.delay(job.pk).get() == "done"

    job.refresh_from_db()
    assert (job.file, job.sha256) == first
    assert files(media) == [first[0].removeprefix("plan/")]
    assert renders == ["plan", "plan"]


def test_a_done_job_whose_file_was_lost_renders_it_again(job, renders, media):
    plan_tasks.render_job.delay(job.pk)
    job.refresh_from_db()
    (media / job.file).unlink()

    assert plan_tasks.render_job.delay(job.pk).get() == "done"
    assert (media / job.file).is_file()


def test_a_job_another_worker_is_rendering_is_left_to_it(job, renders):
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.RUNNING, started=timezone.now())
    assert plan_tasks.render_job.delay(job.pk).get() == "busy"
    assert renders == []


def test_a_failure_is_recorded_with_its_error_and_retried(job, monkeypatch):
    def broken(kind, document):
        raise OSError("No space left on device «/media»")

    monkeypatch.setattr(plan_tasks, "render", broken)
    with pytest.raises(Retry, match="No space left"):  # Celery schedules the retry (inline: raised)
        plan_tasks.render_job.delay(job.pk)

    job.refresh_from_db()
    assert job.state == RenderJob.State.FAILED
    assert job.error == "OSError: No space left on device «/media»"
    assert job.attempts == 1
    assert job.file == ""

    monkeypatch.setattr(plan_tasks, "render", fake_pdf)  # the retry, once the disk has room again
    assert plan_tasks.render_job.delay(job.pk).get() == "done"
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == (RenderJob.State.DONE, "", 2)


def test_a_job_stuck_running_is_swept(job, renders):
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.RUNNING, started=long_ago)
    RenderJob.objects.exclude(pk=job.pk).update(state=RenderJob.State.FAILED)  # not swept: re-run by hand
    assert plan_tasks.sweep_render_jobs() == 1
    job.refresh_from_db()
    assert job.state == RenderJob.State.DONE


def test_the_task_is_acknowledged_late_and_retried():
    assert plan_tasks.render_job.acks_late is True
    assert plan_tasks.render_job.max_retries >= 1


def test_the_sweep_is_scheduled_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-render-jobs"]
    assert entry["task"] == plan_tasks.sweep_render_jobs.name
    assert entry["schedule"] <= 60
