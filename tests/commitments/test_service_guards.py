"""Domain guards that hold whatever the actor's role: a sign-off is the lead ministry's own, merges go
only into open commitments, scores use the published criteria, a reviewer edits only review fields."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import Score, Status, Transition
from tests.commitments.factories import CommitmentFactory, commitment_in_review

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_sign_off_for_the_ministry(secretariat, administrator):
    commitment = commitment_in_review(assigned_by=secretariat)
    with pytest.raises(PermissionDenied):
        services.decide_review(commitment=commitment, actor=administrator, approve=True)
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_REVIEW
    assert not Transition.objects.filter(commitment=commitment, to_status=Status.APPROVED).exists()


def test_proposals_cannot_be_merged_into_a_withdrawn_commitment(secretariat):
    target = CommitmentFactory(status=Status.WITHDRAWN)
    source = CommitmentFactory(status=Status.IN_CONSULTATION)
    with pytest.raises(ValidationError):
        services.merge(sources=[source], target=target, actor=secretariat, reason="Mismo objetivo")
    source.refresh_from_db()
    assert source.status == Status.IN_CONSULTATION


def test_an_unknown_criterion_is_refused(secretariat):
    commitment = CommitmentFactory(status=Status.IN_CONSULTATION)
    with pytest.raises(ValidationError):
        services.score(commitment=commitment, actor=secretariat, criterion="popularidad", value=2)
    assert not Score.objects.exists()


def test_a_reviewer_may_complete_the_contact_but_not_rewrite_the_title(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    services.commitment_update(
        commitment=commitment, actor=reviewer, reason="Contacto", revision=commitment.revision,
        fields={"contact_name": "Ana"}, perm="commitments.change_review_fields",
    )  # fmt: skip
    commitment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            commitment=commitment, actor=reviewer, reason="Otro título", revision=commitment.revision,
            fields={"title": "Otro título"}, perm="commitments.change_review_fields",
        )  # fmt: skip
    commitment.refresh_from_db()
    assert commitment.contact_name == "Ana"
    assert commitment.title != "Otro título"
