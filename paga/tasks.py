from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from .models import OutboundEmail
from .services import deliver_email


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def send_email(self, pk: int) -> bool:
    """Send one email of the outbox; idempotent, so a redelivered task sends nothing twice."""
    try:
        return deliver_email(pk)
    except OutboundEmail.DoesNotExist:
        return False
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def send_emails(pks: list[int]) -> int:
    """Hand each email of a batch (paga.services.queue_emails) to its own task: each is sent, and retried,
    on its own. What a lost batch leaves unsent, the sweep publishes again."""
    for pk in pks:
        send_email.delay(pk)
    return len(pks)


@shared_task
def send_pending_email(older_than_seconds: int = 60) -> int:
    """Periodic sweep: publish again what is still unsent (broker was down, worker lost it)."""
    # Real time, like the outbox's created_at and sent_at (paga/clock.py): not the simulated day.
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = list(
        OutboundEmail.objects.filter(
            sent_at__isnull=True, created_at__lte=cutoff, attempts__lt=10
        ).values_list("pk", flat=True)[:500]
    )
    for pk in pending:
        send_email.delay(pk)
    return len(pending)
