"""Factories for implementation tracking. `ProgressReportFactory` writes rows directly (volume, read-side
tests); the services (implementation/services.py) are what tests of the write side go through."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from commitments.models import PlanItem, PlanVersion
from implementation.models import Evidence, ProgressReport, ProgressStatus, ReportState
from tests.commitments.factories import SCRIPT, MilestoneFactory
from tests.factories import UserFactory


class ProgressReportFactory(DjangoModelFactory):
    """A submitted report on a milestone, by a user of the commitment's lead entity. `state=VALIDATED`
    (or RETURNED) fills in the decision; `number` follows the milestone's last one."""

    class Meta:
        model = ProgressReport

    milestone = factory.SubFactory(MilestoneFactory)
    number = factory.LazyAttribute(
        lambda o: (
            (o.milestone.progress_reports.order_by("-number").values_list("number", flat=True).first() or 0)
            + 1
        )
    )
    status = ProgressStatus.LIMITED
    done = factory.Sequence(lambda n: f"Se avanzó «diagnóstico» n.º {n} en Áncash {SCRIPT}")
    as_of = datetime.date(2018, 3, 31)
    state = ReportState.SUBMITTED
    entity = factory.LazyAttribute(lambda o: o.milestone.commitment.lead_entity)
    author = factory.LazyAttribute(lambda o: UserFactory(entity=o.entity))
    decided_by = factory.LazyAttribute(lambda o: None if o.state == ReportState.SUBMITTED else UserFactory())
    decided_at = factory.LazyAttribute(
        lambda o: (
            None
            if o.state == ReportState.SUBMITTED
            else datetime.datetime(2018, 4, 2, 15, tzinfo=datetime.UTC)
        )
    )
    return_reason = factory.LazyAttribute(
        lambda o: f"Falta la evidencia {SCRIPT}" if o.state == ReportState.RETURNED else ""
    )


class EvidenceLinkFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    report = factory.SubFactory(ProgressReportFactory)
    kind = Evidence.Kind.LINK
    title = factory.Sequence(lambda n: f"Informe «publicado» n.º {n} {SCRIPT}")
    url = factory.Sequence(lambda n: f"https://www.gob.pe/minam/informe-{n}")


def approve_directly(*commitments) -> PlanVersion:
    """An approved version of the commitments' plan holding them, written directly (the services need
    each commitment signed off by its ministry; transactional tests have no example to take through
    them): a draft with its items, then frozen and approved in one update, as the checks require."""
    from django.utils import timezone

    plan = commitments[0].plan
    user = UserFactory()
    number = (
        PlanVersion.objects.filter(plan=plan).order_by("-number").values_list("number", flat=True).first()
        or 0
    ) + 1
    version = PlanVersion.objects.create(plan=plan, number=number, created_by=user)
    for place, commitment in enumerate(commitments, start=1):
        PlanItem.objects.create(version=version, commitment=commitment, number=place)
    now = timezone.now()
    PlanVersion.objects.filter(pk=version.pk).update(
        state=PlanVersion.State.APPROVED,
        frozen_at=now,
        frozen_by=user,
        approved_at=now,
        approved_by=user,
        instrument=PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        instrument_number="RM de prueba",
        instrument_date=now.date(),
        snapshot={},
        annex=[],
    )
    version.refresh_from_db()
    return version
