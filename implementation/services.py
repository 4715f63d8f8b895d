"""Progress reports: submitted by the lead entity, validated or returned by the Secretaría (issue 14).

A report is never edited. A returned report is corrected by a new one (the next number of its milestone,
`corrects` naming it), so every version stays. Each change of state is a ReportTransition (who, when,
why) and an audit entry, in the same transaction. Validating makes the report public and emails the
commitment's followers through the outbox.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from commitments.models import Milestone
from consultations.models import Follow
from paga import audit, clock
from paga.models import EmailOptOut
from paga.plans import reverse_in
from paga.services import absolute_url, notify_all, queue_email
from paga.uploads import safe_name, sha256_of
from workshops.services import _check_file as check_document_file

from . import selectors
from .models import Evidence, ProgressReport, ProgressStatus, ReportState, ReportTransition
from .rules import may

S = ReportState
REPORT = "implementation.report_progress"
DECIDE = "implementation.decide"
MAX_EVIDENCE = 10
TITLE_LENGTH = Evidence._meta.get_field("title").max_length
URL_LENGTH = Evidence._meta.get_field("url").max_length
_http_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class EvidenceLink:
    title: str
    url: str


@dataclass(frozen=True)
class EvidenceFile:
    title: str
    upload: object  # an UploadedFile


def _require(actor, perm: str, obj=None) -> None:
    if not may(actor, perm, obj):
        raise PermissionDenied


def _clean_title(title: str) -> str:
    return " ".join((title or "").split())


def _check_evidence(links: Sequence[EvidenceLink], files: Sequence[EvidenceFile]) -> list[str]:
    """What is wrong with the evidence, in words (files checked by content: paga/uploads.py, through
    the repository's own check, workshops.services)."""
    errors = []
    if len(links) + len(files) > MAX_EVIDENCE:
        errors.append(_("Give at most %(n)s pieces of evidence.") % {"n": MAX_EVIDENCE})
    for link in links:
        title = _clean_title(link.title)
        if not title or len(title) > TITLE_LENGTH:
            errors.append(_("Give each link a title of at most %(n)s characters.") % {"n": TITLE_LENGTH})
        url = (link.url or "").strip()
        try:
            if len(url) > URL_LENGTH:
                raise ValidationError("too long")
            _http_url(url)
        except ValidationError:
            errors.append(
                _("“%(url)s” is not a web address (http:// or https://, at most %(n)s characters).")
                % {"url": url[:80], "n": URL_LENGTH}
            )
    for item in files:
        title = _clean_title(item.title)
        if not title or len(title) > TITLE_LENGTH:
            errors.append(_("Give each file a title of at most %(n)s characters.") % {"n": TITLE_LENGTH})
        try:
            check_document_file(item.upload)
        except ValidationError as error:
            errors += error.message_dict.get("upload", [])
    return errors


@transaction.atomic
def submit_report(
    *,
    milestone: Milestone,
    actor,
    status: str,
    done: str,
    as_of: datetime.date | None,
    links: Iterable[EvidenceLink] = (),
    files: Iterable[EvidenceFile] = (),
    corrects: ProgressReport | None = None,
    at: datetime.datetime | None = None,
) -> ProgressReport:
    """Report a milestone's progress on the IRM scale, with what was done, the date it speaks of and its
    evidence (OGP: the lead entity reports, the Secretaría checks). Only a reviewer of the commitment's
    lead entity, only on a commitment of the plan's approved version; one report waits for the
    Secretaría at a time; `corrects` names a returned report of the same milestone, corrected once."""
    _require(actor, REPORT, milestone)
    locked = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("commitment__plan")
        .get(pk=milestone.pk)
    )
    commitment = locked.commitment
    if not selectors.is_implemented(commitment):
        raise ValidationError(
            _("Progress is reported only on commitments of the plan's approved version; this is not one.")
        )
    links, files = list(links), list(files)
    errors: dict[str, list[str]] = {}
    if status not in ProgressStatus.values:
        errors["status"] = [_("Choose the milestone's progress.")]
    done = (done or "").strip()
    if not done:
        errors["done"] = [_("Say what was done.")]
    if as_of is None:
        errors["as_of"] = [_("Give the date the report speaks of.")]
    elif as_of > clock.today():
        errors["as_of"] = [_("The date of the report cannot be in the future.")]
    if evidence_errors := _check_evidence(links, files):
        errors["evidence"] = evidence_errors
    reports = ProgressReport.objects.filter(milestone=locked)
    if reports.filter(state=S.SUBMITTED).exists():
        errors["__all__"] = [
            _("A report on this milestone is waiting for the Secretaría; wait for its decision.")
        ]
    if corrects is not None:
        corrects = ProgressReport.objects.filter(pk=corrects.pk).first()
        if corrects is None or corrects.milestone_id != locked.pk or corrects.state != S.RETURNED:
            errors.setdefault("__all__", []).append(
                _("Only a returned report of this milestone can be corrected.")
            )
        elif corrects.corrections.exists():
            errors.setdefault("__all__", []).append(_("That report has already been corrected."))
    if errors:
        raise ValidationError(errors)
    moment = at or clock.now()
    number = (reports.aggregate(n=Max("number"))["n"] or 0) + 1
    report = ProgressReport.objects.create(
        milestone=locked,
        number=number,
        status=status,
        done=done,
        as_of=as_of,
        author=actor,
        entity=commitment.lead_entity,
        created=moment,
        corrects=corrects,
    )
    for link in links:
        Evidence.objects.create(
            report=report, kind=Evidence.Kind.LINK, title=_clean_title(link.title), url=link.url.strip()
        )
    stored = []
    for item in files:
        upload = item.upload
        extension, content_type = check_document_file(upload)
        original, digest, size = safe_name(upload.name), sha256_of(upload), upload.size
        # A name of our own: the sent one may carry personal data or path tricks; kept only as text.
        upload.name = f"{uuid.uuid4().hex}{'.jpg' if extension == '.jpeg' else extension}"
        evidence = Evidence.objects.create(
            report=report,
            kind=Evidence.Kind.FILE,
            title=_clean_title(item.title),
            file=upload,
            original_name=original,
            content_type=content_type,
            sha256=digest,
            size=size,
        )
        stored.append({"evidence": evidence.pk, "size": size, "sha256": digest})
    ReportTransition.objects.create(
        report=report, from_state="", to_state=S.SUBMITTED, actor=actor, at=moment
    )
    audit.record(
        actor=actor,
        action="progress.submit",
        obj=report,
        details={
            "milestone": locked.pk,
            "commitment": commitment.pk,
            "number": number,
            "status": status,
            "as_of": as_of.isoformat(),
            "links": len(links),
            "files": stored,
            "corrects": corrects.pk if corrects else None,
        },
    )
    return report


def _decide(report: ProgressReport, actor) -> ProgressReport:
    _require(actor, DECIDE, report)
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.state != S.SUBMITTED:
        raise ValidationError(
            _("This report is already “%(state)s”: only a submitted report can be decided.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _move(report: ProgressReport, *, to: str, actor, reason: str, moment: datetime.datetime) -> None:
    ReportTransition.objects.create(
        report=report, from_state=report.state, to_state=to, actor=actor, reason=reason, at=moment
    )
    report.state = to
    report.decided_by = actor
    report.decided_at = moment
    report.save(update_fields=["state", "decided_by", "decided_at", "return_reason"])


@transaction.atomic
def return_report(
    *, report: ProgressReport, actor, reason: str, at: datetime.datetime | None = None
) -> ProgressReport:
    """Return a submitted report to its entity with a reason (Secretaría only): the entity corrects it
    with a new report; this one stays, with the reason."""
    locked = _decide(report, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the report is returned: the entity needs it to correct it.")]}
        )
    locked.return_reason = reason
    _move(locked, to=S.RETURNED, actor=actor, reason=reason, moment=at or clock.now())
    tell_author(locked)
    audit.record(
        actor=actor,
        action="progress.return",
        obj=locked,
        details={"milestone": locked.milestone_id, "number": locked.number, "reason": reason},
    )
    return locked


@transaction.atomic
def validate_report(*, report: ProgressReport, actor, at: datetime.datetime | None = None) -> ProgressReport:
    """Validate a submitted report (Secretaría only): it becomes public and sets the milestone's status
    (progress.py); the commitment's followers are emailed."""
    locked = _decide(report, actor)
    _move(locked, to=S.VALIDATED, actor=actor, reason="", moment=at or clock.now())
    sent = notify_followers(locked)
    audit.record(
        actor=actor,
        action="progress.validate",
        obj=locked,
        details={
            "milestone": locked.milestone_id,
            "number": locked.number,
            "status": locked.status,
            "followers_emailed": sent,
        },
    )
    return locked


def notify_followers(report: ProgressReport) -> int:
    """Email the commitment's active followers about a validated report (the outbox, after commit). A
    follower who opted out of news about what they follow (EmailOptOut.Kind.FOLLOWED) is not emailed."""
    milestone = Milestone.objects.select_related("commitment__plan").get(pk=report.milestone_id)
    commitment = milestone.commitment
    followers = [
        f.user
        for f in Follow.objects.filter(commitment=commitment, active=True)
        .select_related("user")
        .order_by("pk")
    ]
    if not followers:
        return 0
    context = {
        "commitment": str(commitment),
        "milestone": milestone.description,
        "status": report.get_status_display(),
        "as_of": report.as_of,
        "done": report.done,
        "url": absolute_url(
            reverse_in(commitment.plan, "commitments:detail", kwargs={"key": _key(commitment)})
        ),
    }
    subject = " ".join(render_to_string("implementation/email/validated_subject.txt", context).split())
    body = render_to_string("implementation/email/validated_message.txt", context)
    return notify_all(followers, kind=EmailOptOut.Kind.FOLLOWED, subject=subject, body=body)


def tell_author(report: ProgressReport):
    """Email the author of a returned report the reason and where to correct it (the outbox, after
    commit). A work message of the reporting entity: no unsubscribe link, nothing if the account is gone."""
    author = report.author
    if not author.is_active or not author.email:
        return None
    milestone = Milestone.objects.select_related("commitment__plan").get(pk=report.milestone_id)
    context = {
        "commitment": str(milestone.commitment),
        "milestone": milestone.description,
        "number": report.number,
        "reason": report.return_reason,
        "url": absolute_url(
            reverse_in(
                milestone.commitment.plan, "implementation:review_milestone", kwargs={"pk": milestone.pk}
            )
        ),
    }
    subject = " ".join(render_to_string("implementation/email/returned_subject.txt", context).split())
    body = render_to_string("implementation/email/returned_message.txt", context)
    return queue_email(EmailMessage(subject=subject, body=body, to=[author.email]))


def _key(commitment) -> str:
    return str(commitment.number) if commitment.number else commitment.slug
