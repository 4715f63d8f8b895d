"""consultations/example.py: the 2017 forum on the 25 proposals and the self-assessment consultation,
loaded twice without duplicates; its few contributions are illustrative and say so."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from commitments.models import OriginKind
from consultations import selectors
from consultations.example import FORUM, REPORT
from consultations.models import Consultation, Contribution, Paragraph, Response

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def forum(example_plan) -> Consultation:
    return Consultation.objects.get(slug=FORUM["slug"])


@pytest.fixture
def report(example_plan) -> Consultation:
    return Consultation.objects.get(slug=REPORT["slug"])


def counts(plan) -> dict[str, int]:
    """The example plan's rows (the demonstration plan, paga/demo.py, has its own)."""
    return {
        "Consultation": Consultation.objects.filter(plan=plan).count(),
        "Paragraph": Paragraph.objects.filter(consultation__plan=plan).count(),
        "Contribution": Contribution.objects.filter(consultation__plan=plan).count(),
        "Response": Response.objects.filter(contribution__consultation__plan=plan).count(),
    }


def test_loading_the_example_twice_duplicates_no_consultation_paragraph_contribution_or_response(
    example_plan,
):
    first = counts(example_plan)
    call_command("load_example", stdout=io.StringIO())

    assert counts(example_plan) == first
    assert first["Consultation"] == 2
    assert first["Paragraph"] == 5
    assert 0 < first["Response"] < first["Contribution"] <= 6


def test_the_forum_consults_the_25_seed_proposals_in_its_window_in_lima_time(forum):
    items = list(forum.items.all())
    opens, closes = forum.opens_at.astimezone(LIMA), forum.closes_at.astimezone(LIMA)

    assert forum.title == "Foro virtual: propuestas de compromisos"
    assert (forum.kind, forum.publication, forum.is_illustrative) == (
        Consultation.Kind.ITEMS,
        Consultation.Publication.AT_ONCE,
        False,
    )
    assert len(items) == 25
    assert {c.origin_kind for c in items} == {OriginKind.THEMATIC_TABLE, OriginKind.REGIONAL_WORKSHOP}
    assert not any(c.is_illustrative for c in items)
    assert (opens.date(), opens.hour, opens.minute) == (datetime.date(2017, 9, 22), 0, 0)
    assert (closes.date(), closes.hour, closes.minute) == (datetime.date(2017, 10, 6), 23, 59)
    assert "respuesta fundamentada" in forum.rules


def test_the_self_assessment_consultation_has_five_illustrative_paragraphs(report):
    paragraphs = list(report.paragraphs.all())
    opens, closes = report.opens_at.astimezone(LIMA), report.closes_at.astimezone(LIMA)

    assert report.title == "Consulta del Informe Final de Autoevaluación del PAGA 2015-2016"
    assert (report.kind, report.is_illustrative) == (Consultation.Kind.DOCUMENT, True)
    assert (opens.date(), closes.date()) == (datetime.date(2017, 9, 29), datetime.date(2017, 10, 13))
    assert [(p.key, p.number) for p in paragraphs] == [(f"p-{n}", str(n)) for n in range(1, 6)]
    assert all(p.text.startswith("Texto ilustrativo") for p in paragraphs)


def test_example_contributions_are_few_illustrative_and_inside_their_window(example_plan):
    contributions = list(
        Contribution.objects.filter(consultation__plan=example_plan).select_related("consultation", "author")
    )

    assert contributions
    for contribution in contributions:
        assert "(ejemplo ilustrativo)" in contribution.text
        assert contribution.consultation.is_open(contribution.created)
        assert (
            contribution.author.email in {"ciudadana@cocrea.example", "ciudadano@cocrea.example"}
            if contribution.author
            else contribution.given_name == "Asociación de ejemplo (ilustrativo)"
        )


def test_example_responses_are_published_and_linked_as_their_disposition_requires(forum):
    report = selectors.responses_report(forum)

    responses = Response.objects.filter(contribution__consultation__plan=forum.plan)
    assert report.answered == responses.count() >= 2
    assert report.awaiting >= 1
    assert forum.responses_published_at is not None
    for response in responses:
        assert response.published_at is not None
        assert response.commitment_version is not None
        assert response.commitment_version.commitment.is_illustrative
