"""Celery tasks of `commitments`, found by the Celery app's autodiscovery (paga/celery.py imports each
app's `tasks` module): the plan's render jobs live in plan_tasks; the milestones' reminders here."""

from celery import shared_task

from . import reminders
from .plan_tasks import render_job, sweep_render_jobs

__all__ = ["render_job", "send_milestone_reminders", "sweep_render_jobs"]


@shared_task(acks_late=True)
def send_milestone_reminders() -> int:
    """Hourly (paga/settings.py CELERY_BEAT_SCHEDULE): remind each approved commitment's contact of the
    milestones due within COCREA_MILESTONE_REMINDER_DAYS, once per milestone and due date."""
    return reminders.send_milestone_reminders()
