"""The completion rule (implementation/progress.py): weights, the mean as a whole percentage, the
latest validated report decides, delays; the selector costs one query whatever the volume."""

from __future__ import annotations

import datetime

import pytest

from commitments.models import Milestone
from implementation import progress
from implementation.models import ProgressStatus as P
from implementation.models import ReportState
from tests.commitments.factories import MilestoneFactory, complete_commitment

from .factories import ProgressReportFactory

D = datetime.date


@pytest.mark.parametrize(
    ("statuses", "percent"),
    [
        ([], None),
        ([P.NOT_STARTED], 0),
        ([P.LIMITED], 33),
        ([P.SUBSTANTIAL], 67),
        ([P.COMPLETE], 100),
        ([P.COMPLETE, P.NOT_STARTED], 50),
        ([P.LIMITED, P.SUBSTANTIAL, P.COMPLETE], 67),
        ([P.LIMITED, P.NOT_STARTED, P.NOT_STARTED], 11),
        ([P.SUBSTANTIAL, None], 33),
        ([P.LIMITED] * 2 + [P.COMPLETE] * 2 + [P.NOT_STARTED] * 2, 44),
    ],
)
def test_completion_is_the_mean_of_the_milestones_weights_without_decimals(statuses, percent):
    assert progress.completion(statuses) == percent


def test_a_milestone_is_delayed_when_due_before_today_and_not_complete():
    today = D(2019, 1, 10)
    assert progress.is_delayed(P.SUBSTANTIAL, D(2019, 1, 9), today)
    assert progress.is_delayed(None, D(2019, 1, 9), today)
    assert not progress.is_delayed(P.COMPLETE, D(2019, 1, 9), today)
    assert not progress.is_delayed(P.LIMITED, D(2019, 1, 10), today)  # due today: not yet
    assert not progress.is_delayed(P.LIMITED, None, today)


def test_the_rule_is_written_down_for_the_pages():
    from django.utils import translation

    with translation.override("en"):
        assert "one third" in str(progress.RULE)


@pytest.mark.django_db
def test_a_milestones_status_is_its_latest_validated_report(django_assert_num_queries):
    commitment = complete_commitment(milestones=3)
    first, second, third = commitment.milestones.order_by("order")
    ProgressReportFactory(milestone=first, status=P.LIMITED, state=ReportState.VALIDATED)
    ProgressReportFactory(milestone=first, status=P.COMPLETE, state=ReportState.VALIDATED)
    ProgressReportFactory(milestone=first, status=P.NOT_STARTED, state=ReportState.SUBMITTED)  # not yet
    ProgressReportFactory(milestone=second, status=P.SUBSTANTIAL, state=ReportState.RETURNED)  # never
    with django_assert_num_queries(1):
        rows = list(progress.with_progress(Milestone.objects.filter(commitment=commitment)).order_by("order"))
    assert [m.progress_status for m in rows] == [P.COMPLETE, P.NOT_STARTED, P.NOT_STARTED]
    assert rows[1].progress_report_id is None
    assert progress.milestone_status(third) == P.NOT_STARTED
    assert progress.milestone_status(first) == P.COMPLETE
    assert progress.completion(m.progress_status for m in rows) == 33


@pytest.mark.django_db
def test_the_selector_is_one_query_with_2_or_20_reports(django_assert_num_queries):
    for n in (2, 20):
        milestone = MilestoneFactory(commitment=complete_commitment(milestones=0))
        for _ in range(n):
            ProgressReportFactory(milestone=milestone, state=ReportState.VALIDATED)
        with django_assert_num_queries(1):
            assert len(list(progress.with_progress(Milestone.objects.all()))) >= 1
