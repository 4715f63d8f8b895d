"""The role matrix of consultations/rules.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from consultations import services
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "verified_citizen",
    "unverified_citizen",
    "blocked_citizen",
    "reviewer",
    "secretariat",
    "administrator",
]
# permission -> roles that hold it (no object)
MATRIX = {
    "consultations.comment": {"verified_citizen", "reviewer", "secretariat", "administrator"},
    "consultations.flag": set(ROLES) - {"anonymous"},
    "consultations.support": set(ROLES) - {"anonymous"},
    "consultations.moderate": {"secretariat", "administrator"},
    "consultations.record_other_channel": {"secretariat", "administrator"},
    "consultations.respond": {"secretariat", "administrator"},
}


@pytest.fixture
def people(citizen, reviewer, secretariat, administrator) -> dict:
    blocked = UserFactory(groups=["ciudadania"])
    services.block(user=blocked, actor=secretariat, reason="Spam")
    return {
        "anonymous": AnonymousUser(),
        "verified_citizen": citizen,
        "unverified_citizen": UserFactory(groups=["ciudadania"], verified_email=False),
        "blocked_citizen": blocked,
        "reviewer": reviewer,
        "secretariat": secretariat,
        "administrator": administrator,
    }


@pytest.mark.parametrize("perm", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(people, perm, role):
    assert people[role].has_perm(perm) is (role in MATRIX[perm])


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_visible_contribution(people, role):
    posted = comment(consultation=ConsultationFactory(), author=UserFactory())
    assert people[role].has_perm("consultations.view_contribution", posted)


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("anonymous", False),
        ("verified_citizen", False),
        ("unverified_citizen", False),
        ("blocked_citizen", False),
        ("reviewer", False),
        ("secretariat", True),
        ("administrator", True),
        ("author", True),
    ],
)
def test_only_staff_and_the_author_read_a_hidden_text(people, secretariat, role, reads):
    author = UserFactory()
    posted = comment(consultation=ConsultationFactory(), author=author)
    services.hide(contribution=posted, actor=secretariat, reason="Ofensivo")
    posted.refresh_from_db()
    user = author if role == "author" else people[role]
    assert user.has_perm("consultations.view_contribution", posted) is reads


def test_a_contribution_pending_review_is_hidden_from_the_public(people, settings):
    settings.COCREA_FLAGS_TO_HIDE = 1
    posted = comment(consultation=ConsultationFactory(), author=UserFactory())
    services.flag(contribution=posted, user=people["verified_citizen"], reason="spam")
    posted.refresh_from_db()
    assert not people["anonymous"].has_perm("consultations.view_contribution", posted)
    assert people["secretariat"].has_perm("consultations.view_contribution", posted)


def test_a_lifted_block_gives_back_the_right_to_comment(people, secretariat):
    blocked = people["blocked_citizen"]
    services.unblock(user=blocked, actor=secretariat)
    assert blocked.has_perm("consultations.comment")
