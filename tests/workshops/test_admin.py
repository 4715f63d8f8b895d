"""The back office for workshops follows workshops/rules.py: the Secretaría configures events, documents'
titles, decisions and the forum; only administrators delete; registrations, attendance, inputs and state
changes are seen, never added, changed or deleted from here (not even by administrators); files are
uploaded only through the Secretaría's pages."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile
from django.utils import timezone

from paga.models import GovernmentPriority, Theme, User
from tests.commitments.factories import CommitmentFactory, current_plan
from tests.factories import TOTP_SECRET
from tests.workshops.factories import EventFactory, RegistrationFactory, region
from workshops.models import (
    Attendance,
    Decision,
    Document,
    Event,
    EventState,
    EventTransition,
    Forum,
    ForumMember,
    Registration,
    TableDecision,
)

pytestmark = pytest.mark.django_db

BASE = "/administracion/workshops"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def document(event: Event, uploader) -> Document:
    doc = Document(
        plan=event.plan,
        event=event,
        title="Acta del taller",
        doc_type="acta",
        original_name="acta.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        dated=datetime.date(2017, 9, 21),
        uploaded_by=uploader,
    )
    doc.file.save("acta.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    doc.save()
    return doc


def test_the_secretariat_views_and_changes_events_but_cannot_delete_them(client, secretariat):
    event = EventFactory()
    client.force_login(secretariat)

    assert "workshops" in client.get("/administracion/").content.decode()
    listing = client.get(f"{BASE}/event/", {"kind__exact": "taller_regional", "state__exact": "programado"})
    assert listing.status_code == 200
    assert event.slug in client.get(f"{BASE}/event/{event.pk}/change/").content.decode()
    page = client.get(f"{BASE}/event/{event.pk}/change/").content.decode()
    assert 'name="proposals"' in page
    assert 'name="themes"' in page
    add = client.get(f"{BASE}/event/add/")
    assert add.status_code == 200
    assert 'name="slug"' in add.content.decode()
    assert 'name="state"' not in add.content.decode()
    assert client.get(f"{BASE}/event/{event.pk}/delete/").status_code == 403
    assert client.post(f"{BASE}/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_secretariat_saves_an_event_with_themes_and_proposals_but_not_its_state_or_slug(
    client, secretariat
):
    event = EventFactory()
    slug = event.slug
    priority = GovernmentPriority.objects.create(
        plan=event.plan, name="Ambiente", slug="ambiente", source="CEPLAN"
    )
    theme = Theme.objects.create(plan=event.plan, name="Ambiente", slug="ambiente", priority=priority)
    proposal = CommitmentFactory()
    client.force_login(secretariat)
    data = {
        "plan": event.plan_id,
        "kind": event.kind,
        "slug": "otra-direccion",
        "title": "Taller regional Arequipa (cambiado)",
        "summary": "",
        "themes": [theme.pk],
        "region": event.region_id,
        "province": "",
        "venue": "",
        "address": "",
        "starts_at_0": "2030-01-02",
        "starts_at_1": "10:00:00",
        "ends_at_0": "2030-01-02",
        "ends_at_1": "17:00:00",
        "capacity": "",
        "agenda": "",
        "state": EventState.CANCELLED,
        "cancel_reason": "Se cambió aquí",
        "proposals": [proposal.pk],
    }

    response = client.post(f"{BASE}/event/{event.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title == "Taller regional Arequipa (cambiado)"
    assert list(event.themes.all()) == [theme]
    assert list(event.proposals.all()) == [proposal]
    # The state changes only through the services (recorded, registrants told); the address stays.
    assert (event.state, event.cancel_reason, event.slug) == (EventState.SCHEDULED, "", slug)
    assert not EventTransition.objects.exists()


def test_administrators_delete_an_event_without_registrations_not_one_with(client, administrator):
    bare = EventFactory()
    taken = RegistrationFactory().event
    client.force_login(administrator)

    assert client.get(f"{BASE}/event/{bare.pk}/delete/").status_code == 200
    assert client.post(f"{BASE}/event/{bare.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=bare.pk).exists()
    client.post(f"{BASE}/event/{taken.pk}/delete/", {"post": "yes"})
    assert Event.objects.filter(pk=taken.pk).exists()  # its registrations protect it


@pytest.mark.parametrize("user", ["secretariat", "administrator"])
def test_records_are_view_only_for_every_staff_role(client, request, user):
    staff = request.getfixturevalue(user)
    registration = RegistrationFactory()
    event = registration.event
    attendance = Attendance.objects.create(
        event=event, registration=registration, name="Ana", actor_type="academia"
    )
    transition = EventTransition.objects.create(
        event=event, from_state="programado", to_state="realizado", actor=staff, reason="Se realizó"
    )
    client.force_login(staff)

    for model, obj in [
        ("registration", registration),
        ("attendance", attendance),
        ("eventtransition", transition),
    ]:
        assert client.get(f"{BASE}/{model}/").status_code == 200
        assert client.get(f"{BASE}/{model}/{obj.pk}/change/").status_code == 200  # the read-only view
        assert client.get(f"{BASE}/{model}/add/").status_code == 403
        assert client.post(f"{BASE}/{model}/{obj.pk}/change/", {}).status_code == 403
        assert client.post(f"{BASE}/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{BASE}/eventinput/").status_code == 200
    assert client.get(f"{BASE}/eventinput/add/").status_code == 403
    assert Registration.objects.get().state == Registration.State.CONFIRMED
    assert Attendance.objects.count() == EventTransition.objects.count() == 1


def test_documents_are_not_added_here_and_their_file_is_read_only(client, secretariat):
    event = EventFactory()
    doc = document(event, secretariat)
    client.force_login(secretariat)

    assert client.get(f"{BASE}/document/add/").status_code == 403
    page = client.get(f"{BASE}/document/{doc.pk}/change/").content.decode()
    assert 'name="title"' in page
    assert 'name="dated"' in page
    for measured in ("file", "sha256", "size", "original_name", "content_type"):
        assert f'name="{measured}"' not in page
    response = client.post(
        f"{BASE}/document/{doc.pk}/change/",
        {
            "plan": doc.plan_id,
            "event": event.pk,
            "stage": "",
            "title": "Acta del taller (corregida)",
            "doc_type": "acta",
            "dated": "2017-09-21",
            "sha256": "f" * 64,
            "size": 1,
        },
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.sha256, doc.size, doc.original_name) == (
        "Acta del taller (corregida)",
        "0" * 64,
        9,
        "acta.pdf",
    )
    assert client.get(f"{BASE}/document/{doc.pk}/delete/").status_code == 403


def test_table_decisions_are_seen_and_changed_never_added_or_deleted(client, secretariat, administrator):
    event = EventFactory(kind="mesa_nacional")
    commitment = CommitmentFactory()
    decision = TableDecision.objects.create(
        event=event, commitment=commitment, decision=Decision.CONSENSUS, recorded_by=secretariat
    )
    client.force_login(secretariat)

    assert client.get(f"{BASE}/tabledecision/").status_code == 200
    assert client.get(f"{BASE}/tabledecision/add/").status_code == 403
    response = client.post(
        f"{BASE}/tabledecision/{decision.pk}/change/",
        {
            "decision": Decision.WITH_RESERVATIONS,
            "notes": "Con reservas del sector privado",
            "sectors_present": "[]",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.decision, decision.event_id, decision.commitment_id) == (
        Decision.WITH_RESERVATIONS,
        event.pk,
        commitment.pk,
    )
    client.force_login(administrator)
    assert client.get(f"{BASE}/tabledecision/{decision.pk}/delete/").status_code == 403


def test_the_forum_with_its_members_inline(client, secretariat):
    forum = Forum.objects.create(plan=current_plan(), name="Foro Multiactor")
    ForumMember.objects.create(forum=forum, organisation="Proética", sector="sociedad_civil")
    client.force_login(secretariat)

    page = client.get(f"{BASE}/forum/{forum.pk}/change/")
    assert page.status_code == 200
    assert "members-TOTAL_FORMS" in page.content.decode()
    assert "Proética" in page.content.decode()
    assert client.get(f"{BASE}/forum/{forum.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_other_roles_get_nothing(client, request, role):
    user = request.getfixturevalue(role)
    EventFactory(region=region("Cusco"), registration_closes_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(user)

    assert client.get(f"{BASE}/event/").status_code == 302  # to the admin's sign-in
    assert client.get(f"{BASE}/registration/").status_code == 302
    assert not user.has_perm("workshops.view_event")
    assert not user.has_perm("workshops.view_registration")


def test_every_back_office_page_of_the_example_opens_for_the_secretariat(client, example_plan):
    secretary = User.objects.get(email="secretaria@cocrea.example")
    TOTP.activate(secretary, TOTP_SECRET)  # staff pages need an authenticator app (paga/staff_security.py)
    client.force_login(secretary)
    for model in ("event", "document", "forum", "tabledecision", "registration", "attendance", "eventinput"):
        assert client.get(f"{BASE}/{model}/").status_code == 200, model
    assert client.get(f"{BASE}/event/", {"kind__exact": "mesa_tematica"}).status_code == 200
    for event in Event.objects.all():
        assert client.get(f"{BASE}/event/{event.pk}/change/").status_code == 200, event.slug
    attendance = Attendance.objects.first()
    assert client.get(f"{BASE}/attendance/{attendance.pk}/change/").status_code == 200
    for forum in Forum.objects.all():  # the example's and the demonstration plan's (paga/demo.py)
        assert client.get(f"{BASE}/forum/{forum.pk}/change/").status_code == 200, forum.name
