"""Text people wrote is stored in Spanish only: with the interface in English (`<html lang="en">`) it sits
inside an element with lang="es" (paga/templatetags/portal.py: `{% content_lang %}`, `|in_content_lang`),
so a screen reader reads it with Spanish pronunciation (WCAG 3.1.2, language of parts).

Each page is read as a tree of languages: every piece of text of the body gets the language of its
nearest element with a lang attribute. The stored texts must be found in Spanish text and nowhere in
the English text of the page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from commitments.models import Commitment
from consultations.models import Consultation, Contribution
from paga import plans
from paga.models import ActionPlan, TimelineStage
from workshops.models import Event

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FORUM = "foro-virtual-propuestas-2017"
REPORT = "consulta-informe-autoevaluacion-paga-2015-2016"
WORKSHOP = "taller-regional-la-libertad-2017"


class Languages(HTMLParser):
    """The text of the <body>, by the language it is marked with."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, lang)
        self.texts: dict[str, list[str]] = {}
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        lang = dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")
        if tag == "html":
            lang = dict(attrs).get("lang", "")
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.in_body and self.stack and self.stack[-1][0] not in ("script", "style"):
            self.texts.setdefault(self.stack[-1][1], []).append(data)

    def text(self, lang: str) -> str:
        """The text in `lang`, each piece on its own line, spaces collapsed."""
        return "\n".join(" ".join(piece.split()) for piece in self.texts.get(lang, []))


def read(path: str, language: str = "en") -> Languages:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200, path
    page = Languages()
    page.feed(response.content.decode())
    return page


def words(text: str, n: int = 8) -> str:
    """The first `n` words of a stored text, as a page shows them (no Markdown marks, spaces collapsed)."""
    plain = re.sub(r"[*_#>`\[\]]", "", text)
    return " ".join(plain.split()[:n])


def assert_in_spanish(page: Languages, *stored: str) -> None:
    spanish, english = page.text("es"), page.text("en")
    for text in stored:
        assert words(text), "an empty stored text proves nothing"
        assert words(text) in spanish, f"not marked Spanish: {words(text)!r}"
        assert words(text) not in english, f"also unmarked: {words(text)!r}"


@pytest.fixture
def plan(example_plan) -> ActionPlan:
    return example_plan


def test_a_commitment_page_marks_its_texts_spanish(plan):
    c3 = Commitment.objects.get(plan=plan, number=3)
    page = read(c3.get_absolute_url())
    assert page.text("en")  # the interface itself stays English
    milestone = c3.milestones.first()
    assert_in_spanish(page, c3.title, c3.problem, c3.description, c3.how_it_helps, milestone.description)


def test_a_comment_and_a_consulted_paragraph_are_marked_spanish(plan):
    forum = Consultation.objects.get(slug=FORUM)
    atu = forum.items.get(title__startswith="Creación de la Autoridad de Transporte Urbano")
    comment = Contribution.objects.get(commitment=atu, author__email="ciudadano@cocrea.example")
    assert_in_spanish(read(atu.get_absolute_url()), atu.title, comment.text)
    report = Consultation.objects.get(slug=REPORT)  # PAGA 2015-2016's, at its plan's address
    address = plans.reverse_in(report.plan, "consultations:detail", kwargs={"slug": REPORT})
    assert_in_spanish(read(address), report.title, report.paragraphs.first().text)


def test_an_event_page_marks_its_texts_spanish(plan):
    event = Event.objects.get(slug=WORKSHOP)
    assert event.summary
    assert_in_spanish(read(event.get_absolute_url()), event.title, event.summary, event.region.name)


def test_the_timeline_marks_each_stage_spanish(plan):
    stages = TimelineStage.objects.filter(plan=plan)
    stages.filter(pk=stages[0].pk).update(
        description="Se publica en la página web con una semana de anticipación."
    )
    page = read("/cronograma/")
    assert_in_spanish(page, *[s.title for s in stages], *[s.description for s in stages if s.description])


def test_in_spanish_the_page_s_own_language_is_enough(plan):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get("/cronograma/").content.decode()
    assert html.count('lang="es"') == 1  # <html lang="es">, nothing more
    assert TimelineStage.objects.filter(plan=plan).first().title in html


def test_a_filter_s_stored_names_are_marked_spanish_and_its_all_option_is_not(plan):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/talleres/").content.decode()
    theme = plan.themes.first()
    assert f'<option value="{theme.slug}" lang="es">{theme.name}</option>' in html
    assert '<option value="" selected>All themes</option>' in html


def test_the_staff_pages_mark_what_people_wrote_too(plan, secretariat):
    event = Event.objects.get(slug=WORKSHOP)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretariat)
    page = Languages()
    page.feed(client.get(f"/gestion/talleres/{event.slug}/").content.decode())
    assert_in_spanish(page, event.title, event.region.name)
