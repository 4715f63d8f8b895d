"""bench/progress.py gives the approved plan's first commitment the progress reports the benchmark
measures (issue 14: "a commitment with 20 progress reports"), as the services would leave them, and
exactly as many as asked."""

import pytest
from django.db.models import Count

from bench import progress
from implementation.models import Evidence, ProgressReport, ReportState, ReportTransition
from tests.commitments.factories import approve_today, freeze_example_plan

pytestmark = pytest.mark.django_db


def test_the_first_approved_commitment_holds_exactly_the_reports_asked(
    client, example_plan, secretariat, reviewer, other_reviewer
):
    assert progress.implemented_sample(example_plan) is None  # not approved yet: nothing to report on
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    three = progress.implemented_sample(example_plan)
    assert three.number == 3

    assert progress.load_progress(reports=20, plan=example_plan) == 20
    rows = ProgressReport.objects.filter(milestone__commitment=three)
    assert rows.count() == rows.filter(state=ReportState.VALIDATED).count() == 20
    per_milestone = dict(rows.values_list("milestone").annotate(n=Count("pk")))
    assert sorted(per_milestone.values()) == [10, 10]
    for milestone in per_milestone:
        numbers = list(rows.filter(milestone=milestone).order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, 11))
    assert {r.entity_id for r in rows} == {three.lead_entity_id}
    assert {r.author.entity_id for r in rows} == {three.lead_entity_id}
    assert Evidence.objects.filter(report__in=rows).count() == 20
    assert ReportTransition.objects.filter(report__in=rows).count() == 40
    assert client.get(three.get_absolute_url()).content.decode().count("volumen-de-prueba.example") == 20

    assert progress.load_progress(reports=20, plan=example_plan) == 20  # same count: nothing added
    assert rows.count() == 20
    assert progress.load_progress(reports=2, plan=example_plan) == 2
    assert Evidence.objects.filter(report__milestone__commitment=three).count() == 2
