"""Changes to two-step verification are emailed to the account's owner (issue 12): turning the
authenticator app on or off and generating new recovery codes each queue one email through the outbox
(allauth's ACCOUNT_EMAIL_NOTIFICATIONS, the portal's templates), in the language of the page where it
was done, with the links to act if it was not them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from paga import roles
from paga.models import OutboundEmail
from paga.services import absolute_url
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit runs in the request, as in production

SETUP = "/cuenta/2fa/totp/activate/"
DEACTIVATE = "/cuenta/2fa/totp/deactivate/"
NEW_CODES = "/cuenta/2fa/recovery-codes/generate/"

SUBJECTS = {
    "es": [
        "[Co-crea] Se activó la verificación en dos pasos de su cuenta",
        "[Co-crea] Nuevos códigos de recuperación para su cuenta",
        "[Co-crea] Se desactivó la verificación en dos pasos de su cuenta",
    ],
    "en": [
        "[Co-crea] Two-step verification was turned on for your account",
        "[Co-crea] New recovery codes for your account",
        "[Co-crea] Two-step verification was turned off for your account",
    ],
}
IF_NOT_YOU = {
    "es": "Si no fue usted, otra persona podría ingresar con su cuenta",
    "en": "If it was not you, someone else may be able to sign in as you",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # allauth's rate limits and reauthentication
    yield
    cache.clear()


@pytest.mark.parametrize("language", ["es", "en"])
def test_turning_the_app_on_new_codes_and_off_each_email_the_owner(
    language, django_capture_on_commit_callbacks
):
    user = UserFactory(groups=[roles.CITIZEN])
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', client.get(SETUP).content.decode())[1]
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()

    assert client.post(SETUP, {"code": totp_code(secret)}).status_code == 302
    assert client.post(NEW_CODES).status_code == 302
    assert client.post(DEACTIVATE).status_code == 302

    queued = list(OutboundEmail.objects.order_by("pk"))
    assert [e.subject for e in queued] == SUBJECTS[language]
    assert all(e.sent_at is not None for e in queued)  # sent by the (inline) worker
    assert [m.subject for m in mail.outbox] == SUBJECTS[language]
    for email in mail.outbox:  # what was sent: the outbox row keeps no body once sent
        assert email.to == [user.email]
        assert IF_NOT_YOU[language] in email.body
        assert absolute_url(reverse("account_reset_password")) in email.body
        assert absolute_url(reverse("mfa_index")) in email.body
        assert "{{" not in email.body
        assert "%(" not in email.body


def test_the_other_security_notifications_use_the_portals_email_too():
    """ACCOUNT_EMAIL_NOTIFICATIONS also tells the owner of a new password (allauth's text, the portal's
    frame: greeting, when, what to do if it was not them)."""
    user = UserFactory(groups=[roles.CITIZEN])
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    mail.outbox.clear()

    new = "Otra-clave-larga-2017"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )

    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == [user.email]
    assert email.body.startswith("Hola:")
    assert IF_NOT_YOU["es"] in email.body
    assert "hora de Lima" in email.body
