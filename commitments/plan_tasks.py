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
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from paga import storage

from . import plan_services
from .plan_models import RenderedDocument, RenderJob

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


def _store(name: str, content: bytes, sha: str) -> str:
    """Store the file `name` (made of its SHA-256) in the default storage (paga.storage.save_exact:
    the disk or the object store); return the name it is stored under."""
    return storage.save_exact(name, content, sha)


def file_present(job: RenderedDocument) -> bool:
    return storage.present(job.file)


def run(
    queryset: QuerySet,
    pk: int,
    *,
    render: Callable[[RenderedDocument], bytes],
    name: Callable[[RenderedDocument, str], str],
) -> str:
    """Render one job (a RenderedDocument of `queryset`) once: `render(job)` gives the bytes, `name(job,
    sha256)` the file's name in the default storage (paga.storage). Returns what happened: "done",
    "skipped" (already done, its file present), "busy" (another worker is rendering it now). Raises,
    with the job marked failed, on an error."""
    model = queryset.model
    stale = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with transaction.atomic():
        job = queryset.select_for_update(of=("self",)).get(pk=pk)
        if job.state == model.State.DONE and file_present(job):
            return "skipped"
        if job.state == model.State.RUNNING and job.started and job.started > stale:
            return "busy"
        job.state, job.started, job.attempts = model.State.RUNNING, timezone.now(), job.attempts + 1
        job.save(update_fields=["state", "started", "attempts"])
    previous = job.file
    try:
        content = render(job)
        sha = hashlib.sha256(content).hexdigest()
        stored = _store(name(job, sha), content, sha)
    except Exception as exc:
        model.objects.filter(pk=pk).update(
            state=model.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000], finished=timezone.now()
        )
        raise
    model.objects.filter(pk=pk).update(
        state=model.State.DONE,
        file=stored,
        sha256=sha,
        size=len(content),
        error="",
        finished=timezone.now(),
    )
    if previous and previous != stored:  # a new rendering replaced an old file: one file per job
        storage.discard(previous)
    return "done"


def execute(pk: int) -> str:
    """Render one document of an approved version once (see run())."""
    return run(
        RenderJob.objects.select_related("version__plan"),
        pk,
        render=lambda job: render_version(job.kind, job.version),
        name=lambda job, sha: (
            f"{FOLDER}/{job.version.plan.slug}-v{job.version.number}-{job.kind}-{sha[:16]}.pdf"
        ),
    )


def run_task(task, execute_one: Callable[[int], str], pk: int, missing: type[Exception]) -> str:
    """The body of a render task (idempotent: a redelivered task renders nothing twice)."""
    try:
        result = execute_one(pk)
    except missing:
        return "missing"
    except Exception as exc:
        raise task.retry(exc=exc) from exc
    if result == "busy" and not task.request.called_directly and not task.request.is_eager:
        # Another worker claimed it, or a worker that was killed mid-render did (the pool's process
        # lost: the message comes back at once). Look again once that claim is stale: done by then, or
        # rendered here (a run that finds it done does nothing).
        raise task.retry(countdown=settings.CELERY_TASK_TIME_LIMIT + 5)
    return result


def sweep(model: type[RenderedDocument], task, older_than_seconds: int = 60) -> int:
    """Send again `model`'s jobs still pending (the broker was down) and those stuck running past the
    task time limit (their worker was lost), to `task`."""
    now = timezone.now()
    pending = model.objects.filter(
        state=model.State.PENDING,
        queued__lte=now - datetime.timedelta(seconds=older_than_seconds),
        attempts__lt=MAX_ATTEMPTS,
    )
    stuck = model.objects.filter(
        state=model.State.RUNNING,
        started__lte=now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
        attempts__lt=MAX_ATTEMPTS,
    )
    found = list((pending | stuck).order_by("pk").values_list("pk", flat=True)[:100])
    sent = []
    for pk in found:
        try:
            task.delay(pk)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning(
                "Broker unreachable: %s render jobs stay pending.", len(found) - len(sent), exc_info=True
            )
            break
        sent.append(pk)
    if sent:
        model.objects.filter(pk__in=sent, state=model.State.PENDING).update(queued=now)
    return len(sent)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def render_job(self, pk: int) -> str:
    """Render one document of an approved version (idempotent: a redelivered task renders nothing twice)."""
    return run_task(self, execute, pk, RenderJob.DoesNotExist)


@shared_task
def sweep_render_jobs(older_than_seconds: int = 60) -> int:
    """Periodic sweep of the plan's documents (see sweep())."""
    return sweep(RenderJob, render_job, older_than_seconds)
