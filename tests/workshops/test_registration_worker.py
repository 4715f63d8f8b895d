"""The reminder the day before, through a real Celery worker and Redis (tests/paga/test_celery.py's
worker fixture): the task reminds each confirmed registrant once and the outbox sends the email."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from paga.models import OutboundEmail
from tests.paga.test_celery import WAIT, worker
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import registrations, tasks
from workshops.models import Registration

__all__ = ["worker"]  # the fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_each_reminder_once_with_its_cancel_link(worker):
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1
    )
    event = EventFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=6), registration_closes_at=start
    )
    registration = RegistrationFactory(event=event)

    assert tasks.send_registration_reminders.delay().get(timeout=WAIT) == 1
    email = OutboundEmail.objects.get(to=[registration.email])
    assert worker.wait_for("paga.tasks.send_email", (email.pk,)) == [True]
    assert tasks.send_registration_reminders.delay().get(timeout=WAIT) == 0  # a rerun sends nothing

    (sent,) = mail.outbox
    assert sent.to == [registration.email]
    assert event.title in sent.subject
    assert registrations.registration_url(registration, "registration_cancel") in sent.body
    assert Registration.objects.get(pk=registration.pk).reminded_at is not None
