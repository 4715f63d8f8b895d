"""The demonstration plan's regional workshop (paga/demo.py): in about two weeks, registration open now.

An invented workshop in Cusco with its places, venue and agenda (all said to be invented), made through
the events service as the Secretaría's example account, linked to its timeline stage and to the
demonstration's proposals; and the plan's multi-stakeholder forum, with no members or meetings.

Idempotent: the event is found by its title in the plan. Loading again on another day moves its date and
registration window to the new today (an edit through the service, which tells whoever registered).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from commitments.models import Commitment
from paga import plans
from paga.demo import NOTICE, REGISTRATION_OPENS, SECRETARIAT, WORKSHOP_DAY, WORKSHOP_STAGE, day
from paga.models import ActionPlan, Region, User

from . import services
from .models import Event, Forum, Kind

LIMA = ZoneInfo("America/Lima")
TITLE = "Taller regional Cusco (demostración)"
CAPACITY = 40


def _lima(moment: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=LIMA)


def event_values(plan: ActionPlan, today: datetime.date) -> dict:
    workshop = day(today, WORKSHOP_DAY)
    return {
        "kind": Kind.REGIONAL_WORKSHOP,
        "title": TITLE,
        "summary": f"{NOTICE} Taller regional inventado para probar la inscripción: inscríbase para ver "
        "cómo funciona; nadie le esperará en el lugar indicado.",
        "stage": plan.stages.filter(order=WORKSHOP_STAGE).first(),
        "region": Region.objects.get(code="08"),
        "province": "Cusco",
        "venue": "Local de demostración (inventado)",
        "address": "Dirección inventada para la demostración",
        "starts_at": _lima(workshop, 9),
        "ends_at": _lima(workshop, 13),
        "all_day": False,
        "capacity": CAPACITY,
        "registration_opens_at": _lima(day(today, REGISTRATION_OPENS), 0),
        # Closes the evening before the workshop.
        "registration_closes_at": _lima(day(today, WORKSHOP_DAY - 1), 23, 59),
        "agenda": "9:00 Presentación del plan de demostración\n10:00 Trabajo en grupos sobre las propuestas\n"
        "12:30 Conclusiones\n(Agenda inventada para la demostración)",
        "is_illustrative": False,
    }


@transaction.atomic
def load(*, plan: ActionPlan, today: datetime.date, stdout=None) -> ActionPlan:
    """Create the workshop, or move it to the new today; the demonstration's forum."""
    secretariat = User.objects.get(email=SECRETARIAT)
    values = event_values(plan, today)
    themes = list(plan.themes.all())
    event = Event.objects.filter(plan=plan, title=TITLE).first()
    if event is None:
        event = services.create_event(plan=plan, actor=secretariat, values=values, themes=themes)
    elif any(services.stored_values(event)[field] != value for field, value in values.items()):
        event = services.update_event(event=event, actor=secretariat, values=values, themes=themes)
    event.proposals.set(Commitment.objects.filter(plan=plan, number__isnull=True))
    plan.stages.filter(order=WORKSHOP_STAGE).update(
        action_label="Inscribirse en el taller",
        action_url=plans.reverse_in(plan, "workshops:register", kwargs={"slug": event.slug}),
    )
    Forum.objects.update_or_create(
        plan=plan, defaults={"name": "Foro Multiactor (demostración)", "is_illustrative": True}
    )
    if stdout is not None:
        stdout.write(f"Demonstration workshop: {event.title}, {event.starts_at:%Y-%m-%d}, registration open")
    return plan
