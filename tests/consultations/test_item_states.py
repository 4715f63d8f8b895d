"""Comments and supports only where they are still taken, refused with the reason, in the service and on
the page (no form, no button, the reason said), like the closed window already was.

Found by outside testers: a proposal merged into another, split, or sent to the ministries' review still
took comments and supports, and a proposal of a closed consultation still took supports.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from commitments.models import Commitment, Status
from consultations import services
from consultations.models import Contribution, Support
from tests.consultations.factories import comment, forum_2017
from tests.consultations.test_posting import (
    comment_url,
    english,
    form_data,
    fresh_rate_limits,
    main_of,
    open_forum,
    public_item,
)

__all__ = ["english", "fresh_rate_limits"]  # fixtures shared with test_posting

pytestmark = pytest.mark.django_db

CLOSED_STATES = [
    Status.MERGED,
    Status.SPLIT,
    Status.WITHDRAWN,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.INCLUDED,
]


def moved(item: Commitment, status: str) -> Commitment:
    Commitment.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    return item


def refusal(call) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        call()
    return raised.value


# --- The services --------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", CLOSED_STATES)
def test_a_proposal_no_longer_open_to_change_takes_no_comment_reply_or_support(
    status, citizen, other_citizen
):
    forum = open_forum()
    item = forum.items.get()
    earlier = comment(consultation=forum, author=other_citizen)
    moved(item, status)
    with translation.override("en"):
        label = str(Status(status).label)
    expected = f"This proposal no longer takes comments or supports: its status is “{label}”."
    for call in (
        lambda: services.post_comment(consultation=forum, author=citizen, commitment=item, text="Otro"),
        lambda: services.post_comment(consultation=forum, author=citizen, parent=earlier, text="Respuesta"),
        lambda: services.support(user=citizen, commitment=item),
        lambda: services.support(user=citizen, contribution=earlier),
    ):
        error = refusal(call)
        assert error.code == "item_closed"
        with translation.override("en"):
            assert error.messages == [expected]
    assert Contribution.objects.count() == 1
    assert not Support.objects.exists()


@pytest.mark.parametrize("status", [Status.PROPOSED, Status.IN_CONSULTATION, Status.AGREED])
def test_a_proposal_open_to_change_takes_comments_and_supports(status, citizen):
    forum = open_forum()
    item = moved(forum.items.get(), status)
    posted = services.post_comment(consultation=forum, author=citizen, commitment=item, text="Aporte")
    services.support(user=citizen, commitment=item)
    assert Support.objects.filter(commitment=item).count() == 1
    assert posted.commitment == item


def test_a_proposal_and_a_comment_of_a_closed_consultation_take_no_support(citizen, other_citizen):
    item = public_item()
    forum = open_forum(items=[item])
    earlier = comment(consultation=forum, author=other_citizen)
    forum.opens_at, forum.closes_at = forum_2017().opens_at, forum_2017().closes_at
    forum.save()
    for call in (
        lambda: services.support(user=citizen, commitment=item),
        lambda: services.support(user=citizen, contribution=earlier),
    ):
        error = refusal(call)
        assert error.code == "closed"
        with translation.override("en"):
            assert error.messages == ["The consultation was open from Sept. 22, 2017 to Oct. 6, 2017."]
    assert not Support.objects.exists()


def test_a_proposal_in_no_consultation_takes_no_support(citizen):
    item = public_item()
    error = refusal(lambda: services.support(user=citizen, commitment=item))
    assert error.code == "no_consultation"
    assert not Support.objects.exists()


# --- The pages -----------------------------------------------------------------------------------------
def test_the_page_of_a_proposal_in_review_offers_no_form_nor_support_and_says_why(english, citizen):
    forum = open_forum()
    item = forum.items.get()
    earlier = comment(consultation=forum, author=citizen)
    moved(item, Status.IN_REVIEW)
    english.force_login(citizen)
    reason = "This proposal no longer takes comments or supports: its status is “In technical review”."

    thread = main_of(english.get(item.get_absolute_url()).content.decode())
    assert reason in thread
    assert 'name="text"' not in thread
    assert "Support this proposal" not in thread
    assert reverse("consultations:support", args=[earlier.pk]) not in thread
    assert reverse("consultations:reply", args=[earlier.pk]) not in thread

    page = main_of(english.get(comment_url(forum, item)).content.decode())
    assert reason in page
    assert 'name="text"' not in page

    posted = english.post(comment_url(forum, item), form_data(text="Mi aporte tardío"))
    html = main_of(posted.content.decode())
    assert reason in html
    assert "error-summary" in html
    assert "Mi aporte tardío" in html  # what was typed is kept
    assert Contribution.objects.count() == 1

    for url in (reverse("consultations:support_item", args=[item.pk]),
                reverse("consultations:support", args=[earlier.pk])):  # fmt: skip
        html = main_of(english.get(url).content.decode())
        assert reason in html
        assert '<button type="submit" class="primary">' not in html
        assert reason in main_of(english.post(url).content.decode())
    assert not Support.objects.exists()


def test_the_page_of_a_closed_consultations_proposal_offers_no_support_and_says_why(english, citizen):
    item = public_item()
    forum_2017(items=[item])
    english.force_login(citizen)
    thread = main_of(english.get(item.get_absolute_url()).content.decode())
    assert "it no longer takes comments" in thread
    assert "Support this proposal" not in thread

    url = reverse("consultations:support_item", args=[item.pk])
    html = main_of(english.get(url).content.decode())
    assert "The consultation was open from Sept. 22, 2017 to Oct. 6, 2017." in html
    assert '<button type="submit" class="primary">' not in html
    english.post(url)
    assert not Support.objects.exists()
