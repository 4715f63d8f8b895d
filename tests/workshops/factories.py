"""Factories for workshops. Text fields plant accents and a `<script>` on purpose.

`EventFactory()` is a regional workshop in Arequipa a week from now (10:00–17:00 Lima), 20 places,
registration open since yesterday until the day before. `EventFactory(capacity=None,
registration_closes_at=None)` takes no registrations; `undated()` is a thematic table with no date.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from paga.models import ActorType, Region
from tests.commitments.factories import SCRIPT, current_plan, text
from workshops.models import Event, Gender, Kind, Registration

LIMA = datetime.timezone(datetime.timedelta(hours=-5))


def lima(*args) -> datetime.datetime:
    """A moment in Lima time (UTC-5 all year, no daylight saving)."""
    return datetime.datetime(*args, tzinfo=LIMA)


def _in_a_week(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=7)
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LIMA)


def region(name: str = "Arequipa") -> Region:
    """A region of the example's table (loaded by migrations), or a new one in an empty database."""
    found = Region.objects.filter(name=name).first()
    if found:
        return found
    code = f"{Region.objects.count() + 50:02d}"
    return Region.objects.create(code=code, name=name, slug=name.lower().replace(" ", "-"))


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    plan = factory.LazyFunction(current_plan)
    kind = Kind.REGIONAL_WORKSHOP
    slug = factory.Sequence(lambda n: f"taller-{n}")
    title = factory.Sequence(lambda n: f"Taller regional «Ñandú» {SCRIPT} n.º {n}")
    summary = factory.LazyFunction(lambda: text("Resumen"))
    region = factory.LazyFunction(region)
    province = "Arequipa"
    venue = "Auditorio del Gobierno Regional"
    address = "Av. Unión 200, Cercado"
    starts_at = factory.LazyFunction(lambda: _in_a_week(10))
    ends_at = factory.LazyFunction(lambda: _in_a_week(17))
    capacity = 20
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=1))
    agenda = "9:00 Bienvenida\n10:00 Mesas de trabajo"


def undated(**kw) -> Event:
    """A thematic table with no date and no registration (the seed dates none)."""
    kw.setdefault("kind", Kind.THEMATIC_TABLE)
    for field in ("starts_at", "ends_at", "capacity", "registration_opens_at", "registration_closes_at"):
        kw.setdefault(field, None)
    kw.setdefault("region", None)
    return EventFactory(**kw)


class RegistrationFactory(DjangoModelFactory):
    """A confirmed registration made directly (not through the service: use it for fixtures only)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"participante{n}@cocrea.test")
    name = factory.Sequence(lambda n: f"Participante «Ñandú» {SCRIPT} {n}")
    actor_type = ActorType.CIVIL_SOCIETY
    organisation = "Asociación Civil Transparencia"
    gender = Gender.FEMALE
    state = Registration.State.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
