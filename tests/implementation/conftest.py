"""The example plan approved (commitments 3, MINAM, and 9, MTC, in version 1), for reports on it."""

import pytest

from commitments.models import Commitment, Milestone
from tests.commitments.factories import approve_today, freeze_example_plan


@pytest.fixture
def approved_plan(example_plan, secretariat, reviewer, other_reviewer):
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    return example_plan


@pytest.fixture
def three(approved_plan) -> Commitment:
    """Commitment 3 of the example, led by MINAM (the `reviewer` fixture's ministry), in the plan."""
    return Commitment.objects.get(plan=approved_plan, number=3)


@pytest.fixture
def milestone(three) -> Milestone:
    return three.milestones.order_by("order", "pk").first()
