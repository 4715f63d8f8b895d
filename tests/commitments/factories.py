"""Factories for commitments. Text fields plant accents and a `<script>` on purpose.

`CommitmentFactory()` is a bare proposal (status proposed, no lead entity, no values, no milestone) with
its first version; `complete_commitment()` passes `services.missing_items()`; `commitment_in_review()`
went through `services.assign_review`, so it has its open review and its transitions.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from commitments import plan_services, services
from commitments.models import Commitment, Milestone, PlanVersion, Status, ValueRelevance
from paga import vocabulary
from paga.example import MINISTRIES
from paga.models import ActionPlan, Entity, OGPValue
from tests.factories import EntityFactory

D = datetime.date
MINISTRY_NAMES = {acronym: name for name, acronym in MINISTRIES}
SCRIPT = "<script>alert('x')</script>"


def text(what: str) -> str:
    return f"{what}: «Educación» en la región Áncash, año 2018 {SCRIPT} ñandú"


class PlanFactory(DjangoModelFactory):
    """The current plan, 2017-2019. Looked up by slug, so it reuses the example's plan when loaded."""

    class Meta:
        model = ActionPlan
        django_get_or_create = ("slug",)

    name = f"Tercer Plan de Acción «Gobierno Abierto» {SCRIPT} 2017-2019"
    short_name = "PAGA 2017-2019"
    slug = "paga-2017-2019"
    country = "Perú"
    start_year = 2017
    end_year = 2019
    secretariat = "Secretaría de Gestión Pública (PCM)"
    general_objective = factory.LazyFunction(lambda: text("Objetivo general"))
    is_current = True


def current_plan() -> ActionPlan:
    return ActionPlan.objects.filter(is_current=True).first() or PlanFactory()


def ministry(acronym: str = "MINAM") -> Entity:
    """One of the example's ministries (the same row as the role fixtures' entity)."""
    return EntityFactory(acronym=acronym, name=MINISTRY_NAMES[acronym], slug=acronym.lower())


def ogp_value(code: str) -> OGPValue:
    """An OGP value by code; brings the vocabulary back after a transactional test flushed it."""
    value = OGPValue.objects.filter(code=code).first()
    if value is None:
        vocabulary.ensure()
        value = OGPValue.objects.get(code=code)
    return value


class CommitmentFactory(DjangoModelFactory):
    """A proposal of the current plan with its first version.

    `values={"transparencia": "why"}` ticks OGP values; `milestones=n` adds n valid milestones;
    `version=False` skips the first version.
    """

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    plan = factory.LazyFunction(current_plan)
    title = factory.Sequence(lambda n: f"Compromiso «Educación» n.º {n} {SCRIPT}")
    slug = factory.Sequence(lambda n: f"compromiso-{n}")
    status = Status.PROPOSED
    problem = factory.LazyFunction(lambda: text("Problemática"))
    description = factory.LazyFunction(lambda: text("Compromiso"))
    how_it_helps = factory.LazyFunction(lambda: text("Contribución"))

    @factory.post_generation
    def values(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            for code, justification in extracted.items():
                ValueRelevanceFactory(commitment=self, value=ogp_value(code), justification=justification)

    @factory.post_generation
    def milestones(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            MilestoneFactory.create_batch(extracted, commitment=self)

    @factory.post_generation
    def version(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted is not False:
            services.write_version(commitment=self, author=None, reason="Creado (fábrica de pruebas)")


class ValueRelevanceFactory(DjangoModelFactory):
    class Meta:
        model = ValueRelevance
        django_get_or_create = ("commitment", "value")

    commitment = factory.SubFactory(CommitmentFactory)
    value = factory.LazyFunction(lambda: ogp_value("transparencia"))
    justification = factory.LazyFunction(lambda: text("Relevancia"))


def tick(commitment: Commitment, **justifications: str) -> None:
    """Tick OGP values on a commitment: `tick(c, transparencia="why", tecnologia="")`."""
    for code, justification in justifications.items():
        ValueRelevanceFactory(commitment=commitment, value=ogp_value(code), justification=justification)


class MilestoneFactory(DjangoModelFactory):
    """A verifiable milestone inside the plan period, the responsibility of the commitment's lead entity."""

    class Meta:
        model = Milestone

    commitment = factory.SubFactory(CommitmentFactory)
    order = factory.Sequence(lambda n: n + 1)
    description = factory.Sequence(lambda n: f"Informe «diagnóstico» n.º {n} publicado {SCRIPT}")
    responsible = factory.LazyAttribute(lambda o: o.commitment.lead_entity)
    start_date = D(2018, 1, 15)
    due_date = D(2018, 6, 30)


def complete_commitment(**kw) -> Commitment:
    """A commitment that passes `services.missing_items()`: lead entity (MINAM unless given), the three
    texts, transparency ticked and justified, one milestone with its responsible and dates in 2018."""
    kw.setdefault("lead_entity", ministry("MINAM"))
    kw.setdefault("start_date", D(2018, 1, 1))
    kw.setdefault("end_date", D(2019, 12, 31))
    kw.setdefault("values", {"transparencia": text("Por qué es transparencia")})
    kw.setdefault("milestones", 1)
    return CommitmentFactory(**kw)


def commitment_in_review(*, assigned_by, reason: str = "Reunión técnica sectorial", **kw) -> Commitment:
    """A complete commitment, agreed, then sent to its lead entity by `services.assign_review`."""
    commitment = complete_commitment(status=Status.AGREED, **kw)
    services.assign_review(commitment=commitment, actor=assigned_by, reason=reason)
    commitment.refresh_from_db()
    return commitment


def freeze_example_plan(
    example_plan, secretariat, reviewer, other_reviewer, *, why: str = "prueba"
) -> PlanVersion:
    """The example's commitments 3 (MINAM, in review) and 9 (MTC, agreed) signed off by their ministries
    and frozen into a version of the plan; approving it is the caller's."""
    three = Commitment.objects.get(plan=example_plan, number=3)
    nine = Commitment.objects.get(plan=example_plan, number=9)
    services.decide_review(commitment=three, actor=reviewer, approve=True, reason=f"Conforme ({why})")
    services.assign_review(commitment=nine, actor=secretariat, reason=f"Reunión técnica ({why})")
    services.decide_review(commitment=nine, actor=other_reviewer, approve=True, reason=f"Conforme ({why})")
    version = plan_services.create_draft(plan=example_plan, actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[three.pk, nine.pk], actor=secretariat)
    plan_services.freeze(version=version, actor=secretariat)
    return version


def approve_today(version: PlanVersion, actor, number: str) -> PlanVersion:
    """Approve `version` by ministerial resolution `number`, dated today: never before the version was
    frozen, nor in the future (plan_services.approve)."""
    return plan_services.approve(
        version=version,
        actor=actor,
        instrument=PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        instrument_number=number,
        instrument_date=timezone.localdate(),
    )
