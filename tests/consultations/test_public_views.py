"""The public pages of the consultations: the list, a consultation on proposals, one on a document, a
paragraph. Each answers with the example and with factories, says its state in words and its dates in
Spanish, and runs the same number of queries whatever the volume."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from consultations.models import Consultation, Contribution
from tests.consultations.factories import ConsultationFactory, ParagraphFactory, document_consultation
from tests.consultations.test_posting import (
    english,
    fresh_rate_limits,
    main_of,
    open_forum,
    public_item,
    spanish,
)
from tests.factories import UserFactory

__all__ = ["english", "fresh_rate_limits", "spanish"]  # fixtures shared with test_posting

pytestmark = pytest.mark.django_db

FORUM = "foro-virtual-propuestas-2017"
REPORT = "consulta-informe-autoevaluacion-paga-2015-2016"  # PAGA 2015-2016's (paga/example.py)
LIST = reverse("consultations:list")
PREVIOUS = "/planes/paga-2015-2016"


def detail(slug: str) -> str:
    return reverse("consultations:detail", kwargs={"slug": slug})


def paragraph(slug: str, key: str) -> str:
    return reverse("consultations:paragraph", kwargs={"slug": slug, "key": key})


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return main_of(response.content.decode())


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- The example -----------------------------------------------------------------------------------
def test_the_example_consultations_are_listed_with_their_dates_in_spanish(spanish, example_plan):
    html = html_of(spanish, LIST)
    assert f'href="{detail(FORUM)}"' in html
    assert REPORT not in html  # PAGA 2015-2016's, listed in its own plan
    for day in ("22 de septiembre de 2017", "6 de octubre de 2017"):
        assert day in html
    assert html.count('class="status status-illustrative"') == 0
    previous = html_of(spanish, PREVIOUS + LIST)
    assert f'href="{PREVIOUS}{detail(REPORT)}"' in previous
    assert FORUM not in previous
    for day in ("29 de septiembre de 2017", "13 de octubre de 2017"):
        assert day in previous
    assert previous.count('class="status status-illustrative"') == 1  # the report's paragraphs


def test_the_example_forum_lists_its_proposals_with_their_comment_counts(english, example_plan):
    html = html_of(english, detail(FORUM))
    assert html.count('<li><a href="/compromisos/') == 25
    assert "Closed" in html
    assert "From <time" in html
    assert "(Lima time)" in html
    atu = html.split("Creación de la Autoridad de Transporte Urbano (ATU)</a>", 1)[1][:120]
    assert "1 comment" in atu


def test_the_example_report_shows_numbered_paragraphs_with_stable_anchors(english, example_plan):
    html = html_of(english, PREVIOUS + detail(REPORT))
    for n in range(1, 6):
        assert f'id="p-p-{n}"' in html
        assert f'href="{PREVIOUS}{paragraph(REPORT, f"p-{n}")}"' in html
    assert "Comments on §3 (1)" in html
    assert "Illustrative example." in html


def test_the_example_paragraph_shows_its_thread(english, example_plan):
    html = html_of(english, PREVIOUS + paragraph(REPORT, "p-3"))
    assert "Sería útil una tabla" in html
    assert "<h1>Paragraph 3</h1>" in html


def test_unknown_consultations_and_paragraphs_are_not_found(client, example_plan):
    assert client.get(detail("no-existe")).status_code == 404
    assert client.get(PREVIOUS + paragraph(REPORT, "p-99")).status_code == 404
    url = reverse("consultations:paragraph", kwargs={"slug": FORUM, "key": "p-1"})
    assert client.get(url).status_code == 404


# --- States in words -------------------------------------------------------------------------------
def test_each_state_is_said_in_words(english):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    open_forum(title="Abierta ahora")
    ConsultationFactory(title="Ya cerrada", opens_at=now - 9 * day, closes_at=now - day)
    ConsultationFactory(title="Aún no", opens_at=now + day, closes_at=now + 9 * day)
    html = html_of(english, LIST)
    for title, label in (("Abierta ahora", "Open"), ("Ya cerrada", "Closed"), ("Aún no", "Upcoming")):
        card = html.split(title, 1)[1][:300]
        assert f">{label}</span>" in card


def test_an_open_consultation_invites_to_comment_and_escapes_its_texts(english):
    forum = open_forum()
    html = html_of(english, detail(forum.slug))
    assert escape(forum.title) in html
    assert "<script>alert" not in html
    assert "Open a proposal to read it whole and comment on it." in html
    assert "Comments are open" not in html  # that sentence belongs to a thread


def test_a_draft_proposal_is_not_listed_in_its_consultation(english):
    from commitments.models import Status
    from tests.commitments.factories import CommitmentFactory

    shown, draft = public_item(title="Propuesta pública"), CommitmentFactory(status=Status.PROPOSED)
    forum = ConsultationFactory(items=[shown, draft])
    html = html_of(english, detail(forum.slug))
    assert "Propuesta pública" in html
    assert draft.get_absolute_url() not in html


# --- Query counts at two volumes -------------------------------------------------------------------
def test_the_list_runs_the_same_queries_with_2_and_12_consultations(client, citizen):
    counts = []
    for total in (2, 12):
        while Consultation.objects.count() < total:
            forum = open_forum()
            Contribution.objects.create(
                consultation=forum, commitment=forum.items.get(), author=citizen, text="Aporte"
            )
        counts.append(count_queries(client, LIST))
    assert counts == [3, 3]  # plan; consultations; their contributions counted (holes of the kept page)


def test_a_consultation_on_proposals_runs_the_same_queries_with_3_and_30_items(client, citizen):
    forum = open_forum()
    counts = []
    for total in (3, 30):
        while forum.items.count() < total:
            item = public_item()
            forum.items.add(item)
            Contribution.objects.create(consultation=forum, commitment=item, author=citizen, text="Aporte")
        counts.append(count_queries(client, detail(forum.slug)))
    assert counts == [4, 4]  # consultation; items; plan (header); their comment counts (holes)


def test_a_consultation_on_a_document_runs_the_same_queries_with_3_and_30_paragraphs(client, citizen):
    document = document_consultation()
    counts = []
    for total in (3, 30):
        while document.paragraphs.count() < total:
            paragraph = ParagraphFactory(consultation=document, key=f"s{document.paragraphs.count()}")
            Contribution.objects.create(
                consultation=document, paragraph=paragraph, author=citizen, text="Aporte"
            )
        Contribution.objects.create(consultation=document, author=UserFactory(), text="Sobre todo")
        counts.append(count_queries(client, detail(document.slug)))
    assert counts == [4, 4]  # consultation; paragraphs with counts; the document's thread; plan


def test_the_comment_form_page_answers_for_each_kind(english, citizen):
    forum = open_forum()
    document = document_consultation()
    english.force_login(citizen)
    urls = [
        reverse("consultations:comment", kwargs={"slug": forum.slug, "pk": forum.items.get().pk}),
        reverse("consultations:comment_paragraph", kwargs={"slug": document.slug, "key": "p1"}),
        reverse("consultations:comment_document", kwargs={"slug": document.slug}),
    ]
    for url in urls:
        html = html_of(english, url)
        assert "<h1>Comment on" in html
        assert 'name="text"' in html
        assert 'name="stance"' in html
        assert 'name="category"' in html
    assert 'name="section"' in html_of(english, urls[0])
    assert 'name="section"' not in html_of(english, urls[1])
