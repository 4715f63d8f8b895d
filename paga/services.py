"""Business rules of `paga`: accounts, consent and the email outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import roles
from .models import Consent, EmailOptOut, OutboundEmail, User

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


def _outbound(message: EmailMessage) -> OutboundEmail:
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mime in message.alternatives if mime == "text/html"), "")
    return OutboundEmail(
        to=list(message.to),
        subject=message.subject,
        body=message.body,
        html_body=html,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        headers={str(name): str(value) for name, value in (message.extra_headers or {}).items()},
    )


def queue_email(message: EmailMessage) -> OutboundEmail:
    """Store `message` in the outbox and hand it to the worker once the transaction commits.

    If the broker cannot be reached the row stays pending and the periodic sweep sends it later.
    """
    return queue_emails([message])[0]


def queue_emails(messages: list[EmailMessage]) -> list[OutboundEmail]:
    """`queue_email` for many messages at once: one INSERT, and one task that hands each to the worker
    (a comment on a proposal with 500 followers used to write 500 rows and publish 500 tasks while its
    author waited); a single message gets its own `send_email` task."""
    if not messages:
        return []
    emails = OutboundEmail.objects.bulk_create([_outbound(message) for message in messages])
    pks = [email.pk for email in emails]
    transaction.on_commit(lambda: dispatch_email(*pks))
    return emails


def dispatch_email(*pks: int) -> None:
    from .tasks import send_email, send_emails

    try:
        if len(pks) == 1:
            send_email.delay(pks[0])
        else:
            send_emails.delay(list(pks))
    except Exception:  # broker down: the sweep (paga.tasks.send_pending_email) retries
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        emails = ", ".join(map(str, pks))
        message = "Could not publish email %s; it stays in the outbox for the sweep."
        logger.warning(message, emails, exc_info=True)


def deliver_email(pk: int) -> bool:
    """Send one outbox row once. Returns False if it was already sent (a rerun is harmless)."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=pk)
        if email.sent_at:
            return False
        message = EmailMultiAlternatives(
            email.subject, email.body, email.from_email, email.to, headers=email.headers or None
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:
            OutboundEmail.objects.filter(pk=pk).update(attempts=email.attempts, last_error=str(exc)[:2000])
            raise
        email.sent_at = timezone.now()  # the outbox keeps the real clock: a mail server sends it
        email.body = email.html_body = ""
        email.last_error = ""
        email.save(update_fields=["sent_at", "body", "html_body", "attempts", "last_error"])
        return True


# --- Notifications and one-click unsubscribe (RFC 8058) ------------------------------------------
UNSUBSCRIBE_SALT = "paga.unsubscribe"


def absolute_url(path: str) -> str:
    """A link for an email: the worker has no request, so the base is settings.COCREA_SITE_URL."""
    return settings.COCREA_SITE_URL.rstrip("/") + path


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed token naming a person and a kind of email. It does not expire: an old email's link
    must still work, and all it can do is stop (or restart) one kind of notification."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and kind a token names. Raises signing.BadSignature for a tampered or unknown one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("k") not in EmailOptOut.Kind.values:
        raise signing.BadSignature("Unknown kind of email.")
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None:
        raise signing.BadSignature("Unknown person.")
    return user, data["k"]


def unsubscribe_url(*, user: User, kind: str) -> str:
    return absolute_url(
        reverse("paga:unsubscribe", kwargs={"token": unsubscribe_token(user=user, kind=kind)})
    )


def is_opted_out(*, user: User, kind: str) -> bool:
    return EmailOptOut.objects.filter(user=user, kind=kind).exists()


def opted_out_ids(*, user_ids, kind: str) -> set[int]:
    """Which of `user_ids` opted out of `kind`, in one query (for notifying many followers)."""
    return set(
        EmailOptOut.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", flat=True)
    )


@transaction.atomic
def opt_out(*, user: User, kind: str) -> bool:
    """Stop emails of `kind` to `user`; True if this changed anything. A repeat (a mail client's
    one-click POST and then the person's own click) is harmless."""
    if kind not in EmailOptOut.Kind.values:
        raise ValueError(f"Unknown kind of email: {kind}")
    try:
        with transaction.atomic():
            _, created = EmailOptOut.objects.get_or_create(user=user, kind=kind)
    except IntegrityError:  # the same click twice at the same moment
        return False
    return created


@transaction.atomic
def opt_in(*, user: User, kind: str) -> bool:
    """Receive emails of `kind` again; True if this changed anything."""
    deleted, _ = EmailOptOut.objects.filter(user=user, kind=kind).delete()
    return bool(deleted)


def queue_notification(
    *, user: User | None, kind: str, subject: str, body: str, check_opt_out: bool = True
) -> OutboundEmail | None:
    """Queue a notification to one person, unless they opted out of its kind (nothing is queued).

    Each one carries its one-click unsubscribe: a link in the body and the List-Unsubscribe and
    List-Unsubscribe-Post headers (RFC 8058), so a mail client can offer "unsubscribe" itself.
    `check_opt_out=False` when the caller already filtered with `opted_out_ids`.
    """
    if user is None or not user.email or not user.is_active:
        return None
    if check_opt_out and is_opted_out(user=user, kind=kind):
        return None
    return queue_email(_notification(user=user, kind=kind, subject=subject, body=body))


def _notification(*, user: User, kind: str, subject: str, body: str) -> EmailMessage:
    url = unsubscribe_url(user=user, kind=kind)
    footer = render_to_string(
        "paga/email/unsubscribe_footer.txt", {"url": url, "kind": EmailOptOut.Kind(kind).label}
    )
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.rstrip() + "\n\n" + footer.strip() + "\n",
        to=[user.email],
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def notify_all(users, *, kind: str, subject: str, body: str) -> int:
    """`queue_notification` to each of `users` but those who opted out of `kind`, at once (one query for
    the opt-outs, one INSERT, one task: `queue_emails`). Returns how many were queued."""
    users = [user for user in users if user.email and user.is_active]
    out = opted_out_ids(user_ids=[user.pk for user in users], kind=kind)
    told = [
        _notification(user=user, kind=kind, subject=subject, body=body)
        for user in users
        if user.pk not in out
    ]
    return len(queue_emails(told))
