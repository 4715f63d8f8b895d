"""The Secretaría's reasoned response to every contribution (OGP co-creation standards; what the IRM
found missing in Peru's 2017 forum: a public, justified answer to each contribution).

One response per contribution: while it is unpublished it may be rewritten; once published it stands
as published (a public answer is not changed behind the reader's back). A consultation publishes each
response as soon as it is written ("inmediata") or all of them at once ("conjunta").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commitments.models import Version
from paga import audit, clock

from . import notifications
from .models import Consultation, Contribution, Disposition, Response, ResponseTemplate

D = Disposition
NEEDS_VERSION = frozenset({D.INCORPORATED, D.PARTIAL})
RESPOND = "consultations.respond"


def _check(
    *,
    contribution: Contribution,
    disposition: str,
    reason: str,
    commitment_version: Version | None,
    duplicate_of: Contribution | None,
) -> None:
    """What a reasoned response needs, in words: a reason (except for "incorporated"), the version it
    went into, or the contribution it duplicates."""
    if disposition not in D.values:
        raise ValidationError(_("Choose a disposition for the response."), code="disposition")
    label = D(disposition).label
    if disposition != D.INCORPORATED and not reason:
        raise ValidationError(
            _("Give the reason for “%(disposition)s”: every response but “incorporated” explains itself.")
            % {"disposition": label},
            code="reason",
        )
    if disposition in NEEDS_VERSION and commitment_version is None:
        raise ValidationError(
            _("Say which version of which commitment the contribution went into (“%(disposition)s”).")
            % {"disposition": label},
            code="commitment_version",
        )
    if disposition not in NEEDS_VERSION and commitment_version is not None:
        raise ValidationError(
            _("Only an incorporated or partially incorporated contribution links to a commitment version."),
            code="commitment_version",
        )
    if (
        commitment_version is not None
        and not Version.objects.filter(
            pk=commitment_version.pk, commitment__plan_id=contribution.consultation.plan_id
        ).exists()
    ):
        raise ValidationError(
            _("The commitment version must belong to the plan of this consultation."),
            code="commitment_version",
        )
    if disposition == D.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError(_("Say which contribution this one duplicates."), code="duplicate_of")
        if duplicate_of.pk == contribution.pk:
            raise ValidationError(_("A contribution cannot duplicate itself."), code="duplicate_of")
        if duplicate_of.consultation_id != contribution.consultation_id:
            raise ValidationError(
                _("A contribution can only duplicate another of the same consultation."), code="duplicate_of"
            )
    elif duplicate_of is not None:
        raise ValidationError(
            _("Only a response “duplicate” links to the contribution it duplicates."), code="duplicate_of"
        )


@transaction.atomic
def respond(
    *,
    contribution: Contribution,
    actor,
    disposition: str,
    reason: str = "",
    commitment_version: Version | None = None,
    duplicate_of: Contribution | None = None,
) -> Response:
    """Write (or rewrite, while unpublished) the reasoned response to `contribution`.

    OGP: participants must be told how their contributions were taken into account, with a reason;
    so the reason is required for every disposition but "incorporated", and an incorporated one
    points to the version of the commitment that took it in. A published response is final.
    """
    if not actor.has_perm(RESPOND):
        raise PermissionDenied
    reason = (reason or "").strip()
    locked = Contribution.objects.select_for_update().select_related("consultation").get(pk=contribution.pk)
    _check(
        contribution=locked,
        disposition=disposition,
        reason=reason,
        commitment_version=commitment_version,
        duplicate_of=duplicate_of,
    )
    immediate = locked.consultation.publication == Consultation.Publication.IMMEDIATE
    fields = {
        "disposition": disposition,
        "reason": reason,
        "commitment_version": commitment_version,
        "duplicate_of": duplicate_of,
        "author": actor,
    }
    response = Response.objects.filter(contribution=locked).first()
    if response is None:
        response = Response.objects.create(
            contribution=locked, published_at=clock.now() if immediate else None, **fields
        )
        audit.record(
            actor=actor,
            action="response.write",
            obj=locked,
            details={
                "response": response.pk,
                "disposition": disposition,
                "reason": reason,
                "published": immediate,
            },
        )
        if immediate:  # the author learns of it by email, after commit
            notifications.notify_response(response, actor=actor)
        return response
    if response.published_at is not None:
        raise ValidationError(
            _("The response to this contribution was already published on %(date)s; it cannot be changed.")
            % {"date": date_format(timezone.localtime(response.published_at), "DATE_FORMAT")},
            code="published",
        )
    for name, value in fields.items():
        setattr(response, name, value)
    if immediate:
        response.published_at = clock.now()
    response.save()
    audit.record(
        actor=actor,
        action="response.write",
        obj=locked,
        details={
            "response": response.pk,
            "disposition": disposition,
            "reason": reason,
            "published": immediate,
        },
    )
    if immediate:
        notifications.notify_response(response, actor=actor)
    return response


@transaction.atomic
def respond_many(
    *, contributions: Iterable[Contribution], actor, disposition: str, reason: str, **links
) -> list[Response]:
    """The same reasoned response to every selected contribution, all or nothing.

    Answering in bulk saves the Secretaría time with many similar contributions, but no contribution
    may be left out silently: one that cannot take the response refuses the whole batch, naming it.
    """
    if not actor.has_perm(RESPOND):
        raise PermissionDenied
    unique = list({c.pk: c for c in contributions}.values())
    if not unique:
        raise ValidationError(_("Select at least one contribution to answer."), code="empty")
    responses = []
    for contribution in unique:
        try:
            responses.append(
                respond(
                    contribution=contribution, actor=actor, disposition=disposition, reason=reason, **links
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Contribution %(id)s: %(problem)s Nothing was saved.")
                % {"id": contribution.pk, "problem": " ".join(error.messages)},
                code=getattr(error, "code", None),
            ) from error
    audit.record(
        actor=actor,
        action="response.bulk",
        details={"contributions": [c.pk for c in unique], "disposition": disposition},
    )
    return responses


@transaction.atomic
def publish_responses(*, consultation: Consultation, actor) -> int:
    """Publish every unpublished response of `consultation` at the same moment; returns how many.

    For consultations that answer "all at once": everyone reads their answer on the same day, and the
    consultation records when that was. Calling it again publishes what was answered since.
    """
    if not actor.has_perm(RESPOND):
        raise PermissionDenied
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    now = clock.now()
    unpublished = Response.objects.filter(contribution__consultation=locked, published_at__isnull=True)
    ids = list(unpublished.values_list("pk", flat=True))
    count = Response.objects.filter(pk__in=ids, published_at__isnull=True).update(
        published_at=now, modified=now
    )
    # Every author is told by email, after commit, that their answer is published.
    notifications.notify_responses(
        Response.objects.filter(pk__in=ids)
        .select_related(
            "contribution__author", "contribution__consultation", "commitment_version__commitment"
        )
        .order_by("pk"),
        actor=actor,
    )
    audit.record(actor=actor, action="response.publish", obj=locked, details={"count": count})
    if count:  # the date says when answers were published, so publishing nothing leaves it alone
        locked.responses_published_at = now
        locked.save(update_fields=["responses_published_at"])
        consultation.responses_published_at = now
    return count


def apply_template(template: ResponseTemplate) -> dict[str, str]:
    """A form's initial data from a response template: the Secretaría starts from it and adapts it."""
    return {"disposition": template.disposition, "reason": template.text}
