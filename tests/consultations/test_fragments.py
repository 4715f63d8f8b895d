"""Cached contributions (consultations/fragments.py): rendered once per signature, never stale.

Each test reads the thread, changes one thing a contribution shows, and reads it again in the same
process (the cache still holds the earlier rendering): the change must show, and unchanged comments must
come from the cache.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from consultations import fragments, responses, services
from consultations.models import Disposition
from paga.models import User
from tests.consultations.factories import comment
from tests.consultations.test_posting import english, fresh_rate_limits, open_forum
from tests.consultations.test_thread import thread_of

__all__ = ["english", "fresh_rate_limits"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    cache.clear()
    return open_forum()


@pytest.fixture
def item(forum):
    return forum.items.get()


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """The pk of every contribution the template renders (a cache miss)."""
    seen: list[int] = []
    original = fragments.render_to_string

    def counting(template, context):
        seen.append(context["entry"].contribution.pk)
        return original(template, context)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    return seen


@pytest.fixture
def two(forum, citizen, other_citizen):
    first = comment(consultation=forum, author=citizen, text="Primer aporte sobre el plazo")
    second = comment(consultation=forum, author=other_citizen, text="Segundo aporte, sin cambios")
    return first, second


def test_a_second_reading_renders_nothing_and_says_the_same(english, item, two, renders):
    first_html = thread_of(english, item)
    assert sorted(renders) == sorted(c.pk for c in two)
    renders.clear()
    assert thread_of(english, item) == first_html
    assert renders == []


@pytest.mark.parametrize(
    ("change", "shows"),
    [
        (lambda first, staff: services.hide(contribution=first, actor=staff, reason="Datos de terceros"),
         'Hidden by moderation: <span lang="es">Datos de terceros</span>'),
        (lambda first, staff: services.edit_comment(contribution=first, author=first.author,
                                                    text="Primer aporte corregido"),
         "Primer aporte corregido"),
        (lambda first, staff: services.support(user=staff, contribution=first), "1 support"),
        (lambda first, staff: User.objects.filter(pk=first.author_id).update(display_name="Nombre nuevo"),
         "Nombre nuevo"),
        (lambda first, staff: responses.publish_responses(
            consultation=first.consultation,
            actor=staff,
        ) if responses.respond(contribution=first, actor=staff, disposition=Disposition.OUT_OF_SCOPE,
                               reason="Corresponde a otro plan") else None,
         "Corresponde a otro plan"),
    ],
    ids=["hidden", "edited", "supported", "author renamed", "response published"],
)  # fmt: skip
def test_whatever_changes_shows_on_the_next_reading_and_only_that_comment_renders_again(
    english, item, two, renders, secretariat, change, shows
):
    first, second = two
    assert shows not in thread_of(english, item)
    change(first, secretariat)
    renders.clear()
    assert shows in thread_of(english, item)
    assert renders == [first.pk]  # the other comment comes from the cache


def test_each_language_and_each_relation_to_the_comment_has_its_own_rendering(item, two, citizen, renders):
    first, second = two
    spanish, english = Client(), Client()
    english.cookies["django_language"] = "en"
    assert "Responder" in thread_of(spanish, item)
    assert "Reply" in thread_of(english, item)
    english.force_login(citizen)  # the author of the first: may edit it, may not support it
    renders.clear()
    html = thread_of(english, item)
    assert "Edit" in html
    assert first.pk in renders


def test_the_support_button_carries_no_token_and_submits_the_threads_one_form(item, two, other_citizen):
    client = Client()
    client.force_login(other_citizen)
    html = thread_of(client, item)
    articles = [part.split("</article>", 1)[0] for part in html.split("<article")[1:]]
    assert len(articles) == 2
    assert all("csrfmiddlewaretoken" not in article for article in articles)  # cached: nothing personal
    # Support buttons on the others' comments (the second is this visitor's own: none there).
    assert ['form="forum-post"' in article for article in articles] == [True, False]
    assert html.count('<form id="forum-post" method="post" hidden>') == 1


def test_a_comment_past_its_edit_window_renders_without_the_edit_link(english, item, two, citizen):
    first, _ = two
    english.force_login(citizen)
    assert "Edit" in thread_of(english, item)
    type(first).objects.filter(pk=first.pk).update(created=timezone.now() - services.EDIT_WINDOW * 2)
    assert ">Edit<" not in thread_of(english, item)


def test_a_visitor_s_marks_spliced_into_the_joined_page_give_what_joining_them_gives():
    """fragments.joined/spliced (a page kept with holes) against fragments._html (the page as joined)."""
    from consultations.fragments import _html, joined, spliced

    leaf = lambda pk, *replies: (pk, pk % 3, pk % 2 == 0, f"<p>c{pk} &amp; ñ</p>", tuple(replies))  # noqa: E731
    nodes = (leaf(1, leaf(2), leaf(3, leaf(4))), leaf(5), leaf(6, leaf(7)))
    html, spans = joined(nodes)
    assert html == _html(nodes, {})
    assert [span[:3] for span in spans] == [(pk, pk % 3, pk % 2 == 0) for pk in range(1, 8)]
    every = {pk: f"[{pk}]" for pk in range(1, 8)}
    for marked in ({}, {1: "<p>mío</p>"}, {4: "X", 5: "", 7: "<b>7</b>"}, every):
        assert spliced(html, spans, marked) == _html(nodes, marked)
