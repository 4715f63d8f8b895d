"""Staff sessions end after COCREA_STAFF_IDLE_MINUTES without a request; citizens keep the session age
(paga/staff_security.py). The clock is moved, never waited for."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from paga import roles, staff_security
from tests.factories import TOTP_SECRET

pytestmark = pytest.mark.django_db

START = 1_800_000_000


@pytest.fixture(autouse=True)
def _real_periods(settings):
    settings.COCREA_STAFF_ACTIVITY_SECONDS = 60
    settings.COCREA_STAFF_MFA_RECHECK_SECONDS = 300


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by the test: `clock.advance(minutes=…)`."""

    class Clock:
        moment = START

        def advance(self, *, minutes: float) -> None:
            self.moment += int(minutes * 60)

    frozen = Clock()
    monkeypatch.setattr(staff_security, "now", lambda: frozen.moment)
    return frozen


def english(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_staff_are_signed_out_after_the_idle_time_and_told_so_on_the_sign_in_page(secretariat, clock):
    assert settings.COCREA_STAFF_IDLE_MINUTES == 30
    client = english(secretariat)
    assert client.get("/revision/").status_code == 200

    clock.advance(minutes=29)
    assert client.get("/revision/").status_code == 200  # activity: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/privacidad/").status_code == 200  # any page counts, public ones too

    clock.advance(minutes=31)
    response = client.get("/revision/?estado=x")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/revision/%3Festado%3Dx"
    assert SESSION_KEY not in client.session
    login_page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity. Sign in again." in login_page
    assert client.get("/revision/")["Location"].startswith(reverse("account_login"))


def test_the_idle_time_comes_from_the_setting(reviewer, clock, settings):
    settings.COCREA_STAFF_IDLE_MINUTES = 5
    client = english(reviewer)
    clock.advance(minutes=4)
    assert client.get("/revision/").status_code == 200
    clock.advance(minutes=6)
    assert client.get("/revision/")["Location"].startswith(reverse("account_login"))


def test_an_idle_post_signs_out_without_sending_back_to_the_post(administrator, clock):
    client = english(administrator)
    clock.advance(minutes=31)
    response = client.post(reverse("account_logout"))
    assert response["Location"] == f"{reverse('account_login')}?next=/"
    assert SESSION_KEY not in client.session


def test_citizens_keep_the_normal_session_age(citizen, clock):
    client = english(citizen)
    clock.advance(minutes=24 * 60)
    assert client.get(reverse("consultations:my_contributions")).status_code == 200
    assert SESSION_KEY in client.session
    assert staff_security.LAST_ACTIVITY not in client.session


def test_activity_is_written_at_most_once_a_minute(secretariat, clock):
    client = english(secretariat)
    assert client.session[staff_security.LAST_ACTIVITY] == START  # at sign-in
    clock.advance(minutes=0.5)
    client.get("/privacidad/")
    assert client.session[staff_security.LAST_ACTIVITY] == START
    clock.advance(minutes=0.5)
    client.get("/privacidad/")
    assert client.session[staff_security.LAST_ACTIVITY] == START + 60


def test_someone_made_staff_while_signed_in_gets_the_idle_limit_from_their_first_staff_page(citizen, clock):
    client = english(citizen)
    assert client.session[staff_security.STAFF] is False

    citizen.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])
    TOTP.activate(citizen, TOTP_SECRET)
    client.get("/gestion/compromisos/")
    assert client.session[staff_security.STAFF] is True
    clock.advance(minutes=31)
    assert client.get("/privacidad/")["Location"].startswith(reverse("account_login"))
