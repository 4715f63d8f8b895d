"""The self-assessment of an approved plan: generated from the data, edited, consulted, finalized (issue 14).

OGP asks the government to publish a mid-term and an end-of-term self-assessment and to open each to
public comment for at least two weeks. The portal builds the draft from what it already holds, at a date
(`generate`): the co-creation process as approved (the plan version's process summary: consultations,
workshops and their participation figures), each commitment's status on the IRM scale with what was done
and its evidence (validated progress reports only, implementation/progress.py's RULE), and the facts
for what was learned. The Secretaría edits each section (`edit_section`: a new version with who, when,
why); `publish` puts the report's paragraphs to a DOCUMENT consultation of the forum, answered there with
reasoned responses; `finalize` freezes the text (stored with its SHA-256; database triggers keep it) and
writes the render job of its PDF, sent to the worker after commit like the plan's.

The report's text is the official Spanish document, like the plan's PDF (commitments/pdf.py): the
generated text is Spanish whatever the language of the request.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commitments.models import Milestone, PlanVersion
from commitments.plan_document import blocks_from_data
from commitments.plan_services import dispatch
from consultations.models import Consultation, Contribution, Paragraph
from paga import audit, clock, reports
from paga.models import ActionPlan
from paga.plans import reverse_in
from paga.services import absolute_url

from . import progress, selectors, tasks
from .assessment_models import AssessmentDocument, Section, SectionVersion, SelfAssessment
from .models import Evidence, ProgressReport, ProgressStatus, ReportState
from .rules import may

PERM = "implementation.manage_self_assessment"
LANGUAGE = "es"
MIN_CONSULTATION = datetime.timedelta(days=14)  # OGP: at least two weeks of public comment
TEXT_LENGTH = 20_000
REASON_LENGTH = 1_000
S = SelfAssessment.State


def _require(actor) -> None:
    if not may(actor, PERM):
        raise PermissionDenied


def _day(value: datetime.date) -> str:
    return date_format(value, r"j \d\e F \d\e Y")


# --- Generation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    key: str
    title: str
    text: str


def _table_text(table) -> list[str]:
    lines = [f"{table.caption}:"] if table.caption else []
    for row in table.rows:
        cells = [
            f"{header}: {_cell(value)}"
            for header, value in zip(table.headers, row, strict=False)
            if value != ""
        ]
        lines.append("– " + "; ".join(cells) + ".")
    return ["\n".join(lines)] if lines else []


def _cell(value) -> str:
    if isinstance(value, datetime.datetime):
        return _day(timezone.localdate(value) if timezone.is_aware(value) else value.date())
    if isinstance(value, datetime.date):
        return _day(value)
    return str(value)


def _process(plan: ActionPlan, version: PlanVersion) -> str:
    """The co-creation process as the approved version recorded it (its process summary, in Spanish),
    and the approval."""
    approved = _("The plan was approved by %(instrument)s No. %(number)s of %(day)s (version %(v)s).") % {
        "instrument": version.get_instrument_display(),
        "number": version.instrument_number,
        "day": _day(version.instrument_date),
        "v": version.number,
    }
    paragraphs = [approved]
    summary = (version.snapshot or {}).get("process_summary", {}).get(LANGUAGE)
    blocks = blocks_from_data(summary) if summary is not None else reports.collect("process_summary", plan)
    for block in blocks:
        paragraphs.append(f"{block.title}.")
        paragraphs += [str(p) for p in block.paragraphs if str(p).strip()]
        for table in block.tables:
            paragraphs += _table_text(table)
    return "\n\n".join(paragraphs)


def _evidence_text(evidence: Evidence, plan: ActionPlan) -> str:
    if evidence.kind == Evidence.Kind.LINK:
        return f"{evidence.title} ({evidence.url})"
    url = absolute_url(reverse_in(plan, "implementation:evidence_download", kwargs={"pk": evidence.pk}))
    return f"{evidence.title} ({url})"


@dataclass
class _Line:
    milestone: Milestone
    report: ProgressReport | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ProgressStatus.NOT_STARTED


def _frozen(item) -> dict:
    """The item's title and lead entity as the version froze them (as they stand, for an item written
    without its snapshot)."""
    data = item.data or {}
    commitment = item.commitment
    return {
        "title": data.get("title") or commitment.title,
        "lead_entity": data.get("lead_entity", str(commitment.lead_entity or "")),
    }


def _commitment_text(item, lines: list[_Line], plan: ActionPlan, as_of: datetime.date) -> str:
    completion = progress.completion([line.status for line in lines])
    delayed = sum(1 for line in lines if progress.is_delayed(line.status, line.milestone.due_date, as_of))
    complete = sum(1 for line in lines if line.status == ProgressStatus.COMPLETE)
    head = [_("Lead entity: %(entity)s.") % {"entity": _frozen(item)["lead_entity"] or "—"}]
    if completion is None:
        head.append(_("The commitment has no milestones: its completion cannot be measured."))
    else:
        head.append(
            _(
                "Completion on %(day)s: %(percent)s %% (%(complete)s of %(total)s milestones complete, "
                "%(delayed)s delayed)."
            )
            % {
                "day": _day(as_of),
                "percent": completion,
                "complete": complete,
                "total": len(lines),
                "delayed": delayed,
            }
        )
    paragraphs = [" ".join(head)]
    for n, line in enumerate(lines, start=1):
        milestone = line.milestone
        status = str(ProgressStatus(line.status).label)
        if progress.is_delayed(line.status, milestone.due_date, as_of):
            status = _("%(status)s, delayed") % {"status": status}
        text = _("Milestone %(n)s: %(description)s") % {"n": n, "description": milestone.description}
        if milestone.due_date:
            text += " " + _("(due %(day)s)") % {"day": _day(milestone.due_date)}
        text += ". " + _("Status: %(status)s.") % {"status": status}
        report = line.report
        if report is None:
            text += "\n" + _("No validated report: no public evidence is available on this date.")
        else:
            text += "\n" + _("What was done (report validated, dated %(day)s): %(done)s") % {
                "day": _day(report.as_of),
                "done": report.done,
            }
            evidence = list(report.evidence.all())
            if evidence:
                text += "\n" + _("Evidence: %(list)s.") % {
                    "list": "; ".join(_evidence_text(e, plan) for e in evidence)
                }
            else:
                text += "\n" + _("The report gives no evidence.")
        paragraphs.append(text)
    paragraphs.append(_("Next steps: to be completed by the Secretaría."))
    return "\n\n".join(paragraphs)


def _lessons(rows: list[tuple[object, list[_Line]]], as_of: datetime.date) -> str:
    completions = [progress.completion([line.status for line in lines]) for _item, lines in rows]
    full = sum(1 for c in completions if c == 100)
    started = sum(1 for c in completions if c is not None and 0 < c < 100)
    not_started = sum(1 for c in completions if c == 0)
    delayed = sum(
        1
        for _item, lines in rows
        for line in lines
        if progress.is_delayed(line.status, line.milestone.due_date, as_of)
    )
    paragraphs = [
        _(
            "On %(day)s, of the plan's %(n)s commitments, %(full)s are complete, %(started)s have made "
            "progress and %(none)s have not started; %(delayed)s milestones are delayed."
        )
        % {
            "day": _day(as_of),
            "n": len(rows),
            "full": full,
            "started": started,
            "none": not_started,
            "delayed": delayed,
        }
    ]
    silent = [
        _("commitment %(n)s") % {"n": item.number}
        for item, lines in rows
        if not any(line.report for line in lines)
    ]
    if silent:
        paragraphs.append(
            _("Without any validated report on this date (no evidence available, for the IRM): %(list)s.")
            % {"list": ", ".join(silent)}
        )
    paragraphs.append(progress.RULE)
    paragraphs.append(
        _("What was learned and the recommendations for the next plan: to be completed by the Secretaría.")
    )
    return "\n\n".join(str(p) for p in paragraphs)


def drafts(plan: ActionPlan, as_of: datetime.date) -> list[Draft]:
    """The sections of the OGP template, their text built from the database on `as_of`: the process,
    each commitment of the approved version in force (its milestones' status from the latest report
    validated and dated on or before `as_of`, what was done and the evidence), and what was learned.
    Spanish. A fixed number of queries whatever the number of commitments, milestones and reports."""
    version = selectors.approved_version(plan)
    if version is None:
        raise ValidationError(_("The plan has no approved version: there is nothing to assess yet."))
    items = list(version.items.select_related("commitment__lead_entity").order_by("number"))
    ids = [item.commitment_id for item in items]
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(commitment_id__in=ids).order_by("commitment_id", "order", "pk"):
        milestones[milestone.commitment_id].append(milestone)
    latest: dict[int, ProgressReport] = {}
    validated = (
        ProgressReport.objects.filter(
            milestone__commitment_id__in=ids, state=ReportState.VALIDATED, as_of__lte=as_of
        )
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("milestone_id", "number")
    )
    for report in validated:
        latest[report.milestone_id] = report  # the last by number wins
    rows = [(item, [_Line(m, latest.get(m.pk)) for m in milestones[item.commitment_id]]) for item in items]
    with translation.override(LANGUAGE):
        sections = [Draft("proceso", _("The co-creation process"), _process(plan, version))]
        sections += [
            Draft(
                f"compromiso-{item.number}",
                (_("Commitment %(n)s: %(title)s") % {"n": item.number, "title": _frozen(item)["title"]})[
                    :300
                ],
                _commitment_text(item, lines, plan, as_of),
            )
            for item, lines in rows
        ]
        sections.append(Draft("lecciones", _("What was learned"), _lessons(rows, as_of)))
    return sections


@transaction.atomic
def generate(
    *, plan: ActionPlan, kind: str, as_of: datetime.date | None, actor, at: datetime.datetime | None = None
) -> SelfAssessment:
    """Create the plan's self-assessment of `kind` as a draft, each section's first version generated
    from the data on `as_of` (see drafts()). One report of each kind per plan; `as_of` not in the future."""
    _require(actor)
    ActionPlan.objects.select_for_update().get(pk=plan.pk)  # one at a time per plan
    errors: dict[str, list[str]] = {}
    if kind not in SelfAssessment.Kind.values:
        errors["kind"] = [_("Choose mid-term or end-of-term.")]
    elif SelfAssessment.objects.filter(plan=plan, kind=kind).exists():
        errors["kind"] = [
            _("The plan already has its %(kind)s: edit that one.")
            % {"kind": SelfAssessment.Kind(kind).label.lower()}
        ]
    if as_of is None:
        errors["as_of"] = [_("Give the date of the data.")]
    elif as_of > clock.today():
        errors["as_of"] = [_("The date of the data cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    sections = drafts(plan, as_of)
    moment = at or clock.now()
    assessment = SelfAssessment.objects.create(
        plan=plan, kind=kind, as_of=as_of, created=moment, created_by=actor
    )
    with translation.override(LANGUAGE):
        reason = _("Generated from the data on %(day)s") % {"day": _day(as_of)}
    for order, draft in enumerate(sections, start=1):
        section = Section.objects.create(assessment=assessment, key=draft.key, title=draft.title, order=order)
        SectionVersion.objects.create(
            section=section,
            number=1,
            text=draft.text,
            generated=True,
            author=actor,
            reason=reason,
            created=moment,
        )
    audit.record(
        actor=actor,
        action="self_assessment.generate",
        obj=assessment,
        details={"kind": kind, "as_of": as_of.isoformat(), "sections": [d.key for d in sections]},
    )
    return assessment


def _locked(assessment: SelfAssessment) -> SelfAssessment:
    return SelfAssessment.objects.select_for_update().select_related("plan").get(pk=assessment.pk)


def current_texts(assessment: SelfAssessment) -> list[tuple[Section, SectionVersion]]:
    """Each section with its latest version, in order (two queries)."""
    sections = list(assessment.sections.order_by("order"))
    latest: dict[int, SectionVersion] = {}
    for version in SectionVersion.objects.filter(section__assessment=assessment).order_by(
        "section_id", "number"
    ):
        latest[version.section_id] = version
    return [(s, latest[s.pk]) for s in sections]


@transaction.atomic
def edit_section(
    *, section: Section, text: str, reason: str, actor, at: datetime.datetime | None = None
) -> SectionVersion:
    """A new version of a section's text, with why (Wagtail-like revisions: every text stays). Refused
    once the report is final."""
    _require(actor)
    assessment = _locked(section.assessment)
    if assessment.is_final:
        raise ValidationError(_("The report is final: its text can no longer change."))
    text = (text or "").replace("\r\n", "\n").strip()
    reason = " ".join((reason or "").split())
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("Write the section's text.")]
    elif len(text) > TEXT_LENGTH:
        errors["text"] = [_("A section has at most %(n)s characters.") % {"n": TEXT_LENGTH}]
    if not reason:
        errors["reason"] = [_("Say why the text changes: the change is recorded with its reason.")]
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = [_("The reason has at most %(n)s characters.") % {"n": REASON_LENGTH}]
    last = section.versions.order_by("-number").first()
    if not errors and last is not None and last.text == text:
        errors["text"] = [_("The text is the same as the current version: nothing to record.")]
    if errors:
        raise ValidationError(errors)
    number = (section.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SectionVersion.objects.create(
        section=section, number=number, text=text, author=actor, reason=reason, created=at or clock.now()
    )
    audit.record(
        actor=actor,
        action="self_assessment.edit",
        obj=assessment,
        details={"section": section.key, "number": number, "reason": reason},
    )
    return version


def paragraphs(text: str) -> list[str]:
    """A section's paragraphs: its text split at blank lines."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def consultation_slug(assessment: SelfAssessment) -> str:
    return f"autoevaluacion-{assessment.kind}-{assessment.plan.slug}"[:80]


@transaction.atomic
def publish(
    *,
    assessment: SelfAssessment,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    actor,
    at: datetime.datetime | None = None,
    illustrative: bool = False,
) -> SelfAssessment:
    """Put a draft to public consultation: a DOCUMENT consultation of the forum whose paragraphs are the
    report's (each section's title, then its paragraphs; stable keys `<section>-<n>`), open from
    `opens_at` to `closes_at`, at least two weeks (OGP). Citizens comment paragraph by paragraph and the
    Secretaría answers on the forum's own pages. The text may still be edited while it is consulted.
    `illustrative`: the example's report, labelled so wherever it shows."""
    _require(actor)
    locked = _locked(assessment)
    if locked.state != S.DRAFT:
        raise ValidationError(_("Only a draft can be put to consultation; this report is already published."))
    now = at or clock.now()
    errors: dict[str, list[str]] = {}
    if opens_at is None:
        errors["opens_at"] = [_("Give when the consultation opens.")]
    if closes_at is None:
        errors["closes_at"] = [_("Give when the consultation closes.")]
    elif closes_at <= now:
        errors["closes_at"] = [_("The consultation must close in the future.")]
    elif opens_at is not None and closes_at - opens_at < MIN_CONSULTATION:
        errors["closes_at"] = [_("OGP asks for at least two weeks of public comment: close it later.")]
    slug = consultation_slug(locked)
    if Consultation.objects.filter(slug=slug).exists():
        errors["__all__"] = [_("A consultation with the address “%(slug)s” already exists.") % {"slug": slug}]
    if errors:
        raise ValidationError(errors)
    texts = current_texts(locked)
    with translation.override(LANGUAGE):
        kind = str(SelfAssessment.Kind(locked.kind).label).lower()
        consultation = Consultation.objects.create(
            plan=locked.plan,
            slug=slug,
            title=_("Consultation of the %(kind)s of the %(plan)s")
            % {"kind": kind, "plan": locked.plan.short_name},
            kind=Consultation.Kind.DOCUMENT,
            description=_(
                "The government's %(kind)s of the plan, with the data on %(day)s, put to public comment."
            )
            % {"kind": kind, "day": _day(locked.as_of)},
            rules=_(
                "Comment on any paragraph of the report with a suggestion, a question or a concern. Each "
                "contribution will receive a reasoned response from the Secretaría."
            ),
            opens_at=opens_at,
            closes_at=closes_at,
            publication=Consultation.Publication.IMMEDIATE,
            is_illustrative=illustrative,
        )
    rows, order = [], 0
    for section, version in texts:
        order += 1
        rows.append(
            Paragraph(
                consultation=consultation,
                key=section.key,
                number=str(section.order),
                text=section.title,
                order=order,
            )
        )
        for n, text in enumerate(paragraphs(version.text), start=1):
            order += 1
            rows.append(
                Paragraph(
                    consultation=consultation,
                    key=f"{section.key}-{n}",
                    number=f"{section.order}.{n}",
                    text=text,
                    order=order,
                )
            )
    Paragraph.objects.bulk_create(rows)
    locked.state, locked.consultation = S.IN_CONSULTATION, consultation
    locked.published_at, locked.published_by = now, actor
    locked.save(update_fields=["state", "consultation", "published_at", "published_by"])
    audit.record(
        actor=actor,
        action="self_assessment.publish",
        obj=locked,
        details={
            "consultation": slug,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "paragraphs": len(rows),
        },
    )
    return locked


def unanswered(assessment: SelfAssessment) -> int:
    """Visible contributions to the report's consultation still without a reasoned response."""
    if assessment.consultation_id is None:
        return 0
    return Contribution.objects.filter(
        consultation_id=assessment.consultation_id,
        parent__isnull=True,
        response__isnull=True,
        state=Contribution.State.VISIBLE,
    ).count()


def frozen_content(assessment: SelfAssessment) -> dict:
    """What the final report is: its plan, kind, date and each section's title and text (JSON)."""
    return {
        "plan": assessment.plan.name,
        "plan_short_name": assessment.plan.short_name,
        "secretariat": assessment.plan.secretariat,
        "kind": assessment.kind,
        "as_of": assessment.as_of.isoformat(),
        "consultation": assessment.consultation.slug if assessment.consultation_id else "",
        "illustrative": bool(assessment.consultation_id and assessment.consultation.is_illustrative),
        "sections": [
            {"key": s.key, "title": s.title, "text": v.text, "version": v.number}
            for s, v in current_texts(assessment)
        ],
    }


def digest(content: dict) -> str:
    """The SHA-256 of the frozen content as canonical JSON (sorted keys, UTF-8): anyone can recompute it."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def finalize(*, assessment: SelfAssessment, actor, at: datetime.datetime | None = None) -> SelfAssessment:
    """Freeze the report once its consultation has closed and every contribution has its reasoned
    response: its text is stored with its SHA-256 and never changes (database triggers), and the render
    job of its PDF is written, sent to the worker after commit."""
    _require(actor)
    locked = _locked(assessment)
    now = at or clock.now()
    if locked.state != S.IN_CONSULTATION:
        raise ValidationError(
            _(
                "Only a report that went through its public consultation can be finalized "
                "(this one is “%(state)s”)."
            )
            % {"state": locked.get_state_display()}
        )
    consultation = locked.consultation
    if consultation.closes_at > now:
        raise ValidationError(
            _("The consultation closes on %(day)s: finalize the report after it closes.")
            % {"day": date_format(timezone.localtime(consultation.closes_at), "DATETIME_FORMAT")}
        )
    if missing := unanswered(locked):
        raise ValidationError(
            _("%(n)s contributions to the report still wait for their reasoned response.") % {"n": missing}
        )
    content = frozen_content(locked)
    locked.state, locked.finalized_at, locked.finalized_by = S.FINAL, now, actor
    locked.content, locked.sha256 = content, digest(content)
    locked.save(update_fields=["state", "finalized_at", "finalized_by", "content", "sha256"])
    job = AssessmentDocument.objects.create(assessment=locked, created=now, queued=now)
    transaction.on_commit(lambda: dispatch_render(job.pk))
    audit.record(
        actor=actor,
        action="self_assessment.finalize",
        obj=locked,
        details={"sha256": locked.sha256, "sections": len(content["sections"])},
    )
    return locked


def dispatch_render(pk: int) -> None:
    """Hand the PDF's job to the worker; a broker that is down leaves it pending for the sweep."""
    dispatch(tasks.render_assessment, pk)
