"""Pages that show every visitor the same are kept whole for all of them (paga/pagecache.py `kept_page`):
signed in, or with the page cache off, the second request reads the kept page instead of rendering it.
It is the HTML rendering gives, a write it shows is there on the next request, and where some visitors
see more (the Secretaría sees drafts in the ranking), they never share a page with the others.

Committed writes: on PostgreSQL the generations move when a transaction commits (paga/pagecache.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Commitment, Criterion, Score, Status
from paga.models import TimelineStage
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Every page built with kept_page, with the example's data (the first event of the example's workshops).
PAGES = [
    "/",
    "/cronograma/",
    "/compromisos/ranking/",
    "/compromisos/matriz/",
    "/talleres/",
    "/talleres/calendario/?mes=2017-10",
    "/talleres/?tipo=no-existe",
    "/repositorio/",
    "/participacion/",
    "/foro-multiactor/",
    "/plan/",
    "/cumplimiento/",
    "/seguimiento/",
]


def get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def assert_seen_by(client, url: str, texts: list[str], seeing: list, others: list) -> None:
    """Each of `seeing` finds one of `texts` on the page, `others` and a signed-out visitor none, in turns
    and twice each (the second time from whatever was kept): never someone else's page."""
    for who, sees in [
        *((w, True) for w in seeing),
        *((w, False) for w in [*others, None]),
        (seeing[0], True),
    ]:
        client.logout()
        if who is not None:
            client.force_login(who)
        for _ in range(2):
            page, _n = get(client, url)
            assert any(text in page for text in texts) is sees, who


@pytest.mark.parametrize("url", PAGES)
def test_a_kept_page_is_read_not_rendered_and_is_what_rendering_gives(
    client, example_plan, citizen, fragments, settings, url
):
    client.force_login(citizen)
    first, rendered = get(client, url)
    again, kept = get(client, url)
    # The session, the person, the generations, whatever the page shows (the plan's page first looks up
    # its approved version, to know which page it is).
    assert kept <= 3 + (url == "/plan/")
    assert kept < rendered
    settings.COCREA_FRAGMENT_CACHE = False
    fresh, _n = get(client, url)
    assert main(again) == main(first) == main(fresh)


def test_a_write_shows_on_the_next_request_signed_in_or_not(client, example_plan, citizen, fragments):
    stage = TimelineStage.objects.filter(plan=example_plan).order_by("order").first()
    signed_in = client.__class__()
    signed_in.force_login(citizen)
    for visitor in (client, signed_in):
        for url in ("/", "/cronograma/"):
            get(visitor, url)
    TimelineStage.objects.filter(pk=stage.pk).update(title="Etapa con un nombre recién cambiado")
    for visitor in (client, signed_in):
        assert "Etapa con un nombre recién cambiado" in get(visitor, "/cronograma/")[0]


def test_a_comment_counts_at_once_on_the_participation_page(client, example_plan, citizen, fragments):
    """The participation figures read every content write ("*"): a comment in the forum moves them."""
    proposal = CommitmentFactory(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[proposal])
    client.force_login(citizen)
    before, _n = get(client, "/participacion/")
    assert main(get(client, "/participacion/")[0]) == main(before)
    comment(consultation=consultation, author=citizen, commitment=proposal, text="Un aporte más.")
    assert main(get(client, "/participacion/")[0]) != main(before)


def test_a_kept_page_reads_what_its_view_declares_so_a_comment_leaves_the_timeline_kept(
    client, example_plan, citizen, fragments
):
    """kept_page keeps a page under its view's `public_page(reads=)`: the timeline reads SITE, which a
    comment in the forum does not move (a page that declares nothing reads "*" and would be rendered)."""
    proposal = CommitmentFactory(plan=example_plan, status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(plan=example_plan, items=[proposal])
    client.force_login(citizen)
    _page, rendered = get(client, "/cronograma/")
    comment(consultation=consultation, author=citizen, commitment=proposal, text="Un aporte más.")
    _page, kept = get(client, "/cronograma/")
    assert kept <= 3 < rendered


def test_the_secretariat_sees_scored_drafts_in_the_ranking_and_citizens_never_get_its_page(
    client, example_plan, citizen, secretariat, fragments
):
    draft = CommitmentFactory(plan=example_plan, status=Status.PROPOSED, title="Borrador puntuado de la mesa")
    for code in Criterion.values:
        Score.objects.create(commitment=draft, criterion=code, value=3, scorer=secretariat)
    assert not Commitment.objects.filter(pk=draft.pk, status__in=Commitment.PUBLIC_STATUSES).exists()
    assert_seen_by(
        client, "/compromisos/ranking/", ["Borrador puntuado de la mesa"], [secretariat], [citizen]
    )


def test_an_event_s_page_shows_each_person_their_own_registration_and_no_one_else_s(
    client, example_plan, citizen, other_citizen, fragments
):
    """Not kept for everyone (workshops/views.py `detail`): the registration box is the visitor's own."""
    from tests.workshops.factories import EventFactory, RegistrationFactory

    event = EventFactory(plan=example_plan)
    RegistrationFactory(event=event, user=citizen, email=citizen.email)
    texts = ["Cancel my registration", "Cancelar mi inscripción"]
    assert_seen_by(client, event.get_absolute_url(), texts, [citizen], [other_citizen])
