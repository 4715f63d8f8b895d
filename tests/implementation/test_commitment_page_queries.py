"""A commitment of the approved plan with its progress reports keeps to the detail page's goal of 12 SQL
queries (bench/run.py QUERY_GOAL_VIEWS), whatever the number of reports: the example's commitment 3,
merged from a proposal (its lineage followed back only where it goes on: commitments/selectors.py), with
its milestones' validated reports and their evidence in one query (implementation/public_selectors.py)."""

from __future__ import annotations

import pytest

from implementation.models import ProgressStatus, ReportState

from .factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

STATUSES = [ProgressStatus.LIMITED, ProgressStatus.SUBSTANTIAL]


@pytest.mark.parametrize("n", [2, 20])
def test_commitment_3_with_n_reports_runs_12_queries(client, three, n, django_assert_num_queries):
    milestones = list(three.milestones.order_by("order"))
    for i in range(n):
        report = ProgressReportFactory(
            milestone=milestones[i % 2], status=STATUSES[i % 2], state=ReportState.VALIDATED
        )
        EvidenceLinkFactory(report=report)
    url = three.get_absolute_url()
    client.get(url)

    # plan; commitment; relevances, milestones, other actors, versions, transitions; lineage links (its
    # source came from no other: no step further back); milestones with their validated reports and
    # evidence; the events it came from; the forum's thread (its consultation, the page of comments).
    with django_assert_num_queries(12):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("https://www.gob.pe/minam/informe-") == n
