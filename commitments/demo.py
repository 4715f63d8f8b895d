"""The demonstration plan's commitments (paga/demo.py): invented, said so in every text.

- Proposals of the thematic tables, in public consultation: they take comments (consultations/demo.py).
- Two commitments agreed at the national tables and sent to the technical review of the ministry that
  leads them, MINAM and MTC: each example reviewer account (paga/example.py) has a review task.

Made through the services (versions, transitions, the open review), as the Secretaría's example account.
Idempotent: commitments are found by their slug in the plan. Loading again on another day keeps them; when
the plan's period moved (a new year), the lead ministry's reviewer moves the milestones of its commitment
into it, by an edit that writes a version.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from paga.demo import NOTICE, REVIEWERS, SECRETARIAT
from paga.models import ActionPlan, Entity, User

from . import services
from .models import Commitment, OriginKind, Status

# (slug, title, theme name)
PROPOSALS = [
    ("demo-datos-abiertos-escuelas", "Publicar en datos abiertos la infraestructura de las escuelas públicas",
     "Educación"),
    ("demo-consulta-calendario-escolar", "Consultar a las familias rurales el calendario escolar de su zona",
     "Educación"),
    ("demo-monitoreo-calidad-aire", "Publicar cada hora la calidad del aire medida en las ciudades",
     "Ambiente"),
    ("demo-paraderos-accesibles", "Mapa colaborativo de paraderos accesibles del transporte público",
     "Transporte"),
]  # fmt: skip

# (slug, title, theme name, lead entity acronym)
IN_REVIEW = [
    ("demo-registro-denuncias-ambientales", "Registro público de las denuncias ambientales y de su atención",
     "Ambiente", "MINAM"),
    ("demo-obras-viales-en-linea", "Avance de las obras viales nacionales en línea, con fotos y presupuesto",
     "Transporte", "MTC"),
]  # fmt: skip


@transaction.atomic
def load(*, plan: ActionPlan, today: datetime.date, stdout=None) -> ActionPlan:
    """Create the demonstration's commitments that are missing; move the reviewed ones into the plan's
    period when it changed."""
    secretariat = User.objects.get(email=SECRETARIAT)
    themes = {t.name: t for t in plan.themes.select_related("priority")}
    existing = set(Commitment.objects.filter(plan=plan).values_list("slug", flat=True))
    created = 0
    for slug, title, theme_name in PROPOSALS:
        if slug in existing:
            continue
        theme = themes[theme_name]
        proposal = services.commitment_create(
            plan=plan, actor=secretariat, reason="Demostración: propuesta de una mesa temática", slug=slug,
            title=title, theme=theme, priority=theme.priority, origin_kind=OriginKind.THEMATIC_TABLE,
            is_illustrative=True, problem=f"{NOTICE} Problemática inventada para la demostración.",
            description=f"{NOTICE} {title}.",
        )  # fmt: skip
        services.commitment_transition(
            commitment=proposal, to=Status.IN_CONSULTATION, actor=secretariat,
            reason="Demostración: publicada en la consulta pública",
        )  # fmt: skip
        created += 1
    entities = {e.acronym: e for e in Entity.objects.filter(acronym__in=REVIEWERS)}
    for number, (slug, title, theme_name, acronym) in enumerate(IN_REVIEW, start=1):
        if slug in existing:
            _move_into_period(Commitment.objects.get(plan=plan, slug=slug))
            continue
        _send_to_review(plan, secretariat, number, slug, title, themes[theme_name], entities[acronym])
        created += 1
    if stdout is not None:
        total = Commitment.objects.filter(plan=plan).count()
        stdout.write(f"Demonstration commitments: {created} added, {total} in all")
    return plan


def _milestones(plan: ActionPlan, entity: Entity) -> list[dict]:
    first, last = plan.period_start, plan.period_end
    return [
        {
            "description": f"{NOTICE} Diagnóstico publicado.",
            "responsible": entity,
            "start_date": first,
            "due_date": datetime.date(first.year, 6, 30),
        },
        {
            "description": f"{NOTICE} Herramienta abierta al público.",
            "responsible": entity,
            "start_date": datetime.date(first.year, 7, 1),
            "due_date": last,
        },
    ]


def _send_to_review(plan, actor, number, slug, title, theme, entity) -> Commitment:
    """A complete commitment, agreed at the national table and sent to `entity`'s technical review."""
    commitment = services.commitment_create(
        plan=plan, actor=actor, reason="Demostración: consolidada en la mesa nacional", number=number,
        slug=slug, title=title, theme=theme, priority=theme.priority, lead_entity=entity,
        origin_kind=OriginKind.NATIONAL_TABLE, is_illustrative=True,
        values={
            "transparencia": f"{NOTICE} Publica información que hoy no es accesible.",
            "participacion": f"{NOTICE} La ciudadanía puede señalar errores y proponer prioridades.",
        },
        milestones=_milestones(plan, entity),
        problem=f"{NOTICE} Problemática inventada para la demostración.",
        baseline=f"{NOTICE} Línea de base inventada.",
        description=f"{NOTICE} {title}.",
        how_it_helps=f"{NOTICE} Cómo contribuiría a resolver la problemática.",
        contact_name="Punto de contacto (demostración)", contact_position="Demostración",
        resources_source="Demostración: presupuesto institucional",
    )  # fmt: skip
    services.commitment_transition(
        commitment=commitment, to=Status.IN_CONSULTATION, actor=actor, reason="Demostración: consulta pública"
    )
    services.commitment_transition(
        commitment=commitment, to=Status.AGREED, actor=actor, reason="Demostración: mesa nacional"
    )
    services.assign_review(
        commitment=commitment, actor=actor, reason="Demostración: revisión técnica de la entidad responsable"
    )
    return commitment


def _move_into_period(commitment: Commitment) -> None:
    """When the plan's period moved (another year), the lead ministry's example reviewer moves the
    milestones into it, as the technical review lets them (an edit that writes a version)."""
    plan = commitment.plan
    milestones = _milestones(plan, commitment.lead_entity)
    current = [(m.start_date, m.due_date) for m in commitment.milestones.all()]
    if current == [(m["start_date"], m["due_date"]) for m in milestones]:
        return
    if commitment.status not in Commitment.REVIEW_STATUSES:
        return  # signed off by someone trying the portal: what was signed off stays as it is
    reviewer = User.objects.get(email=REVIEWERS[commitment.lead_entity.acronym])
    services.commitment_update(
        commitment=commitment, actor=reviewer, reason="Demostración: hitos llevados al periodo del plan",
        revision=commitment.revision, fields={}, milestones=milestones,
        perm="commitments.change_review_fields",
    )  # fmt: skip
