"""Two-step verification (django-allauth's TOTP with recovery codes): staff must set it up before any
staff page, citizens may; once set up, signing in asks for its code (paga/staff_security.py)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from paga import roles, staff_security
from tests.factories import PASSWORD, TOTP_SECRET, EntityFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/cuenta/2fa/totp/activate/"
AUTHENTICATE = "/cuenta/2fa/authenticate/"
RECOVERY_CODES = "/cuenta/2fa/recovery-codes/"
STAFF_AREAS = [
    "/gestion/compromisos/",
    "/gestion/consultas/",
    "/gestion/talleres/",
    "/gestion/plan/",
    "/revision/",
    "/administracion/",
    "/administracion/paga/timelinestage/",
]
OPEN_PAGES = [
    "/",
    "/cronograma/",
    "/compromisos/",
    "/consultas/",
    "/talleres/",
    "/privacidad/",
    "/cuenta/email/",
    "/cuenta/2fa/",
]
MUST_SET_UP = "Staff pages need two-step verification"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits and used codes in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


STAFF_WITHOUT_APP = {
    "Secretaría": lambda: UserFactory(
        groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True, authenticator_app=False
    ),
    "reviewer": lambda: UserFactory(
        groups=[roles.REVIEWER, roles.CITIZEN], entity=EntityFactory(), authenticator_app=False
    ),
    "administrator": lambda: UserFactory(
        groups=[roles.ADMINISTRATOR, roles.CITIZEN], is_staff=True, is_superuser=True, authenticator_app=False
    ),
    "administrators' group only": lambda: UserFactory(groups=[roles.ADMINISTRATOR], authenticator_app=False),
    "is_staff only": lambda: UserFactory(is_staff=True, authenticator_app=False),
    "superuser only": lambda: UserFactory(is_superuser=True, authenticator_app=False),
}


def sign_in(client: Client, user, next_path: str = "/") -> object:
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": next_path}
    )


def confirm_password(client: Client) -> None:
    """allauth asks for the password again before the way of signing in changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("who", list(STAFF_WITHOUT_APP))
def test_staff_without_an_app_are_sent_from_every_staff_area_to_its_setup(who):
    user = STAFF_WITHOUT_APP[who]()
    client = english()
    client.force_login(user)

    for path in STAFF_AREAS:
        for method in (client.get, client.post):
            response = method(path)
            assert (response.status_code, response["Location"]) == (302, SETUP), (path, method)
    assert client.session[staff_security.RESUME] == STAFF_AREAS[-1]  # where to go back (GET only)

    page = client.get("/gestion/consultas/", follow=True)
    assert MUST_SET_UP in page.content.decode()  # said on the page they land on


def test_staff_without_an_app_still_use_public_pages_their_account_and_sign_out(example_plan):
    for who in ("Secretaría", "reviewer", "administrator"):
        client = english()
        client.force_login(STAFF_WITHOUT_APP[who]())
        for path in OPEN_PAGES:
            response = client.get(path)
            assert response.status_code == 200, (who, path)
        response = client.post(reverse("account_logout"))
        assert response["Location"] == reverse("paga:home")
        assert not signed_in(client)


def test_setting_up_the_app_opens_the_staff_pages_and_leads_back_to_the_one_asked_for(example_plan):
    user = STAFF_WITHOUT_APP["Secretaría"]()
    client = english()
    sign_in(client, user)
    assert signed_in(client)  # no app yet: the password is enough to sign in

    assert client.get("/gestion/compromisos/")["Location"] == SETUP
    assert client.get(SETUP)["Location"].startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    page = client.get(SETUP)
    html = page.content.decode()
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, from this host
    assert "<script" not in html.lower()

    wrong = client.post(SETUP, {"code": "12345"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert secret in wrong.content.decode()  # the same secret: what was scanned still works

    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response["Location"] == RECOVERY_CODES
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get(RECOVERY_CODES).content.decode()
    assert 'href="/gestion/compromisos/"' in codes_page  # "Continue to the staff page you asked for"
    assert len(re.findall(r"<li><code>\d{8}</code></li>", codes_page)) == 10

    assert client.get("/gestion/compromisos/").status_code == 200
    assert staff_security.RESUME not in client.session


def test_signing_in_asks_for_the_code_of_the_app_once_it_is_set_up(secretariat):
    client = english()
    response = sign_in(client, secretariat, "/revision/")
    assert response["Location"] == AUTHENTICATE
    assert not signed_in(client)  # the password alone does not sign in
    assert "Enter your verification code" in client.get(AUTHENTICATE).content.decode()

    wrong = client.post(AUTHENTICATE, {"code": "12345"})
    assert "Incorrect code." in wrong.content.decode()
    assert not signed_in(client)

    code = totp_code()
    response = client.post(AUTHENTICATE, {"code": code})
    assert response["Location"] == "/revision/"
    assert signed_in(client)
    assert client.get("/revision/").status_code == 200

    # The same code does not sign in twice (someone watching over a shoulder).
    client.post(reverse("account_logout"))
    sign_in(client, secretariat)
    again = client.post(AUTHENTICATE, {"code": code})
    assert "Incorrect code." in again.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(reviewer):
    codes = RecoveryCodes.activate(reviewer).get_unused_codes()
    client = english()

    sign_in(client, reviewer)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert signed_in(client)
    client.post(reverse("account_logout"))

    sign_in(client, reviewer)
    used = client.post(AUTHENTICATE, {"code": codes[0]})
    assert "Incorrect code." in used.content.decode()
    assert not signed_in(client)
    client.post(AUTHENTICATE, {"code": codes[1]})
    assert signed_in(client)
    authenticator = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.RECOVERY_CODES)
    assert len(authenticator.wrap().get_unused_codes()) == len(codes) - 2


def test_a_citizen_is_never_forced_and_may_turn_the_app_on(citizen):
    client = english()
    response = sign_in(client, citizen, "/consultas/")
    assert response["Location"] == "/consultas/"  # no code asked
    for path in ("/gestion/compromisos/", "/revision/"):
        assert client.get(path).status_code == 403, path  # refused by the page, not sent to set up
    assert client.get("/administracion/")["Location"].startswith(reverse("admin:login"))
    index = client.get("/cuenta/2fa/").content.decode()
    assert "Set up an authenticator app" in index

    # Turned on of their own will: from then on, signing in asks for the code.
    confirm_password(client)
    client.get(SETUP)
    secret = client.session["mfa.totp.secret"]
    assert client.post(SETUP, {"code": totp_code(secret)})["Location"] == RECOVERY_CODES
    client.post(reverse("account_logout"))
    assert sign_in(client, citizen)["Location"] == AUTHENTICATE


def test_the_admins_own_sign_in_form_sends_to_the_one_that_asks_for_the_code(client):
    response = client.get("/administracion/login/?next=/administracion/paga/entity/")
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/login/?next=/administracion/paga/entity/"
    assert client.post("/administracion/login/", {"username": "x", "password": "y"}).status_code == 302


def test_turning_the_app_off_closes_the_staff_pages_at_once(secretariat):
    client = english()
    sign_in(client, secretariat)
    client.post(AUTHENTICATE, {"code": totp_code()})
    assert client.get("/revision/").status_code == 200

    confirm_password(client)
    response = client.post("/cuenta/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=secretariat, type=Authenticator.Type.TOTP).exists()
    assert client.get("/revision/")["Location"] == SETUP


def test_an_app_removed_elsewhere_is_noticed_within_minutes(secretariat, monkeypatch, settings):
    settings.COCREA_STAFF_MFA_RECHECK_SECONDS = 300
    moment = [1_800_000_000]
    monkeypatch.setattr(staff_security, "now", lambda: moment[0])
    client = english()
    client.force_login(secretariat)
    assert client.get("/revision/").status_code == 200

    Authenticator.objects.filter(user=secretariat).delete()  # e.g. by an administrator, lost phone
    moment[0] += 299
    assert client.get("/revision/").status_code == 200  # the session's note still holds
    moment[0] += 2
    assert client.get("/revision/")["Location"] == SETUP


def queries(client: Client, path: str) -> int:
    client.get(path)  # warm: session, user, plan
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("who", "path"), [("secretariat", "/gestion/compromisos/"), ("reviewer", "/revision/")]
)
def test_the_staff_check_costs_no_query(request, settings, who, path, example_plan):
    user = request.getfixturevalue(who)
    with_check = Client()
    with_check.force_login(user)
    checked = queries(with_check, path)

    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("paga.staff_security.")]
    without = Client()
    without.force_login(user)
    assert checked == queries(without, path)


def test_factories_give_staff_the_app_and_citizens_none(secretariat, reviewer, administrator, citizen):
    for user in (secretariat, reviewer, administrator):
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        assert totp.wrap().validate_code(totp_code(TOTP_SECRET))
    assert not Authenticator.objects.filter(user=citizen).exists()


def test_the_back_office_never_shows_an_authenticator_secret(client, administrator):
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.filter(user=administrator).first()
    assert authenticator is not None
    secret = str(authenticator.data)
    client.force_login(administrator)
    page = client.get(f"/administracion/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200
    assert "data" not in page.context["adminform"].form.fields
    for key, value in authenticator.data.items():
        assert str(value) not in page.content.decode(), key
    assert secret
