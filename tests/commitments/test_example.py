"""commitments/example.py: the seed's 25 proposals verbatim, and the two illustrative consolidations."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from commitments import services
from commitments.example import PROPOSALS
from commitments.models import (
    Commitment,
    LineageKind,
    LineageLink,
    OriginKind,
    Review,
    Status,
    Transition,
    Version,
)

S = Status
ATU = "Creación de la Autoridad de Transporte Urbano (ATU)"
CAM_CAR = "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)"


@pytest.fixture
def proposals(example_plan) -> list[Commitment]:
    return list(
        Commitment.objects.filter(plan=example_plan, number__isnull=True).select_related(
            "theme", "origin_region"
        )
    )


def test_example_has_the_25_seed_proposals_verbatim(proposals):
    titles = {p.title for p in proposals}

    assert len(proposals) == len(titles) == 25
    assert {
        "Creación de un repositorio de estudios en materia de saneamiento",
        "Planes de prevención contra las extorsiones",
        ATU,
        CAM_CAR,
        "Calendarización diferenciada para la Educación Básica Regular (EBR) en zonas rurales",
        "Implementar un Sistema de Información Multisectorial e Intergubernamental (3 niveles de gobierno) "
        "de Registro Único de Víctimas de Violencia Sexual y Familiar para mejorar la calidad de los "
        "procesos de atención e información de las víctimas de violencia sexual y familiar",
    } <= titles
    assert titles == {title for rows in PROPOSALS.values() for title, _region, _credit in rows}


def test_example_proposals_keep_their_themes(proposals):
    assert Counter(p.theme.name for p in proposals) == {
        "Saneamiento": 3,
        "Seguridad ciudadana": 4,
        "Infraestructura": 6,
        "Ambiente": 5,
        "Educación": 7,
    }
    assert all(p.priority_id == p.theme.priority_id for p in proposals)


def test_example_proposals_keep_their_regional_origin_and_credit(proposals):
    regions = Counter(p.origin_region.name for p in proposals if p.origin_region)

    assert regions == {"San Martín": 4, "La Libertad": 1, "Arequipa": 1}
    by_title = {p.title: p for p in proposals}
    assert by_title["Planes de prevención contra las extorsiones"].origin_region.name == "La Libertad"
    assert by_title[CAM_CAR].origin_region.name == "Arequipa"
    assert Counter(p.origin_kind for p in proposals) == {
        OriginKind.REGIONAL_WORKSHOP: 6,
        OriginKind.THEMATIC_TABLE: 19,
    }
    credited = [p for p in proposals if p.origin_credit]
    assert [(p.title[:30], p.origin_credit) for p in credited] == [
        ("Generación de información estr", "Poder Ejecutivo y Judicial")
    ]


def test_example_proposals_are_in_consultation_except_the_two_merged(proposals):
    merged = {p.title for p in proposals if p.status == S.MERGED}

    assert merged == {ATU, CAM_CAR}
    assert Counter(p.status for p in proposals) == {S.IN_CONSULTATION: 23, S.MERGED: 2}
    assert not any(p.is_illustrative for p in proposals)


def test_example_proposals_went_through_the_services(proposals):
    for proposal in proposals:
        assert proposal.versions.filter(number=1).exists()
        first = proposal.transitions.order_by("pk").first()
        assert (first.from_status, first.to_status, first.actor.email) == (
            S.PROPOSED,
            S.IN_CONSULTATION,
            "secretaria@cocrea.example",
        )


@pytest.mark.parametrize(
    ("number", "source", "lead", "status"),
    [(3, CAM_CAR, "MINAM", S.IN_REVIEW), (9, ATU, "MTC", S.AGREED)],
)
def test_example_consolidations_are_illustrative_and_traced_to_their_proposal(
    example_plan, number, source, lead, status
):
    commitment = Commitment.objects.get(plan=example_plan, number=number)

    assert commitment.is_illustrative
    assert commitment.status == status
    assert commitment.lead_entity.acronym == lead
    assert services.missing_items(commitment) == []
    link = LineageLink.objects.get(target=commitment)
    assert (link.source.title, link.kind, link.source.status) == (source, LineageKind.MERGE, S.MERGED)
    assert [c.title for c in services.ancestors(commitment)] == [source]
    assert [(t.from_status, t.to_status) for t in commitment.transitions.order_by("pk")] == [
        (S.PROPOSED, S.IN_CONSULTATION),
        (S.IN_CONSULTATION, S.AGREED),
        *([(S.AGREED, S.IN_REVIEW)] if status == S.IN_REVIEW else []),
    ]


def test_example_commitment_3_waits_for_minam_review(example_plan):
    review = Review.objects.get(commitment__plan=example_plan)  # the demonstration plan has its own

    assert review.commitment.number == 3
    assert (review.entity.acronym, review.decision) == ("MINAM", "")


def counts() -> dict[str, int]:
    """The example plan's rows (the demonstration plan, paga/demo.py, has rows of its own)."""
    plan = {"plan__slug": "paga-2017-2019"}
    of_commitment = {"commitment__plan__slug": "paga-2017-2019"}
    return {
        "Commitment": Commitment.objects.filter(**plan).count(),
        "Version": Version.objects.filter(**of_commitment).count(),
        "Transition": Transition.objects.filter(**of_commitment).count(),
        "LineageLink": LineageLink.objects.filter(target__plan__slug="paga-2017-2019").count(),
        "Review": Review.objects.filter(**of_commitment).count(),
    }


def test_loading_the_example_twice_adds_no_commitment_version_transition_link_or_review(example_plan):
    first = counts()
    # As the fixture loaded it, before the approval (tests/commitments/test_example_plan.py: with it).
    call_command("load_example", "--no-finish", stdout=io.StringIO())

    assert counts() == first
    assert first["Commitment"] == 27
    assert first["LineageLink"] == 2
    assert first["Review"] == 1
