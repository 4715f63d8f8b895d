"""The 25 proposals of PAGA 2017-2019 (seed slides, verbatim) and two illustrative consolidations.

The proposals stand as the virtual forum found them: in public consultation, each with its theme and
its origin (thematic table, or the regional workshop the slide credits). The two consolidated
commitments follow what became of two proposals (Arequipa's CAM/CAR proposal, commitment 3; the ATU,
commitment 9) but their texts, milestones and dates are illustrative and marked so on every page.

Once every app has loaded (`finish`), the two consolidations go through the stage "Proceso de aprobación
PAGA" of the seed: the sectoral technical meetings (each ministry's reviewer signs its commitment off) and
the approval by a ministerial resolution of the PCM, which gives version 1 of the plan and its two
documents (the plan, the co-creation report), rendered at once without a broker, by the worker with one.
The seed dates neither step and gives no resolution number: the example dates them all on APPROVAL_DAY
and the resolution's number says that its number and date are not in the sources.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from paga import clock
from paga.models import ActionPlan, Entity, Region, User

from . import plan_services, plan_tasks, services
from .models import Commitment, MilestoneStatus, OriginKind, Status
from .plan_models import PlanVersion, RenderJob

logger = logging.getLogger(__name__)

PROPOSALS = {
    "Saneamiento": [
        ("Implementación de un sistema de información integral sobre proyectos de inversión en saneamiento que incluya seguimiento", None, ""),
        ("Creación de un repositorio de estudios en materia de saneamiento", None, ""),
        ("Vigilancia en abastecimiento y calidad de agua, en articulación con el sector salud", "San Martín", ""),
    ],
    "Seguridad ciudadana": [
        ("Implementar un Sistema de Información Multisectorial e Intergubernamental (3 niveles de gobierno) de Registro Único de Víctimas de Violencia Sexual y Familiar para mejorar la calidad de los procesos de atención e información de las víctimas de violencia sexual y familiar", None, ""),
        ("Generación de información estructurada sobre delitos patrimoniales, delitos sexuales, homicidios para fines de análisis, difusión de estadísticas y toma de decisiones para reducir la victimización", None, "Poder Ejecutivo y Judicial"),
        ("Planes de prevención contra las extorsiones", "La Libertad", ""),
        ("Información estandarizada y oportuna sobre trata de personas", "San Martín", ""),
    ],
    "Infraestructura": [
        ("Elaborar un plan de largo plazo con participación de funcionarios involucrados que permita identificar los proyectos de mayor impacto en la población y se garantice un marco jurídico estable y toma de decisiones técnicas", None, ""),
        ("Creación de la Autoridad de Transporte Urbano (ATU)", None, ""),
        ("Sistemas inteligentes de transporte y tránsito", None, ""),
        ("Fortalecimiento del Sistema Nacional de Planificación dotado de competencias, capacidades y recursos para los temas de infraestructura", None, ""),
        ("Fortalecer la difusión de información de infraestructura hacia los ciudadanos", None, ""),
        ("Vigilancia del cumplimiento de los presupuestos participativos en materia de inversión vial", "San Martín", ""),
    ],
    "Ambiente": [
        ("Acceso a información climática y ambiental de calidad y mejoramiento de los mecanismos de transparencia, información y evaluación ambiental", None, ""),
        ("Incorporar la participación de la sociedad civil en el grupo de trabajo multisectorial de cambio climático", None, ""),
        ("Promoción progresiva del acceso a la información ambiental vinculada a la dimensión fiscal de las actividades extractivas", None, ""),
        ("Mecanismos de vigilancia y denuncia de las afectaciones al ambiente", "San Martín", ""),
        ("Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)", "Arequipa", ""),
    ],
    "Educación": [
        ("Desarrollar línea de carrera del docente rural de Educación Bilingüe Intercultural", None, ""),
        ("Desarrollo de un sistema con interfaces de voz para la traducción en idioma originario que facilite el acceso a la información", None, ""),
        ("Movilización de jóvenes para comunicar a las familias avances pedagógicos", None, ""),
        ("Promover el mejoramiento de la educación rural de nivel secundario a través del incremento de Centros Rurales de Formación en Alternancia (CRFA)", None, ""),
        ("Implementación de educación comunitaria virtual para estudiantes de secundaria a través de las TIC", None, ""),
        ("Priorizar la intervención en la primera infancia rural", None, ""),
        ("Calendarización diferenciada para la Educación Básica Regular (EBR) en zonas rurales", None, ""),
    ],
}  # fmt: skip

D = datetime.date
ILLUSTRATIVE = "Ilustrativo: texto de ejemplo, no es el compromiso aprobado."

# (number, title, source proposal title, lead entity acronym, final status)
CONSOLIDATED = [
    (3, "Fortalecer las Comisiones Ambientales Municipales (CAM) y Regionales (CAR)",
     "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)",
     "MINAM", Status.IN_REVIEW),
    (9, "Creación de la Autoridad de Transporte Urbano (ATU) para Lima y Callao",
     "Creación de la Autoridad de Transporte Urbano (ATU)", "MTC", Status.AGREED),
]  # fmt: skip

# The approval ("Procedimiento de aprobación de Resolución Ministerial PCM"). The seed dates neither the
# sectoral technical meetings nor the resolution: the example puts them on the last working day of 2017,
# before its illustrative commitments begin (1 January 2018), and says so in the resolution's number.
APPROVAL_DAY = D(2017, 12, 29)
APPROVAL_AT = datetime.datetime(2017, 12, 29, 12, 0, tzinfo=ZoneInfo("America/Lima"))
APPROVAL = {
    "instrument": PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
    "instrument_number": "s/n (ejemplo: número y fecha no figuran en las fuentes)",
    "instrument_date": APPROVAL_DAY,
}
# Who signs each consolidation off in the technical meeting: the example's reviewer of its lead ministry.
REVIEWERS = {"MINAM": "revisor.minam@cocrea.example", "MTC": "revisor.mtc@cocrea.example"}
TECHNICAL_MEETING = "Reunión técnica sectorial: coordinación con la entidad responsable (ejemplo)"


@transaction.atomic
def load(*, plan: ActionPlan, stdout=None) -> ActionPlan:
    """Idempotent: proposals are found by slug; consolidations happen only the first time."""
    secretariat = User.objects.get(email="secretaria@cocrea.example")
    regions = {r.name: r for r in Region.objects.all()}
    themes = {t.name: t for t in plan.themes.select_related("priority")}
    created = 0
    for theme_name, rows in PROPOSALS.items():
        theme = themes[theme_name]
        for title, region, credit in rows:
            if Commitment.objects.filter(plan=plan, title=title).exists():
                continue
            proposal = services.commitment_create(
                plan=plan, actor=secretariat, reason="Propuesta de las mesas temáticas y talleres regionales",
                title=title, theme=theme, priority=theme.priority,
                origin_kind=OriginKind.REGIONAL_WORKSHOP if region else OriginKind.THEMATIC_TABLE,
                origin_region=regions[region] if region else None, origin_credit=credit,
            )  # fmt: skip
            services.commitment_transition(
                commitment=proposal, to=Status.IN_CONSULTATION, actor=secretariat,
                reason="Publicada en el foro virtual (22.09–06.10.2017)",
            )  # fmt: skip
            created += 1
    for number, title, source_title, acronym, final in CONSOLIDATED:
        if Commitment.objects.filter(plan=plan, number=number).exists():
            continue
        _consolidate(
            plan, secretariat, number, title, source_title, Entity.objects.get(acronym=acronym), final
        )
    if stdout is not None:
        stdout.write(
            f"Commitments: {created} proposals added, {Commitment.objects.filter(plan=plan).count()} in all"
        )
    return plan


def _consolidate(plan, actor, number, title, source_title, entity, final) -> None:
    source = Commitment.objects.get(plan=plan, title=source_title)
    values = {
        "transparencia": f"{ILLUSTRATIVE} Publica información que hoy no es accesible.",
        "participacion": f"{ILLUSTRATIVE} Abre un espacio para que la sociedad civil influya en las decisiones.",
    }
    commitment = services.commitment_create(
        plan=plan, actor=actor, reason="Consolidación en las mesas nacionales (ilustrativa)", values=values,
        number=number, title=title, theme=source.theme, priority=source.priority, lead_entity=entity,
        origin_kind=OriginKind.NATIONAL_TABLE, origin_region=source.origin_region, is_illustrative=True,
        start_date=D(2018, 1, 1), end_date=D(2019, 12, 31),
        problem=f"{ILLUSTRATIVE} Problemática descrita en la propuesta de origen.",
        baseline=f"{ILLUSTRATIVE} Línea de base por establecer con la entidad responsable.",
        description=f"{ILLUSTRATIVE} {source.title}.",
        how_it_helps=f"{ILLUSTRATIVE} Cómo contribuirá a resolver la problemática.",
        contact_name="Punto de contacto (ejemplo)", contact_position="Ilustrativo",
        resources_source="Ilustrativo: presupuesto institucional",
    )  # fmt: skip
    for order, (text, start, due) in enumerate(
        [
            (f"{ILLUSTRATIVE} Diagnóstico publicado", D(2018, 1, 15), D(2018, 6, 30)),
            (f"{ILLUSTRATIVE} Herramienta implementada y abierta al público", D(2018, 7, 1), D(2019, 6, 30)),
        ],
        start=1,
    ):
        commitment.milestones.create(
            order=order, description=text, responsible=entity, start_date=start, due_date=due,
            status=MilestoneStatus.SCHEDULED,
        )  # fmt: skip
    services.write_version(commitment=commitment, author=actor, reason="Hitos (ilustrativos)")
    services.commitment_transition(
        commitment=commitment, to=Status.IN_CONSULTATION, actor=actor, reason="Foro"
    )
    services.merge(sources=[source], target=commitment, actor=actor, reason="Consolidación ilustrativa")
    services.commitment_transition(
        commitment=commitment, to=Status.AGREED, actor=actor, reason="Mesa nacional"
    )
    if final == Status.IN_REVIEW:
        services.assign_review(commitment=commitment, actor=actor, reason="Reunión técnica sectorial")


def finish(*, plan: ActionPlan, stdout=None) -> None:
    """After every app has loaded: the plan approved (version 1 of the two consolidations, through the
    plan's services), then its documents rendered: inline when tasks run eagerly (no broker), sent to the
    worker otherwise. Idempotent: an approved version is not approved again, a document already rendered
    is not rendered again, a failed one is sent again."""
    secretariat = User.objects.get(email="secretaria@cocrea.example")
    version = (
        PlanVersion.objects.filter(plan=plan, state=PlanVersion.State.APPROVED).order_by("-number").first()
    )
    approved_now = False
    if version is None:
        if clock.today() < APPROVAL_DAY:
            # COCREA_AS_OF shows the example as it stood on a day before the approval.
            _write(
                stdout,
                f"Plan: not approved yet on {clock.today()} (the example approves it on {APPROVAL_DAY})",
            )
            return
        if PlanVersion.objects.filter(plan=plan).exists():
            # Someone is assembling a version by hand: the example leaves it to them.
            _write(stdout, "Plan: a version is being assembled; the example approves none.")
            return
        try:
            with transaction.atomic():
                version, approved_now = _approve(plan, secretariat), True
        except ValidationError as error:
            # Someone moved commitment 3 or 9 by hand (changes requested...): the example approves nothing.
            _write(stdout, f"Plan: not approved, the services refused: {'; '.join(error.messages)}")
            return
    _render(version, secretariat, approved_now, stdout)


def _approve(plan: ActionPlan, secretariat: User) -> PlanVersion:
    """The technical meetings' sign-offs, then version 1 assembled, frozen and approved on APPROVAL_DAY."""
    commitments = list(
        Commitment.objects.filter(plan=plan, number__in=[row[0] for row in CONSOLIDATED])
        .select_related("lead_entity")
        .order_by("number")
    )
    for commitment in commitments:
        reviewer = User.objects.get(email=REVIEWERS[commitment.lead_entity.acronym])
        if commitment.status == Status.AGREED:
            services.assign_review(
                commitment=commitment, actor=secretariat, reason=TECHNICAL_MEETING, at=APPROVAL_AT
            )
        if Commitment.objects.get(pk=commitment.pk).status == Status.IN_REVIEW:
            services.decide_review(
                commitment=commitment, actor=reviewer, approve=True, at=APPROVAL_AT,
                reason=f"Conformidad de {commitment.lead_entity.acronym} en la reunión técnica sectorial (ejemplo)",
            )  # fmt: skip
    version = plan_services.create_draft(plan=plan, actor=secretariat, at=APPROVAL_AT)
    plan_services.set_items(version=version, commitment_ids=[c.pk for c in commitments], actor=secretariat)
    plan_services.freeze(version=version, actor=secretariat, at=APPROVAL_AT)
    return plan_services.approve(version=version, actor=secretariat, at=APPROVAL_AT, **APPROVAL)


def _render(version: PlanVersion, secretariat: User, approved_now: bool, stdout) -> None:
    """Each document not rendered yet: a failed one sent again (plan_services.rerun_job), a pending one
    left behind by an earlier load sent again (the approval sent the new ones); without a broker,
    rendered here and now (the worker's own function; the task sent after commit then finds it done)."""
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    for job in version.jobs.order_by("kind"):
        if job.state == RenderJob.State.DONE and plan_tasks.file_present(job):
            _write(stdout, f"Plan v{version.number}, {job.kind}: already rendered ({job.sha256[:16]})")
            continue
        if job.state == RenderJob.State.FAILED:
            job = plan_services.rerun_job(job=job, actor=secretariat)
        elif not approved_now and not eager:
            transaction.on_commit(lambda pk=job.pk: plan_services.dispatch_render(pk))
        if not eager:
            _write(stdout, f"Plan v{version.number}, {job.kind}: sent to the worker")
            continue
        try:
            result = plan_tasks.execute(job.pk)
        except Exception:
            # The job is marked failed; the example stays loaded and the next load sends it again.
            logger.exception("The example's %s could not be rendered.", job.kind)
            _write(stdout, f"Plan v{version.number}, {job.kind}: rendering failed (see the log)")
            continue
        job.refresh_from_db()
        done = f"rendered ({job.sha256[:16]})" if result == "done" else result
        _write(stdout, f"Plan v{version.number}, {job.kind}: {done}")


def _write(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)
