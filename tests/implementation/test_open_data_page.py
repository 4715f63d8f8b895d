"""The open-data page (`/datos/`, consultations') lists the progress data of implementation tracking
beside the contributions (issue 14: "Open data: progress as CSV and JSON with a data dictionary;
milestone due dates as an ICS feed"), at the address's plan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.commitments.factories import PlanFactory

pytestmark = pytest.mark.django_db

NAMES = ("tracking", "tracking_csv", "tracking_json", "data_dictionary", "milestones_ics")


def test_the_data_page_links_to_the_progress_data(client):
    PlanFactory(slug="paga-2017-2019", is_current=True)

    html = client.get(reverse("consultations:open_data")).content.decode()

    assert "Avance de la implementación del plan" in html
    assert "según los reportes de las entidades responsables validados por la Secretaría" in html
    for name in NAMES:
        assert f'href="{reverse(f"implementation:{name}")}"' in html


def test_at_an_older_plans_address_the_links_are_that_plans(client):
    PlanFactory(slug="paga-2017-2019", is_current=True)
    PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)

    html = client.get("/planes/paga-2015-2016/datos/").content.decode()

    assert 'href="/planes/paga-2015-2016/seguimiento/avance.csv"' in html
    assert 'href="/planes/paga-2015-2016/seguimiento/hitos.ics"' in html
