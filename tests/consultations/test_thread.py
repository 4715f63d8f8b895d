"""The thread as the public, the author and the staff read it: moderation labels, published responses
only, the proposals' comments on the commitment they went into, 50 top-level per page, safe Markdown,
and a query count that does not grow with the number of comments."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commitments.models import Commitment, LineageKind, LineageLink, Status
from consultations import markdown, services, threads
from consultations.models import Contribution, Disposition, Response, Support
from consultations.threads import PER_PAGE
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment, document_consultation
from tests.consultations.test_posting import english, fresh_rate_limits, main_of, open_forum, public_item
from tests.factories import EntityFactory, UserFactory

__all__ = ["english", "fresh_rate_limits"]  # fixtures shared with test_posting

pytestmark = pytest.mark.django_db


def thread_of(client, commitment: Commitment, **params) -> str:
    response = client.get(commitment.get_absolute_url(), params)
    assert response.status_code == 200
    html = main_of(response.content.decode())
    return html.split('id="comentarios"', 1)[1].split('id="historial"', 1)[0]


@pytest.fixture
def forum():
    return open_forum()


@pytest.fixture
def item(forum) -> Commitment:
    return forum.items.get()


# --- Moderation as each reader sees it -------------------------------------------------------------
def test_a_hidden_comment_shows_its_reason_to_the_public_and_its_text_to_author_and_staff(
    english, forum, item, citizen, other_citizen, secretariat
):
    posted = comment(consultation=forum, author=citizen, text="Texto que será ocultado, Ñandú")
    services.hide(contribution=posted, actor=secretariat, reason="Lenguaje ofensivo")
    public = thread_of(english, item)
    assert 'Hidden by moderation: <span lang="es">Lenguaje ofensivo</span>' in public
    assert "Texto que será ocultado" not in public
    english.force_login(other_citizen)
    assert "Texto que será ocultado" not in thread_of(english, item)
    for reader in (citizen, secretariat):
        english.force_login(reader)
        html = thread_of(english, item)
        assert 'Hidden by moderation: <span lang="es">Lenguaje ofensivo</span>' in html
        assert "Texto que será ocultado, Ñandú" in html


def test_a_comment_hidden_after_reports_says_pending_review(english, forum, item, citizen):
    posted = comment(consultation=forum, author=citizen, text="Texto reportado")
    for _n in range(3):
        services.flag(contribution=posted, user=UserFactory(), reason="spam")
    html = thread_of(english, item)
    assert "Hidden pending review" in html
    assert "Texto reportado" not in html


def test_only_a_published_response_is_shown_framed_under_its_contribution(
    english, forum, item, citizen, secretariat
):
    answered = comment(consultation=forum, author=citizen, text="Primer aporte")
    drafted = comment(consultation=forum, author=citizen, text="Segundo aporte")
    Response.objects.create(
        contribution=answered,
        disposition=Disposition.OUT_OF_SCOPE,
        reason="Fuera del alcance del plan «2017»",
        author=secretariat,
        published_at=timezone.now(),
    )
    Response.objects.create(
        contribution=drafted,
        disposition=Disposition.NOT_INCORPORATED,
        reason="Borrador que nadie debe leer",
        author=secretariat,
    )
    html = thread_of(english, item)
    first = html.split(f'id="aporte-{answered.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'class="forum-response"' in first
    assert "Response of the Secretaría:" in first
    assert "Out of scope" in first
    assert "Fuera del alcance del plan «2017»" in first
    assert "Borrador que nadie debe leer" not in html
    assert html.count('class="forum-response"') == 1


def test_a_response_links_to_the_commitment_version(english, forum, item, citizen, secretariat):
    posted = comment(consultation=forum, author=citizen)
    version = item.versions.get()
    Response.objects.create(
        contribution=posted,
        disposition=Disposition.INCORPORATED,
        commitment_version=version,
        author=secretariat,
        published_at=timezone.now(),
    )
    html = thread_of(english, item)
    assert f'href="{item.get_absolute_url()}"' in html
    assert f'See version 1 of <span lang="es">{escape(item)}</span>' in html


# --- The proposals a commitment came from ---------------------------------------------------------
def test_a_merged_commitment_shows_the_comments_on_its_proposals_labelled(
    english, forum, item, citizen, secretariat
):
    on_proposal = comment(consultation=forum, author=citizen, text="Comentario sobre la propuesta")
    merged = CommitmentFactory(status=Status.AGREED, number=41)
    LineageLink.objects.create(
        source=item, target=merged, kind=LineageKind.MERGE, reason="Se fusionan", actor=secretariat
    )
    html = thread_of(english, merged)
    assert f'id="aporte-{on_proposal.pk}"' in html
    assert "Comentario sobre la propuesta" in html
    title = f'<span lang="es">{escape(item.title)}</span>'  # the proposal's title, as written
    assert f'On proposal <a href="{item.get_absolute_url()}">{title}</a>' in html
    # On the proposal's own page the comment is not labelled as coming from elsewhere.
    assert "On proposal" not in thread_of(english, item)


# --- Pages of 50 -----------------------------------------------------------------------------------
def test_fifty_top_level_comments_per_page_with_their_replies(english, forum, item, citizen, other_citizen):
    many(forum, item, PER_PAGE + 1, authors=[citizen])
    first_reply = comment(
        consultation=forum, author=other_citizen, parent=Contribution.objects.order_by("pk").first()
    )
    last = Contribution.objects.filter(parent=None).order_by("-created", "-pk").first()
    page_one = thread_of(english, item)
    assert page_one.count('<article class="contribution') == PER_PAGE + 1  # with the reply
    assert f'id="aporte-{first_reply.pk}"' in page_one
    assert f'id="aporte-{last.pk}"' not in page_one
    assert 'href="?comentarios=2#comentarios"' in page_one
    page_two = thread_of(english, item, comentarios=2)
    assert page_two.count('<article class="contribution') == 1
    assert f'id="aporte-{last.pk}"' in page_two
    # A page past the end shows the last one; nonsense shows the first.
    assert f'id="aporte-{last.pk}"' in thread_of(english, item, comentarios=9)
    assert f'id="aporte-{first_reply.pk}"' in thread_of(english, item, comentarios="x")
    # The permanent link of a contribution finds its page.
    response = english.get(reverse("consultations:contribution", args=[last.pk]))
    assert response["Location"] == f"{item.get_absolute_url()}?comentarios=2#aporte-{last.pk}"


# --- Safe Markdown ---------------------------------------------------------------------------------
def test_markdown_is_rendered_and_html_stays_inert_text(english, forum, item, citizen):
    typed = (
        "**Importante** <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[enlace](javascript:alert(1)) [sitio](https://example.org)"
    )
    comment(consultation=forum, author=citizen, text=typed)
    html = thread_of(english, item)
    assert "<strong>Importante</strong>" in html
    assert "<script>alert('x')" not in html
    assert "<img src" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in html
    assert markdown.render(typed) in html


def test_a_display_name_with_html_is_escaped(english, forum, item):
    author = UserFactory(display_name="<b>Nombre</b> Ñ", entity=EntityFactory(name="Org <i>x</i>"))
    comment(consultation=forum, author=author)
    html = thread_of(english, item)
    assert "&lt;b&gt;Nombre&lt;/b&gt; Ñ" in html
    assert "Org &lt;i&gt;x&lt;/i&gt;" in html


# --- Query counts ----------------------------------------------------------------------------------
def many(forum, item, n: int, *, authors, start: int = 0) -> list[Contribution]:
    """`n` top-level comments on `item` (written straight to the table: volume, not the service)."""
    base = timezone.now() - datetime.timedelta(days=1)
    return Contribution.objects.bulk_create(
        Contribution(
            consultation=forum,
            commitment=item,
            author=authors[i % len(authors)],
            text=f"Comentario {i} «ñ» <script>alert({i})</script>",
            stance="a_favor",
            category="sugerencia",
            created=base + datetime.timedelta(seconds=i),
        )
        for i in range(start, start + n)
    )


def grow_to(forum, item, total: int, *, authors, secretariat) -> None:
    """`total` top-level comments, each tenth with a reply and a reply to it, supports and responses,
    some hidden: every kind of row the thread shows."""
    have = Contribution.objects.filter(commitment=item, parent=None).count()
    made = many(forum, item, total - have, authors=authors, start=have)
    for i, top in enumerate(made):
        Support.objects.create(user=authors[(i + 1) % len(authors)], contribution=top)
        if i % 10 == 0:
            reply = Contribution.objects.create(
                consultation=forum, commitment=item, parent=top, depth=1, author=authors[0], text="R1"
            )
            Contribution.objects.create(
                consultation=forum, commitment=item, parent=reply, depth=2, author=authors[1], text="R2"
            )
            Response.objects.create(
                contribution=top,
                disposition=Disposition.NOT_INCORPORATED,
                reason="Motivo",
                author=secretariat,
                published_at=timezone.now(),
            )
        if i % 7 == 0:
            Contribution.objects.filter(pk=top.pk).update(state="oculto", hidden_reason="Motivo")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_proposal_page_runs_the_same_queries_with_5_and_200_comments(
    client, forum, item, citizen, other_citizen, secretariat
):
    entity = EntityFactory()
    authors = [citizen, other_citizen, UserFactory(entity=entity)]
    url = item.get_absolute_url()
    seen = {}
    for total in (5, 200):
        grow_to(forum, item, total, authors=authors, secretariat=secretariat)
        client.logout()
        anonymous = count_queries(client, url)
        client.force_login(citizen)
        signed_in = count_queries(client, url)
        client.force_login(secretariat)
        staff = count_queries(client, url)
        seen[total] = (anonymous, signed_in, staff)
    assert seen[5] == seen[200]
    anonymous, signed_in, staff = seen[200]
    # plan; commitment and its 6 related lists (lineage in both directions is one); the consultations of
    # the item; the page of the thread; the events it came from and the tables' decisions
    # (workshops/templatetags/outcomes.py).
    assert anonymous == 11
    assert anonymous <= 12
    # + session, user with its groups (paga/backends.py); their own support and follow of the item
    # (threads.item_marks: the consultations are the same for everyone, here read each time as the
    # fragment cache is off in tests), nothing for the thread.
    assert signed_in == anonymous + 3
    assert staff == signed_in


def test_a_merged_commitment_with_its_proposals_comments_stays_within_twelve_queries(
    client, forum, item, citizen, other_citizen, secretariat
):
    merged = CommitmentFactory(status=Status.AGREED, number=42)
    LineageLink.objects.create(
        source=item, target=merged, kind=LineageKind.MERGE, reason="Se fusionan", actor=secretariat
    )
    counts = []
    for total in (5, 200):
        grow_to(forum, item, total, authors=[citizen, other_citizen], secretariat=secretariat)
        counts.append(count_queries(client, merged.get_absolute_url()))
    assert counts[0] == counts[1] <= 12


def test_a_paragraph_page_runs_the_same_queries_at_two_volumes(client, citizen, other_citizen):
    document = document_consultation()
    paragraph = document.paragraphs.get(key="p1")
    url = reverse("consultations:paragraph", kwargs={"slug": document.slug, "key": "p1"})
    counts = []
    for total in (3, 60):
        have = Contribution.objects.filter(paragraph=paragraph, parent=None).count()
        Contribution.objects.bulk_create(
            Contribution(consultation=document, paragraph=paragraph, author=citizen, text=f"P {i}")
            for i in range(total - have)
        )
        counts.append(count_queries(client, url))
    # plan (header); paragraph with its consultation; the page of the thread.
    assert counts == [3, 3]


def test_the_example_commitment_page_shows_its_proposals_comments(client, example_plan):
    html = thread_of(client, Commitment.objects.get(number=9))
    assert "Que la autoridad publique en datos abiertos" in html
    assert "Creación de la Autoridad de Transporte Urbano (ATU)" in html


def test_public_item_helper_makes_a_public_proposal():
    assert public_item().status in Commitment.PUBLIC_STATUSES


# --- With the public page cache on: never stale ------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_with_the_page_cache_a_comment_a_hide_and_a_response_show_on_the_next_visit(
    settings, citizen, secretariat
):
    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    forum = open_forum()
    item = forum.items.get()
    anonymous = Client()
    anonymous.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    before = thread_of(anonymous, item)
    assert thread_of(anonymous, item) == before  # served again (from the cache)
    posted = comment(consultation=forum, author=citizen, text="Aporte nuevo «ñ»")
    assert "Aporte nuevo «ñ»" in thread_of(anonymous, item)
    detail_url = reverse("consultations:detail", kwargs={"slug": forum.slug})
    assert "1 comment" in main_of(anonymous.get(detail_url).content.decode())
    services.hide(contribution=posted, actor=secretariat, reason="Datos personales")
    html = thread_of(anonymous, item)
    assert 'Hidden by moderation: <span lang="es">Datos personales</span>' in html
    assert "Aporte nuevo «ñ»" not in html
    services.restore(contribution=posted, actor=secretariat)
    Response.objects.create(
        contribution=posted,
        disposition=Disposition.DUPLICATE,
        reason="Repite otro aporte",
        duplicate_of=comment(consultation=forum, author=citizen),
        author=secretariat,
        published_at=timezone.now(),
    )
    assert "Repite otro aporte" in thread_of(anonymous, item)


def test_a_page_changes_when_its_consultation_opens_or_closes():
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    upcoming = ConsultationFactory(opens_at=now + hour, closes_at=now + 3 * hour)
    running = ConsultationFactory(opens_at=now - hour, closes_at=now + hour)
    closed = ConsultationFactory(opens_at=now - 3 * hour, closes_at=now - hour)
    assert threads.next_change(upcoming, now) == upcoming.opens_at
    assert threads.next_change(running, now) == running.closes_at
    assert threads.next_change(closed, now) is None
