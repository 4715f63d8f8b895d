"""Email notifications of the virtual forum (issue 4, item 6), and following a proposal/commitment.

Four kinds, each of which a person may stop with one click (paga.models.EmailOptOut.Kind): a reply to
my comment, the published response to my contribution, my contribution hidden or restored, and a new
comment on an item I follow. Rules:

- Nobody is told about their own action (the author of the reply, the moderator, the responder).
- Hidden content is never emailed to followers: they are told about a new *visible* comment, with a
  link to it and without its text (it could be hidden a minute later; the link then shows the reason).
- Everything goes through paga's outbox (`queue_notification` → `queue_email`): a row written in the
  caller's transaction, sent by the Celery worker after commit, never twice.
- Commenting on an item follows it; unfollowing is remembered, so a later comment does not follow it
  again (only the follow button does).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from commitments.models import Commitment
from paga.models import EmailOptOut
from paga.services import absolute_url, notify_all, queue_notification

from . import selectors
from .models import Contribution, Follow, Response

Kind = EmailOptOut.Kind


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"consultations/email/{template}_subject.txt", context)
    body = render_to_string(f"consultations/email/{template}_message.txt", context)
    return " ".join(subject.split()), body


def _same_person(user, other) -> bool:
    return user is not None and other is not None and getattr(other, "pk", None) == user.pk


# --- Following -------------------------------------------------------------------------------------
@transaction.atomic
def follow(*, user, commitment: Commitment) -> Follow:
    """Follow a proposal/commitment (the follow button): emails about new comments on it."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    try:
        with transaction.atomic():
            row, created = Follow.objects.get_or_create(user=user, commitment=commitment)
    except IntegrityError:  # two clicks at once
        row, created = Follow.objects.get(user=user, commitment=commitment), False
    if not created and not row.active:
        row.active = True
        row.save(update_fields=["active", "modified"])
    return row


@transaction.atomic
def unfollow(*, user, commitment: Commitment) -> Follow | None:
    """Stop following; the row stays switched off so that commenting again does not follow again."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    row = Follow.objects.filter(user=user, commitment=commitment).first()
    if row is not None and row.active:
        row.active = False
        row.save(update_fields=["active", "modified"])
    return row


def follows(*, user, commitment: Commitment) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, commitment=commitment, active=True).exists()


def auto_follow(contribution: Contribution) -> None:
    """Commenting on an item follows it, unless the person unfollowed it before."""
    if contribution.author_id is None or contribution.commitment_id is None:
        return
    Follow.objects.get_or_create(user_id=contribution.author_id, commitment_id=contribution.commitment_id)


# --- The four kinds --------------------------------------------------------------------------------
def new_comment(contribution: Contribution) -> None:
    """A comment was just posted (visible): tell the author of the comment it answers, if any, and the
    item's followers; then the author follows the item. Call inside the posting transaction."""
    told = set()
    parent = contribution.parent
    if parent is not None and parent.author_id and parent.author_id != contribution.author_id:
        notify_reply(contribution)
        told.add(parent.author_id)  # one email about a reply, even if they follow the item (or opted out)
    notify_followers(contribution, skip=told)
    auto_follow(contribution)


def notify_reply(reply: Contribution):
    """Tell the author of the comment `reply` answers (kind: reply). Not when they answer themselves,
    nor about a reply that is not visible."""
    parent = reply.parent
    if parent is None or parent.author is None or reply.is_hidden:
        return None
    if parent.author_id == reply.author_id:
        return None
    subject, body = _render(
        "reply",
        {
            "consultation": reply.consultation.title,
            "item": selectors.item_label(reply),
            "replier": selectors.author_name(reply),
            "text": reply.text,
            "url": absolute_url(selectors.contribution_url(reply)),
        },
    )
    return queue_notification(user=parent.author, kind=Kind.REPLY, subject=subject, body=body)


def notify_followers(contribution: Contribution, *, skip: Iterable[int] = ()) -> int:
    """Tell the followers of the item about a new visible comment (kind: followed activity), without
    its text. Not its author, not those in `skip` (already told as the author of the parent)."""
    if contribution.is_hidden or contribution.commitment_id is None:
        return 0
    excluded = {contribution.author_id, *skip}
    followers = [
        f.user
        for f in Follow.objects.filter(commitment_id=contribution.commitment_id, active=True)
        .select_related("user")
        .order_by("pk")
        if f.user_id not in excluded
    ]
    if not followers:
        return 0
    subject, body = _render(
        "followed",
        {
            "consultation": contribution.consultation.title,
            "item": selectors.item_label(contribution),
            "author": selectors.author_name(contribution),
            "is_reply": contribution.parent_id is not None,
            "url": absolute_url(selectors.contribution_url(contribution)),
        },
    )
    return notify_all(followers, kind=Kind.FOLLOWED, subject=subject, body=body)


def notify_response(response: Response, *, actor=None):
    """Tell the author that the response to their contribution is published (kind: response)."""
    contribution = response.contribution
    author = contribution.author
    if author is None or response.published_at is None or _same_person(author, actor):
        return None
    version = response.commitment_version
    subject, body = _render(
        "response",
        {
            "consultation": contribution.consultation.title,
            "item": selectors.item_label(contribution),
            "text": contribution.text,
            "disposition": response.get_disposition_display(),
            "reason": response.reason,
            "version": (
                f"{version.commitment}, v{version.number}: {absolute_url(selectors.version_url(version))}"
                if version
                else ""
            ),
            "url": absolute_url(selectors.my_contributions_url()),
        },
    )
    return queue_notification(user=author, kind=Kind.RESPONSE, subject=subject, body=body)


def notify_responses(responses: Iterable[Response], *, actor=None) -> int:
    """Tell every author whose responses were just published, one email per response."""
    return sum(1 for r in responses if notify_response(r, actor=actor))


def notify_moderation(contribution: Contribution, *, template: str, reason: str, actor=None):
    """Tell the author their contribution was hidden or restored, with the reason (kind: moderation).
    Not a moderator acting on their own contribution."""
    author = contribution.author
    if author is None or not author.email or _same_person(author, actor):
        return None
    subject, body = _render(
        template,
        {
            "consultation": contribution.consultation.title,
            "reason": reason,
            "text": contribution.text,
            "author": author,
        },
    )
    return queue_notification(user=author, kind=Kind.MODERATION, subject=subject, body=body)
