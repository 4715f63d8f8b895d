"""Simultaneous edits and sign-offs on PostgreSQL: row locks make one win, the others are refused.

Transactional tests: the database is flushed after each, so each test makes what it needs (the role
groups and the OGP values come back with `vocabulary.ensure()`).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from commitments import services
from commitments.models import Commitment, Review, Status, Transition, Version
from commitments.services import StaleEdit
from paga import roles, vocabulary
from tests.commitments.factories import commitment_in_review, complete_commitment, ministry
from tests.conftest import require
from tests.factories import UserFactory

S = Status
pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


@pytest.fixture(autouse=True)
def on_postgresql() -> None:
    require("postgresql", connection.vendor == "postgresql", "needs PostgreSQL")
    vocabulary.ensure()


def secretariat_member():
    return UserFactory(groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True, entity=ministry("MINAM"))


def run_together(n: int, work) -> list:
    """Run `work(i)` in n threads released at the same moment; each result or exception, in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected, asserted by the test
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_second_of_two_edits_from_the_same_revision_is_refused_and_the_first_is_kept():
    first_user, second_user = secretariat_member(), secretariat_member()
    commitment = complete_commitment(status=S.IN_CONSULTATION)
    loaded = Commitment.objects.get(pk=commitment.pk).revision  # both open the form at revision r

    services.commitment_update(commitment=commitment, actor=first_user, reason="Mesa de Ambiente",
                               revision=loaded, fields={"title": "Texto de la primera"})  # fmt: skip
    with pytest.raises(StaleEdit):
        services.commitment_update(commitment=commitment, actor=second_user, reason="Foro virtual",
                                   revision=loaded, fields={"title": "Texto de la segunda"})  # fmt: skip

    saved = Commitment.objects.get(pk=commitment.pk)
    assert (saved.title, saved.revision) == ("Texto de la primera", loaded + 1)
    new_versions = Version.objects.filter(commitment=commitment, number__gt=1)
    assert [(v.author, v.data["title"]) for v in new_versions] == [(first_user, "Texto de la primera")]


def test_simultaneous_edits_from_the_same_revision_save_exactly_one():
    users = [secretariat_member() for _ in range(2)]
    commitment = complete_commitment(status=S.IN_CONSULTATION)
    loaded = commitment.revision

    results = run_together(
        2,
        lambda i: services.commitment_update(
            commitment=commitment, actor=users[i], reason=f"Edición {i}", revision=loaded,
            fields={"title": f"Texto {i}"},
        ),
    )  # fmt: skip

    winners = [i for i, r in enumerate(results) if isinstance(r, Commitment)]
    assert len(winners) == 1
    assert isinstance(results[1 - winners[0]], StaleEdit)
    saved = Commitment.objects.get(pk=commitment.pk)
    assert (saved.title, saved.revision) == (f"Texto {winners[0]}", loaded + 1)
    assert Version.objects.filter(commitment=commitment).count() == 2


def test_twenty_simultaneous_sign_offs_make_one_transition_and_one_decision():
    secretariat = secretariat_member()
    reviewer = UserFactory(groups=[roles.REVIEWER, roles.CITIZEN], entity=ministry("MINAM"))
    commitment = commitment_in_review(assigned_by=secretariat)

    results = run_together(
        THREADS,
        lambda i: services.decide_review(
            commitment=commitment, actor=reviewer, approve=True, reason=f"Firma {i}"
        ),
    )

    assert Counter(type(r).__name__ for r in results) == {"Review": 1, "ValidationError": THREADS - 1}
    assert all(r.code == "decided" for r in results if isinstance(r, ValidationError))
    assert Commitment.objects.get(pk=commitment.pk).status == S.APPROVED
    assert Transition.objects.filter(commitment=commitment, from_status=S.IN_REVIEW).count() == 1
    assert (
        Transition.objects.filter(
            commitment=commitment, from_status=S.IN_REVIEW, to_status=S.APPROVED, actor=reviewer
        ).count()
        == 1
    )
    assert Review.objects.filter(commitment=commitment).exclude(decision="").count() == 1
    assert Review.objects.get(commitment=commitment).decision == Review.Decision.APPROVED
