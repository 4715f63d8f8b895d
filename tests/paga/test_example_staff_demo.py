"""Development demo (COCREA_EXAMPLE_STAFF_WITHOUT_2FA, on by default under DJANGO_DEBUG=1): the example's
staff accounts act as staff with their password alone, and every page says so; real staff accounts still
need an authenticator app, and production refuses the setting (tests/paga/test_settings.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from paga import roles
from tests.factories import PASSWORD, EntityFactory, UserFactory

REVIEW_QUEUE = "/revision/"
SETUP = "/cuenta/2fa/totp/activate/"
NOTICE_ES = "se omite la verificación en dos pasos para esta cuenta de ejemplo del personal"
NOTICE_EN = "two-step verification is skipped for this example staff account"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps sign-in rate limits in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def development(settings):
    """`make run`: DJANGO_DEBUG=1, and so the demo setting's default."""
    settings.DEBUG = True
    settings.COCREA_EXAMPLE_STAFF_WITHOUT_2FA = True
    return settings


def signed_in_with_password(email: str, password: str, *, language: str = "es") -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def example_password(accounts_file, email: str) -> str:
    return json.loads(accounts_file.read_text())[email]


def test_in_development_an_example_reviewer_with_a_password_alone_sees_their_queue_and_is_told_why(
    development, example_plan, example_accounts_file
):
    email = "revisor.minam@cocrea.example"
    client = signed_in_with_password(email, example_password(example_accounts_file, email))

    queue = client.get(REVIEW_QUEUE)

    assert queue.status_code == 200
    assert NOTICE_ES in queue.content.decode()  # Spanish first
    home = client.get("/")  # the role acts on public pages too (drafts), and the notice says so there
    assert NOTICE_ES in home.content.decode()


def test_in_development_a_real_staff_account_still_needs_the_app(development, example_plan):
    reviewer = UserFactory(
        groups=[roles.REVIEWER, roles.CITIZEN],
        entity=EntityFactory(acronym="MINAM-2"),
        authenticator_app=False,
    )
    client = signed_in_with_password(reviewer.email, PASSWORD)

    response = client.get(REVIEW_QUEUE)

    assert (response.status_code, response["Location"]) == (302, SETUP)
    assert NOTICE_ES not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "email", ["secretaria@cocrea.example", "admin@cocrea.example", "revisor.mtc@cocrea.example"]
)
def test_in_development_every_example_staff_account_reaches_its_staff_pages(
    development, example_plan, example_accounts_file, email
):
    client = signed_in_with_password(email, example_password(example_accounts_file, email), language="en")
    pages = {
        "secretaria@cocrea.example": ["/gestion/compromisos/", REVIEW_QUEUE],
        "admin@cocrea.example": ["/administracion/", "/administracion/paga/timelinestage/"],
        "revisor.mtc@cocrea.example": [REVIEW_QUEUE],
    }[email]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert NOTICE_EN in response.content.decode(), path


def test_an_example_citizen_sees_no_demo_notice(development, example_plan, example_accounts_file):
    email = "ciudadana@cocrea.example"
    client = signed_in_with_password(email, example_password(example_accounts_file, email))

    assert NOTICE_ES not in client.get("/").content.decode()


@pytest.mark.parametrize(("debug", "demo"), [(False, True), (True, False)])
def test_without_debug_or_without_the_setting_the_example_staff_need_the_app(
    settings, example_plan, example_accounts_file, debug, demo
):
    """Production (DEBUG off) ignores the setting even if a settings module set it past the refusal."""
    settings.DEBUG = debug
    settings.COCREA_EXAMPLE_STAFF_WITHOUT_2FA = demo
    email = "revisor.minam@cocrea.example"
    client = signed_in_with_password(email, example_password(example_accounts_file, email))

    response = client.get(REVIEW_QUEUE)

    assert (response.status_code, response["Location"]) == (302, SETUP)
    assert NOTICE_ES not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("debug", "demo", "said"),
    [
        (True, True, "Staff accounts above work without an authenticator app: development demo"),
        (False, False, "Staff accounts need an authenticator app: the first staff page asks to set it up."),
    ],
)
def test_load_example_says_whether_the_staff_accounts_need_the_app(
    settings, example_accounts_file, db, debug, demo, said
):
    settings.DEBUG = debug
    settings.COCREA_EXAMPLE_STAFF_WITHOUT_2FA = demo
    out = io.StringIO()

    call_command("load_example", stdout=out)

    assert said in out.getvalue()
