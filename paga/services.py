"""Business rules of `paga`: accounts, consent and the email outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from . import roles
from .models import Consent, OutboundEmail, User

logger = logging.getLogger(__name__)


@transaction.atomic
def record_signup(*, user: User, display_name: str, consented: bool) -> Consent:
    """Complete a new account: display name, citizen role and the consent row (Ley 29733).

    Consent must be prior and express: without it there is no account.
    """
    if not consented:
        raise ValueError("Consent to the personal-data policy is required to create an account.")
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    user.groups.add(Group.objects.get_or_create(name=roles.CITIZEN)[0])
    return Consent.objects.create(
        user=user,
        purpose=Consent.Purpose.PERSONAL_DATA,
        policy_version=settings.COCREA_PRIVACY_POLICY_VERSION,
    )


def queue_email(message: EmailMessage) -> OutboundEmail:
    """Store `message` in the outbox and hand it to the worker once the transaction commits.

    If the broker cannot be reached the row stays pending and the periodic sweep sends it later.
    """
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mime in message.alternatives if mime == "text/html"), "")
    email = OutboundEmail.objects.create(
        to=list(message.to),
        subject=message.subject,
        body=message.body,
        html_body=html,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
    )
    transaction.on_commit(lambda: dispatch_email(email.pk))
    return email


def dispatch_email(pk: int) -> None:
    from .tasks import send_email

    try:
        send_email.delay(pk)
    except Exception:  # broker down: the sweep (paga.tasks.send_pending_email) retries
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        logger.warning("Could not publish email %s; it stays in the outbox for the sweep.", pk, exc_info=True)


def deliver_email(pk: int) -> bool:
    """Send one outbox row once. Returns False if it was already sent (a rerun is harmless)."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=pk)
        if email.sent_at:
            return False
        message = EmailMultiAlternatives(email.subject, email.body, email.from_email, email.to)
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:
            OutboundEmail.objects.filter(pk=pk).update(attempts=email.attempts, last_error=str(exc)[:2000])
            raise
        email.sent_at = timezone.now()
        email.body = email.html_body = ""
        email.last_error = ""
        email.save(update_fields=["sent_at", "body", "html_body", "attempts", "last_error"])
        return True
