"""Business rules of commitments: checks, edits with versions, transitions, lineage, review, scores.

Every state change goes through `commitment_transition` (who, when, why); every text edit writes an
immutable `Version`. Edits carry the revision they started from: a stale edit is refused, never merged
silently, so nothing anyone typed is overwritten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext as _

from paga import audit, clock
from paga.models import Entity, OGPValue

from .models import (
    Commitment,
    Criterion,
    LineageKind,
    LineageLink,
    Milestone,
    OtherActor,
    Review,
    ReviewNote,
    Score,
    Status,
    Transition,
    ValueRelevance,
    Version,
)

S = Status

# (from, to) -> permission required. Merges, splits and reviews have services of their own that
# call commitment_transition; they are listed here so nothing else can make those moves.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PROPOSED, S.IN_CONSULTATION): "commitments.open_consultation",
    (S.IN_CONSULTATION, S.AGREED): "commitments.agree",
    (S.PROPOSED, S.WITHDRAWN): "commitments.withdraw",
    (S.IN_CONSULTATION, S.WITHDRAWN): "commitments.withdraw",
    (S.AGREED, S.WITHDRAWN): "commitments.withdraw",
    (S.PROPOSED, S.MERGED): "commitments.consolidate",
    (S.IN_CONSULTATION, S.MERGED): "commitments.consolidate",
    (S.AGREED, S.MERGED): "commitments.consolidate",
    (S.PROPOSED, S.SPLIT): "commitments.consolidate",
    (S.IN_CONSULTATION, S.SPLIT): "commitments.consolidate",
    (S.AGREED, S.SPLIT): "commitments.consolidate",
    (S.AGREED, S.IN_REVIEW): "commitments.assign_review",
    (S.IN_REVIEW, S.CHANGES_REQUESTED): "commitments.review",
    (S.CHANGES_REQUESTED, S.IN_REVIEW): "commitments.resubmit",
    (S.IN_REVIEW, S.APPROVED): "commitments.review",
    (S.APPROVED, S.INCLUDED): "commitments.include",
}
MERGE_TARGET_STATUSES = {S.PROPOSED, S.IN_CONSULTATION, S.AGREED}
REASON_REQUIRED = {S.WITHDRAWN, S.MERGED, S.SPLIT, S.CHANGES_REQUESTED}
# Moving into technical review and beyond needs a complete template.
NEEDS_COMPLETE_TEMPLATE = {S.IN_REVIEW, S.APPROVED, S.INCLUDED}


class StaleEdit(ValidationError):
    """Someone saved the commitment after this edit began."""

    def __init__(self, commitment: Commitment):
        self.commitment = commitment
        super().__init__(
            _("Someone else saved this commitment while you were editing it. Your text is kept below; "
              "compare it with the newer version before saving again."),
            code="stale",
        )  # fmt: skip


# --- Checks ----------------------------------------------------------------------------------------
def missing_items(commitment: Commitment) -> list[str]:
    """What the OGP template still lacks, in words. Empty when the commitment may move forward.

    IRM rules: at least one of transparency, participation or accountability (technology and
    innovation only on top of one of them); a justification for each value ticked; every milestone
    verifiable: a responsible entity and dates inside the plan period, start before due.
    """
    problems = []
    if not commitment.lead_entity_id:
        problems.append(_("A lead entity is missing."))
    for field, label in (("problem", _("the problem")), ("description", _("what the commitment is")),
                         ("how_it_helps", _("how it will help"))):  # fmt: skip
        if not (getattr(commitment, field) or "").strip():
            problems.append(_("The template does not say %(what)s.") % {"what": label})
    relevances = list(commitment.relevances.select_related("value"))
    if not any(r.value.is_core for r in relevances):
        problems.append(
            _("Tick at least one of transparency, citizen participation or accountability "
              "(technology and innovation counts only on top of one of them).")
        )  # fmt: skip
    for relevance in relevances:
        if not relevance.justification.strip():
            problems.append(
                _("Say why the commitment is relevant to “%(value)s”.") % {"value": relevance.value.name}
            )
    milestones = list(commitment.milestones.all())
    if not milestones:
        problems.append(_("Add at least one milestone (a verifiable product or activity)."))
    plan = commitment.plan
    for n, milestone in enumerate(milestones, start=1):
        problems.extend(milestone_problems(milestone, plan.period_start, plan.period_end, n))
    return problems


def milestone_problems(milestone: Milestone, first: datetime.date, last: datetime.date, n: int) -> list[str]:
    problems = []
    label = {"n": n}
    if not milestone.responsible_id:
        problems.append(_("Milestone %(n)s has no responsible entity.") % label)
    if not milestone.start_date or not milestone.due_date:
        problems.append(_("Milestone %(n)s needs a start date and a due date.") % label)
    else:
        if milestone.start_date > milestone.due_date:
            problems.append(_("Milestone %(n)s starts after it is due.") % label)
        if milestone.start_date < first or milestone.due_date > last:
            problems.append(
                _("Milestone %(n)s must fall inside the plan period (%(first)s to %(last)s).")
                % {**label, "first": first.year, "last": last.year}
            )
    return problems


# --- Versions --------------------------------------------------------------------------------------
def _plain(value):
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


def snapshot(commitment: Commitment) -> dict:
    """The commitment's text as it stands, for an immutable version."""
    data = {field: _plain(getattr(commitment, field)) for field in Commitment.TEXT_FIELDS}
    data["lead_entity"] = str(commitment.lead_entity) if commitment.lead_entity_id else ""
    data["theme"] = str(commitment.theme) if commitment.theme_id else ""
    data["priority"] = str(commitment.priority) if commitment.priority_id else ""
    data["relevances"] = [
        {"value": r.value.code, "name": r.value.name, "justification": r.justification}
        for r in commitment.relevances.select_related("value")
    ]
    data["other_actors"] = [
        {"organisation": str(a), "role": a.role} for a in commitment.other_actors.select_related("entity")
    ]
    data["milestones"] = [
        {
            "description": m.description,
            "responsible": str(m.responsible) if m.responsible_id else "",
            "start_date": _plain(m.start_date),
            "due_date": _plain(m.due_date),
            "status": m.status,
        }
        for m in commitment.milestones.select_related("responsible")
    ]
    return data


def write_version(*, commitment: Commitment, author, reason: str) -> Version:
    last = commitment.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return Version.objects.create(
        commitment=commitment, number=last + 1, author=author, reason=reason, data=snapshot(commitment)
    )


def _unique_slug(plan, title: str) -> str:
    base = slugify(title)[:70] or "compromiso"
    slug, n = base, 2
    qs = Commitment.objects.filter(plan=plan)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def commitment_create(
    *,
    plan,
    actor,
    reason: str = "",
    values: dict[str, str] | None = None,
    milestones: list[dict] | None = None,
    other_actors: list[dict] | None = None,
    **fields,
) -> Commitment:
    """Create a proposal (status proposed unless given) and its first version, milestones included."""
    if not actor.has_perm("commitments.add_commitment"):
        raise PermissionDenied
    fields.setdefault("slug", _unique_slug(plan, fields.get("title", "")))
    commitment = Commitment.objects.create(plan=plan, **fields)
    _set_values(commitment, values or {})
    if milestones:
        _replace_milestones(commitment, milestones)
    if other_actors:
        _replace_other_actors(commitment, other_actors)
    write_version(commitment=commitment, author=actor, reason=reason or _("Created"))
    audit.record(
        actor=actor, action="commitment.create", obj=commitment, details={"status": commitment.status}
    )
    return commitment


def _set_values(commitment: Commitment, values: dict[str, str]) -> None:
    """Replace the ticked OGP values: {value code: justification}."""
    by_code = {v.code: v for v in OGPValue.objects.filter(code__in=values)}
    commitment.relevances.exclude(value__code__in=values).delete()
    for code, justification in values.items():
        ValueRelevance.objects.update_or_create(
            commitment=commitment, value=by_code[code], defaults={"justification": justification or ""}
        )


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    actor,
    reason: str,
    revision: int,
    fields: dict,
    values: dict[str, str] | None = None,
    milestones: list[dict] | None = None,
    other_actors: list[dict] | None = None,
    perm: str = "commitments.change_commitment",
) -> Commitment:
    """Save an edit of the template and write a version. Refused if the commitment changed since
    `revision` (StaleEdit) or the actor may not edit it in its state."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if not actor.has_perm(perm, locked):
        raise PermissionDenied
    if locked.revision != revision:
        raise StaleEdit(locked)
    # Not left to the permission alone: a superuser's has_perm is always true, and a signed-off or
    # closed text must stay what was signed off (or merged, split, withdrawn).
    if locked.status not in Commitment.EDITABLE_STATUSES | Commitment.REVIEW_STATUSES:
        raise ValidationError(
            _("A commitment in “%(status)s” can no longer be edited.")
            % {"status": locked.get_status_display()},
            code="frozen",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say briefly what you changed and why.")})
    if not actor.has_perm("commitments.change_commitment", locked) and (
        outside := set(fields) - Commitment.REVIEW_FIELDS
    ):
        # A reviewer completes milestones, contact and resources; the text itself is the Secretaría's.
        raise PermissionDenied(f"Fields outside the technical review: {sorted(outside)}")
    if (values is not None or other_actors is not None) and not actor.has_perm(
        "commitments.change_commitment", locked
    ):
        raise PermissionDenied("OGP values and other actors are not part of the technical review")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.revision = F("revision") + 1
    locked.save()
    locked.refresh_from_db()
    if values is not None:
        _set_values(locked, values)
    if milestones is not None:
        _replace_milestones(locked, milestones)
    if other_actors is not None:
        _replace_other_actors(locked, other_actors)
    version = write_version(commitment=locked, author=actor, reason=reason)
    audit.record(
        actor=actor,
        action="commitment.edit",
        obj=locked,
        details={"version": version.number, "reason": reason},
    )
    return locked


def _replace_milestones(commitment: Commitment, rows: list[dict]) -> None:
    commitment.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(commitment=commitment, order=n, **row) for n, row in enumerate(rows, start=1)
    )


def _replace_other_actors(commitment: Commitment, rows: list[dict]) -> None:
    """Other actors as typed ({name, role}); a name that is a known organisation's name or acronym is
    linked to it (one query), so the organisation's page can later list what it takes part in."""
    names = {row["name"].lower() for row in rows}
    known = {}
    candidates = Entity.objects.annotate(lname=Lower("name"), lacronym=Lower("acronym"))
    for entity in candidates.filter(Q(lname__in=names) | Q(lacronym__in=names)):
        for key in (entity.name.lower(), entity.acronym.lower()):
            if key in names:
                known[key] = entity
    commitment.other_actors.all().delete()
    OtherActor.objects.bulk_create(
        OtherActor(
            commitment=commitment,
            entity=known.get(row["name"].lower()),
            name="" if row["name"].lower() in known else row["name"],
            role=row["role"],
        )
        for row in rows
    )


# --- Transitions -----------------------------------------------------------------------------------
# Moves that only their own service makes, because it writes more than the status: lineage links
# (merge, split), the open review (assign, resubmit) or the ministry's decision (decide_review).
SERVICE_MOVES = {
    (S.PROPOSED, S.MERGED), (S.IN_CONSULTATION, S.MERGED), (S.AGREED, S.MERGED),
    (S.PROPOSED, S.SPLIT), (S.IN_CONSULTATION, S.SPLIT), (S.AGREED, S.SPLIT),
    (S.AGREED, S.IN_REVIEW), (S.CHANGES_REQUESTED, S.IN_REVIEW),
    (S.IN_REVIEW, S.APPROVED), (S.IN_REVIEW, S.CHANGES_REQUESTED),
}  # fmt: skip


def commitment_transition(*, commitment: Commitment, to: str, actor, reason: str = "") -> Commitment:
    """Move a commitment to `to`, recording who, when and why (OGP traceability).

    Merges, splits, sending to review and the ministry's decision have services of their own and are
    refused here, whoever asks (a superuser passes every permission check, not this one).
    """
    current = Commitment.objects.values_list("status", flat=True).get(pk=commitment.pk)
    if (current, to) in SERVICE_MOVES:
        raise ValidationError(
            _("A commitment in “%(old)s” moves to “%(new)s” only through its own page.")
            % {"old": S(current).label, "new": S(to).label},
            code="service_move",
        )
    return _transition(commitment=commitment, to=to, actor=actor, reason=reason)


@transaction.atomic
def _transition(
    *, commitment: Commitment, to: str, actor, reason: str = "", at: datetime.datetime | None = None
) -> Commitment:
    """`at`: when it happened, if not now (the example dates its plan's approval on the seed's day)."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    perm = TRANSITIONS.get((locked.status, to))
    if perm is None:
        raise ValidationError(
            _("A commitment in “%(old)s” cannot move to “%(new)s”.")
            % {"old": locked.get_status_display(), "new": S(to).label},
            code="transition",
        )
    if not actor.has_perm(perm, locked):
        raise PermissionDenied
    if to in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    if to in NEEDS_COMPLETE_TEMPLATE and (problems := missing_items(locked)):
        raise ValidationError([ValidationError(p, code="incomplete") for p in problems])
    Transition.objects.create(
        commitment=locked,
        from_status=locked.status,
        to_status=to,
        actor=actor,
        reason=reason,
        created=at or clock.now(),
    )
    audit.record(
        actor=actor,
        action="commitment.transition",
        obj=locked,
        details={"from": locked.status, "to": to, "reason": reason},
    )
    locked.status = to
    locked.save(update_fields=["status", "modified"])
    return locked


# --- Lineage ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    title: str
    reason: str


@transaction.atomic
def merge(*, sources: list[Commitment], target: Commitment, actor, reason: str) -> Commitment:
    """Merge proposals into `target` (a new or existing commitment). Each source is marked merged and
    points to the target; its comments and responses stay attached to it and show on the target."""
    if not actor.has_perm("commitments.consolidate"):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the merge.")})
    if any(s.pk == target.pk for s in sources) or not sources:
        raise ValidationError(_("Choose proposals other than the commitment they are merged into."))
    if target.status not in MERGE_TARGET_STATUSES:
        raise ValidationError(
            _("Proposals cannot be merged into a commitment in “%(status)s”.")
            % {"status": target.get_status_display()}
        )
    for source in sources:
        _transition(commitment=source, to=S.MERGED, actor=actor, reason=reason)
        LineageLink.objects.create(
            source=source, target=target, kind=LineageKind.MERGE, reason=reason, actor=actor
        )
    audit.record(
        actor=actor,
        action="commitment.merge",
        obj=target,
        details={"sources": [s.pk for s in sources], "reason": reason},
    )
    return target


@transaction.atomic
def split(*, source: Commitment, parts: list[Part], actor, reason: str) -> list[Commitment]:
    """Split a proposal into several new ones (each starting from a copy of its text)."""
    if not actor.has_perm("commitments.consolidate"):
        raise PermissionDenied
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two parts."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the split.")})
    start = source.status
    _transition(commitment=source, to=S.SPLIT, actor=actor, reason=reason)
    copied = {f: getattr(source, f) for f in Commitment.TEXT_FIELDS if f != "title"}
    values = {r.value.code: r.justification for r in source.relevances.select_related("value")}
    made = []
    for part in parts:
        child = commitment_create(
            plan=source.plan, actor=actor, reason=part.reason or reason, values=values, title=part.title,
            status=start if start != S.PROPOSED else S.PROPOSED, origin_kind=source.origin_kind,
            origin_region=source.origin_region, origin_credit=source.origin_credit,
            is_illustrative=source.is_illustrative, **copied,
        )  # fmt: skip
        LineageLink.objects.create(
            source=source, target=child, kind=LineageKind.SPLIT, reason=part.reason or reason, actor=actor
        )
        made.append(child)
    audit.record(
        actor=actor,
        action="commitment.split",
        obj=source,
        details={"parts": [c.pk for c in made], "reason": reason},
    )
    return made


def ancestors(commitment: Commitment) -> list[Commitment]:
    """Every proposal this commitment came from, through any number of merges and splits."""
    seen: dict[int, Commitment] = {}
    frontier = [commitment.pk]
    while frontier:
        links = LineageLink.objects.filter(target_id__in=frontier).select_related("source")
        frontier = []
        for link in links:
            if link.source_id not in seen and link.source_id != commitment.pk:
                seen[link.source_id] = link.source
                frontier.append(link.source_id)
    return list(seen.values())


# --- Ministry review -------------------------------------------------------------------------------
@transaction.atomic
def assign_review(
    *, commitment: Commitment, actor, reason: str = "", at: datetime.datetime | None = None
) -> Review:
    """Send an agreed commitment to its lead entity for technical review (opens one review). `at`: when,
    if not now."""
    at = at or clock.now()
    locked = _transition(commitment=commitment, to=S.IN_REVIEW, actor=actor, reason=reason, at=at)
    review = Review.objects.create(
        commitment=locked, entity_id=locked.lead_entity_id, assigned_by=actor, opened=at
    )
    audit.record(
        actor=actor,
        action="review.assign",
        obj=locked,
        details={"review": review.pk, "entity_id": review.entity_id},
    )
    return review


@transaction.atomic
def resubmit(*, commitment: Commitment, actor, reason: str = "") -> Review:
    """After changes were requested: back to technical review, with a new review row."""
    locked = _transition(commitment=commitment, to=S.IN_REVIEW, actor=actor, reason=reason)
    review = Review.objects.create(commitment=locked, entity_id=locked.lead_entity_id, assigned_by=actor)
    audit.record(
        actor=actor,
        action="review.resubmit",
        obj=locked,
        details={"review": review.pk, "entity_id": review.entity_id},
    )
    return review


@transaction.atomic
def decide_review(
    *, commitment: Commitment, actor, approve: bool, reason: str = "", at: datetime.datetime | None = None
) -> Review:
    """The ministry signs off (approved) or asks for changes (reason required). A decision is final:
    simultaneous sign-offs produce one transition, the others are refused. `at`: when, if not now."""
    at = at or clock.now()
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if getattr(actor, "entity_id", None) != locked.lead_entity_id:
        # The sign-off is the lead ministry's own, whatever else the actor may do (administrators too).
        raise PermissionDenied
    review = Review.objects.select_for_update().filter(commitment=locked, decision="").first()
    if review is None or locked.status != S.IN_REVIEW:
        raise ValidationError(_("This commitment is not waiting for a review decision."), code="decided")
    to = S.APPROVED if approve else S.CHANGES_REQUESTED
    _transition(commitment=locked, to=to, actor=actor, reason=reason, at=at)
    review.decision = Review.Decision.APPROVED if approve else Review.Decision.CHANGES
    review.decided_by, review.decided, review.reason = actor, at, reason
    review.save(update_fields=["decision", "decided_by", "decided", "reason"])
    audit.record(
        actor=actor,
        action="review.decide",
        obj=locked,
        details={"review": review.pk, "decision": review.decision, "reason": reason},
    )
    return review


@transaction.atomic
def add_note(*, commitment: Commitment, actor, text: str) -> ReviewNote:
    """An internal note for the Secretaría and the reviewing entity (never public)."""
    if not actor.has_perm("commitments.add_note", commitment):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    note = ReviewNote.objects.create(
        commitment=commitment, entity_id=commitment.lead_entity_id, author=actor, text=text
    )
    audit.record(actor=actor, action="review.note", obj=commitment, details={"note": note.pk})
    return note


# --- Prioritisation --------------------------------------------------------------------------------
@transaction.atomic
def score(*, commitment: Commitment, actor, criterion: str, value: int, note: str = "") -> Score:
    """The Secretaría scores a proposal on one criterion, 0 to 3 (public, with its criteria)."""
    if not actor.has_perm("commitments.score", commitment):
        raise PermissionDenied
    if criterion not in Criterion.values:
        raise ValidationError({"criterion": _("Unknown criterion.")})
    if not 0 <= int(value) <= Score.MAX:
        raise ValidationError({"value": _("A score goes from 0 to %(max)s.") % {"max": Score.MAX}})
    obj, _created = Score.objects.update_or_create(
        commitment=commitment,
        criterion=criterion,
        defaults={"value": int(value), "note": note, "scorer": actor},
    )
    audit.record(
        actor=actor,
        action="commitment.score",
        obj=commitment,
        details={"criterion": criterion, "value": int(value)},
    )
    return obj
