"""Role × status × entity matrix for commitments/rules.py, with `visible_to` asserted beside `has_perm`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from commitments.models import Commitment, Status
from paga import roles
from tests.commitments.factories import CommitmentFactory, ministry
from tests.factories import UserFactory

S = Status
pytestmark = pytest.mark.django_db

PERMS = ["view_commitment", "change_commitment", "change_review_fields", "review", "view_notes", "add_note"]
STATUSES = [S.PROPOSED, S.IN_CONSULTATION, S.IN_REVIEW, S.APPROVED]
ALL, PUBLIC, NONE = set(STATUSES), {S.IN_CONSULTATION, S.IN_REVIEW, S.APPROVED}, set()
DRAFT = {S.PROPOSED, S.IN_CONSULTATION}

# role -> permission -> statuses in which it is granted, on a commitment led by MINAM.
EXPECTED = {
    "anonymous": {"view_commitment": PUBLIC},
    "citizen": {"view_commitment": PUBLIC},
    "reviewer MINAM": {
        "view_commitment": ALL, "change_review_fields": {S.IN_REVIEW}, "review": {S.IN_REVIEW},
        "view_notes": ALL, "add_note": ALL,
    },
    "reviewer MTC": {"view_commitment": PUBLIC},
    "secretariat": {
        "view_commitment": ALL, "change_commitment": DRAFT, "change_review_fields": DRAFT,
        "view_notes": ALL, "add_note": ALL,
    },
    # Administrator by role alone: the Secretaría's powers.
    "administrator (group)": {
        "view_commitment": ALL, "change_commitment": DRAFT, "change_review_fields": DRAFT,
        "view_notes": ALL, "add_note": ALL,
    },
    # The example's administrator is a Django superuser: has_perm answers yes to everything, before any
    # rule is asked. The services guard states themselves (test_services: frozen text, transitions table).
    "administrator": dict.fromkeys(PERMS, ALL),
}  # fmt: skip


@pytest.fixture
def users(citizen, reviewer, other_reviewer, secretariat, administrator):
    return {
        "anonymous": AnonymousUser(),
        "citizen": citizen,
        "reviewer MINAM": reviewer,
        "reviewer MTC": other_reviewer,
        "secretariat": secretariat,
        "administrator (group)": UserFactory(groups=[roles.ADMINISTRATOR, roles.CITIZEN], is_staff=True),
        "administrator": administrator,
    }


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", EXPECTED)
def test_permission_matrix_on_a_minam_commitment(role, status, users):
    user = users[role]
    commitment = CommitmentFactory(status=status, lead_entity=ministry("MINAM"))

    granted = {perm: user.has_perm(f"commitments.{perm}", commitment) for perm in PERMS}
    expected = {perm: status in EXPECTED[role].get(perm, NONE) for perm in PERMS}
    assert granted == expected
    # The queryset twin agrees with the rule: a row the user may not see answers 404.
    visible = Commitment.objects.visible_to(user).filter(pk=commitment.pk).exists()
    assert visible == granted["view_commitment"]


@pytest.mark.parametrize("role", EXPECTED)
def test_visible_to_lists_exactly_what_view_commitment_allows(role, users):
    user = users[role]
    mtc = ministry("MTC")
    rows = [
        CommitmentFactory(status=status, lead_entity=entity)
        for status in S.values
        for entity in (ministry("MINAM"), mtc, None)
    ]

    allowed = {c.pk for c in rows if user.has_perm("commitments.view_commitment", c)}
    assert set(Commitment.objects.visible_to(user).values_list("pk", flat=True)) == allowed


def test_reviewer_sees_a_draft_of_their_entity_but_not_of_another(reviewer):
    own = CommitmentFactory(status=S.PROPOSED, lead_entity=ministry("MINAM"))
    other = CommitmentFactory(status=S.PROPOSED, lead_entity=ministry("MTC"))
    visible = Commitment.objects.visible_to(reviewer)

    assert get_object_or_404(visible, pk=own.pk) == own
    assert reviewer.has_perm("commitments.view_commitment", own)
    with pytest.raises(Http404):
        get_object_or_404(visible, pk=other.pk)
    assert not reviewer.has_perm("commitments.view_commitment", other)


def test_anonymous_sees_everything_except_drafts():
    anonymous = AnonymousUser()
    rows = {status: CommitmentFactory(status=status, lead_entity=ministry("MINAM")) for status in S.values}

    visible = set(Commitment.objects.visible_to(anonymous).values_list("status", flat=True))
    assert visible == set(S.values) - {S.PROPOSED}
    assert [s for s, c in rows.items() if not anonymous.has_perm("commitments.view_commitment", c)] == [
        S.PROPOSED
    ]


def test_reviewer_without_an_entity_sees_only_public_rows():
    lost = UserFactory(groups=[roles.REVIEWER])
    draft = CommitmentFactory(status=S.PROPOSED, lead_entity=ministry("MINAM"))
    public = CommitmentFactory(status=S.IN_CONSULTATION, lead_entity=ministry("MINAM"))

    assert list(Commitment.objects.visible_to(lost)) == [public]
    assert not lost.has_perm("commitments.view_commitment", draft)
    assert not lost.has_perm("commitments.review_queue")
