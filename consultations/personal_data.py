"""What consultations holds about a person (paga/personal_data.py): their contributions with every
version and the published response each got, their supports, reports (flags), follows and blocks; for
staff, the responses, moderation and other-channel contributions they recorded.

Cancellation keeps the public record and detaches the person: each contribution keeps its text, its
versions and its response, and its author becomes "Participante anónimo" (`author` empty and
`given_name` set: the constraint `contribution_has_a_source` asks for one of them). Supports, reports,
follows and blocks are the person's alone and are deleted. What staff recorded stays (PROTECT): the
account is stripped instead.

The export never carries another person's data: a support or a report names the contribution by its
number and link, not its author or text; a response is the Secretaría's answer to the person's own
contribution, without the name of who wrote it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from paga.personal_data import ANONYMOUS_NAME

from .models import Block, Contribution, Flag, Follow, ModerationAction, Response, Support
from .selectors import contribution_url

TITLE = _("Consultations")
SECTIONS = {
    "contributions": _("Your contributions and replies, with every version and the response they got"),
    "supports": _("Your supports"),
    "flags": _("Contributions you reported"),
    "follows": _("Proposals and commitments you follow"),
    "blocks": _("Blocks of your account by moderation"),
    "responses_written": _("Responses you wrote as staff"),
    "moderation": _("Moderation you did as staff"),
    "recorded_from_other_channels": _("Contributions you recorded from other channels"),
}


def _item(contribution: Contribution) -> str:
    if contribution.commitment_id:
        return str(contribution.commitment)
    if contribution.paragraph_id:
        return str(contribution.paragraph)
    return ""


def _response(response: Response | None) -> dict | None:
    """The published response (an unpublished one is still the Secretaría's draft)."""
    if response is None or response.published_at is None:
        return None
    version = response.commitment_version
    return {
        "disposition": response.disposition,
        "disposition_label": response.get_disposition_display(),
        "reason": response.reason,
        "published_at": response.published_at,
        "went_into": {"commitment": str(version.commitment), "version": version.number} if version else None,
        "duplicate_of_contribution": response.duplicate_of_id,
    }


def _response_of(contribution: Contribution) -> Response | None:
    try:
        return contribution.response
    except Response.DoesNotExist:
        return None


def export(user) -> dict:
    contributions = (
        Contribution.objects.filter(author=user)
        .select_related("consultation", "commitment", "paragraph", "response__commitment_version__commitment")
        .prefetch_related("versions")
        .order_by("created", "pk")
    )
    return {
        "contributions": [
            {
                "id": c.pk,
                "url": contribution_url(c),
                "consultation": c.consultation.title,
                "item": _item(c),
                "section": c.section,
                "in_reply_to": c.parent_id,
                "channel": c.channel,
                "stance": c.stance,
                "category": c.category,
                "text": c.text,
                "state": c.state,
                "hidden_reason": c.hidden_reason,
                "created": c.created,
                "edited": c.edited,
                "earlier_versions": [{"text": v.text, "until": v.created} for v in c.versions.all()],
                "response": _response(_response_of(c)),
            }
            for c in contributions
        ],
        "supports": [
            {
                "commitment": str(s.commitment) if s.commitment_id else None,
                "contribution": s.contribution_id,
                "created": s.created,
            }
            for s in Support.objects.filter(user=user).select_related("commitment").order_by("created", "pk")
        ],
        "flags": [
            {
                "contribution": f.contribution_id,
                "reason": f.reason,
                "created": f.created,
                "reviewed": f.reviewed,
            }
            for f in Flag.objects.filter(user=user).order_by("created", "pk")
        ],
        "follows": [
            {"commitment": str(f.commitment), "active": f.active, "created": f.created}
            for f in Follow.objects.filter(user=user).select_related("commitment").order_by("created", "pk")
        ],
        "blocks": [
            {"reason": b.reason, "created": b.created, "lifted": b.lifted}
            for b in Block.objects.filter(user=user).order_by("created", "pk")
        ],
        "responses_written": [
            {
                "contribution": r.contribution_id,
                "disposition": r.disposition,
                "reason": r.reason,
                "created": r.created,
                "published_at": r.published_at,
            }
            for r in Response.objects.filter(author=user).order_by("created", "pk")
        ],
        "moderation": [
            {"action": m.action, "contribution": m.contribution_id, "reason": m.reason, "created": m.created}
            for m in ModerationAction.objects.filter(actor=user).order_by("created", "pk")
        ],
        "recorded_from_other_channels": list(
            Contribution.objects.filter(recorded_by=user)
            .order_by("created", "pk")
            .values("id", "channel", "received_on", "created")
        ),
    }


def erase(user) -> None:
    Contribution.objects.filter(author=user).update(author=None, given_name=ANONYMOUS_NAME)
    Support.objects.filter(user=user).delete()
    Flag.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    Block.objects.filter(user=user).delete()
