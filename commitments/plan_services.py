"""Business rules of the plan's versions: assembling a draft, freezing it, recording its approval, and the
render jobs of its documents (issue 6).

The cycle ends with a plan that goes with a ministerial resolution: the version approved must read the
same forever (OGP: the published plan is the one the government committed to), so a version is frozen
from snapshots of its commitments and never changes; a change after approval is a new version. The
rendering of its PDFs is a database row written in the approval's transaction and handed to the worker
after commit (like paga.services.queue_email): if the broker is down the approval still succeeds, the
job stays pending and the sweep (plan_tasks.sweep_render_jobs) sends it later.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from paga import audit, clock, reports
from paga.models import ActionPlan

from . import services
from .models import Commitment, Milestone, OtherActor, Review, Status, ValueRelevance, Version
from .plan_document import PlanCommitment, PlanDocument, SignOff, blocks_from_data, blocks_to_data
from .plan_models import PlanItem, PlanVersion, RenderJob

logger = logging.getLogger(__name__)

PERM = "commitments.manage_plan"
V = PlanVersion.State
# Commitments the Secretaría may put in a draft: agreed and on their way through the ministry's review,
# or signed off. Freezing needs every one of them signed off.
CANDIDATE_STATUSES = (
    Status.AGREED,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.INCLUDED,
)
SIGNED_OFF_STATUSES = (Status.APPROVED, Status.INCLUDED)


def _check(actor) -> None:
    if not actor.has_perm(PERM):
        raise PermissionDenied


def _locked(version: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)


def sign_offs(commitment_ids) -> dict[int, Review]:
    """The ministry's sign-off of each commitment that has one: its latest review decided "aprobado"."""
    found: dict[int, Review] = {}
    reviews = (
        Review.objects.filter(commitment_id__in=list(commitment_ids), decision=Review.Decision.APPROVED)
        .select_related("entity", "decided_by")
        .order_by("commitment_id", "-decided", "-pk")
    )
    for review in reviews:
        found.setdefault(review.commitment_id, review)
    return found


def candidates(plan: ActionPlan):
    """Commitments that may be put in a draft, by their number then title."""
    return (
        Commitment.objects.filter(plan=plan, status__in=CANDIDATE_STATUSES)
        .select_related("lead_entity")
        .only("pk", "number", "title", "status", "plan_id", "lead_entity__name", "lead_entity__acronym")
        .order_by("number", "title", "pk")
    )


# --- Assembling ------------------------------------------------------------------------------------
@transaction.atomic
def create_draft(*, plan: ActionPlan, actor, at: datetime.datetime | None = None) -> PlanVersion:
    """A new draft version. It starts from the items of the latest version, so a change after approval
    begins from what was approved. One draft at a time. `at`: when, if not now (the example's plan is
    assembled on its approval day)."""
    _check(actor)
    ActionPlan.objects.select_for_update().get(pk=plan.pk)  # numbers the versions one at a time
    versions = PlanVersion.objects.filter(plan=plan)
    if draft := versions.filter(state=V.DRAFT).first():
        raise ValidationError(
            _("Version %(n)s is already a draft: assemble that one.") % {"n": draft.number}, code="draft"
        )
    last = versions.order_by("-number").first()
    version = PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        state=V.DRAFT,
        created_by=actor,
        created=at or clock.now(),
    )
    if last is not None:
        PlanItem.objects.bulk_create(
            PlanItem(version=version, commitment_id=item.commitment_id, number=item.number)
            for item in last.items.only("commitment_id", "number")
        )
    audit.record(
        actor=actor,
        action="plan.draft",
        obj=version,
        label=f"v{version.number}",
        details={"number": version.number},
    )
    return version


@transaction.atomic
def set_items(*, version: PlanVersion, commitment_ids: list[int], actor) -> list[PlanItem]:
    """The commitments of a draft, in order: the first is number 1 in the plan, and so on."""
    _check(actor)
    locked = _locked(version)
    if not locked.is_draft:
        raise ValidationError(_("Version %(n)s is frozen: it cannot change.") % {"n": locked.number})
    if len(set(commitment_ids)) != len(commitment_ids):
        raise ValidationError(_("A commitment appears twice: give each one a single place."), code="twice")
    allowed = set(candidates(locked.plan).filter(pk__in=commitment_ids).values_list("pk", flat=True))
    if refused := [pk for pk in commitment_ids if pk not in allowed]:
        raise ValidationError(
            _("Only commitments agreed at the national table, in technical review or signed off can be in "
              "the plan (refused: %(ids)s).") % {"ids": ", ".join(map(str, refused))},
            code="not_candidate",
        )  # fmt: skip
    locked.items.all().delete()
    audit.record(
        actor=actor,
        action="plan.items",
        obj=locked,
        label=f"v{locked.number}",
        details={"commitments": list(commitment_ids)},
    )
    return PlanItem.objects.bulk_create(
        PlanItem(version=locked, commitment_id=pk, number=n) for n, pk in enumerate(commitment_ids, start=1)
    )


def missing_sign_offs(version: PlanVersion) -> list[Commitment]:
    """The commitments of the version that their ministry has not signed off yet, in plan order."""
    items = list(version.items.select_related("commitment").order_by("number"))
    signed = sign_offs(i.commitment_id for i in items)
    return [
        i.commitment
        for i in items
        if i.commitment.status not in SIGNED_OFF_STATUSES or i.commitment_id not in signed
    ]


@transaction.atomic
def freeze(*, version: PlanVersion, actor, at: datetime.datetime | None = None) -> PlanVersion:
    """Freeze a draft: each item keeps a snapshot of its commitment (text, values, milestones, entities),
    the commitment's version number and its ministry's sign-off. Refused while any commitment lacks its
    sign-off (the message names them). Who froze it and when (`at`, if not now) is recorded."""
    _check(actor)
    locked = _locked(version)
    if not locked.is_draft:
        raise ValidationError(_("Version %(n)s is already frozen.") % {"n": locked.number}, code="frozen")
    items = list(locked.items.order_by("number"))
    if not items:
        raise ValidationError(_("Add at least one commitment before freezing the version."), code="empty")
    # The commitments cannot change while they are copied.
    commitments = {
        c.pk: c
        for c in Commitment.objects.select_for_update(of=("self",))
        .filter(pk__in=[i.commitment_id for i in items])
        .select_related("lead_entity", "theme", "priority")
    }
    signed = sign_offs(commitments)
    lacking = [
        commitments[i.commitment_id]
        for i in items
        if commitments[i.commitment_id].status not in SIGNED_OFF_STATUSES or i.commitment_id not in signed
    ]
    if lacking:
        raise ValidationError(
            _("These commitments do not have their ministry's sign-off yet: %(list)s.")
            % {"list": "; ".join(f"{c.title} ({c.get_status_display()})" for c in lacking)},
            code="sign_off",
        )
    for item in items:
        commitment = commitments[item.commitment_id]
        data = services.snapshot(commitment)
        last = commitment.versions.order_by("-number").first()
        if last is None or last.data != data:
            # The frozen text is always one of the commitment's own numbered versions.
            last = services.write_version(
                commitment=commitment,
                author=actor,
                reason=_("Text as frozen in version %(n)s of the plan") % {"n": locked.number},
            )
        review = signed[item.commitment_id]
        item.data = data
        item.commitment_version = last.number
        item.signoff_entity = str(review.entity)
        item.signoff_by = str(review.decided_by) if review.decided_by_id else ""
        item.signoff_date = timezone.localdate(review.decided) if review.decided else None
        item.save(
            update_fields=["data", "commitment_version", "signoff_entity", "signoff_by", "signoff_date"]
        )
    locked.state, locked.frozen_at, locked.frozen_by = V.FROZEN, at or clock.now(), actor
    locked.save(update_fields=["state", "frozen_at", "frozen_by"])
    audit.record(
        actor=actor,
        action="plan.freeze",
        obj=locked,
        label=f"v{locked.number}",
        details={"commitments": [i.commitment_id for i in items]},
    )
    return locked


# --- Approval and its documents --------------------------------------------------------------------
DOCUMENT_LANGUAGE = "es"  # the plan's documents are the official Spanish text (commitments.pdf.LANGUAGE)


def approval_snapshot(plan: ActionPlan) -> tuple[dict, list[dict]]:
    """What an approved version's documents show besides its frozen items, as it stands now: the plan's
    texts and the process summary in each of the portal's languages (the page /plan/ follows the reader's
    language, the PDF is Spanish), and the annex of responses in Spanish (the PDF only). JSON, for
    PlanVersion.snapshot and .annex."""
    summaries = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            summaries[code] = blocks_to_data(reports.collect("process_summary", plan))
    with translation.override(DOCUMENT_LANGUAGE):
        annex = blocks_to_data(reports.collect("annex", plan))
    return {"plan": _plan_texts(plan), "process_summary": summaries}, annex


def _plan_texts(plan: ActionPlan) -> dict:
    return {
        "name": plan.name,
        "short_name": plan.short_name,
        "country": plan.country,
        "secretariat": plan.secretariat,
        "general_objective": plan.general_objective,
        "objectives": [o.text for o in plan.objectives.order_by("order")],
    }


@transaction.atomic
def approve(
    *,
    version: PlanVersion,
    actor,
    instrument: str,
    instrument_number: str,
    instrument_date: datetime.date,
    instrument_url: str = "",
    at: datetime.datetime | None = None,
) -> PlanVersion:
    """Record the approval of a frozen version by its legal instrument, include its commitments in the
    plan, snapshot what its documents show (approval_snapshot: from now on the version reads the same
    whatever happens in the consultations), and write the render jobs of its two documents, sent to the
    worker after commit. Rendering never happens here: the request returns at once.

    The instrument approves the text as frozen, so it cannot be dated before the freezing (nor in the
    future: after `at`, when the approval is recorded, now unless given)."""
    _check(actor)
    at = at or clock.now()
    locked = _locked(version)
    if locked.state != V.FROZEN:
        raise ValidationError(
            _("Only a frozen version can be approved (version %(n)s is “%(state)s”).")
            % {"n": locked.number, "state": locked.get_state_display()},
            code="state",
        )
    errors = {}
    if instrument not in PlanVersion.Instrument.values:
        errors["instrument"] = _("Choose the instrument that approves the plan.")
    if not (instrument_number or "").strip():
        errors["instrument_number"] = _("Give the number of the instrument, e.g. 099-2017-PCM.")
    if instrument_date is None:
        errors["instrument_date"] = _("Give the date of the instrument.")
    elif instrument_date > timezone.localdate(at):
        errors["instrument_date"] = _("The date of the instrument cannot be in the future.")
    elif instrument_date < (frozen_on := timezone.localdate(locked.frozen_at)):
        errors["instrument_date"] = _(
            "The instrument cannot be dated before the version was frozen (%(day)s): it approves the text "
            "frozen that day."
        ) % {"day": date_format(frozen_on, "DATE_FORMAT")}
    if errors:
        raise ValidationError(errors)
    if PlanVersion.objects.filter(plan=locked.plan, state=V.APPROVED, number__gt=locked.number).exists():
        raise ValidationError(_("A later version is already approved."), code="superseded")
    locked.state = V.APPROVED
    locked.instrument, locked.instrument_number = instrument, instrument_number.strip()
    locked.instrument_date, locked.instrument_url = instrument_date, instrument_url.strip()
    locked.approved_at, locked.approved_by = at, actor
    locked.snapshot, locked.annex = approval_snapshot(locked.plan)
    locked.save()
    for item in locked.items.select_related("commitment").filter(commitment__status=Status.APPROVED):
        # The same audited move as the "Include in the plan" button of a commitment.
        services._transition(
            commitment=item.commitment,
            to=Status.INCLUDED,
            actor=actor,
            at=at,
            reason=_("Included as commitment %(n)s of version %(v)s of the plan (%(instrument)s %(number)s)")
            % {
                "n": item.number,
                "v": locked.number,
                "instrument": locked.get_instrument_display(),
                "number": locked.instrument_number,
            },
        )
    jobs = [RenderJob.objects.get_or_create(version=locked, kind=kind)[0] for kind in RenderJob.Kind.values]
    for job in jobs:
        transaction.on_commit(lambda pk=job.pk: dispatch_render(pk))
    audit.record(
        actor=actor,
        action="plan.approve",
        obj=locked,
        label=f"v{locked.number}",
        details={
            "instrument": locked.instrument,
            "number": locked.instrument_number,
            "date": locked.instrument_date,
        },
    )
    return locked


def dispatch_render(pk: int) -> None:
    """Hand a render job to the worker (see dispatch())."""
    from .plan_tasks import render_job

    dispatch(render_job, pk)


def dispatch(task, pk: int) -> None:
    """Hand the render job `pk` to the worker through `task`. A broker that is down is not an error: the
    job stays pending and the sweep sends it when the broker is back."""
    try:
        task.delay(pk)
    except Exception:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        logger.warning("Could not publish render job %s; it stays pending for the sweep.", pk, exc_info=True)


@transaction.atomic
def rerun_job(*, job: RenderJob, actor) -> RenderJob:
    """Send a failed render job to the worker again (after its error was fixed)."""
    _check(actor)
    locked = RenderJob.objects.select_for_update().get(pk=job.pk)
    if locked.state != RenderJob.State.FAILED:
        raise ValidationError(
            _("Only a failed document can be rendered again (this one is “%(state)s”).")
            % {"state": locked.get_state_display()},
            code="state",
        )
    locked.state, locked.queued, locked.attempts = RenderJob.State.PENDING, timezone.now(), 0
    locked.save(update_fields=["state", "queued", "attempts"])
    audit.record(
        actor=actor,
        action="plan.rerender",
        obj=locked,
        label=f"{locked.kind} #{locked.pk}",
        details={"version": locked.version_id, "kind": locked.kind},
    )
    transaction.on_commit(lambda: dispatch_render(locked.pk))
    return locked


# --- The document ----------------------------------------------------------------------------------
def _sign_off(review: Review | None) -> SignOff | None:
    if review is None:
        return None
    return SignOff(
        entity=str(review.entity),
        by=str(review.decided_by) if review.decided_by_id else "",
        on=timezone.localdate(review.decided) if review.decided else None,
    )


def prefetched_snapshot(commitment: Commitment) -> dict:
    """services.snapshot() from rows prefetched with the commitment (relevances with their value, other
    actors with their entity, milestones with their responsible), so a draft's preview of any size takes
    a fixed number of queries. test_plan_services checks that both give the same dict."""
    data = {field: services._plain(getattr(commitment, field)) for field in Commitment.TEXT_FIELDS}
    data["lead_entity"] = str(commitment.lead_entity) if commitment.lead_entity_id else ""
    data["theme"] = str(commitment.theme) if commitment.theme_id else ""
    data["priority"] = str(commitment.priority) if commitment.priority_id else ""
    relevances = sorted(commitment.relevances.all(), key=lambda r: (r.value.order, r.pk))
    data["relevances"] = [
        {"value": r.value.code, "name": r.value.name, "justification": r.justification} for r in relevances
    ]
    data["other_actors"] = [
        {"organisation": str(a), "role": a.role}
        for a in sorted(commitment.other_actors.all(), key=lambda a: a.pk)
    ]
    data["milestones"] = [
        {
            "description": m.description,
            "responsible": str(m.responsible) if m.responsible_id else "",
            "start_date": services._plain(m.start_date),
            "due_date": services._plain(m.due_date),
            "status": m.status,
        }
        for m in sorted(commitment.milestones.all(), key=lambda m: (m.order, m.pk))
    ]
    return data


def _in_language(summaries: dict) -> list[dict]:
    """The process summary stored for the active language, or the document's (Spanish) one."""
    code = (translation.get_language() or DOCUMENT_LANGUAGE).split("-")[0]
    return summaries.get(code, summaries[DOCUMENT_LANGUAGE])


def document(version: PlanVersion, *, annex: bool = True) -> PlanDocument:
    """What the plan's page and PDF show. Its commitments: from the items' snapshots once the version is
    frozen, from the commitments as they stand in a draft (the Secretaría's preview). The plan's texts,
    process summary and annex: from the approval's snapshot once approved, so an approved version reads
    the same forever (the process summary in the active language); live before (preview). `annex=False`
    reads no annex (pages, which may have deferred it)."""
    if version.is_draft:
        items = list(
            version.items.select_related(
                "commitment__lead_entity", "commitment__theme", "commitment__priority"
            )
            .prefetch_related(
                Prefetch("commitment__versions", queryset=Version.objects.only("commitment_id", "number")),
                Prefetch("commitment__relevances", queryset=ValueRelevance.objects.select_related("value")),
                Prefetch("commitment__other_actors", queryset=OtherActor.objects.select_related("entity")),
                Prefetch("commitment__milestones", queryset=Milestone.objects.select_related("responsible")),
            )
            .order_by("number")
        )
        signed = sign_offs(i.commitment_id for i in items)
        commitments = []
        for item in items:
            data = prefetched_snapshot(item.commitment)
            numbers = [v.number for v in item.commitment.versions.all()]
            commitments.append(
                PlanCommitment(
                    number=item.number,
                    title=data["title"],
                    data=data,
                    sign_off=_sign_off(signed.get(item.commitment_id)),
                    version_number=max(numbers, default=0),
                )
            )
    else:
        commitments = [
            PlanCommitment(
                number=item.number,
                title=item.data["title"],
                data=item.data,
                sign_off=SignOff(entity=item.signoff_entity, by=item.signoff_by, on=item.signoff_date)
                if item.signoff_entity
                else None,
                version_number=item.commitment_version,
            )
            for item in version.items.order_by("number")
        ]
    if version.is_approved:
        texts = version.snapshot["plan"]
        process_summary = blocks_from_data(_in_language(version.snapshot["process_summary"]))
        annex_blocks = blocks_from_data(version.annex) if annex else []
    else:
        plan = version.plan
        texts = _plan_texts(plan)
        process_summary = reports.collect("process_summary", plan)
        annex_blocks = reports.collect("annex", plan) if annex else []
    return PlanDocument(
        plan_name=texts["name"],
        plan_short_name=texts["short_name"],
        country=texts["country"],
        secretariat=texts["secretariat"],
        general_objective=texts["general_objective"],
        objectives=texts["objectives"],
        version_number=version.number,
        frozen_at=version.frozen_at,
        instrument=version.get_instrument_display() if version.instrument else "",
        instrument_number=version.instrument_number,
        instrument_date=version.instrument_date,
        instrument_url=version.instrument_url,
        commitments=commitments,
        process_summary=process_summary,
        annex=annex_blocks,
    )
