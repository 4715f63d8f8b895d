"""The list of commitments and a commitment's page keep their parts in the cache (paga/pagecache.py
`fragment`, commitments/views.py, issue 15), for signed-in visitors and with the page cache off too: an
edit shows on the next request, a comment does not expire them, the HTML is what rendering gives, and
only visitors who see public commitments alone share them."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import services
from commitments.models import Commitment, LineageKind, LineageLink, Milestone, Status
from consultations import notifications
from consultations import services as consultations_services
from consultations.models import Consultation
from paga import pagecache
from tests.commitments.factories import CommitmentFactory, complete_commitment
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory

# Committed writes: on PostgreSQL the generations move when a transaction commits (paga/pagecache.py), as
# every request's writes do, never inside a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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
    pagecache._LOCAL.clear()  # (what Redis's clear does: paga/cache.py ON_CLEAR)
    pagecache._HINTS.clear()
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


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_list_is_cached_per_address_shows_edits_at_once_and_is_what_it_renders(
    client, example_plan, citizen, fragments, settings
):
    first = complete_commitment(
        plan=example_plan, status=Status.IN_CONSULTATION, number=901, title="Agua segura"
    )
    for n in range(902, 925):
        complete_commitment(plan=example_plan, status=Status.AGREED, number=n)
    client.force_login(citizen)
    url = "/compromisos/"
    for address in (url, f"{url}?pagina=2", f"{url}?estado=consensuado&orden=titulo", f"{url}?estado=x"):
        page, rendered = get(client, address)
        again, cached = get(client, address)
        assert cached < rendered
        settings.COCREA_FRAGMENT_CACHE = False
        fresh, _n = get(client, address)
        settings.COCREA_FRAGMENT_CACHE = True
        assert main(again) == main(page) == main(fresh)  # the same HTML, from the cache or rendered
        assert f"Todas las propuestas para el {example_plan.short_name}, surgidas" in again  # its lead
    for _ in range(2):
        assert "Agua segura" in get(client, f"{url}?q=segura")[0]
        assert "Agua segura" not in get(client, f"{url}?q=escuelas")[0]
        assert "Compromiso recién llegado" not in get(client, f"{url}?q=llegado")[0]

    Commitment.objects.filter(pk=first.pk).update(title="Agua segura para todas las escuelas")
    assert "Agua segura para todas las escuelas" in get(client, f"{url}?q=escuelas")[0]
    complete_commitment(
        plan=example_plan, status=Status.AGREED, number=925, title="Compromiso recién llegado"
    )
    assert "Compromiso recién llegado" in get(client, f"{url}?q=llegado")[0]


def test_the_list_of_the_secretariat_is_never_shared(client, example_plan, citizen, secretariat, fragments):
    CommitmentFactory(plan=example_plan, status=Status.PROPOSED, title="Borrador interno de la mesa")
    complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION, title="Otro de la mesa")
    for who, sees in ((secretariat, True), (citizen, False), (secretariat, True), (None, False)):
        client.logout()
        if who is not None:
            client.force_login(who)
        for _ in range(2):
            page, _n = get(client, "/compromisos/?q=mesa")
            assert "Otro de la mesa" in page
            assert ("Borrador interno de la mesa" in page) is sees, who


def test_a_proposal_merged_into_the_commitment_brings_its_comments_on_the_next_request(
    client, example_plan, citizen, other_citizen, secretariat, fragments
):
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    proposal = CommitmentFactory(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[commitment, proposal])
    comment(
        consultation=consultation, author=other_citizen, commitment=proposal, text="Dicho sobre la propuesta"
    )
    url = commitment.get_absolute_url()
    client.force_login(citizen)
    for _ in range(2):
        assert "Dicho sobre la propuesta" not in get(client, url)[0]
    Commitment.objects.filter(pk=proposal.pk).update(status=Status.MERGED)
    LineageLink.objects.create(
        source=proposal, target=commitment, kind=LineageKind.MERGE, reason="Se fusiona", actor=secretariat
    )
    for _ in range(2):
        assert "Dicho sobre la propuesta" in get(client, url)[0]


def _supports(page: str) -> int:
    """The support count the thread shows for the proposal."""
    found = re.search(r'<div class="forum-support">\s*<p>\s*(\d+)', page)
    assert found, "no support count on the page"
    return int(found.group(1))


def test_a_signed_out_visitor_gets_the_commitment_and_its_consultation_from_the_cache_never_stale(
    client, example_plan, citizen, fragments
):
    """The commitment's row and the consultations it is in (with its support count) are kept for the
    signed-out visitor under the site's and the thread's generations (the current plan too:
    paga/selectors.py): a warm page runs one query, the generations (the site's and, known from the
    page's last use, its thread's: pagecache._HINTS), and a new title, a support or a consultation's
    new title show on the next request."""
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[commitment])
    url = commitment.get_absolute_url()
    get(client, url)  # the parts (with the proposals it came from, read for them)
    get(client, url)  # the proposals it came from, kept on their own
    with CaptureQueriesContext(connection) as captured:
        page, queries = get(client, url)
    assert queries == 1, "\n".join(q["sql"][:300] for q in captured)
    assert _supports(page) == 0

    Commitment.objects.filter(pk=commitment.pk).update(title="Un título <nuevo> del compromiso")
    page, _n = get(client, url)
    assert "Un título &lt;nuevo&gt; del compromiso" in page

    consultations_services.support(user=citizen, commitment=commitment)
    page, _n = get(client, url)
    assert _supports(page) == 1

    Consultation.objects.filter(pk=consultation.pk).update(title="Consulta con otro <nombre>")
    page, _n = get(client, url)
    assert "Consulta con otro &lt;nombre&gt;" in page


@pytest.mark.parametrize("with_comments", [False, True], ids=["no comments", "comments"])
def test_a_signed_in_citizen_sees_their_own_support_and_follow_over_the_consultation_everyone_shares(
    client, example_plan, citizen, other_citizen, fragments, with_comments
):
    """The consultations of the commitment (with its support count) come from the cache for signed-in
    citizens too, never stale; what is theirs (their support, their follow) comes from one light query,
    never from another citizen's page."""
    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[commitment])
    url = commitment.get_absolute_url()
    get(client, url)  # a signed-out visitor fills the cache
    consultations_services.support(user=citizen, commitment=commitment)
    notifications.follow(user=citizen, commitment=commitment)
    if with_comments:  # their marks on the item come with those on the comments (fragments._marked)
        comment(consultation=consultation, author=citizen, text="Mi comentario")
        theirs = comment(consultation=consultation, author=UserFactory(), text="Otro comentario")
        consultations_services.support(user=citizen, contribution=theirs)
    client.force_login(citizen)
    page, _n = get(client, url)
    assert _supports(page) == 1
    assert "Usted lo apoya." in page
    assert "Dejar de seguir" in page
    assert ("Mi comentario" in page) == with_comments

    client.force_login(other_citizen)
    get(client, url)
    with CaptureQueriesContext(connection) as captured:
        page, _n = get(client, url)
    assert _supports(page) == 1
    assert "Usted lo apoya." not in page
    assert "Dejar de seguir" not in page
    assert ">Seguir<" in page
    assert not [q["sql"] for q in captured if '"consultations_consultation"' in q["sql"]]

    consultations_services.support(user=other_citizen, commitment=commitment)
    page, _n = get(client, url)
    assert _supports(page) == 2
    assert "Usted lo apoya." in page


def test_citizens_sharing_the_page_below_the_header_each_post_with_their_own_token(
    example_plan, citizen, other_citizen, fragments
):
    """The page below the header is kept once for every signed-in citizen (pagecache.assembled): each
    gets the CSRF token of their own session in every form of it, and posts a comment with it."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    from consultations.models import Contribution

    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    ConsultationFactory(plan=example_plan, items=[commitment])
    url = commitment.get_absolute_url()
    tokens = {}
    for person, text in (
        (citizen, "Primer aporte con mi token"),
        (other_citizen, "Segundo aporte, mi token"),
    ):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        page, _n = get(client, url)
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert "\x00" not in page  # every hole filled, every placeholder replaced
        secrets = {_unmask_cipher_token(token) for token in found}  # (a token is masked anew each time)
        assert len(found) >= 4  # support, follow, comment, sign out (and the thread's form with comments)
        assert len(secrets) == 1  # their session's secret, in every form
        tokens[person.pk] = secrets.pop()
        action = re.search(r'<form method="post" action="([^"]+)" novalidate class="comment-form">', page)[1]
        response = client.post(action, {"text": text, "csrfmiddlewaretoken": found.pop()})
        assert response.status_code == 302
        assert Contribution.objects.filter(author=person, text=text).exists()
    assert tokens[citizen.pk] != tokens[other_citizen.pk]


def test_a_page_kept_for_everyone_shows_each_citizen_their_own_name_and_messages(
    client, example_plan, citizen, other_citizen, fragments
):
    """The whole page (header and footer too) is kept once for signed-in citizens: the account menu
    and the messages are holes (paga/holes.py), filled for each request, never another's."""
    from django.urls import reverse
    from django.utils.html import escape

    commitment = complete_commitment(plan=example_plan, status=Status.IN_CONSULTATION)
    ConsultationFactory(plan=example_plan, items=[commitment])
    url = commitment.get_absolute_url()
    client.force_login(other_citizen)
    get(client, url)  # the page is kept
    client.force_login(citizen)
    response = client.post(reverse("consultations:support_item", args=[commitment.pk]))
    assert response.status_code == 302
    page, _n = get(client, url)
    assert "Usted apoya esta propuesta." in page  # their message, once
    assert escape(citizen.display_name) in page
    assert escape(other_citizen.display_name) not in page
    again, _n = get(client, url)
    assert "Usted apoya esta propuesta." not in again

    client.force_login(other_citizen)
    theirs, _n = get(client, url)
    assert escape(other_citizen.display_name) in theirs
    assert escape(citizen.display_name) not in theirs
    assert "Usted apoya esta propuesta." not in theirs
