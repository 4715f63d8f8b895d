"""Shared data for the outcomes tests (tests/workshops/test_outcomes_*.py): an event held yesterday and a
consultation open since the day before that, on two numbered proposals of the plan."""

from __future__ import annotations

import datetime

from django.utils import timezone

from commitments.models import Status
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory
from tests.workshops.factories import EventFactory
from workshops.models import Kind

NO_REGISTRATION = {"capacity": None, "registration_opens_at": None, "registration_closes_at": None}


def held_event(**kw):
    """An event that took place yesterday (10:00–17:00), no registration."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    kw.setdefault("starts_at", datetime.datetime(day.year, day.month, day.day, 10, tzinfo=lima))
    kw.setdefault("ends_at", datetime.datetime(day.year, day.month, day.day, 17, tzinfo=lima))
    return EventFactory(**{**NO_REGISTRATION, **kw})


def national_table(**kw):
    kw.setdefault("kind", Kind.NATIONAL_TABLE)
    kw.setdefault("region", None)
    return held_event(**kw)


def proposals_in_consultation(numbers=(41, 42), **kw):
    """Numbered proposals (in consultation) and the consultation on them, open since two days ago."""
    items = [
        CommitmentFactory(number=n, status=Status.IN_CONSULTATION, title=f"Propuesta «{n}» ñandú")
        for n in numbers
    ]
    kw.setdefault("opens_at", timezone.now() - datetime.timedelta(days=2))
    consultation = ConsultationFactory(items=items, **kw)
    return items, consultation
