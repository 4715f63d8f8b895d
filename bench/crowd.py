"""The rest of the benchmark's volume: people, comments spread over the synthetic commitments, events.

A benchmark fixture like bench/volume.py and bench/forum.py: `bulk_create`, every row marked.
- People `persona-NNNNN@prueba.cocrea.example` ("Persona de prueba N"), citizens with a verified email,
  all with the password PASSWORD (one hash shared by all: the benchmark signs them in without hashing).
- Comments in a consultation of their own (`volumen-de-prueba`, the 2017 forum's dates, illustrative)
  on the public synthetic commitments, written by those people: a fifth top level, the rest replies and
  replies to replies; one in twenty hidden with a reason. With the forum's proposal (bench/forum.py) the
  plan holds the total asked.
- Events `volumen-de-prueba-taller-NN`, "(volumen de prueba) Taller …", held in 2017 and 2018 across
  the regions, some with registrations (capacity and a closed registration window).

Each loader makes the database hold exactly the number asked (adds, or rebuilds what it owns).
"""

from __future__ import annotations

import datetime
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction

from commitments.models import Commitment
from consultations import markdown
from consultations.models import Consultation, Contribution
from paga import roles
from paga.models import ActionPlan, Channel, Region, User
from workshops.models import Event, EventState, Kind

from . import volume

PASSWORD = "volumen-de-prueba-2017"  # noqa: S105 - synthetic accounts of a benchmark database
EMAIL = "persona-{:05d}@prueba.cocrea.example"
CONSULTATION = "volumen-de-prueba"
EVENT_SLUG = "volumen-de-prueba-taller-"
BATCH = 2000
WORDS = ["transparencia", "participación", "rendición", "cuentas", "datos", "abiertos", "región", "agua",
         "saneamiento", "obras"]  # fmt: skip


def _analyze(*models) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def load_people(count: int) -> list[int]:
    """Make `count` synthetic people exist (never deletes: their comments are kept); returns their pks."""
    emails = [EMAIL.format(i + 1) for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [e for e in emails if e not in existing]
    if missing:
        password = make_password(PASSWORD)
        User.objects.bulk_create(
            [User(email=e, display_name=f"Persona de prueba {e[8:13]}", password=password) for e in missing],
            batch_size=BATCH,
        )
        made = list(User.objects.filter(email__in=missing))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made], batch_size=BATCH
        )
        citizens, _ = Group.objects.get_or_create(name=roles.CITIZEN)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=citizens.pk) for u in made], batch_size=BATCH
        )
        _analyze(User, EmailAddress)
    return list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))


def _consultation(plan: ActionPlan, items: list[Commitment]) -> Consultation:
    consultation, _ = Consultation.objects.get_or_create(
        slug=CONSULTATION,
        defaults={
            "plan": plan,
            "title": "(volumen de prueba) Foro virtual sobre las propuestas",
            "kind": Consultation.Kind.ITEMS,
            "opens_at": datetime.datetime(2017, 9, 22, 5, tzinfo=datetime.UTC),
            "closes_at": datetime.datetime(2017, 10, 7, 5, tzinfo=datetime.UTC),
            "is_illustrative": True,
        },
    )
    consultation.items.set(items)
    return consultation


@transaction.atomic
def clear_comments() -> None:
    """Delete the synthetic comments (before synthetic commitments they are on are deleted)."""
    rows = Contribution.objects.filter(consultation__slug=CONSULTATION)
    for depth in (2, 1, 0):  # replies first: parents are protected
        rows.filter(depth=depth).delete()


@transaction.atomic
def load_comments(count: int, people: list[int], *, plan: ActionPlan | None = None, seed: int = 29) -> int:
    """Make the `volumen-de-prueba` consultation hold exactly `count` comments; returns that count."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    items = list(
        volume.synthetic(plan).filter(status__in=Commitment.PUBLIC_STATUSES).order_by("slug")
    ) or list(Commitment.objects.filter(plan=plan, status__in=Commitment.PUBLIC_STATUSES).order_by("pk")[:20])
    consultation = _consultation(plan, items)
    rows = Contribution.objects.filter(consultation=consultation)
    if rows.count() == count:
        return count
    clear_comments()
    if not count or not items or not people:
        return 0
    rng = random.Random(seed)
    start = consultation.opens_at + datetime.timedelta(hours=1)

    def new(parent: Contribution | None, n: int, item: Commitment) -> Contribution:
        hidden = n % 20 == 11
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 50)))
        row = Contribution(
            consultation=consultation,
            commitment=item,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_id=rng.choice(people),
            channel=Channel.FORUM,
            text=f"{words.capitalize()}. **Propuesta**: publicar *plazos* y responsables.",
            state=Contribution.State.HIDDEN if hidden else Contribution.State.VISIBLE,
            hidden_reason="Datos personales de terceros" if hidden else "",
            created=start + datetime.timedelta(minutes=n),
        )
        for name, value in markdown.stored_fields(row.text).items():  # as the services store it
            setattr(row, name, value)
        return row

    top = max(1, count // 5)
    level0 = Contribution.objects.bulk_create(
        [new(None, n, items[n % len(items)]) for n in range(top)], batch_size=BATCH
    )
    left = count - top
    level1_n = (left + 1) // 2
    level1 = Contribution.objects.bulk_create(
        [new(level0[n % top], top + n, level0[n % top].commitment) for n in range(level1_n)], batch_size=BATCH
    )
    level2 = [new(level1[n % len(level1)], top + level1_n + n, level1[n % len(level1)].commitment)
              for n in range(left - level1_n)] if level1 else []  # fmt: skip
    Contribution.objects.bulk_create(level2, batch_size=BATCH)
    _analyze(Contribution)
    return rows.count()


@transaction.atomic
def load_events(count: int, *, plan: ActionPlan | None = None) -> int:
    """Make `count` synthetic events exist (removing those beyond); returns their number."""
    plan = plan or ActionPlan.objects.get(is_current=True)
    mine = Event.objects.filter(slug__startswith=EVENT_SLUG)
    mine.exclude(slug__in=[f"{EVENT_SLUG}{i + 1:02d}" for i in range(count)]).delete()
    have = set(mine.values_list("slug", flat=True))
    regions = list(Region.objects.order_by("pk"))
    kinds = [Kind.REGIONAL_WORKSHOP, Kind.THEMATIC_TABLE, Kind.NATIONAL_TABLE, Kind.SECTOR_MEETING]
    new = []
    for i in range(count):
        slug = f"{EVENT_SLUG}{i + 1:02d}"
        if slug in have:
            continue
        region = regions[i % len(regions)] if regions else None
        starts = datetime.datetime(2017, 8, 1, 14, tzinfo=datetime.UTC) + datetime.timedelta(days=9 * i)
        new.append(
            Event(
                plan=plan,
                kind=kinds[i % len(kinds)],
                slug=slug,
                title=f"(volumen de prueba) Taller {i + 1} en {region.name if region else 'Lima'}",
                summary="Ilustrativo. Diálogo con la sociedad civil sobre las propuestas del plan.",
                region=region,
                venue="Auditorio municipal (ejemplo)",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=4),
                capacity=60 if i % 2 == 0 else None,
                registration_opens_at=starts - datetime.timedelta(days=20) if i % 2 == 0 else None,
                registration_closes_at=starts - datetime.timedelta(days=1) if i % 2 == 0 else None,
                agenda="1. Bienvenida\n2. Mesas de trabajo\n3. Conclusiones",
                state=EventState.HELD,
                is_illustrative=True,
            )
        )
    Event.objects.bulk_create(new)
    if new:
        _analyze(Event)
    return mine.count()


def sample_event() -> str:
    """The slug of a synthetic event (the first), for the event page; the example's first without any."""
    event = (
        Event.objects.filter(slug__startswith=EVENT_SLUG).order_by("slug").first() or Event.objects.first()
    )
    if event is None:
        raise RuntimeError("no event: load the example first")
    return event.slug
