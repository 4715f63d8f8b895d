"""Several plans in one portal (paga/plans.py): every plan at /planes/<slug>/…, the current one also at
the plain addresses, and nothing of one plan on another's pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Status
from paga import plans
from tests.commitments.factories import CommitmentFactory, PlanFactory, current_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_plans(other_plan):
    here = CommitmentFactory(
        plan=current_plan(), status=Status.IN_CONSULTATION, title="Compromiso de este plan"
    )
    there = CommitmentFactory(
        plan=other_plan, status=Status.IN_CONSULTATION, title="Compromiso del otro plan"
    )
    return here, there


def test_each_plan_lists_its_own_commitments_only(client, two_plans, other_plan):
    plain = client.get("/compromisos/").content.decode()
    prefixed_current = client.get(f"/planes/{current_plan().slug}/compromisos/").content.decode()
    other = client.get("/planes/paga-2015-2016/compromisos/").content.decode()
    assert "Compromiso de este plan" in plain
    assert "Compromiso del otro plan" not in plain
    assert "Compromiso de este plan" in prefixed_current
    assert "Compromiso del otro plan" not in prefixed_current
    assert "Compromiso del otro plan" in other
    assert "Compromiso de este plan" not in other
    assert "PAGA 2015-2016" in other


def test_a_commitment_is_found_only_in_its_own_plan(client, two_plans):
    _here, there = two_plans
    assert client.get(f"/planes/paga-2015-2016/compromisos/{there.slug}/").status_code == 200
    assert client.get(f"/compromisos/{there.slug}/").status_code == 404


def test_the_links_of_a_plan_page_stay_in_the_plan(client, two_plans):
    _here, there = two_plans
    page = client.get("/planes/paga-2015-2016/compromisos/").content.decode()
    assert f'href="/planes/paga-2015-2016/compromisos/{there.slug}/"' in page
    assert 'href="/planes/paga-2015-2016/cronograma/"' in page


def test_the_addresses_of_code_after_a_plan_request_are_plain_again(client, other_plan):
    client.get("/planes/paga-2015-2016/cronograma/")
    assert reverse("paga:timeline") == "/cronograma/"


def test_reverse_in_gives_a_plan_address_and_the_plain_one_for_the_current_plan(other_plan):
    assert plans.reverse_in(other_plan, "paga:timeline") == "/planes/paga-2015-2016/cronograma/"
    assert plans.reverse_in(current_plan(), "paga:timeline") == "/cronograma/"
    assert plans.reverse_in(None, "paga:timeline") == "/cronograma/"
    assert reverse("paga:timeline") == "/cronograma/"


def test_an_unknown_plan_is_a_404_and_a_plan_without_slash_is_redirected(client, other_plan):
    assert client.get("/planes/no-existe/cronograma/").status_code == 404
    response = client.get("/planes/paga-2015-2016")
    assert response.status_code == 301
    assert response["Location"] == "/planes/paga-2015-2016/"
    assert client.get("/planes/paga-2015-2016/").status_code == 200


def test_a_missing_slash_inside_a_plan_redirects_within_the_plan(client, other_plan):
    response = client.get("/planes/paga-2015-2016/cronograma")
    assert response.status_code == 301
    assert response["Location"] == "/planes/paga-2015-2016/cronograma/"


def test_a_plan_page_runs_the_queries_of_the_plain_page(client, two_plans):
    """The plan's query by slug replaces the current plan's."""
    client.get("/compromisos/")  # what a process caches once (the OGP values) is cached
    address = f"/planes/{current_plan().slug}/compromisos/"
    with CaptureQueriesContext(connection) as plain:
        client.get("/compromisos/")
    with CaptureQueriesContext(connection) as prefixed:
        client.get(address)
    assert len(prefixed.captured_queries) == len(plain.captured_queries)


# --- An object found by a key unique across plans is served only at its own plan's addresses -------
@pytest.fixture
def other_consultation(other_plan):
    from tests.consultations.factories import ConsultationFactory

    item = CommitmentFactory(plan=other_plan, status=Status.IN_CONSULTATION, title="Propuesta del otro plan")
    return ConsultationFactory(plan=other_plan, slug="consulta-otro-plan", items=[item]), item


def test_another_plans_consultation_at_a_plain_address_goes_to_its_plan(client, other_consultation):
    response = client.get("/consultas/consulta-otro-plan/?orden=1")
    assert response.status_code == 302
    assert response["Location"] == "/planes/paga-2015-2016/consultas/consulta-otro-plan/?orden=1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Propuesta del otro plan" in page.content.decode()


def test_a_comment_posted_at_another_plans_address_is_refused_and_nothing_saved(
    client, citizen, other_consultation
):
    from consultations.models import Contribution

    consultation, item = other_consultation
    client.force_login(citizen)
    url = f"/consultas/{consultation.slug}/propuestas/{item.pk}/comentar/"
    response = client.post(url, {"body": "Un aporte", "stance": "support"})
    assert response.status_code == 404
    assert not Contribution.objects.filter(commitment=item).exists()
    assert client.get(url).status_code == 302


def test_another_plans_workshop_registration_goes_to_its_plan(client, other_plan):
    from tests.workshops.factories import EventFactory

    event = EventFactory(plan=other_plan, slug="taller-otro-plan")
    response = client.get(f"/talleres/{event.slug}/inscripcion/")
    assert response.status_code == 302
    assert response["Location"] == f"/planes/paga-2015-2016/talleres/{event.slug}/inscripcion/"
    assert client.get(response["Location"]).status_code == 200


def test_a_review_of_another_plans_commitment_is_at_its_plans_address(client, reviewer, secretariat):
    from tests.commitments.factories import commitment_in_review

    beside = PlanFactory(
        slug="paga-beside", short_name="Beside", is_current=False
    )  # 2017-2019: the milestones'
    commitment = commitment_in_review(assigned_by=secretariat, plan=beside, lead_entity=reviewer.entity)
    client.force_login(reviewer)
    url = reverse("commitments:review", args=[commitment.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/planes/paga-beside{url}"


def test_the_plans_page_lists_every_plan_at_its_address(client, other_plan, django_assert_max_num_queries):
    current_plan()
    PlanFactory(
        slug="demostracion",
        short_name="Demo",
        name="Plan de demostración",
        is_current=False,
        is_demonstration=True,
    )
    with django_assert_max_num_queries(2):  # the plans; the header's current plan
        page = client.get("/planes/").content.decode()
    main = page[page.index("<main") :]
    order = [
        main.index(f'<a href="{url}">') for url in ("/", "/planes/paga-2015-2016/", "/planes/demostracion/")
    ]
    assert order == sorted(order)
    assert main.count("Plan actual") == 1
    assert "Demostración: datos inventados" in main
    assert "<code>/planes/paga-2017-2019/</code>" in main  # the current plan's address that stays
    assert client.get("/planes/demostracion/").status_code == 200
