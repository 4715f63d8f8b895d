"""Registration pages (issue 5, item 2): the form (GET and POST, what was typed kept on any refusal, rate
limited), the confirm and cancel links (GET shows, only POST acts; unknown key 404) and the
registration box on the event's page (no CSRF token, at most two queries), with query counts that stay
the same as registrations grow."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from paga import ratelimit
from paga.models import ActorType, OutboundEmail
from tests.workshops.factories import EventFactory, RegistrationFactory, region, undated
from workshops import registrations
from workshops.models import Event, EventState, Gender, Registration

State = Registration.State
pytestmark = pytest.mark.django_db

TYPED_NAME = "Rosa Quispe «Ñahui» <script>alert(1)</script>"
TYPED_ORG = "Rondas Campesinas de Lamas & Asociados"


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Rate-limit counters live in the cache, never flushed here: each test counts under its own keys."""
    monkeypatch.setattr(ratelimit, "PREFIX", f"ratelimit-test-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def register_url(event) -> str:
    return reverse("workshops:register", kwargs={"slug": event.slug})


def confirm_url(registration) -> str:
    return reverse("workshops:registration_confirm", kwargs={"key": registration.key})


def cancel_url(registration) -> str:
    return reverse("workshops:registration_cancel", kwargs={"key": registration.key})


def main_of(response) -> str:
    return response.content.decode().split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def form_data(**kw) -> dict:
    return {
        "name": TYPED_NAME,
        "email": "rosa@ejemplo.pe",
        "actor_type": ActorType.CIVIL_SOCIETY,
        "organisation": TYPED_ORG,
        "gender": Gender.FEMALE,
        "region": str(region("San Martín").pk),
        "consent": "on",
        **kw,
    }


def assert_typed_kept(html: str) -> None:
    assert f'value="{escape(TYPED_NAME)}"' in html
    assert f'value="{escape(TYPED_ORG)}"' in html
    assert (
        'value="sociedad_civil" checked' in html or "checked" in html.split('value="sociedad_civil"')[1][:60]
    )
    assert "<script>alert(1)</script>" not in html


# --- The form --------------------------------------------------------------------------------------
def test_anonymous_get_shows_the_form_places_and_consent(client):
    event = EventFactory(capacity=20)
    RegistrationFactory.create_batch(3, event=event)
    response = client.get(register_url(event))
    assert response.status_code == 200
    main = main_of(response)
    assert escape(event.title) in main
    assert "17 places left of 20." in main
    for name in ("name", "email", "actor_type", "organisation", "gender", "region", "consent"):
        assert f'name="{name}"' in main
    assert "csrfmiddlewaretoken" in main
    assert 'name="robots" content="noindex"' in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_signed_in_get_fixes_the_email_and_prefills_the_name(client, citizen):
    client.force_login(citizen)
    main = main_of(client.get(register_url(EventFactory())))
    email_input = main.split('name="email"', 1)[1].split(">", 1)[0]
    assert "disabled" in email_input
    assert f'value="{citizen.email}"' in main
    assert f'value="{escape(citizen.display_name)}"' in main
    assert 'name="consent"' not in main  # consent given when the account was made


@pytest.mark.parametrize("signed_in", [False, True])
def test_form_queries_do_not_grow_with_registrations(client, citizen, django_assert_num_queries, signed_in):
    if signed_in:
        client.force_login(citizen)
    counts = []
    for batch in (3, 30):
        event = EventFactory(capacity=100)
        RegistrationFactory.create_batch(batch, event=event)
        RegistrationFactory.create_batch(
            batch, event=event, state=State.WAITING, waiting_since=timezone.now()
        )
        if signed_in:
            RegistrationFactory(event=event, user=citizen, email=citizen.email, state=State.WAITING,
                                waiting_since=timezone.now())  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert client.get(register_url(event)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    expected = 6 if signed_in else 4
    assert counts[0] == expected, counts


def test_anonymous_post_is_pending_and_says_check_your_email(client):
    event = EventFactory()
    response = client.post(register_url(event), form_data())
    assert response.status_code == 200
    main = main_of(response)
    assert "Check your email" in main
    assert "rosa@ejemplo.pe" in main
    registration = Registration.objects.get(event=event)
    assert registration.state == State.PENDING
    assert (registration.name, registration.organisation, registration.region.name) == (
        TYPED_NAME, TYPED_ORG, "San Martín",
    )  # fmt: skip
    assert str(registration.key) not in response.content.decode()  # the link only goes by email
    assert OutboundEmail.objects.filter(to=["rosa@ejemplo.pe"]).count() == 1


def test_signed_in_post_is_registered_or_waiting_with_the_position(client, citizen, other_citizen):
    event = EventFactory(capacity=1)
    client.force_login(citizen)
    response = client.post(register_url(event), form_data(email="someone@else.pe"))
    assert "You are registered" in main_of(response)
    assert Registration.objects.get(user=citizen).email == citizen.email  # the fixed address, not the posted

    client.force_login(other_citizen)
    main = main_of(client.post(register_url(event), form_data()))
    assert "You are on the waiting list" in main
    assert "You are number 1 on the waiting list" in main


def test_empty_post_shows_the_errors_and_registers_nobody(client):
    event = EventFactory()
    response = client.post(register_url(event), {})
    assert response.status_code == 200
    main = main_of(response)
    assert "There is a problem" in main
    assert 'aria-invalid="true"' in main
    assert not Registration.objects.exists()


def test_a_registered_address_gets_the_same_page_as_a_new_one_and_its_owner_an_email(client):
    """The form tells no stranger that an address is registered (issue 12): the page is the one a new
    registration by email gets, and the address's owner is emailed instead."""
    event = EventFactory()
    with translation.override("es"):  # the owner registered in Spanish
        registrations.register(
            event=event, email="rosa@ejemplo.pe", name="Rosa", actor_type=ActorType.ACADEMIA
        )
    OutboundEmail.objects.all().delete()

    taken = client.post(register_url(event), form_data())
    new = client.post(register_url(event), form_data(email="nueva@ejemplo.pe"))

    assert taken.status_code == new.status_code == 200
    assert main_of(taken) == main_of(new).replace("nueva@ejemplo.pe", "rosa@ejemplo.pe")
    assert "Check your email" in main_of(taken)
    assert "already registered" not in taken.content.decode()
    assert Registration.objects.filter(email="rosa@ejemplo.pe").count() == 1
    (to_owner,) = OutboundEmail.objects.filter(to__icontains="rosa@ejemplo.pe")
    assert to_owner.subject.startswith("Su dirección ya está inscrita en")  # in the owner's language
    assert TYPED_NAME not in to_owner.body  # what the stranger typed is not passed on


def test_a_closed_window_refusal_keeps_the_form_and_a_get_shows_no_form(client):
    closes = timezone.now() - datetime.timedelta(hours=2)
    event = EventFactory(
        registration_opens_at=closes - datetime.timedelta(days=5), registration_closes_at=closes
    )
    get = main_of(client.get(register_url(event)))
    assert "Registration closed on" in get
    assert 'name="name"' not in get
    posted = main_of(client.post(register_url(event), form_data()))
    assert "Registration closed on" in posted
    assert_typed_kept(posted)


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: EventFactory(state=EventState.CANCELLED, cancel_reason="Paro"), "This event was cancelled"),
        (lambda: undated(), "This event takes no registrations."),
    ],
)
def test_an_event_taking_no_registration_says_so(client, make, text):
    response = client.get(register_url(make()))
    assert response.status_code == 200
    assert text in main_of(response)
    assert 'name="email"' not in main_of(response)


def test_an_unknown_event_is_404(client):
    assert client.get(reverse("workshops:register", kwargs={"slug": "no-existe"})).status_code == 404
    assert client.post(reverse("workshops:register", kwargs={"slug": "no-existe"}), {}).status_code == 404


def test_posting_is_rate_limited_per_address_with_the_form_kept(client):
    event = EventFactory(capacity=50)
    for n in range(10):
        assert client.post(register_url(event), form_data(email=f"p{n}@ejemplo.pe")).status_code == 200
    response = client.post(register_url(event), form_data(email="once@ejemplo.pe"))
    assert response.status_code == 429
    html = main_of(response)
    assert "Wait a minute" in html
    assert_typed_kept(html)
    assert not Registration.objects.filter(email="once@ejemplo.pe").exists()
    other = client.post(register_url(event), form_data(email="otra@ejemplo.pe"), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200  # another address has its own count


def test_a_signed_in_person_already_registered_sees_it_and_no_form(client, citizen):
    event = EventFactory()
    mine = RegistrationFactory(event=event, user=citizen, email=citizen.email)
    client.force_login(citizen)
    main = main_of(client.get(register_url(event)))
    assert "Your registration" in main
    assert "Registered" in main
    assert cancel_url(mine) in main
    assert 'name="email"' not in main


def test_other_methods_are_refused(client):
    event = EventFactory()
    assert client.put(register_url(event)).status_code == 405
    assert client.head(register_url(event)).status_code == 200


# --- Confirm and cancel links ---------------------------------------------------------------------
def test_confirm_get_shows_a_button_and_changes_nothing_the_post_confirms(client):
    event = EventFactory()
    registration = registrations.register(event=event, email="rosa@ejemplo.pe", name="Rosa",
                                          actor_type=ActorType.ACADEMIA)  # fmt: skip
    get = client.get(confirm_url(registration))
    assert get.status_code == 200
    assert "Confirm my registration" in main_of(get)
    assert Registration.objects.get(pk=registration.pk).state == State.PENDING

    post = client.post(confirm_url(registration))
    assert post.status_code == 302
    assert post["Location"] == confirm_url(registration)
    assert Registration.objects.get(pk=registration.pk).state == State.CONFIRMED
    after = main_of(client.get(confirm_url(registration)))
    assert "Your registration is confirmed: your place is kept." in after
    assert "Confirm my registration</button>" not in after
    assert cancel_url(registration) in after

    assert client.post(confirm_url(registration)).status_code == 302  # again: nothing changes
    assert Registration.objects.get(pk=registration.pk).state == State.CONFIRMED


def test_confirm_post_when_full_says_waiting_and_a_closed_window_says_why(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    registration = registrations.register(event=event, email="rosa@ejemplo.pe", name="Rosa",
                                          actor_type=ActorType.ACADEMIA)  # fmt: skip
    client.post(confirm_url(registration))
    main = main_of(client.get(confirm_url(registration)))
    assert "you are on the waiting list" in main
    assert "number 1 on the list" in main

    late = RegistrationFactory(event=EventFactory(), state=State.PENDING, confirmed_at=None)
    closes = timezone.now() - datetime.timedelta(minutes=5)
    Event.objects.filter(pk=late.event_id).update(
        registration_closes_at=closes, registration_opens_at=closes - datetime.timedelta(days=1)
    )
    response = client.post(confirm_url(late))
    assert response.status_code == 200
    assert "Registration closed on" in main_of(response)
    assert Registration.objects.get(pk=late.pk).state == State.PENDING


def test_cancel_get_shows_a_button_the_post_cancels_and_promotes(client):
    event = EventFactory(capacity=1)
    holder = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, state=State.WAITING, waiting_since=timezone.now())
    get = client.get(cancel_url(holder))
    assert get.status_code == 200
    assert "Cancel my registration" in main_of(get)
    assert "first person on the waiting list" in main_of(get)
    assert Registration.objects.get(pk=holder.pk).state == State.CONFIRMED

    post = client.post(cancel_url(holder))
    assert (post.status_code, post["Location"]) == (302, cancel_url(holder))
    assert Registration.objects.get(pk=holder.pk).state == State.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).state == State.CONFIRMED
    after = main_of(client.get(cancel_url(holder)))
    assert "Your registration was cancelled." in after
    assert "This registration is cancelled." in after
    assert client.post(cancel_url(holder)).status_code == 302  # again: harmless


@pytest.mark.parametrize("name", ["workshops:registration_confirm", "workshops:registration_cancel"])
def test_an_unknown_key_is_404(client, name):
    url = reverse(name, kwargs={"key": uuid.uuid4()})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(f"/talleres/inscripcion/no-es-uuid/{url.rsplit('/', 2)[-2]}/").status_code == 404


@pytest.mark.parametrize("name", ["workshops:registration_confirm", "workshops:registration_cancel"])
def test_link_pages_queries_do_not_grow(client, name):
    counts = []
    for batch in (3, 30):
        event = EventFactory(capacity=5)
        RegistrationFactory.create_batch(
            batch, event=event, state=State.WAITING, waiting_since=timezone.now()
        )
        last = Registration.objects.filter(event=event).order_by("-pk").first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, kwargs={"key": last.key})).status_code == 200
        counts.append(len(queries))
    assert counts == [3, 3]


# --- The box on the event's page ------------------------------------------------------------------
def render_box(event, user=None) -> tuple[str, int]:
    request = RequestFactory().get(event.get_absolute_url())
    from django.contrib.auth.models import AnonymousUser

    request.user = user or AnonymousUser()
    template = Template("{% load registration %}{% registration_box event %}")
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"request": request, "event": event}))
    return html, len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_box_takes_at_most_two_queries_at_any_volume(citizen, signed_in):
    from django.utils import translation

    for batch in (3, 30):
        event = EventFactory(capacity=3)  # full at both volumes
        RegistrationFactory.create_batch(batch, event=event, state=State.CONFIRMED)
        RegistrationFactory.create_batch(
            batch, event=event, state=State.WAITING, waiting_since=timezone.now()
        )
        if signed_in:
            RegistrationFactory(event=event, user=citizen, email=citizen.email, state=State.WAITING,
                                waiting_since=timezone.now())  # fmt: skip
        with translation.override("en"):
            html, queries = render_box(event, citizen if signed_in else None)
        assert queries == (2 if signed_in else 1)
        assert "Full" in html
        assert (
            f"{batch + signed_in} {'person' if batch + signed_in == 1 else 'people'} on the waiting list"
            in html
        )
        if signed_in:
            assert f"number {batch + 1} on the list" in html
            mine = Registration.objects.get(event=event, user=citizen)
            assert cancel_url(mine) in html


def test_box_states_in_words():
    from django.utils import translation

    closes = timezone.now() - datetime.timedelta(hours=1)
    soon = timezone.now() + datetime.timedelta(days=1)
    cases = [
        (EventFactory(capacity=20), "20 places left of 20."),
        (EventFactory(state=EventState.CANCELLED, cancel_reason="Huaico"), "This event was cancelled"),
        (EventFactory(state=EventState.HELD), "already been held"),
        (undated(), "This event takes no registrations."),
        (EventFactory(registration_opens_at=soon), "Registration opens on"),
        (EventFactory(registration_opens_at=closes - datetime.timedelta(days=1),
                      registration_closes_at=closes), "Registration closed on"),
    ]  # fmt: skip
    for event, text in cases:
        with translation.override("en"):
            html, queries = render_box(event)
        assert text in html, (event.state, text)
        assert "<form" not in html
        assert "csrf" not in html
        assert queries <= 1
    open_html = render_box(cases[0][0])[0]
    assert register_url(cases[0][0]) in open_html


def test_event_page_shows_the_box_without_a_csrf_token_and_flat_queries(client, django_assert_num_queries):
    counts = []
    for batch in (3, 30):
        event = EventFactory(capacity=10)
        RegistrationFactory.create_batch(batch, event=event)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert register_url(event) in html
        assert "csrfmiddlewaretoken" not in html
        assert not response.cookies
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_event_page_shows_a_signed_in_person_their_registration(client, citizen):
    event = EventFactory()
    mine = RegistrationFactory(event=event, user=citizen, email=citizen.email)
    client.force_login(citizen)
    html = main_of(client.get(event.get_absolute_url()))
    assert "Your registration:" in html
    assert cancel_url(mine) in html


def test_a_cancelled_registration_is_not_shown_as_active_and_a_new_one_is_possible(client, citizen):
    event = EventFactory()
    RegistrationFactory(event=event, user=citizen, email=citizen.email, state=State.CANCELLED)
    client.force_login(citizen)
    assert "Your registration:" not in main_of(client.get(event.get_absolute_url()))
    main = main_of(client.post(register_url(event), form_data()))
    assert "You are registered" in main
