"""One-click unsubscribe (RFC 8058) from one kind of notification, and the outbox's extra headers.

GET only shows the choice (link scanners open every link in an email); POST stops the emails, also
without a CSRF token (a mail client's one-click POST carries none: the signed token authorises it); a
tampered token is refused with a clear page and changes nothing.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from paga import services
from paga.models import EmailOptOut, OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = EmailOptOut.Kind


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(person, kind=Kind.REPLY) -> str:
    return reverse("paga:unsubscribe", kwargs={"token": services.unsubscribe_token(user=person, kind=kind)})


def test_get_shows_what_one_unsubscribes_from_and_changes_nothing(english, person):
    response = english.get(page(person))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(Kind.REPLY.label) in html
    main = html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]
    assert main.count('type="submit"') == 1  # one button
    assert "Stop these emails" in html
    assert not EmailOptOut.objects.exists()
    assert english.head(page(person)).status_code == 200
    assert not EmailOptOut.objects.exists()


def test_a_mail_clients_one_click_post_without_csrf_token_unsubscribes(person):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        page(person, Kind.FOLLOWED),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    assert list(EmailOptOut.objects.values_list("user", "kind")) == [(person.pk, Kind.FOLLOWED)]
    assert services.queue_notification(user=person, kind=Kind.FOLLOWED, subject="s", body="b") is None
    assert services.queue_notification(user=person, kind=Kind.REPLY, subject="s", body="b") is not None


def test_the_button_unsubscribes_says_so_and_can_subscribe_again(english, person):
    response = english.post(page(person), follow=True)

    assert "Done: you will no longer receive these emails" in response.content.decode()
    assert "Status: you do not receive these emails." in response.content.decode()
    english.post(page(person))  # a second click is harmless
    assert EmailOptOut.objects.filter(user=person, kind=Kind.REPLY).count() == 1

    response = english.post(page(person), {"action": "subscribe"}, follow=True)

    assert "You will receive these emails again" in response.content.decode()
    assert not EmailOptOut.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "tampered",
        signing.dumps({"u": 1, "k": Kind.REPLY}, salt="another.salt"),
        signing.dumps({"u": 1, "k": "boletin"}, salt=services.UNSUBSCRIBE_SALT),
        signing.dumps({"u": 987654, "k": Kind.REPLY}, salt=services.UNSUBSCRIBE_SALT),
    ],
    # Named: a signed token holds the time it was made, and pytest-xdist needs every process to collect
    # the same test ids.
    ids=["not-a-token", "tampered", "another-salt", "unknown-kind", "unknown-person"],
)
def test_a_tampered_or_unknown_token_is_refused_with_a_clear_page(english, person, token):
    if token == "tampered":
        good = services.unsubscribe_token(user=person, kind=Kind.REPLY)
        token = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    url = reverse("paga:unsubscribe", kwargs={"token": token})

    for response in (english.get(url), english.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_another_persons_token_cannot_be_made_from_mine(person):
    other = UserFactory()
    mine = services.unsubscribe_token(user=person, kind=Kind.REPLY)
    payload, _, signature = mine.partition(":")
    forged = signing.dumps({"u": other.pk, "k": Kind.REPLY}, salt="x").partition(":")[0] + ":" + signature

    with pytest.raises(signing.BadSignature):
        services.read_unsubscribe_token(forged)
    assert services.read_unsubscribe_token(mine) == (person, Kind.REPLY)


def test_a_notification_carries_its_headers_through_the_outbox(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = services.queue_notification(
            user=person, kind=Kind.RESPONSE, subject="Respuesta\n a tu aporte", body="Hola"
        )

    url = services.unsubscribe_url(user=person, kind=Kind.RESPONSE)
    assert email.headers == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert url.startswith(settings.COCREA_SITE_URL + "/avisos/baja/")
    [sent] = mail.outbox
    assert sent.subject == "Respuesta a tu aporte"
    assert url in sent.body
    message = sent.message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboundEmail.objects.get().sent_at is not None


def test_no_notification_for_a_person_without_address_or_inactive(db):
    inactive = UserFactory(is_active=False)

    assert services.queue_notification(user=None, kind=Kind.REPLY, subject="s", body="b") is None
    assert services.queue_notification(user=inactive, kind=Kind.REPLY, subject="s", body="b") is None
    assert not OutboundEmail.objects.exists()
