"""Rules per role (implementation/rules.py), with their queryset twin side by side: who reports, who
decides, who sees a report in each state."""

from __future__ import annotations

import pytest

from implementation.models import ProgressReport, ReportState
from implementation.rules import may
from tests.commitments.factories import complete_commitment, ministry

from .factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

ROLES = ("citizen", "reviewer", "other_reviewer", "secretariat", "administrator")


@pytest.fixture
def people(request):
    return {role: request.getfixturevalue(role) for role in ROLES}


@pytest.fixture
def minam_milestone(people):
    return complete_commitment(lead_entity=ministry("MINAM")).milestones.get()


def test_only_a_reviewer_of_the_lead_entity_reports(people, minam_milestone):
    may_report = {
        role: may(user, "implementation.report_progress", minam_milestone) for role, user in people.items()
    }
    assert may_report == {
        "citizen": False,
        "reviewer": True,
        "other_reviewer": False,
        "secretariat": False,
        "administrator": False,  # a superuser too: reporting is the entity's word
    }


def test_only_the_secretariat_decides(people):
    assert {role for role, user in people.items() if may(user, "implementation.decide")} == {"secretariat"}


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.RETURNED, ReportState.VALIDATED])
def test_who_sees_a_report_agrees_with_visible_to(people, minam_milestone, state):
    report = ProgressReportFactory(milestone=minam_milestone, state=state)
    seen = {}
    for role, user in people.items():
        by_rule = may(user, "implementation.view_report", report)
        by_queryset = ProgressReport.objects.visible_to(user).filter(pk=report.pk).exists()
        assert by_rule == by_queryset, role
        seen[role] = by_rule
    public = state == ReportState.VALIDATED
    assert seen == {
        "citizen": public,
        "reviewer": True,
        "other_reviewer": public,
        "secretariat": True,
        "administrator": True,
    }
