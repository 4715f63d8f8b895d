"""Deleting my account (issue 7, item 2; Ley 29733, cancellation): the public record keeps my texts and
their responses under "Participante anónimo", everything else that names me goes, the participation
figures do not move, no row anywhere holds my address, and I cannot sign in again. A staff member whose
work other rows protect is deactivated and stripped instead. A wrong password changes nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations import services as forum_services
from consultations.models import Contribution, Flag, Follow, Response, Support
from paga import personal_data, ratelimit
from paga.models import Consent, EmailOptOut, OutboundEmail, User
from paga.personal_data import ANONYMOUS_NAME
from paga.services import opt_out, record_signup
from tests.consultations.factories import ConsultationFactory
from tests.factories import PASSWORD
from tests.paga.test_mydata_export import MY_NAME, MY_REAL_NAME, OTHER_REAL_NAME, forum, main_of, two_people
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import registrations
from workshops.models import Attendance, Registration

__all__ = ["forum", "two_people"]  # fixtures shared with test_mydata_export

pytestmark = pytest.mark.django_db

MY_EMAIL = "rosa.quispe@example.pe"


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    monkeypatch.setattr(ratelimit, "PREFIX", f"ratelimit-test-{uuid.uuid4().hex}")


def database_text() -> dict[str, str]:
    """Every row of every table as text, sessions decoded (for searching a person's traces)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names)
            found[table] = "\n".join(repr(row) for row in cursor.fetchall()).lower()
    found["django_session (decoded)"] = "\n".join(
        repr(s.get_decoded()) for s in Session.objects.all()
    ).lower()
    return found


def tables_with(text: str) -> list[str]:
    return sorted(table for table, rows in database_text().items() if text.lower() in rows)


def sign_in(email: str, password: str = PASSWORD) -> Client:
    """Through allauth's sign-in form, as a person would (allauth records the sign-in in the session)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("account_login"), {"login": email, "password": password})
    return client


def anonymous() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def thread(commitment) -> str:
    return main_of(anonymous().get(commitment.get_absolute_url()).content.decode())


def public_pages(commitment) -> dict[str, str]:
    client = anonymous()
    return {
        "thread": thread(commitment),
        "participation": client.get(reverse("workshops:participation")).content.decode(),
        "open data (CSV)": client.get(reverse("consultations:open_data_csv")).content.decode("utf-8"),
        "open data (JSON)": client.get(reverse("consultations:open_data_json")).content.decode("utf-8"),
    }


def test_deleting_a_citizen_keeps_the_public_record_anonymous_and_erases_the_rest(two_people):
    me, other = two_people
    user = me.user
    item = me.comment.commitment
    waiting = RegistrationFactory(event=me.future.event, state=Registration.State.WAITING)
    # Another session of mine, and the one I delete from: both end.
    sign_in(MY_EMAIL)
    client = sign_in(MY_EMAIL)
    assert client.session[SESSION_KEY] == str(user.pk)
    before = public_pages(item)
    assert MY_NAME in before["thread"]
    ids = {
        "supports": list(Support.objects.filter(user=user).values_list("pk", flat=True)),
        "flags": list(Flag.objects.filter(user=user).values_list("pk", flat=True)),
        "follows": list(Follow.objects.filter(user=user).values_list("pk", flat=True)),
        "registrations": [me.future.pk, me.by_email.pk, me.past.pk],
    }
    assert all(ids.values())
    other_support = Support.objects.get(user=other.user, commitment=item)
    my_sessions = [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    assert len(my_sessions) == 2

    page = client.get(reverse("paga:my_data_delete"))
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()
    response = client.post(reverse("paga:my_data_delete"), {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("paga:home"), 302)]
    assert f"Your account was deleted. What you wrote stays public as “{ANONYMOUS_NAME}”." in (
        response.content.decode()
    )
    assert not User.objects.filter(pk=user.pk).exists()
    assert SESSION_KEY not in client.session
    assert not [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]

    # The public record: my comment (with its earlier version) and my reply keep their text and the
    # response, under the anonymous label; the other person's rows are untouched.
    for contribution in (me.comment, me.reply):
        contribution.refresh_from_db()
        assert (contribution.author_id, contribution.given_name) == (None, ANONYMOUS_NAME)
    assert me.comment.text == me.texts[1]
    assert [v.text for v in me.comment.versions.all()] == [me.texts[0]]
    assert (
        Response.objects.get(contribution=me.comment).reason
        == "Respuesta razonada: fuera del plazo del compromiso"
    )
    assert Contribution.objects.filter(author=other.user).count() == 4
    after = public_pages(item)
    assert me.texts[1] in after["thread"]
    assert me.texts[2] in after["thread"]
    assert "Respuesta razonada: fuera del plazo del compromiso" in after["thread"]
    assert after["thread"].count(f"<strong>{ANONYMOUS_NAME}</strong>") == 2
    assert MY_NAME not in after["thread"]
    # The participation figures do not change at all.
    assert after["participation"] == before["participation"]
    for name, html in after.items():
        assert MY_EMAIL not in html.lower(), name
        assert "@anonimo.invalid" not in html, name
    rows = json.loads(after["open data (JSON)"])
    assert ANONYMOUS_NAME in json.dumps(rows, ensure_ascii=False)

    # Supports, reports and follows are gone; the other person's support stays.
    assert not Support.objects.filter(pk__in=ids["supports"]).exists()
    assert not Flag.objects.filter(pk__in=ids["flags"]).exists()
    assert not Follow.objects.filter(pk__in=ids["follows"]).exists()
    assert Support.objects.filter(pk=other_support.pk).exists()

    # The future registration is cancelled and the waiting list moves up; the one made signed out (by my
    # address) too; the past one and its attendance keep only what the figures count.
    registrations = Registration.objects.in_bulk(ids["registrations"])
    assert registrations[me.future.pk].state == Registration.State.CANCELLED
    assert registrations[me.by_email.pk].state == Registration.State.CANCELLED
    assert registrations[me.past.pk].state == Registration.State.CONFIRMED
    waiting.refresh_from_db()
    assert waiting.state == Registration.State.CONFIRMED
    for registration in registrations.values():
        assert registration.user_id is None
        assert registration.name == ANONYMOUS_NAME
        assert registration.email == f"inscripcion-{registration.pk}@anonimo.invalid"
        assert registration.organisation == ""
    assert registrations[me.past.pk].key != me.past.key
    attendance = Attendance.objects.get(pk=me.attendance.pk)
    assert attendance.name == ANONYMOUS_NAME
    assert (attendance.actor_type, attendance.gender, attendance.region.name, attendance.organisation) == (
        "sociedad_civil", "femenino", "San Martín", "Rondas Campesinas de Lamas",
    )  # fmt: skip
    assert Registration.objects.filter(name=OTHER_REAL_NAME).count() == 3

    # No row anywhere holds my address or the name I gave when registering; account rows are gone.
    assert tables_with(MY_EMAIL) == []
    assert tables_with(MY_REAL_NAME) == []
    assert not Consent.objects.filter(user_id=user.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact=MY_EMAIL).exists()
    assert not EmailOptOut.objects.filter(user_id=user.pk).exists()
    assert not [e for e in OutboundEmail.objects.all() if MY_EMAIL in e.to]

    # And I cannot sign in again.
    assert SESSION_KEY not in sign_in(MY_EMAIL).session


def test_a_staff_member_whose_work_is_on_record_is_deactivated_and_stripped(two_people, secretariat):
    me, _ = two_people
    record_signup(user=secretariat, display_name="Carmen Secretaría", consented=True)
    opt_out(user=secretariat, kind=EmailOptOut.Kind.REPLY)
    Authenticator.objects.get_or_create(
        user=secretariat, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )  # staff must have an authenticator app (paga/staff_security.py)
    email = secretariat.email
    answered = list(Response.objects.filter(author=secretariat).values_list("pk", flat=True))
    assert answered
    client = anonymous()
    client.force_login(secretariat)  # (the password and the authenticator's code, in real life)

    response = client.post(reverse("paga:my_data_delete"), {"password": PASSWORD}, follow=True)

    assert "Your account was closed and your personal data erased." in response.content.decode()
    stripped = User.objects.get(pk=secretariat.pk)
    assert stripped.email == f"cuenta-{secretariat.pk}@anonimo.invalid"
    assert stripped.display_name == ANONYMOUS_NAME
    assert (stripped.is_active, stripped.is_staff, stripped.is_superuser) == (False, False, False)
    assert stripped.entity_id is None
    assert stripped.last_login is None
    assert not stripped.has_usable_password()
    assert not stripped.groups.exists()
    # Their work stays, now by an anonymous participant; their own rows are gone.
    assert list(Response.objects.filter(author=stripped).values_list("pk", flat=True)) == answered
    assert Attendance.objects.filter(recorded_by=stripped).count() == 2
    for model in (Consent, EmailAddress, EmailOptOut, Authenticator):
        assert not model.objects.filter(user_id=secretariat.pk).exists(), model
    assert tables_with(email) == []
    assert SESSION_KEY not in client.session
    assert SESSION_KEY not in sign_in(email).session
    # The public thread shows the response, with no staff name or address.
    html = thread(me.comment.commitment)
    assert "Respuesta razonada: fuera del plazo del compromiso" in html
    assert email not in html


def test_a_wrong_password_refuses_and_keeps_everything(two_people):
    me, _ = two_people
    client = sign_in(MY_EMAIL)
    before = database_text()

    for password in ("wrong-password", ""):
        response = client.post(reverse("paga:my_data_delete"), {"password": password})
        assert response.status_code == 200
        html = main_of(response.content.decode())
        assert "There is a problem" in html
        assert (
            "The password is not correct." in html
            if password
            else "Type your password to delete your account." in html
        )

    assert database_text() == before
    assert client.session[SESSION_KEY] == str(me.user.pk)
    assert client.get(reverse("paga:my_data")).status_code == 200


def test_after_five_wrong_passwords_even_the_right_one_waits(citizen):
    client = sign_in(citizen.email)
    for _ in range(5):
        client.post(reverse("paga:my_data_delete"), {"password": "wrong-password"})
    response = client.post(reverse("paga:my_data_delete"), {"password": PASSWORD})
    assert "Too many attempts. Wait a few minutes and try again." in response.content.decode()
    assert User.objects.filter(pk=citizen.pk, is_active=True).exists()


def test_erase_runs_in_one_transaction_a_failure_changes_nothing(two_people, monkeypatch):
    """If any app's erase fails half-way, the contributions already anonymised come back."""
    me, _ = two_people
    from workshops import personal_data as workshops_data

    def broken(user):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workshops_data, "erase", broken)
    before = database_text()
    with pytest.raises(RuntimeError):
        personal_data.erase_account(user=me.user, password=PASSWORD)
    assert database_text() == before


def test_withdrawing_consent_stops_taking_part_until_it_is_given_again(citizen):
    """Commenting, supporting, reporting and registering signed in are what the consent is for."""
    consultation = ConsultationFactory()
    item = consultation.items.get()
    forum_services.post_comment(
        consultation=consultation, commitment=item, author=citizen, text="Antes de retirar"
    )
    Consent.objects.create(user=citizen, policy_version="2017-09", withdrawn_at=timezone.now())
    refusals = []
    for act in (
        lambda: forum_services.post_comment(
            consultation=consultation, commitment=item, author=citizen, text="Después"
        ),
        lambda: forum_services.support(user=citizen, commitment=item),
        lambda: registrations.register(
            event=EventFactory(), user=citizen, email="", name="Ana", actor_type="ciudadania"
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            act()
        refusals.append(refused.value.code)
    assert refusals == ["consent", "consent", "consent"]
    assert not citizen.has_perm("consultations.comment")
    Consent.objects.create(user=citizen, policy_version="2017-09")
    forum_services.post_comment(consultation=consultation, commitment=item, author=citizen, text="Después")
