"""The worker's side of the plan's documents: render one job, and sweep the jobs left behind.

A job is idempotent: it renders a frozen version (which never changes) into bytes that are the same on
every run, stored under a name made of the version, the kind and the SHA-256, so a rerun or a redelivered
task writes the same file, never a second one. Tasks are acknowledged late and retried on failure; the
sweep re-sends what is still pending (broker down at approval time) or stuck running (worker lost).
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from paga import storage

from . import plan_services
from .plan_models import RenderJob

RENDERERS = {RenderJob.Kind.PLAN: "render_plan", RenderJob.Kind.REPORT: "render_cocreation_report"}
FOLDER = "plan"
logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10  # the sweep leaves a job alone after this many runs; staff re-run it by hand


def render(kind: str, document) -> bytes:
    """The PDF of `document` (commitments.pdf, WeasyPrint)."""
    from . import pdf

    return getattr(pdf, RENDERERS[kind])(document)


def render_version(kind: str, version) -> bytes:
    """The PDF of one document of a version. The document (its process summary and annex blocks
    included) is built in the PDF's language, Spanish, whatever language is active: an inline render
    during an English request, or a process that served English pages before, gives the same bytes as
    a worker."""
    from . import pdf

    with translation.override(pdf.LANGUAGE):
        document = plan_services.document(version)
    return render(kind, document)


def _store(job: RenderJob, content: bytes, sha: str) -> str:
    """Store the file under plan/ in the default storage (paga.storage.save_exact: the disk or the
    object store); return the name it is stored under."""
    name = f"{FOLDER}/{job.version.plan.slug}-v{job.version.number}-{job.kind}-{sha[:16]}.pdf"
    return storage.save_exact(name, content, sha)


def file_present(job: RenderJob) -> bool:
    return storage.present(job.file)


def execute(pk: int) -> str:
    """Render one job once. Returns what happened: "done", "skipped" (already done, its file present),
    "busy" (another worker is rendering it now). Raises, with the job marked failed, on an error."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().select_related("version__plan").get(pk=pk)
        if job.state == RenderJob.State.DONE and file_present(job):
            return "skipped"
        if job.state == RenderJob.State.RUNNING and job.started and job.started > stale:
            return "busy"
        job.state, job.started, job.attempts = RenderJob.State.RUNNING, timezone.now(), job.attempts + 1
        job.save(update_fields=["state", "started", "attempts"])
    previous = job.file
    try:
        content = render_version(job.kind, job.version)
        sha = hashlib.sha256(content).hexdigest()
        name = _store(job, content, sha)
    except Exception as exc:
        RenderJob.objects.filter(pk=pk).update(
            state=RenderJob.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000], finished=timezone.now()
        )
        raise
    RenderJob.objects.filter(pk=pk).update(
        state=RenderJob.State.DONE,
        file=name,
        sha256=sha,
        size=len(content),
        error="",
        finished=timezone.now(),
    )
    if previous and previous != name:  # a new rendering replaced an old file: one file per job
        storage.discard(previous)
    return "done"


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def render_job(self, pk: int) -> str:
    """Render one document of an approved version (idempotent: a redelivered task renders nothing twice)."""
    try:
        result = execute(pk)
    except RenderJob.DoesNotExist:
        return "missing"
    except Exception as exc:
        raise self.retry(exc=exc) from exc
    if result == "busy" and not self.request.called_directly and not self.request.is_eager:
        # Another worker claimed it, or a worker that was killed mid-render did (the pool's process
        # lost: the message comes back at once). Look again once that claim is stale: done by then, or
        # rendered here (a run that finds it done does nothing).
        raise self.retry(countdown=settings.CELERY_TASK_TIME_LIMIT + 5)
    return result


@shared_task
def sweep_render_jobs(older_than_seconds: int = 60) -> int:
    """Periodic sweep: send again the jobs still pending (the broker was down at approval) and the jobs
    stuck running past the task time limit (their worker was lost)."""
    now = timezone.now()
    pending = RenderJob.objects.filter(
        state=RenderJob.State.PENDING,
        queued__lte=now - datetime.timedelta(seconds=older_than_seconds),
        attempts__lt=MAX_ATTEMPTS,
    )
    stuck = RenderJob.objects.filter(
        state=RenderJob.State.RUNNING,
        started__lte=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
        attempts__lt=MAX_ATTEMPTS,
    )
    found = list((pending | stuck).order_by("pk").values_list("pk", flat=True)[:100])
    sent = []
    for pk in found:
        try:
            render_job.delay(pk)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning(
                "Broker unreachable: %s render jobs stay pending.", len(found) - len(sent), exc_info=True
            )
            break
        sent.append(pk)
    if sent:
        RenderJob.objects.filter(pk__in=sent, state=RenderJob.State.PENDING).update(queued=now)
    return len(sent)
