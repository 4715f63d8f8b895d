"""Data for the participation, forum and reports tests: held events, attendance with distinctive names
(which must never appear on a public page), themes, contributions by channel, forum meetings, minutes."""

from __future__ import annotations

import datetime

from django.utils import timezone

from consultations.models import Contribution
from paga.models import ActorType, Channel, GovernmentPriority, Theme
from tests.commitments.factories import PlanFactory, current_plan
from tests.consultations.factories import ConsultationFactory
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, lima, region
from workshops.models import (
    Attendance,
    Document,
    DocumentType,
    EventInput,
    EventState,
    Gender,
    Kind,
)

# Names planted in attendance and registrations: no public page may show them.
SECRET = "Trazabilidad-Xq7"


def secret_name(i: int) -> str:
    return f"Zacarías {SECRET} Quispe {i}"


def other_plan():
    """A plan that is not the current one: its events and contributions never count."""
    return PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)


def held(**kw):
    """A held event in the past (no registration): 21.09.2017 in Arequipa unless told otherwise."""
    kw.setdefault("state", EventState.HELD)
    kw.setdefault("starts_at", lima(2017, 9, 21, 9))
    kw.setdefault("ends_at", kw["starts_at"] + datetime.timedelta(hours=8))
    for field in ("capacity", "registration_opens_at", "registration_closes_at"):
        kw.setdefault(field, None)
    themes = kw.pop("themes", [])
    event = EventFactory(**kw)
    event.themes.set(themes)
    return event


def attend(event, n: int = 1, **kw) -> list[Attendance]:
    """`n` people at `event` (civil society, female, from Arequipa, Proética unless told otherwise)."""
    kw.setdefault("actor_type", ActorType.CIVIL_SOCIETY)
    kw.setdefault("gender", Gender.FEMALE)
    kw.setdefault("organisation", "Proética")
    if "region" not in kw:
        kw["region"] = region("Arequipa")
    start = Attendance.objects.count()
    return Attendance.objects.bulk_create(
        [Attendance(event=event, name=secret_name(start + i), **kw) for i in range(n)]
    )


def theme(name: str, order: int, plan=None) -> Theme:
    plan = plan or current_plan()
    priority = GovernmentPriority.objects.filter(plan=plan).first() or GovernmentPriority.objects.create(
        plan=plan, name="Saneamiento / Ambiente", slug="saneamiento-ambiente"
    )
    found = Theme.objects.filter(plan=plan, name=name).first()
    return found or Theme.objects.create(
        plan=plan, name=name, slug=f"tema-{order}-{Theme.objects.count()}", priority=priority, order=order
    )


def contribution(consultation, *, channel: str = Channel.FORUM, event=None, **kw) -> Contribution:
    kw.setdefault("given_name", f"Colectivo {SECRET}")
    kw.setdefault("text", "Aporte de prueba")
    found = Contribution.objects.create(consultation=consultation, channel=channel, **kw)
    if event is not None:
        EventInput.objects.create(event=event, contribution=found)
    return found


def consultation(**kw):
    kw.setdefault("items", [])
    return ConsultationFactory(**kw)


def document(*, event=None, doc_type: str = DocumentType.MINUTES, uploaded_at=None, plan=None) -> Document:
    """A document row of the repository (the pages under test never read its file)."""
    plan = plan or (event.plan if event else current_plan())
    return Document.objects.create(
        plan=plan,
        event=event,
        title=f"Acta «{doc_type}» n.º {Document.objects.count() + 1}",
        doc_type=doc_type,
        file="documentos/2017/acta-de-prueba.pdf",  # a name only: nothing written to the media folder
        original_name="acta.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        dated=timezone.localdate(uploaded_at) if uploaded_at else datetime.date(2017, 10, 1),
        uploaded_by=UserFactory(),
        uploaded_at=uploaded_at or timezone.now(),
    )


def forum_session(day: datetime.date, **kw):
    """A held session of the multi-stakeholder forum on `day` (Lima)."""
    kw.setdefault("kind", Kind.FORUM_SESSION)
    kw.setdefault("region", region("Lima"))
    kw.setdefault("title", f"Sesión del Foro Multiactor del {day.isoformat()}")
    starts = lima(day.year, day.month, day.day, 10)
    return held(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **kw)
