"""Reminders before a milestone's due date (issue 14): the lead entity's contact is asked by email,
COCREA_MILESTONE_REMINDER_DAYS days before each due date, to report on the milestone.

Only milestones of commitments in an approved plan version: a proposal's or a draft's dates are not yet
anyone's obligation. The beat (paga/settings.py CELERY_BEAT_SCHEDULE) runs `send_milestone_reminders`
every hour; a milestone is reminded once per due date (MilestoneReminder, unique), so a rerun or a
redelivered task sends nothing twice, and a run missed for a few days still reminds a milestone that is
not yet due. The email goes through the outbox (paga.services.queue_email), in Spanish: the contact is
the ministry's, published in the plan.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from paga import clock, plans
from paga.services import absolute_url, queue_email

from .models import Milestone, MilestoneReminder
from .plan_models import PlanVersion


def reminder_days() -> int:
    return settings.COCREA_MILESTONE_REMINDER_DAYS


def due_for_reminder(*, today: datetime.date) -> QuerySet[Milestone]:
    """Milestones due from `today` to `today` + the configured days, of commitments in an approved plan
    version, with a contact address, not yet reminded for their current due date."""
    last = today + datetime.timedelta(days=reminder_days())
    in_approved_version = PlanVersion.objects.filter(
        state=PlanVersion.State.APPROVED, items__commitment=OuterRef("commitment_id")
    )
    reminded = MilestoneReminder.objects.filter(milestone=OuterRef("pk"), due_date=OuterRef("due_date"))
    return (
        Milestone.objects.filter(Exists(in_approved_version), due_date__gte=today, due_date__lte=last)
        .exclude(commitment__contact_email="")
        .exclude(Exists(reminded))
        .select_related("commitment__plan")
        .order_by("due_date", "commitment__number", "order", "pk")
    )


def send_milestone_reminders(*, today: datetime.date | None = None) -> int:
    """Queue one reminder per milestone due within the configured days (see the module); returns how
    many were queued. Each in its own transaction: the record and the outbox row commit together."""
    today = today or clock.today()
    sent = 0
    for milestone in due_for_reminder(today=today):
        try:
            with transaction.atomic():
                MilestoneReminder.objects.create(
                    milestone=milestone,
                    due_date=milestone.due_date,
                    sent_to=milestone.commitment.contact_email,
                    sent_at=clock.now(),
                )
                _email(milestone, today=today)
        except IntegrityError:  # another run reminded it meanwhile
            continue
        sent += 1
    return sent


def _email(milestone: Milestone, *, today: datetime.date) -> None:
    commitment = milestone.commitment
    with translation.override("es"):
        context = {
            "milestone": milestone,
            "commitment": commitment,
            "days": (milestone.due_date - today).days,
            "commitment_url": absolute_url(
                plans.reverse_in(
                    commitment.plan,
                    "commitments:detail",
                    kwargs={"key": str(commitment.number) if commitment.number else commitment.slug},
                )
            ),
        }
        subject = render_to_string("commitments/email/milestone_reminder_subject.txt", context)
        body = render_to_string("commitments/email/milestone_reminder_message.txt", context)
    queue_email(EmailMessage(subject=" ".join(subject.split()), body=body, to=[commitment.contact_email]))
