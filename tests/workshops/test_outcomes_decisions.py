"""Proposals an event produced, and the national tables' decisions on the proposals they discussed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from commitments.models import Commitment, OriginKind, Status
from paga.models import ActorType, GovernmentPriority, Theme
from tests.commitments.factories import SCRIPT, CommitmentFactory, current_plan
from tests.workshops._outcomes import held_event, national_table
from tests.workshops.factories import EventFactory, region
from workshops import outcomes
from workshops.models import Decision, Kind, TableDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def a_theme(name="Educación") -> Theme:
    plan = current_plan()
    priority, _ = GovernmentPriority.objects.get_or_create(
        plan=plan, slug="educacion", defaults={"name": name}
    )
    return Theme.objects.create(plan=plan, name=name, slug="tema-educacion", priority=priority)


# --- Proposals produced ----------------------------------------------------------------------------
def test_a_new_proposal_from_a_regional_workshop_carries_it_as_its_origin(secretariat):
    event = held_event(region=region("San Martín"))
    made = outcomes.create_proposal(event=event, actor=secretariat, title="  Agua segura «Ñ» ", problem="P")
    made.refresh_from_db()
    assert made.title == "Agua segura «Ñ»"
    assert (made.origin_kind, made.origin_region.name) == (OriginKind.REGIONAL_WORKSHOP, "San Martín")
    assert made.status == Status.PROPOSED
    assert list(made.origin_events.all()) == [event]
    assert made.versions.count() == 1  # written through commitments' service


@pytest.mark.parametrize(
    ("kind", "origin"),
    [
        (Kind.THEMATIC_TABLE, OriginKind.THEMATIC_TABLE),
        (Kind.NATIONAL_TABLE, OriginKind.NATIONAL_TABLE),
        (Kind.FORUM_SESSION, OriginKind.OTHER),
    ],
)
def test_the_origin_kind_follows_the_event_kind(secretariat, kind, origin):
    made = outcomes.create_proposal(event=held_event(kind=kind), actor=secretariat, title="T")
    assert made.origin_kind == origin


def test_linking_and_unlinking_an_existing_proposal(client, secretariat, english):
    event = held_event()
    proposal = CommitmentFactory(number=51, status=Status.IN_CONSULTATION, title="Catastro «Ñ» abierto")
    client.force_login(secretariat)
    url = reverse("workshops:outcomes_proposals", args=[event.slug])
    assert client.post(url, {"proposal": str(proposal.pk)}).status_code == 302
    assert list(event.proposals.all()) == [proposal]
    with pytest.raises(ValidationError):
        outcomes.link_proposal(event=event, commitment=proposal, actor=secretariat)
    page = client.get(url)
    assert proposal.title in page.content.decode()
    unlink = reverse("workshops:outcomes_proposal_unlink", args=[event.slug, proposal.pk])
    assert client.post(unlink).status_code == 302
    assert not event.proposals.exists()
    assert Commitment.objects.filter(pk=proposal.pk).exists()


def test_the_new_proposal_form_creates_and_credits(client, secretariat, english):
    event = held_event()
    client.force_login(secretariat)
    url = reverse("workshops:outcomes_proposal_new", args=[event.slug])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"title": ""})
    assert "Give the proposal a title." in empty.content.decode()
    assert client.post(url, {"title": "Catastro abierto", "problem": "Sin datos"}).status_code == 302
    assert event.proposals.get().title == "Catastro abierto"


def test_a_citizen_cannot_create_or_link(citizen):
    event = held_event()
    with pytest.raises(PermissionDenied):
        outcomes.create_proposal(event=event, actor=citizen, title="T")
    with pytest.raises(PermissionDenied):
        outcomes.link_proposal(event=event, commitment=CommitmentFactory(), actor=citizen)


# --- Decisions -------------------------------------------------------------------------------------
def test_record_then_edit_a_decision_one_per_table_and_proposal(client, secretariat, english):
    table = national_table()
    proposal = CommitmentFactory(number=61, status=Status.IN_CONSULTATION)
    table.proposals.add(proposal)
    client.force_login(secretariat)
    listing = client.get(reverse("workshops:outcomes_decisions", args=[table.slug]))
    assert listing.status_code == 200
    assert "No decision yet" in listing.content.decode()
    url = reverse("workshops:outcomes_decision", args=[table.slug, proposal.pk])
    empty = client.post(url, {"notes": "Se mantiene «Ñ»"})
    assert empty.status_code == 200
    assert "Choose the decision of the table." in empty.content.decode()
    assert "Se mantiene «Ñ»" in empty.content.decode()
    sent = {
        "decision": Decision.WITH_RESERVATIONS, "notes": "Reserva del gremio",
        "sectors_present": [ActorType.CIVIL_SOCIETY, ActorType.PUBLIC_ENTITY],
    }  # fmt: skip
    assert client.post(url, sent).status_code == 302
    saved = TableDecision.objects.get()
    assert saved.decision == Decision.WITH_RESERVATIONS
    assert saved.sectors_present == [
        ActorType.PUBLIC_ENTITY,
        ActorType.CIVIL_SOCIETY,
    ]  # in the vocabulary's order
    assert saved.recorded_by == secretariat
    assert client.get(url).context["form"].initial["decision"] == Decision.WITH_RESERVATIONS
    assert (
        client.post(url, {**sent, "decision": Decision.CONSENSUS, "sectors_present": []}).status_code == 302
    )
    assert TableDecision.objects.count() == 1
    saved.refresh_from_db()
    assert (saved.decision, saved.sectors_present) == (Decision.CONSENSUS, [])
    with pytest.raises(IntegrityError), transaction.atomic():
        TableDecision.objects.create(
            event=table, commitment=proposal, decision=Decision.NO_CONSENSUS, recorded_by=secretariat
        )


def test_discussed_proposals_are_the_linked_and_those_of_its_themes_under_discussion(secretariat):
    theme = a_theme()
    table = national_table()
    table.themes.add(theme)
    linked = CommitmentFactory(status=Status.WITHDRAWN)
    table.proposals.add(linked)
    of_theme = CommitmentFactory(theme=theme, status=Status.IN_CONSULTATION)
    merged = CommitmentFactory(theme=theme, status=Status.MERGED)
    other = CommitmentFactory(status=Status.IN_CONSULTATION)
    discussed = set(outcomes.discussed_proposals(table))
    assert discussed == {linked, of_theme}
    with pytest.raises(ValidationError) as exc:
        outcomes.record_decision(
            event=table, commitment=other, actor=secretariat, decision=Decision.CONSENSUS
        )
    assert exc.value.code == "commitment"
    assert merged not in discussed


def test_only_national_tables_that_met_record_decisions(client, secretariat):
    workshop = held_event()
    proposal = CommitmentFactory()
    workshop.proposals.add(proposal)
    with pytest.raises(ValidationError) as exc:
        outcomes.record_decision(event=workshop, commitment=proposal, actor=secretariat, decision="consenso")
    assert exc.value.code == "kind"
    client.force_login(secretariat)
    assert client.get(reverse("workshops:outcomes_decisions", args=[workshop.slug])).status_code == 404
    future = EventFactory(kind=Kind.NATIONAL_TABLE)
    future.proposals.add(proposal)
    with pytest.raises(ValidationError) as exc:
        outcomes.record_decision(event=future, commitment=proposal, actor=secretariat, decision="consenso")
    assert exc.value.code == "not_held_yet"
    table = national_table()
    table.proposals.add(proposal)
    for bad in ({"decision": "tal_vez"}, {"decision": "consenso", "sectors_present": ["marcianos"]}):
        with pytest.raises(ValidationError):
            outcomes.record_decision(event=table, commitment=proposal, actor=secretariat, **bad)
    assert not TableDecision.objects.exists()


def test_a_decision_shows_on_the_proposal_page_and_the_event_page_escaped(client, secretariat, english):
    table = national_table(title=f"Mesa nacional «Salud» {SCRIPT}")
    proposal = CommitmentFactory(number=62, status=Status.IN_CONSULTATION)
    table.proposals.add(proposal)
    outcomes.record_decision(
        event=table, commitment=proposal, actor=secretariat, decision=Decision.NO_CONSENSUS,
        notes=f"Sin acuerdo sobre el plazo {SCRIPT}", sectors_present=[ActorType.ACADEMIA],
    )  # fmt: skip
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Decisions of the national tables" in page
    assert "No consensus" in page
    assert "Academia" in page
    assert "Sin acuerdo sobre el plazo &lt;script&gt;" in page
    assert "Mesa nacional «Salud» &lt;script&gt;" in page
    assert f'href="{table.get_absolute_url()}"' in page
    assert SCRIPT not in page
    event_page = client.get(table.get_absolute_url()).content.decode()
    assert "No consensus" in event_page
    assert "Sin acuerdo sobre el plazo &lt;script&gt;" in event_page
    assert SCRIPT not in event_page
