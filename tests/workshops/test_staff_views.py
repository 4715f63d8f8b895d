"""The Secretaría's pages for events, attendance and documents (/gestion/talleres/): who may open them,
what they show, what a POST does, what is kept after an error, and queries that do not grow with data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from paga.models import ActorType
from tests.commitments.factories import SCRIPT, current_plan
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import services
from workshops.models import Attendance, Document, DocumentType, Event, EventState, EventTransition, Kind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROLES = (
    "anonymous",
    "citizen",
    "other_citizen",
    "reviewer",
    "other_reviewer",
    "secretariat",
    "administrator",
)
ALLOWED = {"secretariat", "administrator"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    current_plan()
    return settings.MEDIA_ROOT


def signed_in(client, user) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff(client, secretariat):
    return signed_in(client, secretariat)


def started(**kw) -> Event:
    now = timezone.now()
    kw.setdefault("starts_at", now - datetime.timedelta(hours=1))
    kw.setdefault("ends_at", now + datetime.timedelta(hours=5))
    kw.setdefault("registration_opens_at", now - datetime.timedelta(days=10))
    kw.setdefault("registration_closes_at", now - datetime.timedelta(days=1))
    return EventFactory(**kw)


def error_summary(html: str) -> str:
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


# --- Who may open what -----------------------------------------------------------------------------
GET_PAGES = {
    "events": lambda e: reverse("workshops:staff_events"),
    "create": lambda e: reverse("workshops:staff_event_create"),
    "event": lambda e: reverse("workshops:staff_event", args=[e.slug]),
    "edit": lambda e: reverse("workshops:staff_event_edit", args=[e.slug]),
    "csv": lambda e: reverse("workshops:staff_registrations_csv", args=[e.slug]),
    "attendance": lambda e: reverse("workshops:staff_attendance", args=[e.slug]),
    "documents": lambda e: reverse("workshops:staff_documents"),
    "upload": lambda e: reverse("workshops:staff_document_upload"),
}
POST_ONLY = {
    "held": lambda e: reverse("workshops:staff_event_held", args=[e.slug]),
    "cancel": lambda e: reverse("workshops:staff_event_cancel", args=[e.slug]),
    "reschedule": lambda e: reverse("workshops:staff_event_reschedule", args=[e.slug]),
    "check in": lambda e: reverse("workshops:staff_check_in", args=[e.slug]),
    "walk-in": lambda e: reverse("workshops:staff_walk_in", args=[e.slug]),
}


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_answer_each_role(request, client, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    signed_in(client, user)
    event = started()
    RegistrationFactory(event=event)
    for name, url_of in {**GET_PAGES, **POST_ONLY}.items():
        url = url_of(event)
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("account_login")), name
        elif role not in ALLOWED:
            assert response.status_code == 403, name
        else:
            assert response.status_code == (405 if name in POST_ONLY else 200), name
    # An empty POST changes nothing for anyone but staff (and for staff, refuses with a message).
    for name, url_of in POST_ONLY.items():
        response = client.post(url_of(event))
        expected = {"anonymous": 302}.get(role, 200 if role in ALLOWED else 403)
        assert response.status_code == expected, name
    assert Event.objects.get().state == EventState.SCHEDULED
    assert not Attendance.objects.exists()


def test_an_unknown_event_is_404(staff):
    assert staff.get(reverse("workshops:staff_event", args=["no-existe"])).status_code == 404
    assert staff.get(reverse("workshops:staff_attendance", args=["no-existe"])).status_code == 404


def test_posts_need_the_csrf_token(secretariat):
    event = started()
    client = signed_in(Client(enforce_csrf_checks=True), secretariat)
    response = client.post(
        reverse("workshops:staff_event_cancel", args=[event.slug]), {"cancelar-reason": "Lluvias"}
    )
    assert response.status_code == 403
    assert Event.objects.get().state == EventState.SCHEDULED


def test_the_staff_area_links_to_the_events_desk(staff, citizen):
    link = f'href="{reverse("workshops:staff_events")}"'
    assert link in staff.get(reverse("paga:home")).content.decode()
    other = signed_in(Client(), citizen)
    assert link not in other.get(reverse("paga:home")).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "citizen", "reviewer"])
def test_only_staff_remove_an_attendance(request, client, secretariat, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    signed_in(client, user)
    event = started()
    came = services.check_in(registration=RegistrationFactory(event=event), actor=secretariat)
    response = client.post(reverse("workshops:staff_undo_check_in", args=[event.slug, came.pk]))
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert Attendance.objects.filter(pk=came.pk).exists()


# --- Events list, create, edit ---------------------------------------------------------------------
def test_the_list_shows_every_state_and_filters_by_kind_and_state(staff, secretariat):
    scheduled = EventFactory(title="Taller La Libertad")
    cancelled = EventFactory(title="Taller San Martín")
    services.cancel_event(event=cancelled, actor=secretariat, reason="Lluvias")
    table = EventFactory(title="Mesa de salud", kind=Kind.THEMATIC_TABLE)
    RegistrationFactory.create_batch(2, event=scheduled)
    html = staff.get(reverse("workshops:staff_events")).content.decode()
    for event in (scheduled, cancelled, table):
        assert escape(event.title) in html
    html = staff.get(reverse("workshops:staff_events"), {"estado": EventState.CANCELLED}).content.decode()
    assert "Taller San Martín" in html
    assert "Taller La Libertad" not in html
    html = staff.get(reverse("workshops:staff_events"), {"tipo": Kind.THEMATIC_TABLE}).content.decode()
    assert "Mesa de salud" in html
    assert "Taller La Libertad" not in html


def event_form(**changes) -> dict:
    data = {
        "kind": Kind.REGIONAL_WORKSHOP,
        "title": f"Taller regional «Ñandú» {SCRIPT}",
        "summary": "Propuestas de la región",
        "venue": "Auditorio",
        "starts_at": "2030-10-02T09:00",
        "ends_at": "2030-10-02T17:00",
        "capacity": "30",
        "registration_opens_at": "2030-09-01T00:00",
        "registration_closes_at": "2030-10-01T18:00",
        "agenda": "9:00 Bienvenida",
    }
    data.update(changes)
    return data


def test_creating_an_event_from_the_form(staff):
    response = staff.post(reverse("workshops:staff_event_create"), event_form())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:staff_event", args=[event.slug])
    assert event.starts_at == datetime.datetime(2030, 10, 2, 14, tzinfo=datetime.UTC)  # 9:00 in Lima
    assert (event.capacity, event.title) == (30, f"Taller regional «Ñandú» {SCRIPT}")


def test_an_error_keeps_what_was_typed_and_names_the_field(staff):
    response = staff.post(
        reverse("workshops:staff_event_create"), event_form(ends_at="2030-10-02T08:00", venue="Casa «Ñ»")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The event must end after it starts." in error_summary(html)
    assert 'href="#id_ends_at"' in error_summary(html)
    assert 'value="Casa «Ñ»"' in html
    assert 'value="2030-10-02T08:00"' in html
    assert escape(SCRIPT) in html
    assert SCRIPT not in html
    assert not Event.objects.exists()


def test_editing_shows_the_event_in_lima_time_and_saves_it(staff):
    event = EventFactory(capacity=10)
    RegistrationFactory.create_batch(3, event=event)
    url = reverse("workshops:staff_event_edit", args=[event.slug])
    html = staff.get(url).content.decode()
    assert f'value="{timezone.localtime(event.starts_at):%Y-%m-%dT%H:%M}"' in html
    assert "everyone registered gets an email with the new details" in html  # before saving a new date
    response = staff.post(url, event_form(capacity="2"))
    assert "3 people hold a confirmed place" in error_summary(response.content.decode())
    response = staff.post(url, event_form(capacity="3", title="Nuevo título"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Nuevo título", 3)


# --- The event's page ------------------------------------------------------------------------------
def test_the_event_page_lists_registrations_with_names_counts_and_history(staff, secretariat):
    event = EventFactory()
    people = RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, state="en_espera", name="Persona en espera")
    html = staff.get(reverse("workshops:staff_event", args=[event.slug])).content.decode()
    for person in people:
        assert escape(person.name) in html
        assert person.email in html
    assert "Persona en espera" in html
    assert reverse("workshops:staff_registrations_csv", args=[event.slug]) in html


def test_cancelling_from_the_page_needs_a_reason_kept_on_error(staff, secretariat):
    event = EventFactory()
    url = reverse("workshops:staff_event_cancel", args=[event.slug])
    response = staff.post(url, {"cancelar-reason": ""})
    assert response.status_code == 200
    assert "Give the reason for cancelling" in error_summary(response.content.decode())
    response = staff.post(url, {"cancelar-reason": "Paro de transportistas"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.state, event.cancel_reason) == (EventState.CANCELLED, "Paro de transportistas")
    html = staff.get(reverse("workshops:staff_event", args=[event.slug])).content.decode()
    assert "Paro de transportistas" in html
    assert "Schedule the event again" in html


def test_marking_a_future_event_held_is_refused_on_the_page(staff):
    event = EventFactory()
    response = staff.post(
        reverse("workshops:staff_event_held", args=[event.slug]),
        {"realizado-reason": "Nota", "realizado-confirm": "si"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "mark it as held once it has started" in html
    assert "Nota</textarea>" in html
    assert not EventTransition.objects.exists()


def test_the_csv_has_every_registration_and_guards_formulas(staff):
    event = started()
    came = RegistrationFactory(event=event, name='=HYPERLINK("http://x")', organisation="Red «Muqui»")
    RegistrationFactory(event=event, state="cancelado")
    services.check_in(registration=came, actor=UserFactory(groups=["secretaria"]))
    response = staff.get(reverse("workshops:staff_registrations_csv", args=[event.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("\"'=HYPERLINK")
    assert "Red «Muqui»" in lines[1]
    assert lines[1].endswith(",yes")


# --- Attendance ------------------------------------------------------------------------------------
def test_checking_in_walk_ins_and_undo_from_the_attendance_page(staff):
    event = started()
    first, second = RegistrationFactory.create_batch(2, event=event)
    url = reverse("workshops:staff_attendance", args=[event.slug])
    response = staff.post(
        reverse("workshops:staff_check_in", args=[event.slug]), {"inscripciones": [first.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert Attendance.objects.get().registration == first
    response = staff.post(
        reverse("workshops:staff_walk_in", args=[event.slug]),
        {
            "sin_inscripcion-name": "",
            "sin_inscripcion-organisation": "Red Muqui",
            "sin_inscripcion-gender": "femenino",
        },
    )
    html = response.content.decode()
    assert "Give the name of the person who came." in error_summary(html)
    assert 'value="Red Muqui"' in html
    response = staff.post(
        reverse("workshops:staff_walk_in", args=[event.slug]),
        {
            "sin_inscripcion-name": "Rosa Quispe",
            "sin_inscripcion-actor_type": ActorType.CIVIL_SOCIETY,
            "sin_inscripcion-gender": "femenino",
        },
    )
    assert response.status_code == 302
    html = staff.get(url).content.decode()
    assert "Rosa Quispe" in html
    assert escape(second.name) in html
    checked = Attendance.objects.get(registration=first)
    response = staff.post(reverse("workshops:staff_undo_check_in", args=[event.slug, checked.pk]))
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("name", flat=True)) == ["Rosa Quispe"]


def test_an_empty_check_in_keeps_the_ticks_and_says_what_to_do(staff):
    event = started()
    came = RegistrationFactory(event=event, name="Ana Came")
    Attendance.objects.create(event=event, registration=came, name=came.name, actor_type=came.actor_type)
    waiting = RegistrationFactory(event=event, name="Zoe Espera")  # after Ana: the first box to tick
    response = staff.post(reverse("workshops:staff_check_in", args=[event.slug]), {})
    html = response.content.decode()
    assert "Select at least one person to check in." in error_summary(html)
    # The summary's line links to the first box still to tick, marked invalid and described by the error.
    box = f"inscripcion-{waiting.pk}"
    assert f'<a href="#{box}">Select at least one person to check in.</a>' in error_summary(html)
    assert re.search(rf'id="{box}"[^>]* aria-invalid="true"', html)
    assert 'aria-describedby="id_inscripciones_error"' in html
    assert 'id="id_inscripciones_error"' in html


def test_a_future_event_shows_why_attendance_waits(staff):
    event = EventFactory()
    RegistrationFactory(event=event)
    html = staff.get(reverse("workshops:staff_attendance", args=[event.slug])).content.decode()
    assert "Attendance is recorded from the day of the event" in html
    assert 'name="inscripciones"' not in html


# --- Documents -------------------------------------------------------------------------------------
def document_form(**changes) -> dict:
    data = {
        "title": "Acta de la mesa «Ñandú»",
        "doc_type": DocumentType.MINUTES,
        "dated": "2017-10-13",
        "upload": SimpleUploadedFile("acta.pdf", PDF, content_type="application/pdf"),
    }
    data.update(changes)
    return data


def test_uploading_a_document_of_an_event(staff):
    event = EventFactory()
    html = staff.get(reverse("workshops:staff_document_upload"), {"evento": event.slug}).content.decode()
    assert f'<option value="{event.pk}" selected>' in html
    response = staff.post(reverse("workshops:staff_document_upload"), document_form(event=event.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:staff_event", args=[event.slug])
    document = Document.objects.get()
    assert (document.event, document.original_name) == (event, "acta.pdf")
    html = staff.get(reverse("workshops:staff_documents")).content.decode()
    assert escape("Acta de la mesa «Ñandú»") in html
    assert reverse("workshops:document_download", args=[document.pk]) in html


def test_a_fake_pdf_is_refused_on_the_form_keeping_what_was_typed(staff):
    fake = SimpleUploadedFile("acta.pdf", b"<html>no</html>", content_type="application/pdf")
    response = staff.post(reverse("workshops:staff_document_upload"), document_form(upload=fake))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape("is not really a PDF file") in error_summary(html)
    assert 'href="#id_upload"' in error_summary(html)
    assert escape("Acta de la mesa «Ñandú»") in html
    assert 'value="2017-10-13"' in html
    assert "choose the file again" in html
    assert not Document.objects.exists()


# --- Queries do not grow with data -----------------------------------------------------------------
def fill(event: Event, n: int, actor) -> None:
    regs = RegistrationFactory.create_batch(n, event=event)
    for r in regs[: n // 2]:
        services.check_in(registration=r, actor=actor)
    services.add_walk_in(event=event, actor=actor, name=f"Visitante {n}", actor_type=ActorType.ACADEMIA)


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        ("events", 5),
        ("event", 11),
        ("attendance", 9),
        ("csv", 5),  # the download is written to the audit log (paga/audit.py)
        ("edit", 8),
        ("create", 6),
        ("documents", 5),
        ("upload", 5),
    ],
)
def test_staff_pages_run_the_same_queries_at_two_volumes(
    staff, secretariat, django_assert_num_queries, page, queries
):
    event = started()
    for batch in (3, 30):
        fill(event, batch, secretariat)
        for _ in range(batch // 3):
            other = EventFactory()
            RegistrationFactory(event=other)
            services.upload_document(
                plan=current_plan(),
                actor=secretariat,
                upload=SimpleUploadedFile("acta.pdf", PDF),
                title="Acta",
                doc_type=DocumentType.MINUTES,
                dated=datetime.date(2017, 10, 13),
                event=other,
            )
        with django_assert_num_queries(queries):
            response = staff.get(GET_PAGES[page](event))
        assert response.status_code == 200
