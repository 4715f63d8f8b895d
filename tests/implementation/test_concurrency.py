"""Simultaneous reports and decisions on PostgreSQL: row locks make one win, the others are refused
with a reason, never a database error or a second version with the same number."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from implementation import services
from implementation.models import ProgressReport, ProgressStatus, ReportState, ReportTransition
from paga import clock, roles, vocabulary
from tests.commitments.factories import complete_commitment, ministry
from tests.commitments.test_concurrency import run_together
from tests.conftest import require
from tests.factories import UserFactory

from .factories import approve_directly

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 10


@pytest.fixture(autouse=True)
def on_postgresql() -> None:
    require("postgresql", connection.vendor == "postgresql", "needs PostgreSQL")
    vocabulary.ensure()


@pytest.fixture
def milestone():
    commitment = complete_commitment(lead_entity=ministry("MINAM"))
    approve_directly(commitment)
    return commitment.milestones.get()


def minam_reviewer():
    return UserFactory(groups=[roles.REVIEWER, roles.CITIZEN], entity=ministry("MINAM"))


def test_simultaneous_reports_on_a_milestone_keep_exactly_one_waiting(milestone):
    reviewers = [minam_reviewer() for _ in range(THREADS)]

    def report(i: int):
        return services.submit_report(
            milestone=milestone,
            actor=reviewers[i],
            status=ProgressStatus.LIMITED,
            done=f"Avance enviado por la persona {i}",
            as_of=clock.today() - datetime.timedelta(days=1),
        )

    results = run_together(THREADS, report)
    saved = [r for r in results if isinstance(r, ProgressReport)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(saved), len(refused)) == (1, THREADS - 1), results
    assert all(list(e.message_dict) == ["__all__"] and "Secretaría" in str(e) for e in refused)  # waits
    assert list(ProgressReport.objects.values_list("number", "state")) == [(1, ReportState.SUBMITTED)]


def test_simultaneous_decisions_on_a_report_record_exactly_one(milestone):
    report = services.submit_report(
        milestone=milestone,
        actor=minam_reviewer(),
        status=ProgressStatus.COMPLETE,
        done="Hecho",
        as_of=clock.today(),
    )
    staff = [UserFactory(groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True) for _ in range(THREADS)]

    def decide(i: int):
        if i % 2:
            return services.validate_report(report=report, actor=staff[i])
        return services.return_report(report=report, actor=staff[i], reason=f"Motivo {i}")

    results = run_together(THREADS, decide)
    decided = [r for r in results if isinstance(r, ProgressReport)]
    assert len(decided) == 1, results
    assert all(isinstance(r, ValidationError) for r in results if r is not decided[0])
    transitions = ReportTransition.objects.filter(report=report).exclude(from_state="")
    assert transitions.count() == 1
    report.refresh_from_db()
    assert report.state == transitions.get().to_state
