"""Accounts: sign up with express consent, confirm the email, sign in, reset the password, sign out.

Emails go through the outbox (OutboundEmail) and the eager Celery task after the transaction commits,
so each request that sends one runs inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from paga import roles
from paga.models import Consent, OutboundEmail, User

pytestmark = pytest.mark.django_db

PASSWORD = "clave-de-prueba-2017"
NEW_PASSWORD = "otra-clave-nueva-2019"
CONFIRM_LINK = re.compile(r"https?://testserver(/cuenta/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"https?://testserver(/cuenta/password/reset/key/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate limits in the cache, which outlives a test: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    """Where a test reads our own wording, read it in English (the Spanish catalog comes later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_person(*, email="luis@example.pe", display_name="Luis Ñaupari", verified=True) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, display_name=display_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def signup_data(**changes) -> dict:
    data = {
        "display_name": "Rosa Quispe Ñahui",
        "email": "rosa@example.pe",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with id `element_id`."""
    found = re.search(rf'<[a-z]+\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, f"no element with id {element_id!r}"
    return found.group(0)


def the_one_sent_email(**filters) -> mail.EmailMessage:
    """Exactly one email went out, through a sent (and erased) outbox row."""
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    row = OutboundEmail.objects.get(**filters)
    assert row.to == message.to
    assert row.subject == message.subject
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.last_error == ""
    assert row.body == ""  # erased once sent: it held a one-time link
    return message


def test_signup_with_consent_confirm_email_then_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get(email="rosa@example.pe")
    assert user.display_name == "Rosa Quispe Ñahui"
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    consent = Consent.objects.get(user=user)
    assert consent.purpose == Consent.Purpose.PERSONAL_DATA
    assert consent.policy_version == settings.COCREA_PRIVACY_POLICY_VERSION
    assert consent.given_at is not None
    assert consent.withdrawn_at is None
    assert signed_in_user_id(client) is None  # verification is mandatory
    assert not EmailAddress.objects.get(user=user).verified

    message = the_one_sent_email(to=["rosa@example.pe"])
    assert message.to == ["rosa@example.pe"]
    assert message.subject.startswith("[Co-crea] ")
    assert "Co-crea" in message.body
    link = CONFIRM_LINK.search(message.body).group(1)

    # Opening the link does not confirm by itself (ACCOUNT_CONFIRM_EMAIL_ON_GET is off): it asks.
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "rosa@example.pe" in main_of(html)
    # The form posts back to a confirmation link. allauth signs the key with a timestamp and
    # signs it again when rendering, so across a second boundary the key differs from the
    # emailed one while confirming the same address: compare the address it confirms.
    action = re.search(r'action="(/cuenta/confirm-email/[^/"]+/)"', html).group(1)
    assert signing.loads(action.split("/")[-2], salt="account") == signing.loads(
        link.split("/")[-2], salt="account"
    )
    assert not EmailAddress.objects.get(user=user).verified

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    # Later, on another device: sign in with email and password, land on the home page.
    other = Client()
    response = other.post(reverse("account_login"), {"login": "rosa@example.pe", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("paga:home")
    assert signed_in_user_id(other) == str(user.pk)


def test_signup_without_consent_creates_nothing_and_keeps_what_was_typed(english):
    response = english.post(reverse("account_signup"), signup_data(consent=None))

    assert response.status_code == 200
    assert not User.objects.exists()
    assert not Consent.objects.exists()
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    html = response.content.decode()
    # What was typed is still there (passwords excepted, on purpose).
    assert 'value="rosa@example.pe"' in tag(html, "id_email")
    assert 'value="Rosa Quispe Ñahui"' in tag(html, "id_display_name")
    # The summary at the top links to the consent box; the error sits next to it.
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert '<a href="#id_consent">To take part you must agree to the personal-data policy.</a>' in summary
    box = tag(html, "id_consent")
    assert box.startswith("<input")
    assert 'type="checkbox"' in box
    assert 'aria-invalid="true"' in box
    assert 'aria-describedby="id_consent_error"' in box
    error = html.split('id="id_consent_error">', 1)[1].split("</ul>", 1)[0]
    assert "To take part you must agree to the personal-data policy." in error
    assert html.index('id="id_consent_error"') < html.index('id="id_consent"')
    assert 'aria-invalid="true"' not in tag(html, "id_email")


def test_empty_signup_summary_links_every_field_in_form_order_named_by_its_label(english):
    html = english.post(reverse("account_signup"), {}).content.decode()

    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'<a href="#(id_\w+)">', summary) == [
        "id_display_name",
        "id_email",
        "id_password1",
        "id_password2",
        "id_consent",
    ]
    assert '<a href="#id_display_name">Display name: This field is required.</a>' in summary
    assert "autofocus" in html.split('<div class="error-summary"', 1)[1].split(">", 1)[0]


def test_signup_form_fields_are_labelled_in_order_with_the_consent_box_before_its_label(client):
    html = client.get(reverse("account_signup")).content.decode()

    ids = re.findall(r'<input[^>]*\bid="(id_[a-z0-9_]+)"', html)
    assert ids == ["id_display_name", "id_email", "id_password1", "id_password2", "id_consent"]
    for field_id in ids:
        assert f'<label for="{field_id}">' in html
    assert 'aria-describedby="id_display_name_helptext"' in tag(html, "id_display_name")
    assert html.index('<label for="id_display_name">') < html.index('id="id_display_name_helptext"')
    assert html.index('id="id_consent"') < html.index('<label for="id_consent">')
    consent_label = html.split('<label for="id_consent">', 1)[1].split("</label>", 1)[0]
    assert f'<a href="{reverse("paga:privacy")}">' in consent_label
    assert 'class="error-summary"' not in html
    assert '<button class="primary" type="submit">' in html


def test_signing_in_before_confirming_the_email_asks_to_confirm_it(
    client, django_capture_on_commit_callbacks
):
    user = make_person(verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert main_of(page.content.decode()).count("<h1") == 1
    # A fresh link is sent, through the outbox.
    message = the_one_sent_email(to=[user.email])
    assert CONFIRM_LINK.search(message.body)


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(english):
    make_person()
    response = english.post(reverse("account_login"), {"login": "luis@example.pe", "password": "no-es-esta"})
    assert response.status_code == 200
    assert signed_in_user_id(english) is None
    html = response.content.decode()
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert "<li>" in summary
    assert 'value="luis@example.pe"' in tag(html, "id_login")


def test_password_reset_by_email_link_then_sign_in_with_the_new_password(
    client, django_capture_on_commit_callbacks
):
    user = make_person()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    message = the_one_sent_email(to=[user.email])
    assert message.subject.startswith("[Co-crea] ")
    link = RESET_LINK.search(message.body).group(1)

    # The key link stores the key in the session and moves to a URL without it.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    html = client.get(form_url).content.decode()
    assert '<label for="id_password1">' in html
    assert '<label for="id_password2">' in html

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    old = Client().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert old.status_code == 200  # the old password no longer works
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("paga:home")
    assert signed_in_user_id(fresh) == str(user.pk)


def test_password_reset_for_an_unknown_address_answers_the_same_and_says_so_by_email(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nadie@example.pe"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")  # no account enumeration
    message = the_one_sent_email(to=["nadie@example.pe"])
    assert reverse("account_signup") in message.body
    assert not RESET_LINK.search(message.body)


def test_sign_out_asks_on_get_and_happens_on_post(client):
    user = make_person()
    client.force_login(user)

    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert signed_in_user_id(client) == str(user.pk)
    assert f'<form method="post" action="{reverse("account_logout")}"' in page.content.decode()

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("paga:home")
    assert signed_in_user_id(client) is None


def test_account_pages_have_no_script_and_escape_the_display_name(client):
    for name in ("account_signup", "account_login"):
        html = client.get(reverse(name)).content.decode()
        assert "<script" not in html.lower()

    user = make_person(display_name='<script>alert("x")</script> Ñandú')
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert signed_in_user_id(client) == str(user.pk), response.content.decode()[:2000]
    # The next page shows the name in the header (and in the "signed in" message).
    html = client.get(reverse("paga:privacy")).content.decode()
    assert "<script" not in html.lower()
    assert '<span class="who">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ñandú</span>' in html
    assert "&amp;lt;" not in html  # escaped once, not twice


@pytest.mark.parametrize(
    ("name", "kwargs", "signed_in"),
    [
        ("account_login", {}, False),
        ("account_signup", {}, False),
        ("account_email_verification_sent", {}, False),
        ("account_confirm_email", {"key": "no-such-key"}, False),
        ("account_reset_password", {}, False),
        ("account_reset_password_done", {}, False),
        ("account_reset_password_from_key", {"uidb36": "1", "key": "no-such-key"}, False),
        ("account_reset_password_from_key_done", {}, False),
        ("account_inactive", {}, False),
        ("account_logout", {}, True),
        ("account_email", {}, True),
        ("account_change_password", {}, True),
        ("paga:privacy", {}, False),
    ],
)
def test_account_page_renders_in_the_portal_frame(client, name, kwargs, signed_in):
    if signed_in:
        client.force_login(make_person())
    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site-header">' in html
    assert '<footer class="site-footer">' in html
    main = main_of(html)
    assert main.count("<h1") == 1
    assert "<script" not in html.lower()
    assert "style=" not in main  # the CSP allows no inline style
    for field_id in re.findall(r'<input(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', main):
        assert f'<label for="{field_id}">' in main, field_id
    assert re.search(r"<title>\S.* · Co-crea</title>", html)


def test_confirmation_page_with_a_bad_key_says_how_to_get_a_new_link(client):
    html = main_of(client.get(reverse("account_confirm_email", args=["no-such-key"])).content.decode())
    assert f'href="{reverse("account_login")}"' in html
    assert "<form" not in html


def test_privacy_page_states_the_law_the_version_and_the_rights(english):
    html = main_of(english.get(reverse("paga:privacy")).content.decode())
    assert f"Policy version {settings.COCREA_PRIVACY_POLICY_VERSION}." in html
    for words in (
        "Ley 29733",
        "016-2024-JUS",
        "Secretaría de Gestión Pública",
        "ARCO",
        "free of charge",
        "<strong>Portability</strong>",
        "Your email address is never shown",
        "version of the policy",
    ):
        assert words in html, words
