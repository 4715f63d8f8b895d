"""Comments, replies, edits, supports and contributions from other channels: every refusal says why."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from consultations import services
from consultations.models import Contribution, ContributionVersion, Support
from paga.models import Channel
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import (
    ConsultationFactory,
    comment,
    document_consultation,
    forum_2017,
    lima,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def message(exc_info) -> str:
    return " ".join(exc_info.value.messages)


@pytest.fixture
def consultation():
    return ConsultationFactory()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- Window ----------------------------------------------------------------------------------------
def test_posting_before_the_window_is_refused_with_the_dates_in_spanish(citizen):
    forum = forum_2017()
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        comment(consultation=forum, author=citizen, at=lima(2017, 9, 21, 23, 59))
    assert exc.value.code == "not_open_yet"
    assert "22 de septiembre de 2017" in message(exc)
    assert "6 de octubre de 2017" in message(exc)
    assert not Contribution.objects.exists()


def test_posting_after_the_window_is_refused_with_the_dates_in_spanish(citizen):
    forum = forum_2017()
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        comment(consultation=forum, author=citizen, at=lima(2017, 10, 7, 0, 0))
    assert exc.value.code == "closed"
    # The sentence is translated by the lead (locale/); the dates are Spanish already.
    assert "22 de septiembre de 2017" in message(exc)
    assert "6 de octubre de 2017" in message(exc)


def test_posting_after_the_window_says_it_was_open_in_english(citizen, english):
    forum = forum_2017()
    with pytest.raises(ValidationError) as exc:
        comment(consultation=forum, author=citizen, at=lima(2017, 10, 20, 12))
    assert message(exc) == "The consultation was open from Sept. 22, 2017 to Oct. 6, 2017."


def test_posting_on_the_first_and_last_minute_of_the_window_is_accepted(citizen):
    forum = forum_2017()
    first = comment(consultation=forum, author=citizen, at=lima(2017, 9, 22, 0, 0))
    last = comment(consultation=forum, author=citizen, at=lima(2017, 10, 6, 23, 59))
    assert first.created == lima(2017, 9, 22)
    assert last.depth == 0


# --- Who may post ----------------------------------------------------------------------------------
def test_a_blocked_person_is_refused_with_the_reason(citizen, secretariat, consultation, english):
    services.block(user=citizen, actor=secretariat, reason="Spam repetido")
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen)
    assert exc.value.code == "blocked"
    assert message(exc) == "Your account cannot post contributions: Spam repetido"


def test_an_unverified_email_is_refused(consultation, english):
    unverified = UserFactory(groups=["ciudadania"], verified_email=False)
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=unverified)
    assert exc.value.code == "unverified"
    assert "Confirm your email address" in message(exc)


def test_an_anonymous_visitor_cannot_post(consultation):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        comment(consultation=consultation, author=AnonymousUser())


# --- Threads ---------------------------------------------------------------------------------------
def test_replies_go_two_levels_deep_and_inherit_the_item(citizen, other_citizen, consultation):
    top = comment(consultation=consultation, author=citizen, section="problema")
    reply = comment(consultation=consultation, author=other_citizen, parent=top)
    second = comment(consultation=consultation, author=citizen, parent=reply)
    assert (top.depth, reply.depth, second.depth) == (0, 1, 2)
    assert second.commitment == top.commitment
    assert second.section == "problema"
    assert second.parent == reply
    assert second.consultation == consultation


def test_a_reply_at_depth_three_is_refused(citizen, other_citizen, consultation, english):
    top = comment(consultation=consultation, author=citizen)
    reply = comment(consultation=consultation, author=other_citizen, parent=top)
    second = comment(consultation=consultation, author=citizen, parent=reply)
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=other_citizen, parent=second)
    assert exc.value.code == "too_deep"
    assert "at most 2 levels" in message(exc)
    assert Contribution.objects.count() == 3


def test_a_reply_on_a_document_inherits_the_paragraph(citizen, other_citizen):
    document = document_consultation()
    paragraph = document.paragraphs.get(key="p2")
    top = comment(consultation=document, author=citizen, paragraph=paragraph)
    reply = comment(consultation=document, author=other_citizen, parent=top)
    assert reply.paragraph == paragraph
    assert reply.commitment is None


# --- Text and target -------------------------------------------------------------------------------
def test_a_text_longer_than_the_limit_is_refused(citizen, consultation, english):
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen, text="á" * (Contribution.MAX_LENGTH + 1))
    assert exc.value.code == "too_long"
    assert f"at most {Contribution.MAX_LENGTH} characters" in message(exc)


def test_a_text_of_exactly_the_limit_is_accepted(citizen, consultation):
    assert comment(consultation=consultation, author=citizen, text="á" * Contribution.MAX_LENGTH).pk


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_text_is_refused(citizen, consultation, text):
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen, text=text)
    assert exc.value.code == "empty"


def test_the_text_is_stored_as_typed(citizen, consultation):
    typed = "<script>alert('x')</script> [clic](javascript:alert(1)) «Ñandú»"
    assert comment(consultation=consultation, author=citizen, text=typed).text == typed


def test_a_commitment_outside_the_consultation_is_refused(citizen, consultation, english):
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen, commitment=CommitmentFactory())
    assert exc.value.code == "wrong_item"
    assert "Choose one of the proposals" in message(exc)


def test_a_comment_on_proposals_needs_one_of_them(citizen, consultation):
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen, commitment=None)
    assert exc.value.code == "wrong_item"


def test_a_paragraph_of_another_consultation_is_refused(citizen, english):
    document, other = document_consultation(), document_consultation()
    with pytest.raises(ValidationError) as exc:
        comment(consultation=document, author=citizen, paragraph=other.paragraphs.first())
    assert exc.value.code == "wrong_paragraph"
    assert "another consultation" in message(exc)


def test_an_unknown_stance_is_refused(citizen, consultation):
    with pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen, stance="quizas")
    assert exc.value.code == "invalid_stance"


def test_stance_and_category_are_kept(citizen, consultation):
    posted = comment(consultation=consultation, author=citizen, stance="en_contra", category="pregunta")
    assert (posted.stance, posted.category, posted.channel) == ("en_contra", "pregunta", Channel.FORUM)


# --- Edits -----------------------------------------------------------------------------------------
def test_an_edit_keeps_the_old_text_as_a_version(citizen, consultation):
    posted = comment(consultation=consultation, author=citizen, text="Primera redacción")
    at = posted.created + datetime.timedelta(minutes=14)
    edited = services.edit_comment(contribution=posted, author=citizen, text="Segunda redacción", at=at)
    edited.refresh_from_db()
    assert edited.text == "Segunda redacción"
    assert edited.edited == at
    assert list(ContributionVersion.objects.filter(contribution=posted).values_list("text", flat=True)) == [
        "Primera redacción"
    ]


def test_an_edit_after_fifteen_minutes_is_refused(citizen, consultation, english):
    posted = comment(consultation=consultation, author=citizen, text="Primera redacción")
    at = posted.created + services.EDIT_WINDOW + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError) as exc:
        services.edit_comment(contribution=posted, author=citizen, text="Tarde", at=at)
    assert exc.value.code == "edit_window"
    assert "15 minutes" in message(exc)
    posted.refresh_from_db()
    assert posted.text == "Primera redacción"
    assert not posted.versions.exists()


def test_an_edit_by_another_person_is_refused(citizen, other_citizen, consultation, english):
    posted = comment(consultation=consultation, author=citizen, text="Mío")
    with pytest.raises(PermissionDenied) as exc:
        services.edit_comment(contribution=posted, author=other_citizen, text="Ajeno")
    assert str(exc.value) == "Only the author may edit a contribution."
    posted.refresh_from_db()
    assert posted.text == "Mío"


def test_an_edit_that_is_too_long_is_refused(citizen, consultation):
    posted = comment(consultation=consultation, author=citizen)
    with pytest.raises(ValidationError) as exc:
        services.edit_comment(contribution=posted, author=citizen, text="x" * (Contribution.MAX_LENGTH + 1))
    assert exc.value.code == "too_long"


# --- Supports --------------------------------------------------------------------------------------
def test_one_support_per_person_per_commitment(citizen, other_citizen, consultation, english):
    item = consultation.items.first()
    services.support(user=citizen, commitment=item)
    with pytest.raises(ValidationError) as exc:
        services.support(user=citizen, commitment=item)
    assert message(exc) == "You already support this."
    services.support(user=other_citizen, commitment=item)
    assert Support.objects.filter(commitment=item).count() == 2


def test_one_support_per_person_per_contribution(citizen, other_citizen, consultation):
    posted = comment(consultation=consultation, author=citizen)
    services.support(user=other_citizen, contribution=posted)
    with pytest.raises(ValidationError):
        services.support(user=other_citizen, contribution=posted)
    assert posted.supports.count() == 1


def test_the_database_refuses_a_second_support_for_a_commitment(citizen, consultation):
    item = consultation.items.first()
    Support.objects.create(user=citizen, commitment=item)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(user=citizen, commitment=item)


def test_the_database_refuses_a_second_support_for_a_contribution(citizen, other_citizen, consultation):
    posted = comment(consultation=consultation, author=citizen)
    Support.objects.create(user=other_citizen, contribution=posted)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(user=other_citizen, contribution=posted)


def test_the_database_refuses_a_support_for_two_items_at_once(citizen, consultation):
    posted = comment(consultation=consultation, author=citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(user=citizen, contribution=posted, commitment=consultation.items.first())


def test_an_anonymous_visitor_cannot_support(consultation):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.support(user=AnonymousUser(), commitment=consultation.items.first())


# --- Other channels --------------------------------------------------------------------------------
def test_the_secretariat_records_a_contribution_from_another_channel(secretariat, consultation):
    item = consultation.items.first()
    received = timezone.localdate() - datetime.timedelta(days=2)
    recorded = services.record_other_channel(
        consultation=consultation,
        actor=secretariat,
        channel=Channel.PAPER,
        received_on=received,
        given_name="Asociación «Ñaupa» de Áncash",
        text="Propuesta entregada en mesa de partes.",
        commitment=item,
    )
    recorded.refresh_from_db()
    assert recorded.author is None
    assert recorded.recorded_by == secretariat
    assert (recorded.channel, recorded.received_on, recorded.commitment) == (Channel.PAPER, received, item)
    assert recorded.given_name == "Asociación «Ñaupa» de Áncash"
    assert recorded.depth == 0


@pytest.mark.parametrize("channel", [Channel.FORUM, Channel.WEBSITE, "fax"])
def test_a_channel_other_than_the_four_is_refused(secretariat, consultation, channel):
    with pytest.raises(ValidationError) as exc:
        services.record_other_channel(
            consultation=consultation, actor=secretariat, channel=channel, received_on=timezone.localdate(),
            given_name="Colectivo", text="Texto", commitment=consultation.items.first(),
        )  # fmt: skip
    assert exc.value.code == "invalid_channel"


@pytest.mark.parametrize(
    ("received_on", "code"),
    [(None, "received_on_required"), ("tomorrow", "received_on_future")],
)
def test_the_date_received_is_required_and_not_in_the_future(secretariat, consultation, received_on, code):
    if received_on == "tomorrow":
        received_on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.record_other_channel(
            consultation=consultation, actor=secretariat, channel=Channel.EMAIL, received_on=received_on,
            given_name="Colectivo", text="Texto", commitment=consultation.items.first(),
        )  # fmt: skip
    assert exc.value.code == code


def test_a_citizen_cannot_record_other_channels(citizen, consultation):
    with pytest.raises(PermissionDenied):
        services.record_other_channel(
            consultation=consultation, actor=citizen, channel=Channel.EMAIL, received_on=timezone.localdate(),
            given_name="Yo", text="Texto", commitment=consultation.items.first(),
        )  # fmt: skip
    assert not Contribution.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_supports_by_one_person_leave_one_row_on_postgresql(postgres_required, citizen):
    from tests.commitments.test_concurrency import run_together

    item = ConsultationFactory().items.first()
    results = run_together(8, lambda i: services.support(user=citizen, commitment=item))
    assert sum(isinstance(r, Support) for r in results) == 1
    assert all(isinstance(r, ValidationError) for r in results if not isinstance(r, Support))
    assert Support.objects.filter(user=citizen, commitment=item).count() == 1
