"""The demonstration plan: invented data, dated relative to today, so that a new user can take part at once.

The PAGA 2017-2019 example replays 2017: its consultations are closed and its workshops held. This plan
(`is_demonstration`, never the current one, at /planes/demostracion/…) is open now: a timeline with past,
current and upcoming stages, a consultation open for comments (consultations/demo.py), a workshop taking
registrations (workshops/demo.py) and commitments in the ministries' technical review (commitments/demo.py).
Every text says that its data are invented to try the portal.

`load_example` calls each app's `demo.load(plan=…, today=…, stdout=…)` after the examples, in
INSTALLED_APPS order; paga's comes first and makes the plan. Idempotent: rows are found by their natural
keys, so loading again creates nothing twice and moves every date to the new `today`.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.text import slugify

from . import example, plans
from .models import (
    ActionPlan,
    Channel,
    Entity,
    GovernmentPriority,
    Objective,
    Pillar,
    Region,
    Theme,
    TimelineStage,
)

SLUG = "demostracion"
NOTICE = "Demostración: los datos de este plan son inventados para probar el portal."
# The accounts of paga/example.py that take part in the demonstration.
SECRETARIAT = "secretaria@cocrea.example"
REVIEWERS = {"MINAM": "revisor.minam@cocrea.example", "MTC": "revisor.mtc@cocrea.example"}
CITIZENS = ("ciudadana@cocrea.example", "ciudadano@cocrea.example")

# Consultation and workshop dates, in days from today (each app's demo module reads them from here, so
# the timeline and the pages agree).
CONSULTATION_OPENS = -3
CONSULTATION_CLOSES = 21  # the last day it takes comments
WORKSHOP_DAY = 14
REGISTRATION_OPENS = -3
NATIONAL_TABLE = (30, 31)


def plan_values(today: datetime.date) -> dict:
    """The plan's fields: its period is the two years after `today`'s."""
    return {
        "short_name": "PAGA de demostración",
        "name": "Plan de Acción de Gobierno Abierto de demostración",
        "country": "Perú",
        "framework": example.PLAN["framework"],
        "start_year": today.year + 1,
        "end_year": today.year + 2,
        "secretariat": example.PLAN["secretariat"],
        "previous_plan": "",
        "general_objective": (
            f"{NOTICE} Este plan de demostración permite recorrer la cocreación de un plan de acción de "
            "gobierno abierto: comentar las propuestas de compromisos en consulta pública, inscribirse en "
            "un taller regional y, con una cuenta de revisor ministerial, revisar un compromiso. Nada de lo "
            "que se publique en él forma parte de un plan real."
        ),
        "is_current": False,
        "is_demonstration": True,
    }


OBJECTIVES = [
    f"{NOTICE} Probar la consulta pública de propuestas de compromisos y las respuestas fundamentadas.",
    f"{NOTICE} Probar la inscripción en los talleres regionales.",
    f"{NOTICE} Probar la revisión técnica de los compromisos por las entidades responsables.",
]

# (priority, theme); the slugs come from the names.
THEMES = [
    ("Educación", "Educación"),
    ("Saneamiento / Ambiente", "Ambiente"),
    ("Infraestructura", "Transporte"),
]

# (pillar, phase, title, first day, last day (None: one day), region code, channels, days from today)
STAGES = [
    ("difusion", "Difusión de información", "Publicación del cronograma (demostración)", -40, None, None,
     [Channel.WEBSITE]),
    ("dialogo", "Espacios y plataformas de diálogo y cocreación",
     "Mesas temáticas: elaboración de propuestas de compromisos (demostración)", -30, -10, None, []),
    ("dialogo", "Espacios y plataformas de diálogo y cocreación",
     "Consulta pública: foro virtual de las propuestas (demostración)", CONSULTATION_OPENS,
     CONSULTATION_CLOSES, None, [Channel.FORUM, Channel.EMAIL]),
    ("dialogo", "Espacios y plataformas de diálogo y cocreación", "Taller regional Cusco (demostración)",
     WORKSHOP_DAY, None, "08", [Channel.IN_PERSON]),
    ("apropiacion", "Mesas nacionales", "Mesas nacionales por temáticas (demostración)", *NATIONAL_TABLE,
     "15", [Channel.IN_PERSON]),
    ("apropiacion", "Proceso de aprobación", "Revisión técnica de las entidades responsables (demostración)",
     -7, 45, None, []),
    ("apropiacion", "Proceso de aprobación", "Aprobación del plan (demostración)", 60, None, None, []),
]  # fmt: skip
CONSULTATION_STAGE = 3  # its order: the stage links to the consultation (consultations/demo.py)
WORKSHOP_STAGE = 4


def day(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def demo_plan() -> ActionPlan:
    return ActionPlan.objects.get(slug=SLUG)


@transaction.atomic
def load(*, plan: ActionPlan | None = None, today: datetime.date, stdout=None) -> ActionPlan:
    """Create or update the demonstration plan, its objectives, themes and timeline.

    Needs the example's vocabulary, entities and accounts (paga/example.py): run after it. `plan` is what
    the apps' loaders receive; this one makes it, so it ignores the argument.
    """
    secretariat_entity = Entity.objects.get(acronym=example.SECRETARIAT_ENTITY[1])
    plan, _created = ActionPlan.objects.update_or_create(
        slug=SLUG, defaults={**plan_values(today), "secretariat_entity": secretariat_entity}
    )
    for order, text in enumerate(OBJECTIVES, start=1):
        Objective.objects.update_or_create(plan=plan, order=order, defaults={"text": text})
    for order, (priority_name, theme_name) in enumerate(THEMES, start=1):
        priority, _created = GovernmentPriority.objects.update_or_create(
            plan=plan, slug=slugify(priority_name), defaults={"name": priority_name, "order": order}
        )
        Theme.objects.update_or_create(
            plan=plan,
            slug=slugify(theme_name),
            defaults={"name": theme_name, "priority": priority, "order": order},
        )
    pillars = {p.key: p for p in Pillar.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    for order, (pillar, phase, title, first, last, region, channels) in enumerate(STAGES, start=1):
        TimelineStage.objects.update_or_create(
            plan=plan,
            order=order,
            defaults={
                "pillar": pillars[pillar],
                "phase": phase,
                "title": title,
                "description": NOTICE,
                "starts_on": day(today, first),
                "ends_on": day(today, last) if last is not None else None,
                "region": regions.get(region),
                "channels": [str(c) for c in channels],
            },
        )
    if stdout is not None:
        stdout.write(f"Demonstration plan: {plan.name}, at /{plans.prefix(plan)}/ (dates from {today})")
    return plan
