"""Drill: the worker is killed (SIGKILL) in the middle of rendering the plan's PDF. Once a worker runs
again, each document is produced exactly once: the job ends done, one file per document, the same
SHA-256 as a render in this process, and nothing left in the broker to render it again.

Two ways of dying: the pool process rendering the PDF (what the kernel's OOM killer picks: the biggest
process), and the whole worker with its pool (the machine or container lost). Real `celery -A paga
worker` processes (prefork, as `make worker`) on a redis-server of the drill and the test database
(PostgreSQL). The task time limit is shortened to 20 s (COCREA_TASK_TIME_LIMIT) and the broker's
redelivery to 25 s (COCREA_TASK_REDELIVERY) so that the drill takes a minute, not five.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
from contextlib import contextmanager

import pytest
from celery import Celery, _state

from commitments import plan_tasks
from commitments.models import RenderJob
from tests.commitments.factories import approve_today, freeze_example_plan

from .conftest import Worker, portal_env, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TIME_LIMIT, REDELIVERY = 20, 25


@contextmanager
def publishing_to(broker_url: str):
    """Tasks published by this process (paga's shared tasks, after commit) go to `broker_url`, to the
    queue `make worker` consumes, instead of running inline as elsewhere in the tests."""
    app = Celery("drill-publisher", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker_url, task_always_eager=False, result_backend=None)
    previous_current, previous_default = _state.get_current_app(), _state.default_app
    app.set_current()
    _state.default_app = app
    try:
        yield app
    finally:
        previous_current.set_current()
        _state.default_app = previous_default
        app.close()


@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_a_worker_killed_mid_render_produces_the_pdf_once_after_restart(
    killed,
    example_plan,
    secretariat,
    reviewer,
    other_reviewer,
    redis_server,
    postgres_test_url,
    processes,
    settings,
    tmp_path,
):
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer, why="simulacro")
    media = tmp_path / "media"
    redis_server.start()
    env = portal_env(
        postgres_test_url,
        media,
        REDIS_URL=redis_server.url,
        COCREA_TASK_TIME_LIMIT=str(TIME_LIMIT),
        COCREA_TASK_REDELIVERY=str(REDELIVERY),
    )
    first = Worker(env, tmp_path / "worker-1.log", name="drill-first")
    processes.append(first)

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with publishing_to(redis_server.url):
        # Its own transaction: both render jobs are published once it commits.
        approve_today(version, secretariat, "000-2017-PCM-SIMULACRO")
    jobs = list(version.jobs.order_by("pk"))
    assert len(jobs) == 2

    def running():
        return RenderJob.objects.filter(version=version, state=RenderJob.State.RUNNING).first()

    victim = wait_until(running, 60, f"a render job running\n{first.output()}", interval=0.02)
    if killed == "pool process":
        children = first.pool_children()
        assert children, "no pool process to kill"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
    else:
        first.stop(signal.SIGKILL)  # the worker and its pool, at once
    victim.refresh_from_db()
    assert victim.state == RenderJob.State.RUNNING, "the render finished before the kill: make it slower"
    assert not [
        p for p in (media / "plan").glob("*") if re.search(rf"-v\d+-{victim.kind}-\w{{16}}\.pdf$", p.name)
    ]

    if killed == "whole worker":
        second = Worker(env, tmp_path / "worker-2.log", name="drill-second")
        processes.append(second)
        logs = second
    else:
        logs = first  # its main process survives and starts a new pool process

    def all_done():
        states = set(RenderJob.objects.filter(version=version).values_list("state", flat=True))
        assert RenderJob.State.FAILED not in states, logs.output()
        return states == {RenderJob.State.DONE}

    wait_until(
        all_done, TIME_LIMIT + REDELIVERY + 60, f"both documents rendered\n{logs.output()}", interval=0.5
    )

    # Exactly once: one file per document, the bytes of a render here, nothing left to run again.
    for job in jobs:
        job.refresh_from_db()
        expected = hashlib.sha256(plan_tasks.render_version(job.kind, job.version)).hexdigest()
        assert job.sha256 == expected, job.kind
        assert hashlib.sha256((media / job.file).read_bytes()).hexdigest() == expected
        assert job.attempts == (2 if job.pk == victim.pk else 1), (job.kind, job.attempts)
    assert sorted(p.name for p in (media / "plan").iterdir()) == sorted(
        job.file.removeprefix("plan/") for job in jobs
    )
    broker = redis_server.client()
    assert broker.llen("celery") == 0
    assert broker.hlen("unacked") == 0, "a message is still waiting to be redelivered"
    if killed == "pool process":
        assert "WorkerLostError" in first.output(full=True)
