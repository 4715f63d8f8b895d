"""The two consultations of the 2017 example: PAGA 2017-2019's virtual forum on the 25 proposals
(22.09–06.10.2017), and the consultation of the self-assessment report of PAGA 2015-2016 (29.09–13.10.2017),
which belongs to that plan (paga/example.py PREVIOUS_PLAN, at /planes/paga-2015-2016/…): that plan's
timeline (its one stage) and PAGA 2017-2019's link to it from their stage.

The forum's dates and proposals are the seed's; the report's paragraphs are illustrative (labelled
so), and so are the few contributions and responses below: no real comment is invented.
`load()` is idempotent: consultations by slug, paragraphs by key, contributions by their text; on a database
loaded when the report's consultation was PAGA 2017-2019's, it moves it (with its paragraphs and comments).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from commitments.models import Commitment, OriginKind, Version
from paga import example as paga_example
from paga import plans
from paga.models import ActionPlan, Channel, User

from .models import Consultation, Contribution, Disposition, Paragraph, Response

LIMA = ZoneInfo("America/Lima")


def lima(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LIMA)


FORUM = {
    "slug": "foro-virtual-propuestas-2017",
    "title": "Foro virtual: propuestas de compromisos",
    "kind": Consultation.Kind.ITEMS,
    "description": "Consulta pública de las 25 propuestas de compromisos elaboradas en las mesas temáticas "
    "y los talleres regionales, antes de las mesas nacionales.",
    "rules": "Para participar, inicie sesión con un correo verificado y comente la propuesta que le interese: "
    "indique si está a favor, neutral o en contra, y si su aporte es una sugerencia, una pregunta o una "
    "preocupación. Sea respetuoso y no publique datos personales. También puede enviar su aporte por "
    "correo electrónico. Cada aporte recibirá una respuesta fundamentada de la Secretaría de Gestión "
    "Pública, publicada en este portal.",
    "opens_at": lima(2017, 9, 22, 0, 0),
    "closes_at": lima(2017, 10, 6, 23, 59),
    "publication": Consultation.Publication.AT_ONCE,
    "is_illustrative": False,
}

REPORT = {
    "slug": "consulta-informe-autoevaluacion-paga-2015-2016",
    "title": "Consulta del Informe Final de Autoevaluación del PAGA 2015-2016",
    "kind": Consultation.Kind.DOCUMENT,
    "description": "Ilustrativo: los párrafos de esta consulta son texto de ejemplo, no el informe publicado.",
    "rules": "Comente cualquier párrafo del informe con una sugerencia, una pregunta o una preocupación. "
    "Cada aporte recibirá una respuesta fundamentada de la Secretaría de Gestión Pública.",
    "opens_at": lima(2017, 9, 29, 0, 0),
    "closes_at": lima(2017, 10, 13, 23, 59),
    "publication": Consultation.Publication.AT_ONCE,
    "is_illustrative": True,
}

PARAGRAPHS = [
    "Texto ilustrativo: presentación del informe y del proceso de autoevaluación del PAGA 2015-2016.",
    "Texto ilustrativo: metodología de la autoevaluación y fuentes consultadas.",
    "Texto ilustrativo: avance de los compromisos del plan, uno por uno.",
    "Texto ilustrativo: participación de la sociedad civil durante la implementación.",
    "Texto ilustrativo: lecciones aprendidas y recomendaciones para el siguiente plan.",
]

ROSA, JULIO = "ciudadana@cocrea.example", "ciudadano@cocrea.example"
ASSOCIATION = "Asociación de ejemplo (ilustrativo)"

# (consultation slug, proposal title or paragraph key, author email or None for another channel,
#  channel, created (Lima), stance, category, text, response: (disposition, reason, commitment number))
CONTRIBUTIONS = [
    (
        FORUM["slug"],
        "Creación de la Autoridad de Transporte Urbano (ATU)",
        JULIO,
        Channel.FORUM,
        lima(2017, 9, 25, 10, 30),
        Contribution.Stance.FOR,
        Contribution.Category.SUGGESTION,
        "Que la autoridad publique en datos abiertos las rutas, paraderos y horarios del transporte "
        "público. (ejemplo ilustrativo)",
        (
            Disposition.INCORPORATED,
            "Ilustrativo: el compromiso consolidado prevé publicar esa información en datos abiertos.",
            9,
        ),
    ),
    (
        FORUM["slug"],
        "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)",
        ROSA,
        Channel.FORUM,
        lima(2017, 9, 28, 18, 5),
        Contribution.Stance.NEUTRAL,
        Contribution.Category.QUESTION,
        "¿Cómo participarán las organizaciones de la sociedad civil de cada provincia en las comisiones? "
        "(ejemplo ilustrativo)",
        (
            Disposition.PARTIAL,
            "Ilustrativo: se incorporó la convocatoria abierta a la sociedad civil; la representación "
            "por provincia depende de cada gobierno regional.",
            3,
        ),
    ),
    (
        FORUM["slug"],
        "Sistemas inteligentes de transporte y tránsito",
        None,
        Channel.EMAIL,
        lima(2017, 10, 3, 9, 0),
        Contribution.Stance.AGAINST,
        Contribution.Category.CONCERN,
        "Nos preocupa el costo de los sistemas frente a otras prioridades de transporte. (ejemplo ilustrativo)",
        None,
    ),
    (
        REPORT["slug"],
        "p-3",
        ROSA,
        Channel.FORUM,
        lima(2017, 10, 2, 16, 45),
        Contribution.Stance.NEUTRAL,
        Contribution.Category.SUGGESTION,
        "Sería útil una tabla con el porcentaje de avance de cada compromiso. (ejemplo ilustrativo)",
        None,
    ),
]

RESPONSES_PUBLISHED = lima(2017, 10, 20, 12, 0)


@transaction.atomic
def load(*, plan: ActionPlan, stdout=None) -> ActionPlan:
    """Create or update the two consultations, the report's paragraphs and the illustrative contributions;
    the report's consultation in PAGA 2015-2016, linked from PAGA 2017-2019's timeline."""
    forum, _ = Consultation.objects.update_or_create(slug=FORUM["slug"], defaults={**FORUM, "plan": plan})
    forum.items.set(
        Commitment.objects.filter(
            plan=plan,
            origin_kind__in=[OriginKind.THEMATIC_TABLE, OriginKind.REGIONAL_WORKSHOP],
            is_illustrative=False,
        )
    )
    previous = paga_example.previous_plan()
    report, _ = Consultation.objects.update_or_create(
        slug=REPORT["slug"], defaults={**REPORT, "plan": previous}
    )
    link = {
        "action_label": "Ver la consulta del informe",
        "action_url": plans.reverse_in(previous, "consultations:detail", kwargs={"slug": REPORT["slug"]}),
    }
    plan.stages.filter(order=paga_example.SELF_ASSESSMENT_STAGE).update(**link)
    previous.stages.filter(order=paga_example.PREVIOUS_SELF_ASSESSMENT_STAGE).update(**link)
    for order, text in enumerate(PARAGRAPHS, start=1):
        Paragraph.objects.update_or_create(
            consultation=report,
            key=f"p-{order}",
            defaults={"number": str(order), "text": text, "order": order},
        )
    _load_contributions(plan, {forum.slug: forum, report.slug: report})
    if stdout is not None:
        stdout.write(
            f"Consultations: {Consultation.objects.filter(plan__in=[plan, previous]).count()}, "
            f"{forum.items.count()} proposals in the forum, "
            f"{Contribution.objects.filter(consultation__plan__in=[plan, previous]).count()} illustrative "
            "contributions"
        )
    return plan


def _load_contributions(plan: ActionPlan, consultations: dict[str, Consultation]) -> None:
    """The example replays 2017: the services refuse comments outside an open window (and stamp "now"),
    so these few illustrative rows are written with the ORM, dated inside the forum's window."""
    secretariat = User.objects.get(email="secretaria@cocrea.example")
    people = {u.email: u for u in User.objects.filter(email__in=[ROSA, JULIO])}
    for slug, item, email, channel, created, stance, category, text, answer in CONTRIBUTIONS:
        consultation = consultations[slug]
        where = (
            {"paragraph": consultation.paragraphs.get(key=item)}
            if consultation.kind == Consultation.Kind.DOCUMENT
            else {"commitment": Commitment.objects.get(plan=plan, title=item)}
        )
        source = (
            {"author": people[email]}
            if email
            else {"given_name": ASSOCIATION, "received_on": created.date(), "recorded_by": secretariat}
        )
        contribution, _ = Contribution.objects.get_or_create(
            consultation=consultation,
            text=text,
            defaults={
                **where,
                **source,
                "channel": channel,
                "stance": stance,
                "category": category,
                "created": created,
            },
        )
        if answer is None:
            continue
        disposition, reason, number = answer
        version = Version.objects.filter(commitment__plan=plan, commitment__number=number).order_by("-number")
        Response.objects.get_or_create(
            contribution=contribution,
            defaults={
                "disposition": disposition,
                "reason": reason,
                "commitment_version": version.first(),
                "author": secretariat,
                "created": RESPONSES_PUBLISHED,
                "published_at": RESPONSES_PUBLISHED,
            },
        )
    forum = consultations[FORUM["slug"]]
    if forum.responses_published_at is None:
        forum.responses_published_at = RESPONSES_PUBLISHED
        forum.save(update_fields=["responses_published_at"])
