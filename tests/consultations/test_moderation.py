"""Moderation: flags, automatic hiding, hide/restore/dismiss, blocks. Every action logged, nothing deleted."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import translation

from consultations import services
from consultations.models import Block, Contribution, Flag, ModerationAction
from paga.models import OutboundEmail
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

State = Contribution.State
Action = ModerationAction.Action


@pytest.fixture
def consultation():
    return ConsultationFactory()


@pytest.fixture
def posted(citizen, consultation):
    return comment(consultation=consultation, author=citizen, text="Un aporte «con tildes» sobre el agua")


def flaggers(n: int) -> list:
    return [UserFactory(groups=["ciudadania"]) for _ in range(n)]


def counts() -> tuple[int, int]:
    return Contribution.objects.count(), Flag.objects.count()


# --- Flags -----------------------------------------------------------------------------------------
@override_settings(COCREA_FLAGS_TO_HIDE=3)
def test_the_third_flag_hides_the_contribution_pending_review_and_logs_it(posted):
    first, second, third = flaggers(3)
    services.flag(contribution=posted, user=first, reason="spam")
    services.flag(contribution=posted, user=second, reason="ofensivo")
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert not ModerationAction.objects.exists()
    services.flag(contribution=posted, user=third, reason="spam")
    posted.refresh_from_db()
    assert posted.state == State.PENDING
    log = ModerationAction.objects.get()
    assert (log.action, log.contribution, log.actor, log.reason) == (
        Action.AUTO_HIDE,
        posted,
        None,
        "3 flags",
    )


@override_settings(COCREA_FLAGS_TO_HIDE=1)
def test_the_number_of_flags_is_a_setting(posted, other_citizen):
    services.flag(contribution=posted, user=other_citizen, reason="datos_personales")
    posted.refresh_from_db()
    assert posted.state == State.PENDING


@override_settings(COCREA_FLAGS_TO_HIDE=2)
def test_more_flags_on_a_pending_contribution_log_nothing_more(posted):
    for user in flaggers(3):
        services.flag(contribution=posted, user=user, reason="spam")
    assert ModerationAction.objects.filter(action=Action.AUTO_HIDE).count() == 1


def test_a_second_flag_by_the_same_person_is_refused(posted, other_citizen):
    services.flag(contribution=posted, user=other_citizen, reason="spam")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.flag(contribution=posted, user=other_citizen, reason="ofensivo")
    assert exc.value.messages == ["You already reported this contribution."]
    assert posted.flags.count() == 1


def test_a_flag_needs_a_known_reason(posted, other_citizen):
    with pytest.raises(ValidationError) as exc:
        services.flag(contribution=posted, user=other_citizen, reason="no me gusta")
    assert exc.value.code == "invalid_reason"


def test_an_anonymous_visitor_cannot_flag(posted):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.flag(contribution=posted, user=AnonymousUser(), reason="spam")


# --- Hide and restore ------------------------------------------------------------------------------
def test_hiding_keeps_the_text_logs_it_and_emails_the_author_the_reason(
    posted, citizen, secretariat, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.hide(
            contribution=posted, actor=secretariat, reason="Contiene datos personales de un tercero"
        )
    posted.refresh_from_db()
    assert posted.state == State.HIDDEN
    assert posted.text == "Un aporte «con tildes» sobre el agua"
    assert posted.hidden_reason == "Contiene datos personales de un tercero"
    log = ModerationAction.objects.get()
    assert (log.action, log.actor, log.reason) == (Action.HIDE, secretariat, posted.hidden_reason)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [citizen.email]
    assert "Contiene datos personales de un tercero" in sent.body
    assert "Un aporte «con tildes» sobre el agua" in sent.body
    assert "\n" not in sent.subject
    assert "was hidden" in sent.subject
    assert OutboundEmail.objects.get().sent_at is not None


def test_hiding_needs_a_reason(posted, secretariat):
    with pytest.raises(ValidationError) as exc:
        services.hide(contribution=posted, actor=secretariat, reason="   ")
    assert exc.value.code == "reason_required"
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert not ModerationAction.objects.exists()


def test_hiding_a_contribution_from_another_channel_sends_no_email(
    consultation, secretariat, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    recorded = services.record_other_channel(
        consultation=consultation, actor=secretariat, channel="correo", received_on=timezone.localdate(),
        given_name="Colectivo", text="Texto", commitment=consultation.items.first(),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(contribution=recorded, actor=secretariat, reason="Fuera de tema")
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    assert ModerationAction.objects.get().action == Action.HIDE


@pytest.mark.parametrize("role", ["citizen", "other_citizen", "reviewer"])
def test_only_the_secretariat_and_administrators_moderate(posted, role, request):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.hide(contribution=posted, actor=actor, reason="No")
    with pytest.raises(PermissionDenied):
        services.block(user=posted.author, actor=actor, reason="No")
    assert not ModerationAction.objects.exists()


def test_an_administrator_may_hide(posted, administrator):
    services.hide(contribution=posted, actor=administrator, reason="Ofensivo")
    posted.refresh_from_db()
    assert posted.state == State.HIDDEN


def test_restoring_shows_the_contribution_again_logs_it_and_emails_the_author(
    posted, citizen, secretariat, django_capture_on_commit_callbacks
):
    services.hide(contribution=posted, actor=secretariat, reason="Revisión")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.restore(contribution=posted, actor=secretariat, reason="Error de moderación")
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert posted.hidden_reason == ""
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [Action.RESTORE, Action.HIDE]
    assert [m.to for m in mail.outbox] == [[citizen.email]]


def test_restoring_a_visible_contribution_is_refused(posted, secretariat):
    with pytest.raises(ValidationError) as exc:
        services.restore(contribution=posted, actor=secretariat)
    assert exc.value.code == "not_hidden"


@override_settings(COCREA_FLAGS_TO_HIDE=2)
def test_dismissing_flags_shows_a_pending_contribution_and_marks_them_reviewed(posted, secretariat):
    for user in flaggers(2):
        services.flag(contribution=posted, user=user, reason="spam")
    services.dismiss_flags(contribution=posted, actor=secretariat)
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert not posted.flags.filter(reviewed=False).exists()
    assert posted.flags.count() == 2
    assert ModerationAction.objects.first().action == Action.DISMISS
    # A new round of flags counts from zero.
    services.flag(contribution=posted, user=flaggers(1)[0], reason="spam")
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE


def test_dismissing_without_flags_is_refused(posted, secretariat):
    with pytest.raises(ValidationError) as exc:
        services.dismiss_flags(contribution=posted, actor=secretariat)
    assert exc.value.code == "nothing_to_dismiss"


def test_dismissing_flags_leaves_a_contribution_hidden_by_a_moderator_hidden(
    posted, secretariat, other_citizen
):
    services.hide(contribution=posted, actor=secretariat, reason="Ofensivo")
    services.flag(contribution=posted, user=other_citizen, reason="ofensivo")
    services.dismiss_flags(contribution=posted, actor=secretariat)
    posted.refresh_from_db()
    assert posted.state == State.HIDDEN


# --- Blocks ----------------------------------------------------------------------------------------
def test_a_block_refuses_new_posts_and_an_unblock_allows_them(citizen, secretariat, consultation):
    services.block(user=citizen, actor=secretariat, reason="Insultos reiterados")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        comment(consultation=consultation, author=citizen)
    assert exc.value.messages == ["Your account cannot post contributions: Insultos reiterados"]
    row = services.unblock(user=citizen, actor=secretariat)
    assert row.lifted is not None
    assert comment(consultation=consultation, author=citizen).pk
    assert Block.objects.filter(user=citizen).count() == 1  # lifted, kept
    assert list(ModerationAction.objects.values_list("action", "person", "actor")) == [
        (Action.UNBLOCK, citizen.pk, secretariat.pk),
        (Action.BLOCK, citizen.pk, secretariat.pk),
    ]


def test_a_blocked_author_cannot_edit(citizen, secretariat, consultation):
    posted = comment(consultation=consultation, author=citizen)
    services.block(user=citizen, actor=secretariat, reason="Spam")
    with pytest.raises(ValidationError) as exc:
        services.edit_comment(contribution=posted, author=citizen, text="Otro")
    assert exc.value.code == "blocked"


def test_blocking_twice_or_unblocking_someone_not_blocked_is_refused(citizen, secretariat):
    with pytest.raises(ValidationError):
        services.unblock(user=citizen, actor=secretariat)
    services.block(user=citizen, actor=secretariat, reason="Spam")
    with pytest.raises(ValidationError) as exc:
        services.block(user=citizen, actor=secretariat, reason="Spam otra vez")
    assert exc.value.code == "already_blocked"
    assert Block.objects.count() == 1


def test_a_block_needs_a_reason(citizen, secretariat):
    with pytest.raises(ValidationError):
        services.block(user=citizen, actor=secretariat, reason="")
    assert not Block.objects.exists()


# --- The whole journey: logged, nothing deleted ----------------------------------------------------
@override_settings(COCREA_FLAGS_TO_HIDE=2)
def test_every_action_is_logged_and_nothing_is_deleted(citizen, secretariat, consultation):
    posted = comment(consultation=consultation, author=citizen)
    reply = comment(consultation=consultation, author=secretariat, parent=posted)
    before = counts()
    for user in flaggers(2):
        services.flag(contribution=posted, user=user, reason="spam")
    services.dismiss_flags(contribution=posted, actor=secretariat)
    services.hide(contribution=posted, actor=secretariat, reason="Ofensivo")
    services.restore(contribution=posted, actor=secretariat)
    services.block(user=citizen, actor=secretariat, reason="Spam")
    services.unblock(user=citizen, actor=secretariat)
    contributions, flags = counts()
    assert contributions == before[0] == 2
    assert flags == before[1] + 2
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.AUTO_HIDE, Action.DISMISS, Action.HIDE, Action.RESTORE, Action.BLOCK, Action.UNBLOCK,
    ]  # fmt: skip
    posted.refresh_from_db()
    reply.refresh_from_db()
    assert posted.text
    assert reply.parent == posted
    assert Block.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(COCREA_FLAGS_TO_HIDE=3)
def test_simultaneous_flags_hide_once_on_postgresql(postgres_required, citizen, consultation):
    from tests.commitments.test_concurrency import run_together

    posted = comment(consultation=consultation, author=citizen)
    people = flaggers(8)
    results = run_together(8, lambda i: services.flag(contribution=posted, user=people[i], reason="spam"))
    assert all(isinstance(r, Flag) for r in results)
    posted.refresh_from_db()
    assert posted.state == State.PENDING
    assert ModerationAction.objects.filter(action=Action.AUTO_HIDE).count() == 1
