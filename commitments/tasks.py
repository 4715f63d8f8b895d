"""Celery tasks of `commitments`, found by the Celery app's autodiscovery (paga/celery.py imports each
app's `tasks` module): the plan's render jobs live in plan_tasks."""

from .plan_tasks import render_job, sweep_render_jobs

__all__ = ["render_job", "sweep_render_jobs"]
