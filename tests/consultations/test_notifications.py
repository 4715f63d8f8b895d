"""Email notifications of the forum: a reply to my comment, the response to my contribution, my
contribution hidden or restored, a new comment on an item I follow.

Each is queued once, to the right person, never to the one who acted; an opted-out kind is not
queued; each carries a one-click unsubscribe (a link in the body, List-Unsubscribe headers). The last
test delivers a reply notification through a real Celery worker on Redis, and a second run of the
send task sends nothing more.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from consultations import notifications, responses, services
from consultations.models import Consultation, Disposition, Follow
from paga import tasks
from paga.models import EmailOptOut, OutboundEmail
from paga.services import opt_out
from tests.consultations.factories import ConsultationFactory, comment
from tests.consultations.test_responses import contribution, make_consultation
from tests.factories import UserFactory
from tests.paga import test_celery

D = Disposition
Kind = EmailOptOut.Kind
worker = test_celery.worker  # the real-worker fixture (a queue of its own on REDIS_URL)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def queued() -> list[tuple[str, str]]:
    """(recipient, subject) of every queued email, in order."""
    return [(email.to[0], email.subject) for email in OutboundEmail.objects.order_by("pk")]


def recipients() -> list[str]:
    return [to for to, _ in queued()]


@pytest.fixture
def consultation(db) -> Consultation:
    return ConsultationFactory()


@pytest.fixture
def posted(consultation, citizen):
    """A comment by `citizen`, and the outbox emptied."""
    first = comment(consultation=consultation, author=citizen, text="Mi comentario sobre el agua")
    OutboundEmail.objects.all().delete()
    return first


# --- A reply to my comment -------------------------------------------------------------------------
def test_a_reply_is_notified_once_to_the_parent_author_with_one_click_unsubscribe(
    posted, citizen, other_citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment(consultation=posted.consultation, author=other_citizen, parent=posted, text="Respuesta «ñ»")

    email = OutboundEmail.objects.get()  # the replier, who now follows the item, gets nothing
    assert email.to == [citizen.email]
    assert "replied to your comment" in email.subject
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/avisos/baja/")
    sent = mail.outbox[0]
    assert sent.to == [citizen.email]
    assert "Respuesta «ñ»" in sent.body
    assert url in sent.body
    assert sent.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert other_citizen.email not in sent.body


def test_answering_oneself_notifies_nobody(posted, citizen):
    comment(consultation=posted.consultation, author=citizen, parent=posted)

    assert queued() == []


def test_a_reply_is_not_notified_to_someone_who_opted_out_of_replies(posted, citizen, other_citizen):
    opt_out(user=citizen, kind=Kind.REPLY)

    comment(consultation=posted.consultation, author=other_citizen, parent=posted)

    assert queued() == []  # nor as a follower of the item: one kind of news about the same event


# --- Activity on an item I follow ------------------------------------------------------------------
def test_a_new_comment_is_notified_to_followers_without_its_text_nor_to_its_author(
    consultation, citizen, other_citizen
):
    follower = UserFactory()
    notifications.follow(user=follower, commitment=consultation.items.first())
    comment(consultation=consultation, author=citizen, text="Primer comentario")  # citizen now follows
    OutboundEmail.objects.all().delete()

    new = comment(consultation=consultation, author=other_citizen, text="Texto que no viaja por correo")

    assert sorted(recipients()) == sorted([follower.email, citizen.email])
    for email in OutboundEmail.objects.all():
        assert "Texto que no viaja por correo" not in email.body  # it could be hidden a minute later
        assert f"http://127.0.0.1:8000/consultas/aportes/{new.pk}/\n" in email.body
        assert email.headers["List-Unsubscribe"]
        assert "New comment on" in email.subject


def test_a_comment_queues_its_followers_emails_in_queries_independent_of_how_many_follow(
    consultation, citizen
):
    """The outbox rows are one INSERT and the worker gets one task for them (paga.services.queue_emails):
    posting costs the author as much with 2 followers as with 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = consultation.items.first()
    costs = []
    for n in (2, 12):
        for person in UserFactory.create_batch(n):
            notifications.follow(user=person, commitment=item)
        OutboundEmail.objects.all().delete()
        author = UserFactory(groups=["ciudadania"])
        here = Consultation.objects.get(pk=consultation.pk)  # each request reads its own
        with CaptureQueriesContext(connection) as captured:
            comment(consultation=here, author=author)
        costs.append(len(captured))
        assert (
            len(queued()) == Follow.objects.filter(commitment=item, active=True).count() - 1
        )  # not the author
    assert costs[0] == costs[1]
    assert sorted(recipients()) == sorted(set(recipients()))  # one email each


def test_the_parent_author_who_follows_gets_one_email_about_a_reply(posted, citizen, other_citizen):
    assert Follow.objects.get(user=citizen).active  # commenting followed the item

    comment(consultation=posted.consultation, author=other_citizen, parent=posted)

    assert len(queued()) == 1
    assert "replied to your comment" in queued()[0][1]


def test_followers_who_unfollowed_or_opted_out_are_not_told(consultation, citizen, other_citizen):
    item = consultation.items.first()
    gone, quiet = UserFactory(), UserFactory()
    for person in (gone, quiet):
        notifications.follow(user=person, commitment=item)
    notifications.unfollow(user=gone, commitment=item)
    opt_out(user=quiet, kind=Kind.FOLLOWED)

    comment(consultation=consultation, author=citizen)

    assert queued() == []


def test_hidden_and_restored_comments_are_not_sent_to_followers(posted, secretariat, other_citizen):
    notifications.follow(user=other_citizen, commitment=posted.commitment)

    services.hide(contribution=posted, actor=secretariat, reason="Ofensivo")
    services.restore(contribution=posted, actor=secretariat)

    assert recipients() == [posted.author.email, posted.author.email]  # only the author, about moderation
    for email in OutboundEmail.objects.all():
        assert email.to != [other_citizen.email]


# --- Moderation of my contribution -----------------------------------------------------------------
def test_hiding_and_restoring_email_the_author_with_unsubscribe(posted, citizen, secretariat):
    services.hide(contribution=posted, actor=secretariat, reason="Datos personales")
    services.restore(contribution=posted, actor=secretariat, reason="Corregido")

    emails = list(OutboundEmail.objects.order_by("pk"))
    assert [e.to for e in emails] == [[citizen.email], [citizen.email]]
    assert "was hidden" in emails[0].subject
    assert "visible again" in emails[1].subject
    for email in emails:
        assert "/avisos/baja/" in email.body
        assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_moderator_hiding_their_own_comment_is_not_emailed(consultation, secretariat):
    own = comment(consultation=consultation, author=secretariat)

    services.hide(contribution=own, actor=secretariat, reason="Me equivoqué de propuesta")

    assert queued() == []


def test_moderation_emails_respect_the_opt_out(posted, citizen, secretariat):
    opt_out(user=citizen, kind=Kind.MODERATION)

    services.hide(contribution=posted, actor=secretariat, reason="Ofensivo")

    assert queued() == []


# --- The response to my contribution ---------------------------------------------------------------
def test_an_immediate_response_is_emailed_once_to_the_author(citizen, secretariat):
    consultation = make_consultation(publication=Consultation.Publication.IMMEDIATE)
    mine = contribution(consultation, author=citizen)

    responses.respond(
        contribution=mine, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="No es del plan."
    )

    [email] = OutboundEmail.objects.all()
    assert email.to == [citizen.email]
    assert "Out of scope" in email.subject
    assert "No es del plan." in email.body
    assert "/mis-aportes/" in email.body
    assert email.headers["List-Unsubscribe"]


def test_responses_in_bulk_are_emailed_one_per_contribution(citizen, other_citizen, secretariat):
    consultation = make_consultation(publication=Consultation.Publication.IMMEDIATE)
    aportes = [contribution(consultation, author=person) for person in (citizen, other_citizen, citizen)]
    aportes.append(contribution(consultation))  # by email, no account: nobody to tell

    responses.respond_many(
        contributions=aportes, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="No cabe."
    )

    assert sorted(recipients()) == sorted([citizen.email, other_citizen.email, citizen.email])


def test_responses_published_at_once_are_emailed_at_publication_only(citizen, other_citizen, secretariat):
    consultation = make_consultation(publication=Consultation.Publication.AT_ONCE)
    first, second = (
        contribution(consultation, author=citizen),
        contribution(consultation, author=other_citizen),
    )
    for aporte in (first, second):
        responses.respond(contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    assert queued() == []  # drafts are not news

    responses.publish_responses(consultation=consultation, actor=secretariat)
    responses.publish_responses(consultation=consultation, actor=secretariat)  # nothing new: no email

    assert sorted(recipients()) == sorted([citizen.email, other_citizen.email])


def test_no_email_about_a_response_to_ones_own_contribution_or_after_opting_out(
    citizen, secretariat, administrator
):
    consultation = make_consultation(publication=Consultation.Publication.IMMEDIATE)
    own = contribution(consultation, author=secretariat)
    mine = contribution(consultation, author=citizen)
    opt_out(user=citizen, kind=Kind.RESPONSE)

    responses.respond(contribution=own, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.respond(contribution=mine, actor=administrator, disposition=D.OUT_OF_SCOPE, reason="Fuera.")

    assert queued() == []


# --- Through a real worker -------------------------------------------------------------------------
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_reply_notification_is_delivered_by_a_real_worker_and_never_twice(worker):
    author, replier = UserFactory(groups=["ciudadania"]), UserFactory(groups=["ciudadania"])
    consultation = ConsultationFactory()
    parent = comment(consultation=consultation, author=author, text="Comentario")

    with transaction.atomic():
        comment(consultation=consultation, author=replier, parent=parent, text="Respuesta por el worker")
        email = OutboundEmail.objects.get()
        assert not mail.outbox  # nothing leaves before the commit

    assert worker.wait_for("paga.tasks.send_email", (email.pk,)) == [True]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [author.email]
    assert "Respuesta por el worker" in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert tasks.send_email.delay(email.pk).get(timeout=test_celery.WAIT) is False  # a redelivery
    assert worker.wait_for("paga.tasks.send_email", (email.pk,), count=2) == [True, False]
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.attempts, email.body) == (1, "")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_followers_emails_are_delivered_by_a_real_worker_one_task_each(worker):
    """Queued at once (one task for the batch), each email is still sent, and retried, by its own task."""
    consultation = ConsultationFactory()
    followers = UserFactory.create_batch(3)
    for person in followers:
        notifications.follow(user=person, commitment=consultation.items.first())

    comment(consultation=consultation, author=UserFactory(groups=["ciudadania"]), text="Nuevo")

    pks = sorted(OutboundEmail.objects.values_list("pk", flat=True))
    assert len(pks) == 3
    assert worker.wait_for("paga.tasks.send_emails", (pks,)) == [3]
    for pk in pks:
        assert worker.wait_for("paga.tasks.send_email", (pk,)) == [True]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in followers)
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
