"""Each contribution's text is stored rendered, beside the renderer's version (issue 15, "Render less").

Written by the services with the text (post, edit, another channel); a row an older renderer made (or
written straight to the table) is rendered when read, never shown as stored, and stored anew by
`manage.py render_contributions`.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from consultations import markdown, services, threads
from consultations.models import Contribution
from paga.models import Channel
from tests.consultations.factories import comment
from tests.consultations.test_posting import open_forum
from tests.consultations.test_thread import thread_of

pytestmark = pytest.mark.django_db

TYPED = "Un **plazo** y <script>alert(1)</script> [enlace](javascript:alert(1))"


def test_posting_editing_and_recording_store_the_text_rendered(citizen, secretariat):
    forum = open_forum()
    posted = comment(consultation=forum, author=citizen, text=TYPED)
    posted.refresh_from_db()
    assert (posted.text_html, posted.text_html_version) == (str(markdown.render(TYPED)), markdown.VERSION)
    assert "<strong>plazo</strong>" in posted.text_html
    assert "<script>" not in posted.text_html

    services.edit_comment(contribution=posted, author=citizen, text="Texto *corregido*")
    posted.refresh_from_db()
    assert posted.text_html == "<p>Texto <em>corregido</em></p>\n"

    recorded = services.record_other_channel(
        consultation=forum,
        actor=secretariat,
        commitment=forum.items.get(),
        given_name="Colectivo",
        channel=Channel.EMAIL,
        received_on=datetime.date(2017, 10, 1),
        text="Por **correo**",
    )
    recorded.refresh_from_db()
    assert recorded.text_html == "<p>Por <strong>correo</strong></p>\n"
    assert recorded.text_html_version == markdown.VERSION


def test_the_thread_shows_the_stored_html_of_the_current_renderer_only(client, citizen):
    forum = open_forum()
    item = forum.items.get()
    posted = comment(consultation=forum, author=citizen, text="Texto **original**")
    # What the current renderer stored is what the page shows, as stored (no rendering on read)...
    Contribution.objects.filter(pk=posted.pk).update(text_html="<p>Tal como se guardó</p>")
    cache.clear()
    assert "Tal como se guardó" in thread_of(client, item)
    # ...but a row another renderer made is rendered from its text, never shown as stored.
    Contribution.objects.filter(pk=posted.pk).update(
        text_html="<p>De otro renderizador <script>alert(1)</script></p>", text_html_version="0:viejo"
    )
    cache.clear()
    html = thread_of(client, item)
    assert "<strong>original</strong>" in html
    assert "De otro renderizador" not in html


def test_render_contributions_stores_anew_what_another_renderer_made(citizen):
    forum = open_forum()
    fresh = comment(consultation=forum, author=citizen, text="Sin cambios")
    stale = comment(consultation=forum, author=citizen, text="Con **negrita**")
    Contribution.objects.filter(pk=stale.pk).update(text_html="viejo", text_html_version="0:viejo")
    raw = Contribution.objects.bulk_create(  # written straight to the table: nothing stored
        [Contribution(consultation=forum, commitment=forum.items.get(), author=citizen, text="*Directo*")]
    )[0]
    before = Contribution.objects.get(pk=fresh.pk).text_html

    out = io.StringIO()
    call_command("render_contributions", "--batch", "1", stdout=out)
    assert out.getvalue().startswith("2 contribution(s) rendered")
    rows = {c.pk: c for c in Contribution.objects.all()}
    assert rows[stale.pk].text_html == "<p>Con <strong>negrita</strong></p>\n"
    assert rows[raw.pk].text_html == "<p><em>Directo</em></p>\n"
    assert rows[fresh.pk].text_html == before
    assert {c.text_html_version for c in rows.values()} == {markdown.VERSION}
    out = io.StringIO()
    call_command("render_contributions", stdout=out)
    assert out.getvalue().startswith("0 contribution(s)")


def test_an_entry_computes_its_links_once_per_page(citizen, rf):
    """The card's links come from one reverse per kind per page, filled in per row: the same as reverse."""
    from django.urls import reverse

    forum = open_forum()
    posted = comment(consultation=forum, author=citizen, text="Enlaces")
    entry = threads.Entry(contribution=posted, user=citizen, now=posted.created, urls=threads.Urls())
    assert entry.reply_url == reverse("consultations:reply", args=[posted.pk])
    assert entry.support_url == reverse("consultations:support", args=[posted.pk])
    assert entry.flag_url == reverse("consultations:flag", args=[posted.pk])
    assert entry.edit_url == reverse("consultations:edit", args=[posted.pk])
