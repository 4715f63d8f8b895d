"""A commitment's page keeps its parts around the comments in the cache (paga/pagecache.py `fragment`,
commitments/views.py detail, issue 15), for signed-in visitors and with the page cache off too: an
edit shows on the next request, a comment does not expire them, and only visitors who see public
commitments alone share them."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import services
from commitments.models import Commitment, LineageKind, LineageLink, Milestone, Status
from tests.commitments.factories import CommitmentFactory, complete_commitment
from tests.consultations.factories import ConsultationFactory, comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def fragments(settings):
    settings.COCREA_FRAGMENT_CACHE = True
    cache.clear()
    yield
    cache.clear()


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_an_edit_of_the_commitment_its_milestones_or_history_shows_on_the_next_request(
    client, example_plan, citizen, secretariat, fragments
):
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION, milestones=2)
    url = commitment.get_absolute_url()
    client.force_login(citizen)
    first, rendered = get(client, url)
    again, cached = get(client, url)
    assert cached < rendered  # the parts came from the cache: no relevances, milestones, history, …
    assert again.count("<tr>\n        <td>") == first.count("<tr>\n        <td>") == 2

    Commitment.objects.filter(pk=commitment.pk).update(problem="Un problema <nuevo> y distinto")
    page, _n = get(client, url)
    assert "Un problema &lt;nuevo&gt; y distinto" in page
    Milestone.objects.filter(commitment=commitment).update(description="Hito cambiado por la mesa")
    page, _n = get(client, url)
    assert page.count("Hito cambiado por la mesa") == 2
    services.write_version(commitment=commitment, author=secretariat, reason="Corrección de la mesa")
    page, _n = get(client, url)
    assert "Corrección de la mesa" in page


def test_a_comment_shows_at_once_and_leaves_the_cached_parts_in_place(
    client, example_plan, citizen, other_citizen, fragments
):
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[commitment])
    url = commitment.get_absolute_url()
    client.force_login(citizen)
    get(client, url)
    comment(consultation=consultation, author=other_citizen, text="Un comentario recién llegado")
    page, queries = get(client, url)
    assert "Un comentario recién llegado" in page
    cache.clear()
    _page, rendered = get(client, url)
    assert queries < rendered  # the parts stayed in the cache: the comment moved only its thread


def test_the_secretariat_sees_its_drafts_and_citizens_never_get_its_parts(
    client, example_plan, citizen, secretariat, fragments
):
    proposal = CommitmentFactory(plan=example_plan, status=Status.MERGED)
    draft = CommitmentFactory(plan=example_plan, status=Status.PROPOSED, title="Borrador interno de la mesa")
    LineageLink.objects.create(
        source=proposal, target=draft, kind=LineageKind.MERGE, reason="Se fusiona", actor=secretariat
    )
    url = proposal.get_absolute_url()
    for who, sees in ((secretariat, True), (citizen, False), (secretariat, True), (None, False)):
        client.logout()
        if who is not None:
            client.force_login(who)
        for _ in range(2):
            page, _n = get(client, url)
            assert ("Borrador interno de la mesa" in page) is sees, who


def test_each_language_has_its_own_parts(client, example_plan, citizen, fragments, settings):
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    url = commitment.get_absolute_url()
    client.force_login(citizen)
    for _ in range(2):
        for language, heading in (("es", ">El problema</h2>"), ("en", ">The problem</h2>")):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch sets it
            page, _n = get(client, url)
            assert heading in page
