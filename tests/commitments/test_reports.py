"""commitments/reports.py: proposals by origin, commitments by theme and status, and whether every
commitment on its way into the plan is verifiable (lead entity, milestones with responsible and date)."""

from __future__ import annotations

import pytest
from django.utils import translation

from commitments import reports
from commitments.models import OriginKind, Status
from paga.models import GovernmentPriority, Region, Theme
from tests.commitments.factories import CommitmentFactory, MilestoneFactory, complete_commitment, current_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Labels are checked in their English source (the Spanish translation comes later)."""
    with translation.override("en"):
        yield


def theme(name: str, order: int) -> Theme:
    plan = current_plan()
    priority, _ = GovernmentPriority.objects.get_or_create(
        plan=plan, slug="prioridad", defaults={"name": "Salud"}
    )
    return Theme.objects.create(plan=plan, name=name, slug=name.lower(), priority=priority, order=order)


def blocks(plan) -> dict:
    return {block.key: block for block in reports.process_summary(plan)}


def test_proposals_are_counted_by_origin_and_region_and_drafts_are_left_out(db):
    san_martin = Region.objects.get(name="San Martín")
    arequipa = Region.objects.get(name="Arequipa")
    for _ in range(3):
        CommitmentFactory(status=Status.IN_CONSULTATION, origin_kind=OriginKind.THEMATIC_TABLE)
    CommitmentFactory.create_batch(
        2, status=Status.IN_CONSULTATION, origin_kind=OriginKind.REGIONAL_WORKSHOP, origin_region=san_martin
    )
    CommitmentFactory(status=Status.MERGED, origin_kind=OriginKind.REGIONAL_WORKSHOP, origin_region=arequipa)
    CommitmentFactory(status=Status.IN_CONSULTATION, origin_kind=OriginKind.FORUM)
    CommitmentFactory(status=Status.PROPOSED, origin_kind=OriginKind.FORUM)  # a draft: not public

    block = blocks(current_plan())["commitments-by-origin"]
    [table] = block.tables

    assert table.rows == [
        ["Thematic table", "", 3],
        ["Regional workshop", "Arequipa", 1],
        ["Regional workshop", "San Martín", 2],
        ["Virtual forum", "", 1],
        ["Total", "", 7],
    ]
    assert block.paragraphs == ["7 proposals and commitments are public; 3 came from the regional workshops."]


def test_commitments_are_counted_by_theme_and_status(db):
    water, school = theme("Saneamiento", 1), theme("Educación", 2)
    CommitmentFactory.create_batch(2, status=Status.IN_CONSULTATION, theme=school)
    CommitmentFactory(status=Status.IN_REVIEW, theme=school)
    CommitmentFactory(status=Status.AGREED, theme=water)
    CommitmentFactory(status=Status.WITHDRAWN)  # no theme
    CommitmentFactory(status=Status.PROPOSED, theme=water)  # a draft: not public

    [table] = blocks(current_plan())["commitments-by-theme"].tables

    assert table.headers == [
        "Theme",
        "In public consultation",
        "Agreed at the national table",
        "Withdrawn",
        "In technical review",
        "Total",
    ]
    assert table.rows == [
        ["Saneamiento", 0, 1, 0, 0, 1],
        ["Educación", 2, 0, 0, 1, 3],
        ["No theme", 0, 0, 1, 0, 1],
    ]


def test_the_example_figures(example_plan):
    by_key = blocks(example_plan)
    origins = {(row[0], row[1]): row[2] for row in by_key["commitments-by-origin"].tables[0].rows}

    assert origins[("Thematic table", "")] == 19
    assert origins[("Regional workshop", "San Martín")] == 4
    assert origins[("Regional workshop", "La Libertad")] == 1
    assert origins[("Regional workshop", "Arequipa")] == 1
    assert origins[("Total", "")] == 27  # 25 proposals and 2 illustrative consolidations
    [line] = reports.compliance(example_plan)
    assert line.met is True
    assert line.finding == "2 of 2 commitments have a lead entity and verifiable milestones."


def test_every_commitment_in_the_plan_has_a_lead_entity_and_verifiable_milestones(db):
    complete_commitment(status=Status.AGREED, number=1, title="Completo")
    no_lead = complete_commitment(status=Status.IN_REVIEW, number=2, title="Sin entidad")
    no_lead.lead_entity = None
    no_lead.save()
    CommitmentFactory(status=Status.APPROVED, number=3, title="Sin hitos")
    undated = complete_commitment(status=Status.INCLUDED, number=4, title="Hito sin plazo")
    MilestoneFactory(commitment=undated, due_date=None)
    complete_commitment(status=Status.IN_CONSULTATION, number=5, title="Propuesta")  # not in the plan yet
    CommitmentFactory(status=Status.IN_CONSULTATION, number=6, title="Otra propuesta")  # not counted either

    [line] = reports.compliance(current_plan())

    assert line.met is False
    assert line.finding == (
        "1 of 4 commitments has a lead entity and verifiable milestones. "
        "Lacking: 2. Sin entidad; 3. Sin hitos; 4. Hito sin plazo."
    )
    assert line.evidence_url == "/compromisos/"


def test_without_agreed_commitments_there_is_no_data(db):
    CommitmentFactory(status=Status.IN_CONSULTATION)
    [line] = reports.compliance(current_plan())

    assert line.met is None
    assert line.finding.startswith("Not recorded")


@pytest.mark.parametrize(("hook", "queries"), [("process_summary", 2), ("compliance", 1)])
def test_each_hook_runs_a_fixed_number_of_queries(db, hook, queries, django_assert_num_queries):
    water, plan = theme("Saneamiento", 1), current_plan()
    for n in (2, 20):
        for _ in range(n):
            complete_commitment(status=Status.AGREED, theme=water, milestones=2)
            CommitmentFactory(status=Status.IN_CONSULTATION, origin_kind=OriginKind.FORUM)
        with django_assert_num_queries(queries):
            getattr(reports, hook)(plan)
