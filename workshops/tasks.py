"""Background work of workshops: the reminder email the day before an event (issue 5, item 2)."""

from __future__ import annotations

from celery import shared_task

from . import registrations


@shared_task(acks_late=True)
def send_registration_reminders() -> int:
    """Hourly (paga/settings.py CELERY_BEAT_SCHEDULE): remind every confirmed registrant of the events
    starting the next day (Lima date), once each; a rerun or a redelivered task sends nothing twice."""
    return registrations.send_reminders()
