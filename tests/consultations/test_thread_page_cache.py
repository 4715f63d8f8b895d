"""A page of a thread kept in the cache as nobody in particular sees it (consultations/fragments.py
`thread_page`), with each visitor's own marks laid over it: never stale, never one visitor's marks shown
to another.

Every test reads the thread first (the page is stored), changes something, and reads it again in the
same process, with the cache still holding the earlier page: the change must show to every kind of
visitor (signed out, a citizen, the comment's author, the Secretaría), and the page cache is off, as
for a signed-in citizen.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from consultations import responses, services
from consultations.models import Disposition
from paga.models import User
from tests.consultations.factories import comment
from tests.consultations.test_posting import fresh_rate_limits, open_forum
from tests.consultations.test_thread import count_queries, grow_to, thread_of
from tests.factories import EntityFactory, UserFactory

__all__ = ["fresh_rate_limits"]

# Outside a test's transaction, as requests are served: inside one, the page is never kept (PostgreSQL
# moves the generations at commit), so these tests commit each write, on SQLite and on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

READERS = ("anonymous", "citizen", "author", "secretariat")


@pytest.fixture
def forum(settings):
    settings.COCREA_PAGE_CACHE = False  # what a signed-in citizen gets: the thread's own cache only
    cache.clear()
    return open_forum()


@pytest.fixture
def item(forum):
    return forum.items.get()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def reader(kind: str, *, citizen, other_citizen, secretariat) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    user = {"citizen": other_citizen, "author": citizen, "secretariat": secretariat}.get(kind)
    if user is not None:
        client.force_login(user)
    return client


def _hide(first, staff):
    services.hide(contribution=first, actor=staff, reason="Datos de terceros")


def _respond(first, staff):
    responses.respond(
        contribution=first,
        actor=staff,
        disposition=Disposition.OUT_OF_SCOPE,
        reason="Corresponde a otro plan",
    )
    responses.publish_responses(consultation=first.consultation, actor=staff)


CHANGES = {
    "new comment": (
        lambda first, staff: comment(
            consultation=first.consultation, author=staff, text="Aporte recién llegado"
        ),
        "Aporte recién llegado",
    ),
    "reply": (
        lambda first, staff: comment(
            consultation=first.consultation, author=staff, parent=first, text="Una réplica"
        ),
        "Una réplica",
    ),
    "edit": (
        lambda first, staff: services.edit_comment(
            contribution=first, author=first.author, text="Texto corregido"
        ),
        "Texto corregido",
    ),
    "hide": (_hide, 'Hidden by moderation: <span lang="es">Datos de terceros</span>'),
    "response": (_respond, "Corresponde a otro plan"),
    "author renamed": (  # not the thread's generation: "site"'s (paga/pagecache.py)
        lambda first, staff: User.objects.filter(pk=first.author_id).update(display_name="Nombre nuevo"),
        "Nombre nuevo",
    ),
    "support": (lambda first, staff: services.support(user=staff, contribution=first), "1 support"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_shows_on_the_next_reading_for_every_kind_of_visitor(
    forum, item, citizen, other_citizen, secretariat, change
):
    first = comment(consultation=forum, author=citizen, text="Primer aporte")
    clients = {
        kind: reader(kind, citizen=citizen, other_citizen=other_citizen, secretariat=secretariat)
        for kind in READERS
    }
    act, shows = CHANGES[change]
    for kind, client in clients.items():
        before = thread_of(client, item)
        assert without_tokens(thread_of(client, item)) == without_tokens(before), kind  # stored, read again
        assert shows not in before
    act(first, secretariat)
    for kind, client in clients.items():
        after = thread_of(client, item)
        assert shows in after, kind
        if change == "hide":  # the text: to its author and the Secretaría only
            assert ("Primer aporte" in after) == (kind in ("author", "secretariat")), kind


@pytest.mark.parametrize("kind", READERS[1:])
def test_a_report_shows_to_its_reporter_at_once_and_to_nobody_else(
    forum, item, citizen, other_citizen, secretariat, kind
):
    """A report moves no generation (it is private): the reporter's mark comes from their own query."""
    comment(consultation=forum, author=UserFactory(), text="Un aporte")
    client = reader(kind, citizen=citizen, other_citizen=other_citizen, secretariat=secretariat)
    assert "you reported it" not in thread_of(client, item)
    flagged = forum.contributions.get()
    user = {"citizen": other_citizen, "author": citizen, "secretariat": secretariat}[kind]
    services.flag(contribution=flagged, user=user, reason="spam")
    html = thread_of(client, item)
    assert "you reported it" in html
    assert ">Report<" not in html
    for other in set(READERS) - {kind}:
        html = thread_of(
            reader(other, citizen=citizen, other_citizen=other_citizen, secretariat=secretariat), item
        )
        assert "you reported it" not in html, other


def test_a_citizens_marks_never_show_to_another_citizen(forum, item, citizen, other_citizen, secretariat):
    """The author reads first (their comments, their support, their hidden comment's text), then another
    citizen and a visitor signed out read the same stored page."""
    mine = comment(consultation=forum, author=citizen, text="Mi propio aporte")
    hidden = comment(consultation=forum, author=citizen, text="Mi aporte oculto")
    theirs = comment(consultation=forum, author=secretariat, text="Aporte de otra persona")
    services.hide(contribution=hidden, actor=secretariat, reason="Revisión")
    services.support(user=citizen, contribution=theirs)
    services.flag(contribution=theirs, user=citizen, reason="spam")
    author = reader("author", citizen=citizen, other_citizen=other_citizen, secretariat=secretariat)
    html = thread_of(author, item)
    assert ">Edit<" in html
    assert "you support it" in html
    assert "you reported it" in html
    assert "Mi aporte oculto" in html
    for kind in ("citizen", "anonymous"):
        html = thread_of(
            reader(kind, citizen=citizen, other_citizen=other_citizen, secretariat=secretariat), item
        )
        assert ">Edit<" not in html, kind
        assert "you support it" not in html, kind
        assert "you reported it" not in html, kind
        assert "Mi aporte oculto" not in html, kind
        assert "Mi propio aporte" in html
        assert html.count(">Report<") == 2, kind  # the visible ones: none is theirs
    # and the author's own view is theirs again after the others'
    html = thread_of(author, item)
    assert f'id="aporte-{mine.pk}"' in html
    assert ">Edit<" in html
    assert "you support it" in html


def test_a_stored_page_loses_its_reply_buttons_when_the_consultation_closes(settings, citizen, other_citizen):
    settings.COCREA_PAGE_CACHE = False
    cache.clear()
    now = timezone.now()
    today = timezone.localdate(now)
    forum = open_forum(opens_at=now - datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=1))
    item = forum.items.get()
    comment(consultation=forum, author=citizen, text="Un aporte")
    client = reader("citizen", citizen=citizen, other_citizen=other_citizen, secretariat=None)
    assert ">Reply<" in thread_of(client, item)
    settings.COCREA_AS_OF = (today + datetime.timedelta(days=3)).isoformat()  # nothing written meanwhile
    assert ">Reply<" not in thread_of(client, item)


def test_a_kept_page_is_read_with_one_query_for_everyone_and_one_more_for_a_signed_in_visitor(
    forum, item, citizen, other_citizen, secretariat
):
    """In place of the page of the thread: its generations; and for a signed-in visitor, their marks and,
    when they have any there, the rows they have a mark on."""
    authors = [citizen, other_citizen, UserFactory(entity=EntityFactory())]
    url = item.get_absolute_url()
    seen = {}
    for total in (5, 120):
        grow_to(forum, item, total, authors=authors, secretariat=secretariat)
        client = Client()
        first = count_queries(client, url)  # the page of the thread read, and kept
        anonymous = count_queries(client, url)
        client.force_login(citizen)
        signed_in_first = count_queries(client, url)  # the page as signed-in visitors see it, kept
        signed_in = count_queries(client, url)
        client.force_login(secretariat)
        staff = count_queries(client, url)
        seen[total] = (first, anonymous, signed_in_first, signed_in, staff)
    assert seen[5] == seen[120]
    first, anonymous, signed_in_first, signed_in, staff = seen[120]
    assert signed_in_first == signed_in + 1
    assert (
        anonymous == 11
    )  # as tests/consultations/test_thread.py counts it, the generations in place of the page
    assert first == anonymous + 1
    # + session, user with its groups (paga/backends.py); what the visitor supports or reported on the
    # page, with their support and follow of the item (one query: fragments._marked); the rows they have
    # a mark on (the citizen's own, the hidden ones for staff).
    assert signed_in == anonymous + 4
    assert staff == signed_in
    client.force_login(UserFactory())  # no mark on the page: no rows to read again
    assert [count_queries(client, url), count_queries(client, url)][-1] == anonymous + 3
