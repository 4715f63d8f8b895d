"""Reminders before a milestone's due date (commitments/reminders.py, issue 14): the contact of a
commitment in an approved plan version is emailed COCREA_MILESTONE_REMINDER_DAYS days before each due
date, once, through the outbox, in Spanish with "usted"."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings

from commitments import reminders, tasks
from commitments.models import MilestoneReminder, PlanItem, PlanVersion
from paga.models import OutboundEmail
from tests.commitments.factories import CommitmentFactory, MilestoneFactory, PlanFactory, ministry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2018, 6, 1)
CONTACT = "enlace.minam@cocrea.example"


def version_of(plan, *commitments, state=PlanVersion.State.APPROVED) -> PlanVersion:
    """A version of `plan` with `commitments`, moved to `state` with the ORM (approving through the plan's
    services is tests/commitments/test_plan_services.py's)."""
    someone = UserFactory()
    version = PlanVersion.objects.create(
        plan=plan, number=PlanVersion.objects.count() + 1, created_by=someone
    )
    for n, commitment in enumerate(commitments, start=1):
        PlanItem.objects.create(version=version, commitment=commitment, number=n)
    at = datetime.datetime(2017, 12, 29, 15, tzinfo=datetime.UTC)
    rows = PlanVersion.objects.filter(pk=version.pk)
    if state in (PlanVersion.State.FROZEN, PlanVersion.State.APPROVED):
        rows.update(state=PlanVersion.State.FROZEN, frozen_at=at, frozen_by=someone)
    if state == PlanVersion.State.APPROVED:
        rows.update(
            state=state, instrument=PlanVersion.Instrument.MINISTERIAL_RESOLUTION, instrument_number="RM 1",
            instrument_date=at.date(), approved_at=at, approved_by=someone, snapshot={}, annex={},
        )  # fmt: skip
    return version


def commitment_due_in(days: int, **kw):
    commitment = CommitmentFactory(
        plan=kw.pop("plan", None) or PlanFactory(),
        number=kw.pop("number", 7),
        lead_entity=ministry("MINAM"),
        contact_name="Ana Quispe",
        contact_email=kw.pop("contact_email", CONTACT),
        **kw,
    )
    milestone = MilestoneFactory(
        commitment=commitment,
        description="Publicar el reporte trimestral",
        due_date=TODAY + datetime.timedelta(days=days),
    )
    return commitment, milestone


@pytest.fixture
def approved_due_in_14():
    commitment, milestone = commitment_due_in(14)
    version_of(commitment.plan, commitment)
    return commitment, milestone


def test_a_milestone_due_in_the_configured_days_sends_one_email_to_the_contact(approved_due_in_14):
    commitment, milestone = approved_due_in_14
    assert django_settings.COCREA_MILESTONE_REMINDER_DAYS == 14  # the default

    assert reminders.send_milestone_reminders(today=TODAY) == 1

    (email,) = OutboundEmail.objects.all()
    assert email.to == [CONTACT]
    assert "15 de junio de 2018" in email.subject
    assert "Estimado(a) Ana Quispe:" in email.body
    assert "Le recordamos que el siguiente hito" in email.body  # usted, never tú
    assert "en 14 días, el 15 de junio de 2018" in email.body
    assert "Hito: Publicar el reporte trimestral" in email.body
    assert f"/compromisos/{commitment.number}/" in email.body
    for informal in (" tu ", " tú ", "puedes", "recibes"):
        assert informal not in email.body.lower()
    reminder = MilestoneReminder.objects.get()
    assert (reminder.milestone, reminder.due_date, reminder.sent_to) == (
        milestone,
        milestone.due_date,
        CONTACT,
    )


def test_running_twice_still_sends_one_email(approved_due_in_14):
    assert reminders.send_milestone_reminders(today=TODAY) == 1
    assert reminders.send_milestone_reminders(today=TODAY) == 0
    assert reminders.send_milestone_reminders(today=TODAY + datetime.timedelta(days=3)) == 0
    assert OutboundEmail.objects.count() == 1


@pytest.mark.parametrize("state", [None, PlanVersion.State.DRAFT, PlanVersion.State.FROZEN])
def test_a_commitment_in_no_approved_version_gets_no_reminder(state):
    commitment, _milestone = commitment_due_in(14)
    if state is not None:
        version_of(commitment.plan, commitment, state=state)

    assert reminders.send_milestone_reminders(today=TODAY) == 0
    assert not OutboundEmail.objects.exists()
    assert not MilestoneReminder.objects.exists()


def test_only_milestones_due_within_the_days_not_past_and_with_a_contact_are_reminded():
    plan = PlanFactory()
    later, _ = commitment_due_in(15, plan=plan, number=1)
    past, _ = commitment_due_in(-1, plan=plan, number=2)
    today, _ = commitment_due_in(0, plan=plan, number=3)
    silent, _ = commitment_due_in(5, plan=plan, number=4, contact_email="")
    version_of(plan, later, past, today, silent)

    assert reminders.send_milestone_reminders(today=TODAY) == 1
    (email,) = OutboundEmail.objects.all()
    assert "vence hoy" in email.body


def test_the_days_are_configurable_and_a_new_due_date_is_reminded_again(settings, approved_due_in_14):
    _commitment, milestone = approved_due_in_14
    settings.COCREA_MILESTONE_REMINDER_DAYS = 10
    assert reminders.send_milestone_reminders(today=TODAY) == 0
    assert reminders.send_milestone_reminders(today=TODAY + datetime.timedelta(days=4)) == 1

    milestone.due_date += datetime.timedelta(days=30)  # postponed: its new date is reminded in turn
    milestone.save()
    assert reminders.send_milestone_reminders(today=TODAY + datetime.timedelta(days=30)) == 0
    assert reminders.send_milestone_reminders(today=TODAY + datetime.timedelta(days=34)) == 1
    assert OutboundEmail.objects.count() == 2


def test_the_beat_runs_the_task_hourly_on_the_portals_clock(settings, approved_due_in_14):
    entry = django_settings.CELERY_BEAT_SCHEDULE["milestone-reminders"]
    assert entry == {"task": "commitments.tasks.send_milestone_reminders", "schedule": 3600.0}
    settings.COCREA_AS_OF = TODAY.isoformat()

    assert tasks.send_milestone_reminders.apply().get() == 1
    assert tasks.send_milestone_reminders.apply().get() == 0
    assert OutboundEmail.objects.count() == 1


def test_one_query_finds_the_due_milestones_then_four_per_email_sent(django_assert_num_queries):
    plan = PlanFactory()
    commitments = [commitment_due_in(3, plan=plan, number=n)[0] for n in range(1, 4)]
    version_of(plan, *commitments)
    # The due milestones; then per milestone: savepoint, reminder, outbox row, release.
    with django_assert_num_queries(1 + 4 * 3):
        assert reminders.send_milestone_reminders(today=TODAY) == 3


def test_a_reminder_is_in_the_personal_data_of_the_person_at_that_address(approved_due_in_14):
    from allauth.account.models import EmailAddress

    from commitments import personal_data

    _commitment, milestone = approved_due_in_14
    reminders.send_milestone_reminders(today=TODAY)
    contact = UserFactory(email=CONTACT.upper())
    EmailAddress.objects.update_or_create(
        user=contact, email=contact.email, defaults={"verified": True, "primary": True}
    )

    (row,) = personal_data.export(contact)["milestone_reminders"]
    assert (row["milestone"], row["due_date"], row["sent_to"]) == (
        milestone.description,
        milestone.due_date,
        CONTACT,
    )
    assert personal_data.export(UserFactory())["milestone_reminders"] == []
