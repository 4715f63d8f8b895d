"""Synthetic forum for the page benchmark: one proposal with many comments, threaded as people do.

A benchmark fixture, not domain logic: rows are written with `bulk_create` (no services), but they
follow the rules all the same (replies at most two levels deep and on their parent's item, one support
per person, reasons on hidden comments and on every response but "incorporado"). Everything is marked:
the proposal's title starts with "(foro de prueba)", the consultation's slug is `foro-de-prueba`, the
people are `foro-NNN@prueba.cocrea.example`, and both the consultation and the proposal are
`is_illustrative`.

    load_forum(comments=500)   # after `load_example`, with Django set up; returns the proposal's slug

Comments are shaped like a lively thread: a fifth of them top level (50 per page: 500 comments give two
pages), each top-level comment with replies and replies to replies; one in twenty hidden by moderation;
a third answered by the Secretaría (published); a few supports each. A call with another count replaces
the forum's comments (the proposal and the people stay).
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from commitments.models import Commitment, Status
from consultations import markdown
from consultations.models import Consultation, Contribution, Disposition, Response, Support
from paga.models import ActionPlan, Channel, Entity, User

SLUG = "foro-de-prueba"
TITLE = "(foro de prueba) Propuesta con muchos comentarios para medir la página"
PEOPLE = 40
SECRETARIAT_EMAIL = "secretaria@cocrea.example"
WORDS = [
    "transparencia",
    "participación",
    "rendición",
    "cuentas",
    "gobierno",
    "abierto",
    "datos",
    "municipalidad",
    "región",
    "acceso",
    "información",
    "pública",
    "presupuesto",
    "obras",
    "agua",
    "saneamiento",
    "educación",
    "salud",
    "ambiente",
    "consulta",
    "propuesta",
    "compromiso",
    "ciudadanía",
    "sociedad",
    "civil",
    "plazo",
    "indicador",
]


def _text(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return f"{body.capitalize()}. **Sugerencia**: ver [la norma](https://www.gob.pe/pcm) y *plazos*."


def _people(rng: random.Random) -> list[User]:
    entities = list(Entity.objects.order_by("pk")[:10])
    emails = [f"foro-{i:03d}@prueba.cocrea.example" for i in range(PEOPLE)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=email,
                display_name=f"Participante de prueba {i + 1}",
                entity=rng.choice(entities) if entities and i % 3 == 0 else None,
                password=unusable,
            )
            for i, email in enumerate(emails)
            if email not in existing
        ]
    )
    return list(User.objects.filter(email__in=emails).order_by("email"))


def _proposal(plan: ActionPlan) -> Commitment:
    proposal = Commitment.objects.filter(plan=plan, slug=SLUG).first()
    if proposal is None:
        source = Commitment.objects.filter(plan=plan, status=Status.IN_CONSULTATION).order_by("pk").first()
        proposal = Commitment.objects.create(
            plan=plan,
            slug=SLUG,
            title=TITLE,
            status=Status.IN_CONSULTATION,
            theme=source.theme if source else None,
            problem="(foro de prueba) Texto de ejemplo del problema público.",
            description="(foro de prueba) Texto de ejemplo del compromiso.",
            is_illustrative=True,
        )
    return proposal


def _consultation(plan: ActionPlan, proposal: Commitment) -> Consultation:
    consultation, _ = Consultation.objects.get_or_create(
        slug=SLUG,
        defaults={
            "plan": plan,
            "title": "(foro de prueba) Consulta para medir la página",
            "kind": Consultation.Kind.ITEMS,
            "opens_at": datetime.datetime(2017, 9, 22, 5, tzinfo=datetime.UTC),
            "closes_at": datetime.datetime(2017, 10, 7, 5, tzinfo=datetime.UTC),
            "is_illustrative": True,
        },
    )
    consultation.items.add(proposal)
    return consultation


def _clear(consultation: Consultation) -> None:
    rows = Contribution.objects.filter(consultation=consultation)
    Response.objects.filter(contribution__in=rows).delete()
    Support.objects.filter(contribution__in=rows).delete()
    for depth in (2, 1, 0):  # replies first: parents are protected
        rows.filter(depth=depth).delete()


@transaction.atomic
def load_forum(*, plan: ActionPlan | None = None, comments: int = 500, seed: int = 2017) -> str:
    """Make the synthetic proposal hold exactly `comments` comments; returns its slug (its page's key)."""
    if comments < 0:
        raise ValueError("comments must not be negative")
    rng = random.Random(seed)
    plan = plan or ActionPlan.objects.get(is_current=True)
    proposal = _proposal(plan)
    consultation = _consultation(plan, proposal)
    rows = Contribution.objects.filter(consultation=consultation, commitment=proposal)
    if rows.count() == comments:
        return proposal.slug
    _clear(consultation)
    people = _people(rng)
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    start = consultation.opens_at + datetime.timedelta(hours=3)
    top = max(1, comments // 5) if comments else 0
    made: list[Contribution] = []

    def new(parent: Contribution | None, n: int) -> Contribution:
        hidden = n % 20 == 7
        row = Contribution(
            consultation=consultation,
            commitment=proposal,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author=rng.choice(people),
            channel=Channel.FORUM,
            stance=rng.choice(Contribution.Stance.values + [""]),
            category=rng.choice(Contribution.Category.values + [""]),
            text=_text(rng, rng.randint(12, 60)),
            state=Contribution.State.HIDDEN if hidden else Contribution.State.VISIBLE,
            hidden_reason="Datos personales de terceros" if hidden else "",
            created=start + datetime.timedelta(minutes=7 * n),
        )
        for name, value in markdown.stored_fields(row.text).items():  # as the services store it
            setattr(row, name, value)
        return row

    # Top level first, then replies spread over them, then replies to replies.
    level0 = Contribution.objects.bulk_create([new(None, n) for n in range(top)])
    made += level0
    left = comments - top
    level1_n = (left + 1) // 2
    level1 = Contribution.objects.bulk_create(
        [new(level0[n % top], top + n) for n in range(level1_n)] if top else []
    )
    made += level1
    level2_n = left - level1_n
    level2 = Contribution.objects.bulk_create(
        [new(level1[n % len(level1)], top + level1_n + n) for n in range(level2_n)] if level1 else []
    )
    made += level2

    now = timezone.now()
    visible = [c for c in made if c.state == Contribution.State.VISIBLE]
    Response.objects.bulk_create(
        [
            Response(
                contribution=c,
                disposition=Disposition.NOT_INCORPORATED if n % 2 else Disposition.OUT_OF_SCOPE,
                reason="(foro de prueba) Respuesta razonada de la Secretaría.",
                author=secretariat,
                published_at=now,
            )
            for n, c in enumerate(visible[::3])
        ]
    )
    supports = []
    for c in visible[::2]:
        for person in rng.sample(people, 3):
            supports.append(Support(user=person, contribution=c))
    Support.objects.bulk_create(supports)
    return proposal.slug
