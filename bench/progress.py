"""Synthetic progress reports for the page benchmark (issue 14: "`make bench` gains `/seguimiento/` and a
commitment with 20 progress reports").

A benchmark fixture, not domain logic: rows are written with `bulk_create` (no services), as
bench/volume.py does, following the rules all the same: each report validated by the Secretaría on a
milestone of a commitment of the plan's approved version in force, by a reviewer of its lead entity, its
number the next of its milestone, its decision recorded (two transitions: submitted, validated), one
evidence link each. Every row is marked: its text starts with "(volumen de prueba)".

    load_progress(reports=20)   # after `load_example` (which approves the plan), with Django set up

The commitment is `implemented_sample()`: the lowest-numbered commitment of the approved version in
force (the example's commitment 3, which already holds the example's own reports). Idempotent: a call
makes it hold exactly `reports` validated reports in all, the example's included (never fewer than
those), adding or removing synthetic ones, so two calls with growing counts build the volume in two
steps (the benchmark counts queries at both).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max

from commitments.models import Commitment
from implementation import selectors
from implementation.models import Evidence, ProgressReport, ProgressStatus, ReportState, ReportTransition
from paga.models import ActionPlan, User

from .volume import PREFIX, SECRETARIAT_EMAIL

STATUSES = [ProgressStatus.LIMITED, ProgressStatus.SUBSTANTIAL, ProgressStatus.COMPLETE]
FIRST_DAY = datetime.date(2018, 1, 15)
UTC = datetime.UTC


def implemented_sample(plan: ActionPlan | None = None) -> Commitment | None:
    """The lowest-numbered commitment of the plan's approved version in force (None: no approved plan)."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    return selectors.implemented_commitments(plan).order_by("number", "pk").first()


def synthetic(commitment: Commitment):
    return ProgressReport.objects.filter(milestone__commitment=commitment, done__startswith=PREFIX)


def load_progress(*, reports: int, plan: ActionPlan | None = None) -> int:
    """Make `implemented_sample()` hold `reports` validated reports in all; the number it holds."""
    with transaction.atomic():
        commitment = implemented_sample(plan)
        if commitment is None:
            raise RuntimeError("no commitment in an approved version: load the example (with its finish)")
        validated = ProgressReport.objects.filter(
            milestone__commitment=commitment, state=ReportState.VALIDATED
        )
        extra = validated.count() - reports
        if extra > 0:
            surplus = list(
                synthetic(commitment).order_by("-created", "-pk").values_list("pk", flat=True)[:extra]
            )
            Evidence.objects.filter(report_id__in=surplus).delete()
            ReportTransition.objects.filter(report_id__in=surplus).delete()
            ProgressReport.objects.filter(pk__in=surplus).delete()
        elif extra < 0:
            _add(commitment, -extra)
        return validated.count()


def _add(commitment: Commitment, n: int) -> None:
    milestones = list(commitment.milestones.order_by("order", "pk"))
    if not milestones:
        raise RuntimeError(f"commitment {commitment.number} has no milestones")
    author = User.objects.filter(entity_id=commitment.lead_entity_id).order_by("pk").first()
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    if author is None:
        raise RuntimeError(f"no reviewer of {commitment.lead_entity}: load the example first")
    numbers = dict(
        ProgressReport.objects.filter(milestone__in=milestones)
        .values_list("milestone")
        .annotate(last=Max("number"))
    )
    start = synthetic(commitment).count()
    rows = []
    for k in range(start, start + n):
        milestone = milestones[k % len(milestones)]
        numbers[milestone.pk] = numbers.get(milestone.pk, 0) + 1
        as_of = FIRST_DAY + datetime.timedelta(days=(k * 7) % 700)  # within 2018-2019
        sent = datetime.datetime.combine(as_of, datetime.time(15), tzinfo=UTC) + datetime.timedelta(days=2)
        rows.append(
            ProgressReport(
                milestone=milestone,
                number=numbers[milestone.pk],
                status=STATUSES[k % len(STATUSES)],
                done=f"{PREFIX} Avance n.º {k + 1}: se publicaron los datos del periodo y se informó a la "
                "sociedad civil en una reunión de seguimiento.",
                as_of=as_of,
                state=ReportState.VALIDATED,
                author=author,
                entity_id=commitment.lead_entity_id,
                created=sent,
                decided_by=secretariat,
                decided_at=sent + datetime.timedelta(days=3),
            )
        )
    ProgressReport.objects.bulk_create(rows)
    Evidence.objects.bulk_create(
        Evidence(
            report=r,
            kind=Evidence.Kind.LINK,
            title=f"{PREFIX} Informe del periodo {r.as_of:%m/%Y}",
            url=f"https://volumen-de-prueba.example/informe-{r.milestone_id}-{r.number}",
        )
        for r in rows
    )
    ReportTransition.objects.bulk_create(
        [
            transition
            for r in rows
            for transition in (
                ReportTransition(
                    report=r, from_state="", to_state=ReportState.SUBMITTED, actor=author, at=r.created
                ),
                ReportTransition(
                    report=r,
                    from_state=ReportState.SUBMITTED,
                    to_state=ReportState.VALIDATED,
                    actor=secretariat,
                    at=r.decided_at,
                ),
            )
        ]
    )
