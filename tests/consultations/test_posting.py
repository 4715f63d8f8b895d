"""Posting in the forum through its pages: comment, reply, edit, support, report.

Every refusal of the services (window, depth, one support each, edit window, blocked person, unverified
email) comes back ON THE PAGE with its message and with what was typed; nothing is saved. Wording is
read in English (the `english` fixture) except where the Spanish dates are the point.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from commitments.models import Commitment, Status
from consultations import markdown, services
from consultations.models import Consultation, Contribution, ContributionVersion, Flag, Support
from paga import ratelimit
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment, document_consultation, forum_2017
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TYPED = "Propuesta «tecleada» en Áncash <script>alert(1)</script> con **énfasis**"


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Rate-limit counters live in the cache (Redis when REDIS_URL is set, never flushed here): each
    test counts under keys of its own."""
    monkeypatch.setattr(ratelimit, "PREFIX", f"ratelimit-test-{uuid.uuid4().hex}")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def public_item(**kw) -> Commitment:
    """A proposal the public sees (in consultation)."""
    kw.setdefault("status", Status.IN_CONSULTATION)
    return CommitmentFactory(**kw)


def open_forum(**kw) -> Consultation:
    """A consultation on one public proposal, open now."""
    kw.setdefault("items", [public_item()])
    return ConsultationFactory(**kw)


def comment_url(consultation: Consultation, item: Commitment | None = None) -> str:
    item = item or consultation.items.get()
    return reverse("consultations:comment", kwargs={"slug": consultation.slug, "pk": item.pk})


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def page_text(response) -> str:
    return main_of(response.content.decode())


def form_data(text: str = TYPED, **kw) -> dict:
    return {"text": text, "stance": "", "category": "", "section": "", **kw}


# --- Commenting ------------------------------------------------------------------------------------
def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client):
    forum = open_forum()
    url = comment_url(forum)
    for response in (client.get(url), client.post(url, form_data())):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert not Contribution.objects.exists()


def test_a_citizen_comments_on_a_section_and_lands_on_the_comment(english, citizen):
    forum = open_forum()
    item = forum.items.get()
    english.force_login(citizen)
    page = english.get(comment_url(forum))
    assert page.status_code == 200
    assert 'name="text"' in page_text(page)
    assert f"At most {Contribution.MAX_LENGTH} characters" in page_text(page)
    response = english.post(
        comment_url(forum), form_data(stance="en_contra", category="pregunta", section="problem")
    )
    posted = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{item.get_absolute_url()}#aporte-{posted.pk}"
    assert (posted.text, posted.stance, posted.category, posted.section) == (
        TYPED,
        "en_contra",
        "pregunta",
        "problem",
    )
    assert (posted.author, posted.commitment, posted.consultation) == (citizen, item, forum)
    shown = english.get(response["Location"])
    assert "Your comment was published." in shown.content.decode()
    html = page_text(shown)
    assert f'id="aporte-{posted.pk}"' in html
    assert "<strong>énfasis</strong>" in html
    assert "On: What problem does the commitment address?" in html
    assert "Against" in html
    assert "Question" in html


def test_the_comment_form_shows_under_the_thread_while_the_consultation_is_open(english, citizen):
    forum = open_forum()
    item = forum.items.get()
    english.force_login(citizen)
    html = page_text(english.get(item.get_absolute_url()))
    assert f'action="{comment_url(forum)}"' in html
    assert "Comments are open until" in html


def test_an_anonymous_visitor_sees_how_to_sign_in_instead_of_the_form(english):
    forum = open_forum()
    html = page_text(english.get(forum.items.get().get_absolute_url()))
    assert 'name="text"' not in html
    assert f"{reverse('account_login')}?next={comment_url(forum)}" in html


def test_posting_after_the_window_is_refused_on_the_page_with_the_dates_and_the_text_kept(spanish, citizen):
    item = public_item()
    forum = forum_2017(items=[item])
    spanish.force_login(citizen)
    response = spanish.post(comment_url(forum), form_data())
    html = page_text(response)
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "22 de septiembre de 2017" in html
    assert "6 de octubre de 2017" in html
    assert escape(TYPED) in html  # nothing typed is lost
    assert not Contribution.objects.exists()
    # The thread says it closed, with the dates, and offers no form.
    thread = page_text(spanish.get(item.get_absolute_url()))
    assert "6 de octubre de 2017" in thread
    assert 'name="text"' not in thread


def test_a_consultation_not_open_yet_says_when_it_opens(spanish, citizen):
    item = public_item()
    ConsultationFactory(
        items=[item],
        opens_at=datetime.datetime(2099, 9, 22, tzinfo=datetime.UTC) + datetime.timedelta(hours=5),
        closes_at=datetime.datetime(2099, 10, 7, tzinfo=datetime.UTC) + datetime.timedelta(hours=5),
    )
    spanish.force_login(citizen)
    html = page_text(spanish.get(item.get_absolute_url()))
    assert "22 de septiembre de 2099" in html
    assert 'name="text"' not in html


def test_a_blocked_person_is_refused_on_the_page_with_the_reason(english, citizen, secretariat):
    forum = open_forum()
    services.block(user=citizen, actor=secretariat, reason="Mensajes repetidos")
    english.force_login(citizen)
    html = page_text(english.post(comment_url(forum), form_data()))
    assert "Your account cannot post contributions: Mensajes repetidos" in html
    assert escape(TYPED) in html
    assert not Contribution.objects.exists()


def test_an_unverified_person_is_told_to_confirm_the_email_with_a_link(english):
    forum = open_forum()
    unverified = UserFactory(groups=["ciudadania"], verified_email=False)
    english.force_login(unverified)
    html = page_text(english.post(comment_url(forum), form_data()))
    assert "Confirm your email address before posting a contribution." in html
    assert f'href="{reverse("account_email")}"' in html
    assert escape(TYPED) in html
    assert not Contribution.objects.exists()


def test_a_comment_reads_the_authors_conditions_and_the_items_place_once(english, citizen):
    """The permission (verified email, no block, consent) and the proposal's place in the consultation are
    each read once per POST: the view that finds the item and the service that posts share them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forum = open_forum()
    english.force_login(citizen)
    url = comment_url(forum)
    english.post(url, form_data(text="primero"))
    with CaptureQueriesContext(connection) as captured:
        response = english.post(url, form_data(text="segundo"))
    assert response.status_code == 302
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("consultations_block", "paga_consent", "account_emailaddress"):
        assert sum(f'FROM "{table}"' in sql for sql in reads) == 1, table
    membership = '"consultations_consultation_items"."consultation_id" = '
    assert sum(membership in sql for sql in reads) == 1
    assert Contribution.objects.count() == 2


def test_a_text_too_long_is_refused_next_to_the_field_and_kept(english, citizen):
    forum = open_forum()
    english.force_login(citizen)
    long_text = "ñ" * (Contribution.MAX_LENGTH + 1)
    html = page_text(english.post(comment_url(forum), form_data(text=long_text)))
    assert 'href="#id_text"' in html  # the error summary links to the field
    assert long_text in html
    assert not Contribution.objects.exists()


def test_an_empty_text_is_refused(english, citizen):
    forum = open_forum()
    english.force_login(citizen)
    html = page_text(english.post(comment_url(forum), form_data(text="   ")))
    assert "Write the text of your contribution." in html
    assert not Contribution.objects.exists()


def test_an_item_outside_the_consultation_or_not_public_is_not_found(english, citizen):
    forum = open_forum()
    english.force_login(citizen)
    other = public_item()
    draft = CommitmentFactory(status=Status.PROPOSED)
    forum.items.add(draft)
    assert english.get(comment_url(forum, other)).status_code == 404
    assert english.get(comment_url(forum, draft)).status_code == 404


def test_a_comment_on_a_paragraph_lands_on_the_paragraph(english, citizen):
    document = document_consultation()
    paragraph = document.paragraphs.get(key="p2")
    english.force_login(citizen)
    url = reverse("consultations:comment_paragraph", kwargs={"slug": document.slug, "key": "p2"})
    response = english.post(url, form_data(category="sugerencia"))
    posted = Contribution.objects.get()
    paragraph_url = reverse("consultations:paragraph", kwargs={"slug": document.slug, "key": "p2"})
    assert response["Location"] == f"{paragraph_url}#aporte-{posted.pk}"
    assert posted.paragraph == paragraph
    html = page_text(english.get(paragraph_url))
    assert f'id="aporte-{posted.pk}"' in html
    assert f'action="{url}"' in html  # the form under the paragraph's thread


def test_a_comment_on_the_whole_document(english, citizen):
    document = document_consultation()
    english.force_login(citizen)
    url = reverse("consultations:comment_document", kwargs={"slug": document.slug})
    response = english.post(url, form_data())
    posted = Contribution.objects.get()
    assert response["Location"] == f"{document.get_absolute_url()}#aporte-{posted.pk}"
    assert (posted.paragraph, posted.commitment) == (None, None)
    assert f'id="aporte-{posted.pk}"' in page_text(english.get(document.get_absolute_url()))


# --- Replies ---------------------------------------------------------------------------------------
def test_a_reply_is_shown_indented_under_its_parent(english, citizen, other_citizen):
    forum = open_forum()
    top = comment(consultation=forum, author=citizen)
    english.force_login(other_citizen)
    url = reverse("consultations:reply", args=[top.pk])
    assert markdown.render(top.text) in page_text(english.get(url))
    response = english.post(url, form_data(text="Respuesta de Ñúñez"))
    reply = Contribution.objects.get(parent=top)
    assert response["Location"].endswith(f"#aporte-{reply.pk}")
    html = page_text(english.get(forum.items.get().get_absolute_url()))
    after_parent = html.split(f'id="aporte-{top.pk}"', 1)[1]
    assert '<ol class="replies">' in after_parent.split(f'id="aporte-{reply.pk}"', 1)[0]
    assert "Respuesta de Ñúñez" in html


def test_a_reply_at_the_third_level_is_refused_on_the_page(english, citizen, other_citizen):
    forum = open_forum()
    top = comment(consultation=forum, author=citizen)
    first = comment(consultation=forum, author=other_citizen, parent=top)
    second = comment(consultation=forum, author=citizen, parent=first)
    english.force_login(other_citizen)
    html = page_text(english.post(reverse("consultations:reply", args=[second.pk]), form_data()))
    assert "Replies go at most 2 levels deep" in html
    assert escape(TYPED) in html
    assert Contribution.objects.count() == 3
    # The thread offers no "Reply" on the deepest level.
    thread = page_text(english.get(forum.items.get().get_absolute_url()))
    assert reverse("consultations:reply", args=[first.pk]) in thread
    assert reverse("consultations:reply", args=[second.pk]) not in thread


# --- Edits -----------------------------------------------------------------------------------------
def test_the_author_edits_within_the_window_and_the_old_text_is_kept(english, citizen):
    forum = open_forum()
    posted = comment(consultation=forum, author=citizen, text="Primera redacción")
    english.force_login(citizen)
    url = reverse("consultations:edit", args=[posted.pk])
    assert "Primera redacción" in page_text(english.get(url))
    response = english.post(url, {"text": "Segunda redacción"})
    assert response.status_code == 302
    posted.refresh_from_db()
    assert posted.text == "Segunda redacción"
    assert ContributionVersion.objects.get(contribution=posted).text == "Primera redacción"
    html = page_text(english.get(response["Location"]))
    assert "edited" in html
    assert "Segunda redacción" in html


def test_an_edit_after_fifteen_minutes_is_refused_on_the_page(english, citizen):
    forum = open_forum()
    posted = comment(consultation=forum, author=citizen, text="Primera redacción")
    Contribution.objects.filter(pk=posted.pk).update(created=posted.created - datetime.timedelta(minutes=16))
    english.force_login(citizen)
    url = reverse("consultations:edit", args=[posted.pk])
    html = page_text(english.post(url, {"text": "Corrección tardía"}))
    assert "can be edited only during the 15 minutes after it was posted" in html
    assert "Corrección tardía" in html
    posted.refresh_from_db()
    assert posted.text == "Primera redacción"
    # And the thread no longer offers "Edit".
    assert url not in page_text(english.get(forum.items.get().get_absolute_url()))


def test_only_the_author_may_edit(english, citizen, other_citizen):
    posted = comment(consultation=open_forum(), author=citizen)
    english.force_login(other_citizen)
    url = reverse("consultations:edit", args=[posted.pk])
    assert english.get(url).status_code == 403
    assert english.post(url, {"text": "Intruso"}).status_code == 403


# --- Supports --------------------------------------------------------------------------------------
def test_one_support_per_person_and_the_second_is_refused_on_the_page(english, citizen, other_citizen):
    forum = open_forum()
    posted = comment(consultation=forum, author=citizen)
    english.force_login(other_citizen)
    url = reverse("consultations:support", args=[posted.pk])
    assert english.get(url).status_code == 200
    first = english.post(url)
    assert first.status_code == 302
    assert first["Location"].endswith(f"#aporte-{posted.pk}")
    second = english.post(url)
    assert second.status_code == 200
    assert "You already support this." in page_text(second)
    assert Support.objects.filter(contribution=posted).count() == 1
    html = page_text(english.get(forum.items.get().get_absolute_url()))
    assert "1 support" in html
    assert "you support it" in html


def test_supporting_a_proposal(english, citizen):
    forum = open_forum()
    item = forum.items.get()
    english.force_login(citizen)
    url = reverse("consultations:support_item", args=[item.pk])
    response = english.post(url)
    assert response["Location"] == f"{item.get_absolute_url()}#comentarios"
    assert Support.objects.filter(commitment=item, user=citizen).exists()
    html = page_text(english.get(item.get_absolute_url()))
    assert "1 person supports this proposal." in html
    assert "You support it." in html
    assert "You already support this." in page_text(english.post(url))


# --- Reports ---------------------------------------------------------------------------------------
def test_a_report_needs_a_reason_and_is_recorded_once(english, citizen, other_citizen):
    forum = open_forum()
    posted = comment(consultation=forum, author=citizen)
    english.force_login(other_citizen)
    url = reverse("consultations:flag", args=[posted.pk])
    assert "Choose a reason for the report." in page_text(english.post(url, {}))
    response = english.post(url, {"reason": "spam"})
    assert response.status_code == 302
    assert Flag.objects.get(contribution=posted).user == other_citizen
    assert "You already reported this contribution." in page_text(english.post(url, {"reason": "spam"}))
    assert Flag.objects.count() == 1


def test_the_author_cannot_report_their_own_comment(english, citizen):
    posted = comment(consultation=open_forum(), author=citizen)
    english.force_login(citizen)
    html = page_text(english.post(reverse("consultations:flag", args=[posted.pk]), {"reason": "spam"}))
    assert "You cannot report your own contribution." in html
    assert not Flag.objects.exists()


def test_a_contribution_on_a_hidden_proposal_is_not_found(english, citizen, other_citizen):
    draft = CommitmentFactory(status=Status.PROPOSED)
    forum = ConsultationFactory(items=[draft])
    posted = comment(consultation=forum, author=citizen, commitment=draft)
    english.force_login(other_citizen)
    for name in ("reply", "support", "flag", "contribution"):
        assert english.get(reverse(f"consultations:{name}", args=[posted.pk])).status_code == 404


def test_the_comment_page_of_a_closed_consultation_says_so_instead_of_offering_the_form(spanish, citizen):
    forum = forum_2017(items=[public_item()])
    spanish.force_login(citizen)
    html = page_text(spanish.get(comment_url(forum)))
    assert "6 de octubre de 2017" in html
    assert 'name="text"' not in html
