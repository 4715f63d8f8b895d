"""The demonstration plan's public consultation (paga/demo.py): open now, so anyone signed in can comment.

It opened a few days ago and closes in about three weeks; it consults the demonstration's proposals (made
by commitments/demo.py, in public consultation). A few comments of the example's citizen accounts, posted
through the forum's service, and a contribution the Secretaría recorded from email, with its reasoned
response (published at once; its author is an organisation, so nobody is emailed). All invented, and said
so.

Idempotent: the consultation by slug, contributions by their text. Loading again on another day moves the
window and the contributions' dates to the new today (they keep their place inside the window).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from commitments.models import Commitment, Status
from paga import plans
from paga.demo import (
    CITIZENS,
    CONSULTATION_CLOSES,
    CONSULTATION_OPENS,
    CONSULTATION_STAGE,
    NOTICE,
    SECRETARIAT,
    day,
)
from paga.models import ActionPlan, Channel, User

from . import responses, services
from .models import Consultation, Contribution, Disposition, Response

LIMA = ZoneInfo("America/Lima")
SLUG = "consulta-publica-demostracion"
ORGANISATION = "Colectivo vecinal (demostración)"


def at(today: datetime.date, offset: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """`offset` days from `today`, at hour:minute in Lima."""
    moment = day(today, offset)
    return datetime.datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=LIMA)


def consultation_values(today: datetime.date) -> dict:
    return {
        "title": "Consulta pública de demostración: propuestas de compromisos",
        "kind": Consultation.Kind.ITEMS,
        "description": f"{NOTICE} Comente las propuestas de compromisos para probar la consulta pública: "
        "lo que escriba aquí no forma parte de un plan real.",
        "rules": "Para participar, inicie sesión con un correo verificado y comente la propuesta que le "
        "interese: indique si está a favor, es neutral o está en contra, y si su aporte es una sugerencia, "
        "una pregunta o una preocupación. Sea respetuoso y no publique datos personales. Cada aporte "
        "recibirá una respuesta fundamentada de la Secretaría. (Demostración)",
        "opens_at": at(today, CONSULTATION_OPENS),
        # Closes at midnight after its last day (`closes_at` is exclusive).
        "closes_at": at(today, CONSULTATION_CLOSES + 1),
        "publication": Consultation.Publication.IMMEDIATE,
        "is_illustrative": True,
    }


# (proposal slug, author email, (days from today, hour, minute), stance, category, text)
COMMENTS = [
    ("demo-datos-abiertos-escuelas", CITIZENS[0], (-2, 10, 30), Contribution.Stance.FOR,
     Contribution.Category.SUGGESTION,
     "Que los datos digan también si cada escuela tiene agua potable y servicios higiénicos. (demostración)"),
    ("demo-monitoreo-calidad-aire", CITIZENS[1], (-1, 18, 5), Contribution.Stance.NEUTRAL,
     Contribution.Category.QUESTION,
     "¿Se publicarán también las mediciones de las ciudades pequeñas? (demostración)"),
]  # fmt: skip
# Received by email and recorded by the Secretaría, then answered.
RECORDED = (
    "demo-paraderos-accesibles",
    -2,
    Contribution.Stance.AGAINST,
    Contribution.Category.CONCERN,
    "Un mapa colaborativo puede quedar desactualizado si nadie lo revisa. (demostración)",
)
RESPONSE = (
    Disposition.NOT_INCORPORATED,
    "Demostración: respuesta fundamentada inventada. La propuesta prevé que la municipalidad valide cada "
    "paradero antes de publicarlo, de modo que el mapa no depende solo de los aportes.",
    (-1, 12, 0),
)


@transaction.atomic
def load(*, plan: ActionPlan, today: datetime.date, stdout=None) -> ActionPlan:
    """Create or update the consultation, its items, the example comments and the reasoned response."""
    consultation, _created = Consultation.objects.update_or_create(
        slug=SLUG, defaults={**consultation_values(today), "plan": plan}
    )
    consultation.items.set(Commitment.objects.filter(plan=plan, status=Status.IN_CONSULTATION))
    plan.stages.filter(order=CONSULTATION_STAGE).update(
        action_label="Comentar las propuestas",
        action_url=plans.reverse_in(plan, "consultations:detail", kwargs={"slug": SLUG}),
    )
    proposals = {c.slug: c for c in consultation.items.all()}
    people = {u.email: u for u in User.objects.filter(email__in=CITIZENS)}
    for slug, email, (offset, hour, minute), stance, category, text in COMMENTS:
        moment = at(today, offset, hour, minute)
        found = consultation.contributions.filter(text=text)
        if not found.exists():
            services.post_comment(
                consultation=consultation, author=people[email], commitment=proposals[slug], text=text,
                stance=stance, category=category, at=moment,
            )  # fmt: skip
        found.update(created=moment)
    _recorded(consultation, proposals, today)
    if stdout is not None:
        stdout.write(
            f"Demonstration consultation: open until {day(today, CONSULTATION_CLOSES)}, "
            f"{consultation.items.count()} proposals, {consultation.contributions.count()} contributions"
        )
    return plan


def _recorded(consultation: Consultation, proposals: dict[str, Commitment], today: datetime.date) -> None:
    secretariat = User.objects.get(email=SECRETARIAT)
    slug, offset, stance, category, text = RECORDED
    received = at(today, offset, 9, 0)
    contribution = consultation.contributions.filter(text=text).first()
    if contribution is None:
        contribution = services.record_other_channel(
            consultation=consultation, actor=secretariat, channel=Channel.EMAIL, received_on=received.date(),
            given_name=ORGANISATION, text=text, commitment=proposals[slug], stance=stance, category=category,
        )  # fmt: skip
    Contribution.objects.filter(pk=contribution.pk).update(received_on=received.date(), created=received)
    disposition, reason, (r_offset, hour, minute) = RESPONSE
    if not Response.objects.filter(contribution=contribution).exists():
        responses.respond(
            contribution=contribution, actor=secretariat, disposition=disposition, reason=reason
        )
    answered = at(today, r_offset, hour, minute)
    Response.objects.filter(contribution=contribution).update(created=answered, published_at=answered)
