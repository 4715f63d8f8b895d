"""Synthetic volume for the page benchmark: many commitments with milestones and history, in the plan.

A benchmark fixture, not domain logic: rows are written with `bulk_create` (no services, no per-row
checks) so that thousands load in seconds. They follow the rules all the same (transitions only along
`services.TRANSITIONS`, one version per edit, numbers only past consultation) and every row is marked:
titles start with "(volumen de prueba)", `is_illustrative=True`, slugs `volumen-de-prueba-NNNNN`.

    load_volume(commitments=200, milestones=1000)   # after `load_example`, with Django set up

Idempotent: commitment i is the one with slug `volumen-de-prueba-{i+1:05d}`; a call adds the missing
ones up to `commitments` and removes those beyond, so two calls with growing counts build one volume in
two steps (the benchmark measures at both).
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from commitments import services
from commitments.models import (
    Commitment,
    Criterion,
    Milestone,
    MilestoneStatus,
    OriginKind,
    OtherActor,
    Review,
    Score,
    Status,
    Transition,
    ValueRelevance,
    Version,
)
from consultations.models import Contribution
from paga.models import ActionPlan, Entity, OGPValue, Region, User

ANALYZED = [Commitment, ValueRelevance, Milestone, OtherActor, Version, Transition, Review, Score]
PREFIX = "(volumen de prueba)"
SLUG_PREFIX = "volumen-de-prueba-"
NUMBER_BASE = 100  # commitment i, once past consultation, is number NUMBER_BASE + i + 1
MAX_COMMITMENTS = 30_000  # numbers are PositiveSmallIntegerField (≤ 32767)
MINISTRIES = ["MINAM", "MINEDU", "MTC", "MININTER", "MVCS", "MINSA", "MINEM"]
SECRETARIAT_EMAIL = "secretaria@cocrea.example"
BATCH = 2000
S = Status

# Path from a new proposal to each status, every step one of services.TRANSITIONS (checked below).
PATHS: dict[str, list[str]] = {
    S.PROPOSED: [],
    S.IN_CONSULTATION: [S.IN_CONSULTATION],
    S.WITHDRAWN: [S.IN_CONSULTATION, S.WITHDRAWN],
    S.AGREED: [S.IN_CONSULTATION, S.AGREED],
    S.IN_REVIEW: [S.IN_CONSULTATION, S.AGREED, S.IN_REVIEW],
    S.CHANGES_REQUESTED: [S.IN_CONSULTATION, S.AGREED, S.IN_REVIEW, S.CHANGES_REQUESTED],
    S.APPROVED: [S.IN_CONSULTATION, S.AGREED, S.IN_REVIEW, S.APPROVED],
    S.INCLUDED: [S.IN_CONSULTATION, S.AGREED, S.IN_REVIEW, S.APPROVED, S.INCLUDED],
}
# Mostly public statuses; 5 % drafts (`propuesta`, not public) so that visibility filtering has work.
# No merges or splits: they need lineage links (the example's two consolidations have them).
WEIGHTS = {
    S.PROPOSED: 5,
    S.IN_CONSULTATION: 35,
    S.WITHDRAWN: 5,
    S.AGREED: 15,
    S.IN_REVIEW: 10,
    S.CHANGES_REQUESTED: 5,
    S.APPROVED: 10,
    S.INCLUDED: 15,
}
REASONS = {
    S.IN_CONSULTATION: "Publicada en el foro virtual para consulta pública (volumen de prueba)",
    S.WITHDRAWN: "Retirada por la mesa temática: duplicaba otra propuesta (volumen de prueba)",
    S.AGREED: "Consensuada en la mesa nacional (volumen de prueba)",
    S.IN_REVIEW: "Enviada a revisión técnica del ministerio (volumen de prueba)",
    S.CHANGES_REQUESTED: "Precisar los hitos y el presupuesto (volumen de prueba)",
    S.APPROVED: "Conformidad técnica del ministerio (volumen de prueba)",
    S.INCLUDED: "Incluido en el plan aprobado por Resolución Ministerial (volumen de prueba)",
}

# (theme slug, ministries that may lead it, title phrases). Spanish, with accents; "saneamiento" in some.
TOPICS = {
    "saneamiento": (
        ["MVCS", "MINSA", "MINAM"],
        [
            "Portal abierto de inversión pública en saneamiento",
            "Vigilancia ciudadana de la calidad del agua potable",
            "Información sobre tarifas y cobertura de los servicios de saneamiento",
            "Mesas de diálogo sobre obras de saneamiento rural",
        ],
    ),
    "seguridad-ciudadana": (
        ["MININTER"],
        [
            "Mapa abierto de denuncias y comisarías",
            "Rendición de cuentas de los comités distritales de seguridad ciudadana",
            "Información estandarizada sobre violencia familiar",
        ],
    ),
    "infraestructura": (
        ["MTC", "MVCS", "MINEM"],
        [
            "Seguimiento público de obras viales y de saneamiento",
            "Datos abiertos de concesiones de transporte y energía",
            "Participación de la población en la planificación de infraestructura",
        ],
    ),
    "ambiente": (
        ["MINAM", "MINEM"],
        [
            "Información ambiental de las actividades extractivas",
            "Participación ciudadana en la gestión de cuencas y saneamiento ambiental",
            "Alertas tempranas sobre la calidad del aire",
        ],
    ),
    "educacion": (
        ["MINEDU"],
        [
            "Transparencia en la asignación de plazas docentes",
            "Información abierta sobre infraestructura educativa, agua y saneamiento en escuelas",
            "Participación de las familias en la gestión escolar",
        ],
    ),
}
ORIGINS = [OriginKind.THEMATIC_TABLE, OriginKind.REGIONAL_WORKSHOP, OriginKind.FORUM, OriginKind.EMAIL]
START = datetime.datetime(2017, 9, 1, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@dataclass
class VolumeResult:
    added: int
    removed: int
    commitments: int  # synthetic commitments now in the plan
    milestones: int  # their milestones
    seconds: float


def synthetic(plan: ActionPlan):
    """The plan's synthetic commitments (counted by their title prefix)."""
    return Commitment.objects.filter(plan=plan, title__startswith=PREFIX)


def milestones_for(i: int, commitments: int, milestones: int) -> int:
    """Milestones of commitment i: `milestones` spread evenly over `commitments` (they add up exactly)."""
    return milestones * (i + 1) // commitments - milestones * i // commitments


def _index(slug: str) -> int | None:
    tail = slug.removeprefix(SLUG_PREFIX)
    return int(tail) - 1 if tail != slug and tail.isdigit() else None


def load_volume(
    *, plan: ActionPlan | None = None, commitments: int = 200, milestones: int = 1000
) -> VolumeResult:
    """Make the plan hold exactly `commitments` synthetic commitments (the current plan by default).

    New commitment i gets `milestones_for(i, commitments, milestones)` milestones, 1-3 OGP values,
    3 versions, the transitions of its path to its status (0-5), reviews and scores where they apply.
    Existing synthetic commitments are kept as they are: a call with the same counts does nothing.
    """
    if not 0 <= commitments <= MAX_COMMITMENTS:
        raise ValueError(f"commitments must be between 0 and {MAX_COMMITMENTS}")
    if milestones < 0:
        raise ValueError("milestones must not be negative")
    started = time.monotonic()
    with transaction.atomic():
        plan = plan or ActionPlan.objects.get(is_current=True)
        existing = synthetic(plan)
        added = removed = 0
        if existing.count() != commitments:
            indices = {pk: _index(slug) for pk, slug in existing.values_list("pk", "slug")}
            extra = [pk for pk, i in indices.items() if i is None or i >= commitments]
            if extra:  # cascades to their milestones, versions, transitions, …
                Commitment.objects.filter(pk__in=extra).delete()
                removed = len(extra)
            present = {i for i in indices.values() if i is not None and i < commitments}
            missing = [i for i in range(commitments) if i not in present]
            if missing:
                _add(plan, missing, commitments, milestones)
                added = len(missing)
        rows = synthetic(plan)
        result = VolumeResult(
            added=added,
            removed=removed,
            commitments=rows.count(),
            milestones=Milestone.objects.filter(commitment__in=rows).count(),
            seconds=0.0,
        )
    if (added or removed) and connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would soon give them: without them PostgreSQL plans
        # the pages for the row counts it saw last (e.g. 1 where there are 2,000).
        with connection.cursor() as cursor:
            for model in ANALYZED:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.monotonic() - started
    return result


def sample_number(plan: ActionPlan | None = None) -> int | None:
    """A public, numbered commitment for the detail page: a synthetic one if any (else any of the plan),
    with the most milestones, then the longest history, then the lowest number. None if there is none."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    for rows in (synthetic(plan), Commitment.objects.filter(plan=plan)):
        found = (
            rows.filter(number__isnull=False, status__in=Commitment.PUBLIC_STATUSES)
            .annotate(
                n_milestones=Count("milestones", distinct=True),
                n_history=Count("transitions", distinct=True) + Count("versions", distinct=True),
            )
            .order_by("-n_milestones", "-n_history", "number")
            .values_list("number", flat=True)
            .first()
        )
        if found is not None:
            return found
    return None


def sample_theme(plan: ActionPlan | None = None) -> str:
    """The slug of the plan's first theme (Saneamiento in the example), for the filtered list page."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    theme = plan.themes.order_by("order", "pk").first()
    if theme is None:
        raise RuntimeError("the current plan has no themes: load the example first")
    return theme.slug


def plan_counts(plan: ActionPlan | None = None) -> dict[str, int]:
    """What the plan holds, for the report: commitments (public ones), milestones, versions, transitions."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    rows = Commitment.objects.filter(plan=plan)
    return {
        "commitments": rows.count(),
        "public": rows.filter(status__in=Commitment.PUBLIC_STATUSES).count(),
        "synthetic": synthetic(plan).count(),
        "milestones": Milestone.objects.filter(commitment__plan=plan).count(),
        "versions": Version.objects.filter(commitment__plan=plan).count(),
        "transitions": Transition.objects.filter(commitment__plan=plan).count(),
        "comments": Contribution.objects.filter(consultation__plan=plan).count(),
        "people": User.objects.count(),
        "events": plan.events.count(),
    }


# --- Writing ---------------------------------------------------------------------------------------


def _check_paths() -> None:
    for status, path in PATHS.items():
        previous = S.PROPOSED
        for to in path:
            if (previous, to) not in services.TRANSITIONS:
                raise RuntimeError(f"bench/volume.py: {previous} → {to} is not an allowed transition")
            previous = to
        if previous != status:
            raise RuntimeError(f"bench/volume.py: the path to {status} ends at {previous}")


def _add(plan: ActionPlan, indices: list[int], commitments: int, milestones: int) -> None:
    _check_paths()
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    themes = {t.slug: t for t in plan.themes.select_related("priority")}
    priorities = list(plan.priorities.all())
    health = next((p for p in priorities if p.slug == "salud"), None)
    entities = {e.acronym: e for e in Entity.objects.filter(acronym__in=MINISTRIES)}
    missing = sorted(set(MINISTRIES) - set(entities))
    if missing or not themes:
        raise RuntimeError(f"load the example first (missing: {missing or 'themes'})")
    reviewers = {u.entity_id: u for u in User.objects.filter(entity__in=entities.values()).order_by("pk")}
    regions = list(Region.objects.all())
    values = list(OGPValue.objects.all())
    core = [v for v in values if v.is_core]
    topics = [(themes[slug], leads, titles) for slug, (leads, titles) in TOPICS.items() if slug in themes]
    topics += [(t, MINISTRIES, TOPICS["saneamiento"][1]) for s, t in themes.items() if s not in TOPICS]
    statuses, weights = list(WEIGHTS), list(WEIGHTS.values())

    new = []
    for i in indices:
        rng = random.Random(i)  # commitment i is the same whatever else is loaded
        theme, leads, titles = topics[i % len(topics)]
        status = rng.choices(statuses, weights)[0]
        lead = entities[rng.choice(leads)]
        region = rng.choice(regions)
        origin = rng.choice(ORIGINS)
        priority = health if health and i % 6 == 5 else theme.priority
        phrase = titles[(i // len(topics)) % len(titles)]
        created = START + datetime.timedelta(hours=i % 500)
        title = f"{PREFIX} {phrase} en {region.name}"
        c = Commitment(
            plan=plan,
            number=None if status in (S.PROPOSED, S.IN_CONSULTATION, S.WITHDRAWN) else NUMBER_BASE + i + 1,
            slug=f"{SLUG_PREFIX}{i + 1:05d}",
            title=title,
            status=status,
            start_date=datetime.date(2018, 1, 1),
            end_date=datetime.date(2019, 12, 31),
            lead_entity=lead,
            problem=f"Ilustrativo. La población de {region.name} no cuenta con información oportuna y "
            f"comprensible sobre {phrase.lower()}; la gestión pública pierde así la participación "
            "ciudadana.",
            baseline="Ilustrativo. Línea de base por establecer con la entidad responsable.",
            description=f"Ilustrativo. {phrase}: publicación periódica de datos abiertos, espacios de "
            f"diálogo con la sociedad civil de {region.name} y seguimiento público de los avances.",
            how_it_helps="Ilustrativo. Permitirá que la ciudadanía vigile la gestión y exija rendición de "
            "cuentas.",
            priority=priority,
            theme=theme,
            sdg_targets="ODS 6.1, 16.6 y 16.7 (ilustrativo)",
            resources_source="Presupuesto institucional (ilustrativo)",
            contact_name="Punto de contacto (ejemplo)",
            contact_position="Coordinación de gobierno abierto",
            origin_kind=origin,
            origin_region=region if origin == OriginKind.REGIONAL_WORKSHOP else None,
            is_illustrative=True,
            revision=3,
            created=created,
        )
        new.append((i, rng, region, c))
    Commitment.objects.bulk_create([c for *_, c in new], batch_size=BATCH)

    relevances, steps, others, scores, reviews = [], [], [], [], []
    history: list[tuple[Commitment, datetime.datetime, User]] = []
    for i, rng, region, c in new:
        picked = [rng.choice(core)]
        picked += rng.sample([v for v in values if v != picked[0]], rng.randint(0, 2))
        relevances += [
            ValueRelevance(
                commitment=c,
                value=v,
                justification=f"Ilustrativo. Aporta a «{v.name}»: información pública y participación.",
            )
            for v in picked
        ]
        for n in range(milestones_for(i, commitments, milestones)):
            start = datetime.date(2018, 1 + (n * 2) % 12, 1)
            steps.append(
                Milestone(
                    commitment=c,
                    order=n + 1,
                    description=f"Ilustrativo. Hito {n + 1}: diagnóstico, publicación y validación con "
                    "la sociedad civil",
                    responsible=c.lead_entity,
                    start_date=start,
                    due_date=start + datetime.timedelta(days=150),
                    status=MilestoneStatus.MET
                    if c.status == S.INCLUDED and n % 2 == 0
                    else MilestoneStatus.SCHEDULED,
                )
            )
        if i % 2 == 0:
            others.append(
                OtherActor(
                    commitment=c,
                    name=f"Colectivo ciudadano de {region.name} (ejemplo)",
                    role="Vigilancia ciudadana y difusión de los avances",
                )
            )
        if c.status != S.PROPOSED and i % 3 != 0:
            scores += [
                Score(commitment=c, criterion=code, value=rng.randint(0, Score.MAX), scorer=secretariat)
                for code in Criterion.values
            ]
        reviewer = reviewers.get(c.lead_entity_id, secretariat)
        history.append((c, c.created, reviewer))
        if S.IN_REVIEW in PATHS[c.status]:
            decided = {S.CHANGES_REQUESTED: Review.Decision.CHANGES, S.IN_REVIEW: ""}.get(
                c.status, Review.Decision.APPROVED
            )
            reviews.append(
                Review(
                    commitment=c,
                    entity_id=c.lead_entity_id,
                    assigned_by=secretariat,
                    opened=_step_time(c.created, 2),  # the transition into review
                    decision=decided,
                    decided_by=reviewer if decided else None,
                    decided=_step_time(c.created, 3) if decided else None,
                    reason="Ilustrativo." if decided else "",
                )
            )
    ValueRelevance.objects.bulk_create(relevances, batch_size=BATCH)
    Milestone.objects.bulk_create(steps, batch_size=BATCH)
    OtherActor.objects.bulk_create(others, batch_size=BATCH)
    Score.objects.bulk_create(scores, batch_size=BATCH)
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    _history(history, secretariat)


def _step_time(created: datetime.datetime, n: int) -> datetime.datetime:
    """When the n-th transition (from 0) of a path happened: versions 2 and 3 fall between them."""
    return created + (1 + 15 * n) * DAY + datetime.timedelta(hours=1)


def _history(rows: list[tuple[Commitment, datetime.datetime, User]], secretariat: User) -> None:
    """Three versions (first text; values ticked; milestones set) and the transitions of each path,
    dated in order. Version data comes from services.snapshot, so it has the format the diff page reads."""
    versions, transitions = [], []
    for c, created, reviewer in rows:
        final = services.snapshot(c)  # two queries per commitment: relevances, milestones
        first = {**final, "relevances": [], "milestones": [], "description": ""}
        second = {**final, "milestones": []}
        versions += [
            Version(commitment=c, number=1, author=secretariat, created=created, data=first,
                    reason="Propuesta de las mesas temáticas (volumen de prueba)"),
            Version(commitment=c, number=2, author=secretariat, created=created + 10 * DAY, data=second,
                    reason="Texto ajustado con los valores de gobierno abierto (volumen de prueba)"),
            Version(commitment=c, number=3, author=reviewer, created=created + 45 * DAY, data=final,
                    reason="Hitos, fechas y responsables acordados (volumen de prueba)"),
        ]  # fmt: skip
        previous = S.PROPOSED
        for n, to in enumerate(PATHS[c.status]):
            by_ministry = to in (S.CHANGES_REQUESTED, S.APPROVED)
            transitions.append(
                Transition(
                    commitment=c,
                    from_status=previous,
                    to_status=to,
                    actor=reviewer if by_ministry else secretariat,
                    reason=REASONS[to],
                    created=_step_time(created, n),
                )
            )
            previous = to
    Version.objects.bulk_create(versions, batch_size=BATCH)
    Transition.objects.bulk_create(transitions, batch_size=BATCH)
