"""Business rules of the virtual forum: comments, replies, edits, supports, flags and moderation, and the
contributions the Secretaría records from other channels.

Nothing a person wrote is deleted: moderation changes a contribution's state and keeps its text, every
moderation action writes a `ModerationAction`, every edit keeps the previous text in a
`ContributionVersion`. Permissions come from rules.py through `has_perm`; refusals a person can act on
are `ValidationError`s with a message in words.
"""

from __future__ import annotations

import datetime

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from commitments.models import Commitment, Status
from paga import audit, clock, personal_data
from paga.models import Channel

from . import markdown, notifications
from .models import (
    Block,
    Consultation,
    Contribution,
    ContributionVersion,
    Flag,
    ModerationAction,
    Paragraph,
    Support,
)

# Authors may correct a comment for this long after posting it; every earlier text is kept.
EDIT_WINDOW = datetime.timedelta(minutes=15)
# Channels the Secretaría records by hand (the forum records itself).
OTHER_CHANNELS = (Channel.EMAIL, Channel.SOCIAL, Channel.PAPER, Channel.IN_PERSON)
# Taking part is what the personal-data consent is for (paga/personal_data.py, /mis-datos/).
CONSENT_WITHDRAWN = personal_data.CONSENT_WITHDRAWN

State = Contribution.State
Action = ModerationAction.Action
# A proposal takes comments and supports while it may still change (proposed, in consultation, agreed at
# the national table). Merged into another, split, withdrawn, or past the tables (in the ministries'
# review, approved, in the plan), what is said of it belongs elsewhere: the refusal says its status.
STATUSES_TAKING_PART = frozenset({Status.PROPOSED, Status.IN_CONSULTATION, Status.AGREED})


# --- Helpers ---------------------------------------------------------------------------------------
def _day(moment: datetime.datetime) -> str:
    """A moment as a date in Lima time, in the active language ("22 de septiembre de 2017")."""
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def window_dates(consultation: Consultation) -> dict[str, str]:
    """First and last day of the window. `closes_at` is exclusive, so the last day is the one before it
    when the consultation closes at midnight."""
    last = consultation.closes_at - datetime.timedelta(microseconds=1)
    return {"opens": _day(consultation.opens_at), "closes": _day(last)}


def _check_window(consultation: Consultation, at: datetime.datetime) -> None:
    if at < consultation.opens_at:
        raise ValidationError(
            _("The consultation will be open from %(opens)s to %(closes)s."),
            code="not_open_yet",
            params=window_dates(consultation),
        )
    if at >= consultation.closes_at:
        raise ValidationError(
            _("The consultation was open from %(opens)s to %(closes)s."),
            code="closed",
            params=window_dates(consultation),
        )


def item_refusal(commitment: Commitment | None) -> ValidationError | None:
    """Why `commitment` takes no more comments or supports (its status), or None when it takes them."""
    if commitment is None or commitment.status in STATUSES_TAKING_PART:
        return None
    return ValidationError(
        _("This proposal no longer takes comments or supports: its status is “%(status)s”."),
        code="item_closed",
        params={"status": Status(commitment.status).label},
    )


def item_support_refusal(
    commitment: Commitment, at: datetime.datetime | None = None
) -> ValidationError | None:
    """Why `commitment` cannot be supported now, or None: its status, or no consultation of it is open
    (the refusal gives the window of the one that opens next, else of the last one that closed)."""
    if refusal := item_refusal(commitment):
        return refusal
    at = at or clock.now()
    consultations = list(Consultation.objects.filter(items=commitment).order_by("opens_at", "pk"))
    if any(c.is_open(at) for c in consultations):
        return None
    if not consultations:
        return ValidationError(
            _("This proposal is in no public consultation, so it takes no supports."), code="no_consultation"
        )
    upcoming = [c for c in consultations if c.opens_at > at]
    shown = upcoming[0] if upcoming else max(consultations, key=lambda c: c.closes_at)
    try:
        _check_window(shown, at)
    except ValidationError as refusal:
        return refusal
    return None  # pragma: no cover - a consultation neither open, upcoming nor closed does not exist


def contribution_support_refusal(
    contribution: Contribution, at: datetime.datetime | None = None
) -> ValidationError | None:
    """Why `contribution` cannot be supported now, or None: its consultation is closed (or not open yet),
    or the proposal it is about takes no more supports."""
    try:
        _check_window(contribution.consultation, at or clock.now())
    except ValidationError as refusal:
        return refusal
    return item_refusal(contribution.commitment) if contribution.commitment_id else None


def active_block(user) -> Block | None:
    if user is None or not user.is_authenticated:
        return None
    return Block.objects.filter(user=user, lifted__isnull=True).first()


def _check_may_post(author) -> None:
    """Signed in, not blocked, email verified: each refusal says which. The permission is asked first,
    and only a refusal reads which of its conditions failed (the block's reason, the consent, the email),
    so a permitted post reads each of them once."""
    if author is None or not author.is_authenticated:
        raise PermissionDenied(_("Sign in to post a contribution."))
    if rules.has_perm("consultations.comment", author):  # the rule alone, which a superuser may fail
        return
    if block := active_block(author):
        raise ValidationError(
            _("Your account cannot post contributions: %(reason)s"),
            code="blocked",
            params={"reason": block.reason},
        )
    if personal_data.withdrew_consent(author):
        raise ValidationError(CONSENT_WITHDRAWN, code="consent")
    if not author.has_perm("consultations.comment"):
        raise ValidationError(
            _("Confirm your email address before posting a contribution."), code="unverified"
        )


def _check_text(text: str) -> None:
    if not (text or "").strip():
        raise ValidationError(_("Write the text of your contribution."), code="empty")
    if len(text) > Contribution.MAX_LENGTH:
        raise ValidationError(
            _("A contribution has at most %(max)s characters; this one has %(n)s."),
            code="too_long",
            params={"max": Contribution.MAX_LENGTH, "n": len(text)},
        )


def _check_target(
    consultation: Consultation, commitment: Commitment | None, paragraph: Paragraph | None
) -> None:
    """A comment on a proposal/commitment consultation is about one of its items; on a document, about
    the document or one of its own paragraphs."""
    if consultation.kind == Consultation.Kind.ITEMS:
        if paragraph is not None:
            raise ValidationError(_("This consultation is not about a document."), code="wrong_paragraph")
        if commitment is None or not is_item(consultation, commitment):
            raise ValidationError(
                _("Choose one of the proposals or commitments of this consultation."), code="wrong_item"
            )
    else:
        if commitment is not None:
            raise ValidationError(
                _("This consultation is about a document, not about proposals."), code="wrong_item"
            )
        if paragraph is not None and paragraph.consultation_id != consultation.pk:
            raise ValidationError(
                _("That paragraph belongs to another consultation."), code="wrong_paragraph"
            )


def is_item(consultation: Consultation, commitment: Commitment) -> bool:
    """`commitment` is one of the proposals or commitments `consultation` is about. A yes is kept on this
    instance of the consultation (one request's), so the view that found the item and the service that
    posts on it read it once."""
    known = consultation.__dict__.setdefault("_known_items", set())
    if commitment.pk in known:
        return True
    if consultation.items.filter(pk=commitment.pk).exists():
        known.add(commitment.pk)
        return True
    return False


def _check_choice(value: str, choices, field: str) -> None:
    if value and value not in choices.values:
        raise ValidationError(_("Choose a valid option."), code=f"invalid_{field}")


def _notify_author(contribution: Contribution, template: str, reason: str, actor=None) -> None:
    """Email the author about a moderation decision, through the outbox (sent after commit), with its
    one-click unsubscribe; not a moderator about their own contribution (consultations/notifications.py)."""
    notifications.notify_moderation(contribution, template=template, reason=reason, actor=actor)


def _lock(contribution: Contribution) -> Contribution:
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the author.
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("consultation", "author")
        .get(pk=contribution.pk)
    )


# --- Comments --------------------------------------------------------------------------------------
@transaction.atomic
def post_comment(
    *,
    consultation: Consultation,
    author,
    text: str,
    commitment: Commitment | None = None,
    section: str = "",
    paragraph: Paragraph | None = None,
    parent: Contribution | None = None,
    stance: str = "",
    category: str = "",
    at: datetime.datetime | None = None,
) -> Contribution:
    """Post a forum comment, or a reply to one.

    Only while the consultation is open (the refusal gives the dates, Lima time) and on a proposal that
    still takes comments (STATUSES_TAKING_PART; the refusal gives its status), by a signed-in person
    with a verified email and no active block (issue 4). Replies go two levels deep at most and belong
    to the same item as their parent; length limits keep threads readable.
    """
    at = at or clock.now()
    _check_may_post(author)
    if parent is not None:
        parent = Contribution.objects.select_related("consultation").get(pk=parent.pk)
        if parent.consultation_id != consultation.pk:
            raise ValidationError(_("That reply belongs to another consultation."), code="wrong_parent")
        if parent.depth >= Contribution.MAX_DEPTH:
            raise ValidationError(
                _("Replies go at most %(max)s levels deep; reply to the comment above instead."),
                code="too_deep",
                params={"max": Contribution.MAX_DEPTH},
            )
        if parent.is_hidden:
            raise ValidationError(_("A hidden contribution cannot be answered."), code="hidden_parent")
        consultation = parent.consultation
        commitment = parent.commitment
        paragraph = parent.paragraph
        section = parent.section
    _check_window(consultation, at)
    if refusal := item_refusal(commitment):
        raise refusal
    _check_text(text)
    _check_choice(stance, Contribution.Stance, "stance")
    _check_choice(category, Contribution.Category, "category")
    if parent is None:
        _check_target(consultation, commitment, paragraph)
    if len(section) > Contribution._meta.get_field("section").max_length:
        raise ValidationError(_("Choose a valid section."), code="invalid_section")
    posted = Contribution.objects.create(
        consultation=consultation,
        commitment=commitment,
        section=section,
        paragraph=paragraph,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author=author,
        channel=Channel.FORUM,
        stance=stance,
        category=category,
        text=text,
        **markdown.stored_fields(text),
        created=at,
    )
    # The parent's author and the item's followers are emailed after commit; the author follows the item.
    notifications.new_comment(posted)
    return posted


@transaction.atomic
def edit_comment(
    *, contribution: Contribution, author, text: str, at: datetime.datetime | None = None
) -> Contribution:
    """Let the author correct their comment within EDIT_WINDOW of posting it.

    The previous text is kept as a `ContributionVersion`, so what others replied to stays on record;
    after the window the text is final (replies and responses rely on it).
    """
    at = at or clock.now()
    locked = _lock(contribution)
    if author is None or locked.author_id is None or locked.author_id != author.pk:
        raise PermissionDenied(_("Only the author may edit a contribution."))
    if block := active_block(author):
        raise ValidationError(
            _("Your account cannot post contributions: %(reason)s"),
            code="blocked",
            params={"reason": block.reason},
        )
    if locked.is_hidden:
        raise ValidationError(_("A hidden contribution cannot be edited."), code="hidden")
    if at - locked.created > EDIT_WINDOW:
        raise ValidationError(
            _("A contribution can be edited only during the %(minutes)s minutes after it was posted."),
            code="edit_window",
            params={"minutes": int(EDIT_WINDOW.total_seconds() // 60)},
        )
    _check_text(text)
    if text == locked.text:
        return locked
    ContributionVersion.objects.create(contribution=locked, text=locked.text, created=at)
    locked.text = text
    for name, value in markdown.stored_fields(text).items():
        setattr(locked, name, value)
    locked.edited = at
    locked.save(update_fields=["text", "text_html", "text_html_version", "edited"])
    return locked


@transaction.atomic
def support(
    *, user, commitment: Commitment | None = None, contribution: Contribution | None = None
) -> Support:
    """Record one person's support for a proposal/commitment or a contribution: one per person per item,
    guarded by database constraints (a second click, even a simultaneous one, is refused); only while a
    consultation of it is open and its proposal takes part, as comments (the refusal says why)."""
    if (commitment is None) == (contribution is None):
        raise ValueError("Support exactly one of a commitment or a contribution.")
    if personal_data.withdrew_consent(user):
        raise ValidationError(CONSENT_WITHDRAWN, code="consent")
    if not user.has_perm("consultations.support"):
        raise PermissionDenied(_("Sign in to support."))
    if contribution is not None and contribution.is_hidden:
        raise ValidationError(_("A hidden contribution cannot be supported."), code="hidden")
    if commitment is not None:
        refusal = item_support_refusal(commitment)
    else:  # as it stands now (its proposal's status may have changed since it was read)
        current = Contribution.objects.select_related("consultation", "commitment").get(pk=contribution.pk)
        refusal = contribution_support_refusal(current)
    if refusal:
        raise refusal
    try:
        with transaction.atomic():
            return Support.objects.create(user=user, commitment=commitment, contribution=contribution)
    except IntegrityError:
        raise ValidationError(_("You already support this."), code="duplicate") from None


# --- Moderation ------------------------------------------------------------------------------------
@transaction.atomic
def flag(*, contribution: Contribution, user, reason: str) -> Flag:
    """Anyone signed in may report a contribution once; after settings.COCREA_FLAGS_TO_HIDE open flags a
    visible contribution is hidden pending the Secretaría's review (logged as an automatic hide)."""
    if personal_data.withdrew_consent(user):
        raise ValidationError(CONSENT_WITHDRAWN, code="consent")
    if not user.has_perm("consultations.flag", contribution):
        raise PermissionDenied(_("Sign in to report a contribution."))
    if reason not in Flag.Reason.values:
        raise ValidationError(_("Choose a reason for the report."), code="invalid_reason")
    locked = _lock(contribution)
    if locked.author_id is not None and locked.author_id == user.pk:
        raise ValidationError(_("You cannot report your own contribution."), code="own")
    if Flag.objects.filter(contribution=locked, user=user).exists():
        raise ValidationError(_("You already reported this contribution."), code="duplicate")
    try:
        with transaction.atomic():
            new = Flag.objects.create(contribution=locked, user=user, reason=reason)
    except IntegrityError:
        raise ValidationError(_("You already reported this contribution."), code="duplicate") from None
    n = Flag.objects.filter(contribution=locked, reviewed=False).count()
    if locked.state == State.VISIBLE and n >= settings.COCREA_FLAGS_TO_HIDE:
        locked.state = State.PENDING
        locked.save(update_fields=["state"])
        ModerationAction.objects.create(
            action=Action.AUTO_HIDE, contribution=locked, actor=None, reason=f"{n} flags"
        )
    return new


def _require_moderator(actor) -> None:
    if actor is None or not actor.has_perm("consultations.moderate"):
        raise PermissionDenied


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason: the author is told."), code="reason_required")
    max_length = ModerationAction._meta.get_field("reason").max_length
    if len(reason) > max_length:
        raise ValidationError(
            _("The reason has at most %(max)s characters."),
            code="reason_too_long",
            params={"max": max_length},
        )
    return reason


@transaction.atomic
def hide(*, contribution: Contribution, actor, reason: str) -> Contribution:
    """Hide a contribution with a reason. The text is kept (author and staff still read it; the public
    reads "hidden by moderation: <reason>"), its flags count as reviewed, the author is emailed."""
    _require_moderator(actor)
    reason = _required_reason(reason)
    locked = _lock(contribution)
    if locked.state == State.HIDDEN:
        raise ValidationError(_("This contribution is already hidden."), code="already_hidden")
    locked.state = State.HIDDEN
    locked.hidden_reason = reason
    locked.save(update_fields=["state", "hidden_reason"])
    locked.flags.filter(reviewed=False).update(reviewed=True)
    ModerationAction.objects.create(action=Action.HIDE, contribution=locked, actor=actor, reason=reason)
    audit.record(actor=actor, action="contribution.hide", obj=locked, details={"reason": reason})
    _notify_author(locked, "hidden", reason, actor)
    return locked


@transaction.atomic
def restore(*, contribution: Contribution, actor, reason: str = "") -> Contribution:
    """Make a hidden (or pending) contribution visible again, logged, and tell the author."""
    _require_moderator(actor)
    reason = (reason or "").strip()
    locked = _lock(contribution)
    if locked.state == State.VISIBLE:
        raise ValidationError(_("This contribution is not hidden."), code="not_hidden")
    locked.state = State.VISIBLE
    locked.hidden_reason = ""
    locked.save(update_fields=["state", "hidden_reason"])
    locked.flags.filter(reviewed=False).update(reviewed=True)
    ModerationAction.objects.create(action=Action.RESTORE, contribution=locked, actor=actor, reason=reason)
    audit.record(actor=actor, action="contribution.restore", obj=locked, details={"reason": reason})
    _notify_author(locked, "restored", reason, actor)
    return locked


@transaction.atomic
def dismiss_flags(*, contribution: Contribution, actor) -> Contribution:
    """The reports were unfounded: mark them reviewed and show a contribution hidden pending review.
    A contribution hidden by a moderator stays hidden (restore it instead)."""
    _require_moderator(actor)
    locked = _lock(contribution)
    open_flags = locked.flags.filter(reviewed=False)
    if locked.state != State.PENDING and not open_flags.exists():
        raise ValidationError(_("There are no reports to dismiss."), code="nothing_to_dismiss")
    open_flags.update(reviewed=True)
    if locked.state == State.PENDING:
        locked.state = State.VISIBLE
        locked.save(update_fields=["state"])
    ModerationAction.objects.create(action=Action.DISMISS, contribution=locked, actor=actor)
    audit.record(actor=actor, action="contribution.dismiss", obj=locked, details={"state": locked.state})
    return locked


@transaction.atomic
def block(*, user, actor, reason: str) -> Block:
    """Refuse a person's new posts (they are told why when they try). What they wrote stays as it is."""
    _require_moderator(actor)
    reason = _required_reason(reason)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot block yourself."), code="self")
    if Block.objects.filter(user=user, lifted__isnull=True).exists():
        raise ValidationError(_("This person is already blocked."), code="already_blocked")
    try:
        with transaction.atomic():
            row = Block.objects.create(user=user, actor=actor, reason=reason)
    except IntegrityError:
        raise ValidationError(_("This person is already blocked."), code="already_blocked") from None
    ModerationAction.objects.create(action=Action.BLOCK, person=user, actor=actor, reason=reason)
    audit.record(actor=actor, action="person.block", obj=user, details={"reason": reason})
    return row


@transaction.atomic
def unblock(*, user, actor) -> Block:
    """Lift a person's active block; the row stays, with the time it was lifted."""
    _require_moderator(actor)
    row = Block.objects.select_for_update().filter(user=user, lifted__isnull=True).first()
    if row is None:
        raise ValidationError(_("This person is not blocked."), code="not_blocked")
    row.lifted = clock.now()
    row.save(update_fields=["lifted"])
    ModerationAction.objects.create(action=Action.UNBLOCK, person=user, actor=actor)
    audit.record(actor=actor, action="person.unblock", obj=user, details={"block": row.pk})
    return row


# --- Other channels --------------------------------------------------------------------------------
@transaction.atomic
def record_other_channel(
    *,
    consultation: Consultation,
    actor,
    channel: str,
    received_on: datetime.date | None,
    given_name: str,
    text: str,
    commitment: Commitment | None = None,
    paragraph: Paragraph | None = None,
    attachment=None,
    stance: str = "",
    category: str = "",
) -> Contribution:
    """Record a contribution received by email, social networks, on paper or in person, with the name or
    organisation as given. It is counted, answered and exported like a forum comment (issue 4)."""
    if actor is None or not actor.has_perm("consultations.record_other_channel"):
        raise PermissionDenied
    if channel not in OTHER_CHANNELS:
        raise ValidationError(
            _("Choose the channel the contribution arrived through."), code="invalid_channel"
        )
    if received_on is None:
        raise ValidationError(_("Give the date the contribution was received."), code="received_on_required")
    if received_on > clock.today():
        raise ValidationError(_("The date received cannot be in the future."), code="received_on_future")
    given_name = (given_name or "").strip()
    if not given_name:
        raise ValidationError(
            _("Give the name or organisation as the contribution states it."), code="given_name_required"
        )
    if len(given_name) > Contribution._meta.get_field("given_name").max_length:
        raise ValidationError(_("The name is too long."), code="given_name_too_long")
    _check_text(text)
    _check_choice(stance, Contribution.Stance, "stance")
    _check_choice(category, Contribution.Category, "category")
    _check_target(consultation, commitment, paragraph)
    contribution = Contribution.objects.create(
        consultation=consultation,
        commitment=commitment,
        paragraph=paragraph,
        author=None,
        stance=stance,
        category=category,
        given_name=given_name,
        channel=channel,
        received_on=received_on,
        attachment=attachment or "",
        recorded_by=actor,
        text=text,
        **markdown.stored_fields(text),
    )
    audit.record(
        actor=actor,
        action="contribution.record",
        obj=contribution,
        details={"channel": channel, "consultation": consultation.pk},
    )
    return contribution


def render_stale_texts(*, batch: int = 500) -> int:
    """Store anew the HTML of every contribution whose `text_html` another renderer made (or none):
    after an upgrade of consultations/markdown.py or of its libraries (`manage.py render_contributions`,
    and the migration that added the column). Each batch is locked while it is rendered, so an edit made
    meanwhile is never overwritten with the HTML of the text before it. Returns the rows rendered."""
    stale = Contribution.objects.exclude(text_html_version=markdown.VERSION).order_by("pk")
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                stale.select_for_update(of=("self",)).only("pk", "text", "text_html", "text_html_version")[
                    :batch
                ]
            )
            for row in rows:
                for name, value in markdown.stored_fields(row.text).items():
                    setattr(row, name, value)
            Contribution.objects.bulk_update(rows, ["text_html", "text_html_version"])
        done += len(rows)
        if len(rows) < batch:
            return done
