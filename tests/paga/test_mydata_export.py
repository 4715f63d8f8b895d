"""“Mis datos” (issue 7, item 2): the page of what the portal holds about me, the JSON download of all of
it, and my consents (withdraw, give again). Every kind of row the portal keeps about a person is created
once (through the services, as people would create them), and the download must hold each of them and
nothing of another person who did the same things."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations import notifications, responses, services
from consultations.models import Contribution, Disposition
from paga import personal_data
from paga.models import Consent, EmailOptOut, OutboundEmail, User
from paga.services import opt_out, record_signup
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, RegistrationFactory, lima, region
from workshops import registrations
from workshops.models import Attendance, EventState, Gender, Registration

pytestmark = pytest.mark.django_db

MY_NAME = "Rosa Quispe Ñahui"
OTHER_NAME = "Ernesto Cóndor Ayala"
MY_REAL_NAME = "Rosa Elvira Quispe Ñahui (inscripción)"
OTHER_REAL_NAME = "Ernesto Cóndor Ayala (inscripción)"


@dataclass
class Busy:
    """A person who did one of everything, and the rows that show it."""

    user: User
    comment: Contribution
    reply: Contribution
    their_comment: Contribution  # the other person's comment this person replied to, supported, reported
    future: Registration
    by_email: Registration
    past: Registration
    attendance: Attendance
    texts: tuple[str, ...]


def busy_person(*, email: str, name: str, real_name: str, other: User | None, staff: User, forum) -> Busy:
    """Someone who signed up (consent), commented, edited, replied, supported, reported, followed, stopped
    an email kind, registered for a future event (signed in and signed out) and attended a past one."""
    user = UserFactory(email=email, display_name=name, groups=["ciudadania"])
    record_signup(user=user, display_name=name, consented=True)
    old = Consent.objects.create(user=user, policy_version="2017-09", given_at=lima(2017, 9, 8, 10))
    old.withdrawn_at = lima(2017, 9, 9, 10)
    old.save()
    item = forum.items.get()
    tag = email.split("@")[0]  # texts of each person, without their name (a deleted name must vanish)
    first = f"Aporte {tag}: agua potable para Lamas, «versión 1»"
    mine = comment(consultation=forum, author=user, text=first)
    final = f"Aporte {tag}: agua potable para Lamas y Tarapoto, «versión 2»"
    services.edit_comment(contribution=mine, author=user, text=final)
    theirs = (
        comment(consultation=forum, author=other, text=f"Comentario de otra persona para {tag}")
        if other
        else mine
    )
    reply_text = f"Respuesta {tag} a otra persona"
    reply = comment(consultation=forum, author=user, parent=theirs, text=reply_text)
    responses.respond(
        contribution=mine,
        actor=staff,
        disposition=Disposition.NOT_INCORPORATED,
        reason="Respuesta razonada: fuera del plazo del compromiso",
    )
    if other:
        services.support(user=user, contribution=theirs)
        services.flag(contribution=theirs, user=user, reason="spam")
    services.support(user=user, commitment=item)
    notifications.follow(user=user, commitment=CommitmentFactory(status="en_consulta"))
    opt_out(user=user, kind=EmailOptOut.Kind.FOLLOWED)

    future_event = EventFactory(capacity=1)
    future = registrations.register(
        event=future_event,
        user=user,
        email=user.email,
        name=real_name,
        actor_type="sociedad_civil",
        organisation="Rondas Campesinas de Lamas",
        gender=Gender.FEMALE,
    )
    by_email = RegistrationFactory(event=EventFactory(), user=None, email=user.email.upper(), name=real_name)
    past_event = EventFactory(
        state=EventState.HELD,
        starts_at=lima(2017, 9, 21, 9),
        ends_at=lima(2017, 9, 21, 17),
        capacity=None,
        registration_opens_at=None,
        registration_closes_at=None,
    )
    past = RegistrationFactory(event=past_event, user=user, email=user.email, name=real_name)
    attendance = Attendance.objects.create(
        event=past_event,
        registration=past,
        name=real_name,
        actor_type="sociedad_civil",
        organisation="Rondas Campesinas de Lamas",
        gender=Gender.FEMALE,
        region=region("San Martín"),
        recorded_by=staff,
    )
    return Busy(user, mine, reply, theirs, future, by_email, past, attendance, (first, final, reply_text))


@pytest.fixture
def forum():
    return ConsultationFactory(items=[CommitmentFactory(status="en_consulta")])


@pytest.fixture
def two_people(forum, secretariat) -> tuple[Busy, Busy]:
    other = busy_person(
        email="ernesto.condor@example.pe", name=OTHER_NAME, real_name=OTHER_REAL_NAME, other=None,
        staff=secretariat, forum=forum,
    )  # fmt: skip
    me = busy_person(
        email="rosa.quispe@example.pe", name=MY_NAME, real_name=MY_REAL_NAME, other=other.user,
        staff=secretariat, forum=forum,
    )  # fmt: skip
    # The other person replies to me (my notification email), and is emailed too.
    comment(consultation=forum, author=other.user, parent=me.comment, text="Réplica de Ernesto a Rosa")
    return me, other


def english_client(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def download(client) -> tuple[dict, str]:
    response = client.get(reverse("paga:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cocrea-mis-datos-')
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    return json.loads(text), text


# --- The download ----------------------------------------------------------------------------------
def test_the_download_holds_every_kind_of_row_and_nothing_of_another_person(two_people):
    me, other = two_people
    data, text = download(english_client(me.user))

    assert data["format"] == "cocrea-mis-datos/1"
    assert data["policy_version"] == settings.COCREA_PRIVACY_POLICY_VERSION
    account = data["paga"]["account"]
    assert account["email"] == "rosa.quispe@example.pe"
    assert account["display_name"] == MY_NAME
    assert account["roles"] == ["Citizen"]
    assert account["date_joined"]
    consents = data["paga"]["consents"]
    assert [(c["policy_version"], bool(c["withdrawn_at"])) for c in consents] == [
        ("2017-09", True),
        (settings.COCREA_PRIVACY_POLICY_VERSION, False),
    ]
    assert consents[0]["given_at"].startswith("2017-09-08T15:00:00")  # 10:00 in Lima, stored in UTC
    assert data["paga"]["email_addresses"] == [
        {"email": "rosa.quispe@example.pe", "verified": True, "primary": True}
    ]
    assert [o["kind"] for o in data["paga"]["email_opt_outs"]] == [EmailOptOut.Kind.FOLLOWED]
    subjects = [e["subject"] for e in data["paga"]["emails_sent"]]
    assert len(subjects) == OutboundEmail.objects.filter(to=["rosa.quispe@example.pe"]).count() >= 3
    assert all(e["queued_at"] for e in data["paga"]["emails_sent"])

    mine = data["consultations"]
    assert [c["id"] for c in mine["contributions"]] == [me.comment.pk, me.reply.pk]
    first = mine["contributions"][0]
    assert first["text"] == me.texts[1]
    assert [v["text"] for v in first["earlier_versions"]] == [me.texts[0]]
    assert first["response"]["disposition"] == Disposition.NOT_INCORPORATED
    assert first["response"]["reason"] == "Respuesta razonada: fuera del plazo del compromiso"
    assert first["response"]["published_at"]
    assert mine["contributions"][1]["in_reply_to"] == me.their_comment.pk
    assert mine["contributions"][1]["response"] is None
    assert {(s["contribution"], bool(s["commitment"])) for s in mine["supports"]} == {
        (me.their_comment.pk, False),
        (None, True),
    }
    assert [(f["contribution"], f["reason"]) for f in mine["flags"]] == [(me.their_comment.pk, "spam")]
    assert len(mine["follows"]) == 2  # the item commented on (automatic) and the one followed

    events = data["workshops"]
    assert {r["email"].lower() for r in events["registrations"]} == {"rosa.quispe@example.pe"}
    assert len(events["registrations"]) == 3  # signed in (future and past) and signed out, by address
    assert {r["state"] for r in events["registrations"]} == {"inscrito"}
    assert [a["name"] for a in events["attendance"]] == [MY_REAL_NAME]
    assert events["attendance"][0]["region"] == "San Martín"

    # Accents as they are (UTF-8), and nothing of the other person: not their address, texts or
    # registration name, nor the text of the comment of theirs I supported and reported. Their public
    # display name appears only as the subject of the email that told me they replied (what I received).
    assert "Ñahui" in text
    assert "\\u00d1" not in text
    for theirs in (
        "ernesto.condor@example.pe", OTHER_REAL_NAME, *other.texts, me.their_comment.text,
        "Réplica de Ernesto",
    ):  # fmt: skip
        assert theirs.lower() not in text.lower(), theirs
    assert subjects[-1].startswith(OTHER_NAME)  # "… replied to your comment" (in the language of then)
    del data["paga"]["emails_sent"]
    assert OTHER_NAME not in json.dumps(data, ensure_ascii=False)
    assert secretariat_of(me).email not in text  # nor who answered me


def secretariat_of(busy: Busy) -> User:
    return busy.comment.response.author


def test_staff_download_lists_their_work_without_the_people_it_was_about(two_people, secretariat):
    me, other = two_people
    data, text = download(english_client(secretariat))
    written = data["consultations"]["responses_written"]
    assert [r["contribution"] for r in written] == [other.comment.pk, me.comment.pk]
    assert [a["people"] for a in data["workshops"]["attendance_recorded"]] == [1, 1]
    assert set(data["paga"]["account"]["roles"]) == {"Secretaría staff", "Citizen"}
    for name in (MY_NAME, MY_REAL_NAME, "rosa.quispe@example.pe", *me.texts):
        assert name.lower() not in text.lower(), name


def test_anonymous_visitors_are_sent_to_sign_in(client):
    login = reverse("account_login")
    for name in ("paga:my_data", "paga:my_data_json", "paga:my_data_consent", "paga:my_data_delete"):
        for method in (client.get, client.post):
            response = method(reverse(name))
            assert response.status_code == 302, name
            assert response["Location"].startswith(f"{login}?next="), name


# --- The page ----------------------------------------------------------------------------------------
def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def test_the_page_shows_my_account_consents_and_counts_by_part_of_the_portal(two_people):
    me, other = two_people
    response = english_client(me.user).get(reverse("paga:my_data"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert f'<a href="{reverse("paga:my_data")}">My data</a>' in html  # the account menu
    main = main_of(html)
    assert "rosa.quispe@example.pe" in main
    assert "Withdraw this consent" in main
    assert f'href="{reverse("paga:my_data_json")}" download' in main
    assert f'href="{reverse("paga:my_data_delete")}"' in main
    consultations = main.split('id="datos-consultations"', 1)[1].split("<h3", 1)[0]
    label = "Your contributions and replies, with every version and the response they got"
    assert f'<th scope="row">{label}</th><td>2</td>' in consultations
    workshops = main.split('id="datos-workshops"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="row">Your registrations for events</th><td>3</td>' in workshops
    commitments = main.split('id="datos-commitments"', 1)[1].split("<h3", 1)[0]
    assert "Nothing about you here." in commitments
    assert "ernesto" not in main.lower()
    assert OTHER_NAME not in main


@pytest.mark.parametrize("batch", [1, 8])
def test_page_and_download_queries_do_not_grow(batch, forum, secretariat, django_assert_num_queries):
    person = busy_person(
        email="rosa.quispe@example.pe", name=MY_NAME, real_name=MY_REAL_NAME, other=None,
        staff=secretariat, forum=forum,
    )  # fmt: skip
    for _ in range(batch - 1):
        more = busy_person(
            email=f"p{User.objects.count()}@example.pe", name="Otra", real_name="Otra", other=person.user,
            staff=secretariat, forum=forum,
        )  # fmt: skip
        comment(consultation=forum, author=person.user, text="Uno más", parent=more.comment)
        RegistrationFactory(user=person.user, email=person.user.email)
    client = english_client(person.user)
    # One query per section (commitments' milestone reminders: the 33rd), whatever the batch.
    with django_assert_num_queries(33):
        assert client.get(reverse("paga:my_data")).status_code == 200
    with django_assert_num_queries(32):
        assert client.get(reverse("paga:my_data_json")).status_code == 200


# --- Consents ---------------------------------------------------------------------------------------
def test_withdrawing_my_consent_records_when_and_stops_taking_part_until_given_again(citizen):
    record_signup(user=citizen, display_name=citizen.display_name, consented=True)
    consent = citizen.consents.get()
    client = english_client(citizen)
    assert not personal_data.withdrew_consent(citizen)

    response = client.post(reverse("paga:my_data_consent"), {"action": "withdraw", "consent": consent.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("paga:my_data") + "#consentimientos"
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert timezone.now() - consent.withdrawn_at < datetime.timedelta(minutes=1)
    assert personal_data.withdrew_consent(citizen)
    main = main_of(client.get(reverse("paga:my_data")).content.decode())
    assert "You withdrew your consent: your account cannot take part until you give it again." in main
    assert "Withdraw this consent" not in main

    # Withdrawing again keeps the first moment.
    first = consent.withdrawn_at
    client.post(reverse("paga:my_data_consent"), {"action": "withdraw", "consent": consent.pk})
    consent.refresh_from_db()
    assert consent.withdrawn_at == first

    client.post(reverse("paga:my_data_consent"), {"action": "give"})
    assert citizen.consents.count() == 2
    given = citizen.consents.get(withdrawn_at__isnull=True)
    assert given.policy_version == settings.COCREA_PRIVACY_POLICY_VERSION
    assert not personal_data.withdrew_consent(citizen)
    client.post(reverse("paga:my_data_consent"), {"action": "give"})  # once is enough
    assert citizen.consents.count() == 2


def test_someone_elses_consent_is_a_404_and_stays_in_force(citizen, other_citizen):
    record_signup(user=other_citizen, display_name="Otra", consented=True)
    theirs = other_citizen.consents.get()
    client = english_client(citizen)
    for value in (theirs.pk, "abc", ""):
        response = client.post(reverse("paga:my_data_consent"), {"action": "withdraw", "consent": value})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_an_unknown_action_says_so_and_changes_nothing(citizen):
    record_signup(user=citizen, display_name=citizen.display_name, consented=True)
    client = english_client(citizen)
    response = client.post(reverse("paga:my_data_consent"), {"action": "borrar"}, follow=True)
    assert "Choose whether to withdraw or to give your consent." in response.content.decode()
    assert citizen.consents.get().withdrawn_at is None
    assert client.get(reverse("paga:my_data_consent")).status_code == 405


def test_accounts_that_never_recorded_a_consent_can_give_it(citizen):
    assert not personal_data.withdrew_consent(citizen)  # back-office accounts are not blocked
    client = english_client(citizen)
    main = main_of(client.get(reverse("paga:my_data")).content.decode())
    assert "No consent of yours is recorded." in main
    assert "Give my consent" in main
    client.post(reverse("paga:my_data_consent"), {"action": "give"})
    assert citizen.consents.filter(withdrawn_at__isnull=True).count() == 1


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(citizen):
    record_signup(user=citizen, display_name=citizen.display_name, consented=True)
    consent = citizen.consents.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(reverse("paga:my_data_consent"), {"action": "withdraw", "consent": consent.pk})
    assert response.status_code == 403
    response = client.post(reverse("paga:my_data_delete"), {"password": "pw-Prueba-2017"})
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert User.objects.filter(pk=citizen.pk, is_active=True).exists()
