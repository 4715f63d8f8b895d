"""The outcomes on the event's and the proposal's pages (template tags), their queries at two volumes,
escaping, and who may open the Secretaría's outcome pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from commitments.models import Status
from consultations import responses
from consultations.models import Disposition
from paga.models import ActorType
from tests.commitments.factories import SCRIPT, CommitmentFactory
from tests.workshops._outcomes import held_event, national_table, proposals_in_consultation
from workshops import outcomes
from workshops.models import Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(table, secretariat, total: int) -> int:
    """`total` proposals produced by the table, each decided, each with one contribution (half answered)."""
    have = table.proposals.count()
    items, _consultation = proposals_in_consultation(numbers=range(100 + have, 100 + total))
    for n, item in enumerate(items):
        table.proposals.add(item)
        outcomes.record_decision(
            event=table, commitment=item, actor=secretariat, decision=Decision.CONSENSUS,
            notes=f"Nota {n}", sectors_present=[ActorType.ACADEMIA],
        )  # fmt: skip
        made = outcomes.record_event_input(
            event=table, actor=secretariat, commitment=item, given_name=f"Org {n}", text="Texto"
        )
        if n % 2 == 0:
            responses.respond(
                contribution=made.contribution, actor=secretariat, disposition=Disposition.NOT_INCORPORATED,
                reason="Motivo",
            )  # fmt: skip
    return (len(items) + 1) // 2


def render_tag(source: str, **context) -> str:
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return Template("{% load outcomes %}" + source).render(Context({"request": request, **context}))


def test_event_outcomes_runs_two_queries_at_any_volume(secretariat, django_assert_num_queries, english):
    table = national_table()
    answered = 0
    for total in (3, 30):
        answered += grow(table, secretariat, total)
        with django_assert_num_queries(2):
            html = render_tag("{% event_outcomes event %}", event=table)
        assert html.count("<tr>") == total + 1  # header + one row per decision
        assert f"{total} contributions made at this event were recorded." in html
        assert f"{answered} have a published reasoned response." in html


def test_commitment_events_runs_one_query_at_any_volume(secretariat, django_assert_num_queries, english):
    proposal = CommitmentFactory(number=90, status=Status.IN_CONSULTATION)
    for total in (3, 30):
        while proposal.origin_events.count() < total:
            held_event().proposals.add(proposal)
            table = national_table()
            table.proposals.add(proposal)
            outcomes.record_decision(event=table, commitment=proposal, actor=secretariat, decision="consenso")
            table.proposals.remove(proposal)  # a decision stays even when the credit is withdrawn
        with django_assert_num_queries(1):
            html = render_tag("{% commitment_events commitment %}", commitment=proposal)
        assert html.count("Origin:") == total
        assert html.count('class="facts-block table-decision"') == total


def test_the_event_page_runs_the_same_queries_at_two_volumes(client, secretariat, english):
    table = national_table()
    counts = []
    for total in (3, 30):
        grow(table, secretariat, total)
        counts.append(count_queries(client, table.get_absolute_url()))
    assert counts[0] == counts[1], counts


def test_the_event_page_lists_produced_proposals_drafts_only_for_staff(client, secretariat, english):
    event = held_event()
    public = CommitmentFactory(status=Status.IN_CONSULTATION, title="Catastro «Ñ» abierto")
    draft = CommitmentFactory(status=Status.PROPOSED, title="Borrador interno")
    event.proposals.add(public, draft)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "What this event produced" in html
    assert "Catastro «Ñ» abierto" in html
    assert "Borrador interno" not in html
    assert "No contribution made at this event has been recorded yet." in html
    client.force_login(secretariat)
    assert "Borrador interno" in client.get(event.get_absolute_url()).content.decode()


def test_the_proposal_page_shows_its_origin_event_with_link_and_date(client, english):
    event = held_event(title=f"Taller «Arequipa» {SCRIPT}")
    proposal = CommitmentFactory(status=Status.IN_CONSULTATION, number=91)
    event.proposals.add(proposal)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Origin:" in html
    assert f'<a href="{event.get_absolute_url()}" lang="es">Taller «Arequipa» &lt;script&gt;' in html
    assert f'datetime="{outcomes.event_day(event):%Y-%m-%d}"' in html
    assert SCRIPT not in html


def test_names_and_texts_are_escaped_on_the_staff_list(client, secretariat):
    event = held_event()
    items, _consultation = proposals_in_consultation()
    outcomes.record_event_input(
        event=event,
        actor=secretariat,
        commitment=items[0],
        given_name=f"Org {SCRIPT}",
        text=f"Texto {SCRIPT}",
    )
    client.force_login(secretariat)
    html = client.get(reverse("workshops:outcomes_inputs", args=[event.slug])).content.decode()
    assert "Org &lt;script&gt;" in html
    assert "Texto &lt;script&gt;" in html
    assert SCRIPT not in html


# --- Who may open the Secretaría's outcome pages -----------------------------------------------------
ROLES = ("citizen", "other_citizen", "reviewer", "other_reviewer", "secretariat", "administrator")


def urls(event, table, proposal) -> list[tuple[str, bool]]:
    """(url, takes POST)"""
    return [
        (reverse("workshops:outcomes_inputs", args=[event.slug]), False),
        (reverse("workshops:outcomes_input_new", args=[event.slug]), True),
        (reverse("workshops:outcomes_input_import", args=[event.slug]), True),
        (reverse("workshops:outcomes_input_template", args=[event.slug]), False),
        (reverse("workshops:outcomes_proposals", args=[event.slug]), True),
        (reverse("workshops:outcomes_proposal_new", args=[event.slug]), True),
        (reverse("workshops:outcomes_decisions", args=[table.slug]), False),
        (reverse("workshops:outcomes_decision", args=[table.slug, proposal.pk]), True),
    ]


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_outcome_pages_by_role(client, request, role):
    event, table = held_event(), national_table()
    proposal = CommitmentFactory(status=Status.IN_CONSULTATION)
    table.proposals.add(proposal)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    unlink = reverse("workshops:outcomes_proposal_unlink", args=[event.slug, proposal.pk])
    for url, takes_post in urls(event, table, proposal):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        elif role in ("secretariat", "administrator"):
            assert response.status_code == 200, url
            post = client.post(url)
            assert post.status_code == (200 if takes_post else 405), url
        else:
            assert response.status_code == 403, url
            assert client.post(url).status_code == 403
    post = client.post(unlink)
    expected = {"anonymous": 302, "secretariat": 302, "administrator": 302}.get(role, 403)
    assert post.status_code == expected
    assert client.get(unlink).status_code == {"anonymous": 302}.get(role, 403 if expected == 403 else 405)


# --- The example -----------------------------------------------------------------------------------
CAM_CAR = "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)"


def test_the_example_workshop_and_its_proposal_show_each_other(client, example_plan, english):
    from commitments.models import Commitment
    from paga.models import User
    from workshops.models import Event

    workshop = Event.objects.get(slug="taller-regional-arequipa-2017")
    proposal = Commitment.objects.get(plan=example_plan, title=CAM_CAR)
    client.force_login(User.objects.filter(groups__name="secretaria").first())
    assert CAM_CAR in client.get(workshop.get_absolute_url()).content.decode()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Origin:" in page
    assert f'<a href="{workshop.get_absolute_url()}" lang="es">Taller regional Arequipa</a>' in page
    assert 'datetime="2017-10-02"' in page
