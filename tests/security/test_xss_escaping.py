"""Every payload of the XSS corpus (tests/xss_corpus.py) in every field a person types into the forum and
the workshops, on every page that shows the field (tests/xss_fields.py says which), checked in this
process: each page is read with Django's test client and parsed (libxml2's HTML parser), and neither the
document nor the HTML may hold anything a payload could have made live (`inert_problems`: an element
such as <script>, <iframe>, <svg> or <base>, an event handler, a style, an address whose protocol is not
http, https or mailto, a payload holding "<" as typed). Each page also has to show the typed texts it is
expected to show, and each form field to hold what was typed, so an empty or failing page cannot pass.

Chromium checks a sample of the corpus on the same pages, and what only a browser can tell (dialogs,
scripts that ran, its own parser): tests/browser/test_xss.py. The guard tests at the end prove these
checks fail on live payloads and on a template or renderer that trusts a text.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.safestring import mark_safe

from commitments.models import Status
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment
from tests.xss_corpus import BROWSER_SAMPLE, LIVE, PAYLOADS, REFLECTED, inert_problems, local_name, parse
from tests.xss_fields import (
    QUEUE,
    Corpus,
    assert_forum_stored_as_typed,
    assert_workshops_stored_as_typed,
    back_paths,
    build_forum,
    build_workshops,
    event_with_trusted_agenda,
    reflecting_paths,
    reported_comment,
    signed_up,
    walk_forum,
    walk_workshops,
)

pytestmark = pytest.mark.django_db

CORPUS = Corpus(PAYLOADS)
SELECTOR = re.compile(r"(\w+)\[name=(\w+)\]")


def squeezed(text: str) -> str:
    """Text without any whitespace: a typed newline may be a <br>, a space or nothing in textContent."""
    return re.sub(r"\s+", "", text)


class Reader:
    """A visitor of tests/xss_fields.py reading the pages with Django's test client, in English, signed in
    as `user` when given."""

    def __init__(self, user=None, payloads: list[str] = PAYLOADS):
        self.client = Client()
        self.client.cookies["django_language"] = "en"
        if user is not None:
            self.client.force_login(user)
        self.payloads = payloads
        self.problems: dict[str, list[str]] = {}
        self.seen = ""
        self.document = None

    def visit(self, path: str, *, shows: list[str] = (), articles: int | None = None) -> None:
        """Read `path`; record what could be live on it, and which expected typed texts it does not show."""
        response = self.client.get(path)
        found = [] if response.status_code == 200 else [f"HTTP {response.status_code}"]
        html = response.content.decode()
        self.document = parse(html)
        found += inert_problems(html, self.payloads, self.document)
        body = next(e for e in self.document if e.tag == "body")
        content = squeezed("".join(body.itertext()))
        missing = [text for text in shows if squeezed(text) not in content]
        if missing:
            found.append(f"{len(missing)} typed text(s) not shown, e.g. {missing[:3]}")
        if articles is not None:
            seen = sum(
                1
                for e in body.iter()
                if isinstance(e.tag, str)
                and local_name(e.tag) == "article"
                and "contribution" in e.get("class", "").split()
            )
            if seen != articles:
                found.append(f"{seen} contributions shown, {articles} expected")
        if found:
            self.problems[path] = found
        self.seen += content

    def showed_all(self, what: str, texts: list[str]) -> None:
        """Every one of `texts` was shown on the pages visited since the last call, then start over."""
        missing = [text for text in texts if squeezed(text) not in self.seen]
        if missing:
            self.problems[what] = [f"{len(missing)} typed text(s) not shown, e.g. {missing[:3]}"]
        self.seen = ""

    def holds(self, path: str, selector: str, typed: str) -> None:
        """The first field `tag[name=...]` of the page just read holds exactly `typed`, as a browser
        would give its value (an <input>'s value attribute, a <textarea>'s text)."""
        tag, name = SELECTOR.fullmatch(selector).groups()
        value = None
        if path not in self.problems:
            fields = (
                e
                for e in self.document.iter()
                if isinstance(e.tag, str) and local_name(e.tag) == tag and e.get("name") == name
            )
            field = next(fields, None)
            if field is not None and tag == "textarea":  # a newline right after <textarea> is no text
                value = "".join(field.itertext()).removeprefix("\n")
            elif field is not None:
                value = field.get("value", "")
        if value != typed:
            self.problems.setdefault(path, []).append(f"{selector} holds {value!r}")

    def close(self) -> None:
        self.client.logout()


def test_the_corpus_is_large_and_typed_as_is():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert len(CORPUS.names) >= 50
    # Services strip surrounding spaces from names and reasons: the corpus has none, so "stored as typed"
    # means stored exactly.
    assert all(p == p.strip() for p in PAYLOADS)
    for kind in ("](javascript:", "<svg", "onerror=", "&#106;", "%6A", "data:text/html", "window.__xss"):
        assert any(kind.lower() in p.lower() for p in PAYLOADS), kind


def test_the_browser_sample_is_of_the_corpus_with_every_breakout():
    assert len(set(BROWSER_SAMPLE)) == len(BROWSER_SAMPLE)
    assert [p for p in BROWSER_SAMPLE if p not in PAYLOADS] == []
    sample = Corpus(BROWSER_SAMPLE)
    assert {BROWSER_SAMPLE[i] for i in sample.breakouts} == {PAYLOADS[i] for i in CORPUS.breakouts}
    kinds = ["onerror=alert", "confirm(", "window.__xss", "<noscript>", "<math>", "xlink:href", "autofocus"]
    kinds += ["ontoggle", "](javascript:", "![", "<javascript:", "&#x09;", "<base"]
    assert [kind for kind in kinds if not any(kind in p for p in BROWSER_SAMPLE)] == []


def _reader(user=None) -> Reader:
    return Reader(user)


def test_every_forum_text_is_stored_as_typed_and_escaped_on_every_page(secretariat):
    f = build_forum(CORPUS, secretariat)
    assert_forum_stored_as_typed(f)
    problems = walk_forum(f, _reader)
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_every_workshops_text_is_stored_as_typed_and_escaped_on_every_page(secretariat):
    w = build_workshops(CORPUS, secretariat)
    assert_workshops_stored_as_typed(w)
    problems = walk_workshops(w, _reader)
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_query_parameters_are_rendered_inert(secretariat, citizen, other_citizen):
    """What a link can put in the address (a `next` to come back to, a search, a page number) is shown or
    reused as a value, never as markup or as a link's target."""
    reported = reported_comment(citizen, other_citizen)
    staff = Reader(secretariat, payloads=REFLECTED)
    for path in reflecting_paths(reported, REFLECTED):
        staff.visit(path)
    assert staff.problems == {}

    def back(path: str) -> str:
        """The href of the moderation page's "back" link."""
        staff.visit(path)
        [link] = [
            a
            for main in staff.document.iter("main")
            for a in main.iter("a")
            if "".join(a.itertext()).strip() == "Back to the moderation queue"
        ]
        return link.get("href")

    within, elsewhere = back_paths(reported)
    assert (back(within), back(elsewhere)) == (f"{QUEUE}?estado=oculto", QUEUE)
    assert staff.problems == {}


# --- The checks can fail -----------------------------------------------------------------------------
PAGE = "<!doctype html><html lang='es'><head><title>x</title></head><body><main>{}</main></body></html>"


def test_the_checks_report_live_payloads():
    assert inert_problems(PAGE.format("<p>Texto <a href='https://example.org'>enlace</a></p>")) == []
    assert inert_problems(PAGE.format("<p>&lt;img src=x onerror=alert(1)&gt;</p>"), PAYLOADS) == []
    found = {payload: inert_problems(PAGE.format(payload)) for payload in LIVE}
    assert [payload for payload, problems in found.items() if not problems] == []
    assert "handler onerror" in " ".join(found["<img src=x onerror=alert(1)>"])
    assert "handler ontoggle" in " ".join(found["<details open ontoggle=confirm(1)>x</details>"])
    assert "<script>" in " ".join(found["<script>window.__xss = 1</script>"])
    assert "href with javascript:" in " ".join(found['<a href="java\tscript:alert(1)">x</a>'])
    assert "href with javascript:" in " ".join(found['<a href="&#106;&#97;vascript:alert(1)">x</a>'])
    # A payload that makes no element but is in the HTML as typed (an attribute kept inside a title).
    title = '<p title="</p><img src=x onerror=alert(1)>">x</p>'
    assert inert_problems(PAGE.format(title), [title]) == [f"typed as is: {title!r}"]


def test_a_thread_rendered_without_sanitising_is_caught(monkeypatch):
    """The thread as the main test reads it, with the Markdown renderer replaced by one that trusts the
    text: the reader reports the live payloads; with the real renderer the page is clean."""
    consultation = ConsultationFactory(items=[CommitmentFactory(status=Status.IN_CONSULTATION)])
    path = consultation.items.get().get_absolute_url()
    author = signed_up("Autora")
    typed = ["<img src=x onerror=alert(1)>", "<script>window.__xss = 1</script>", *LIVE[3:7]]
    for payload in typed:
        comment(consultation=consultation, author=author, text=payload)

    monkeypatch.setattr("consultations.markdown.render", lambda text: mark_safe(text))  # noqa: S308
    monkeypatch.setattr("consultations.markdown.VERSION", "a renderer that trusts the text")  # stored: stale
    cache.clear()
    unsafe = Reader(payloads=typed)
    unsafe.visit(path, shows=["Autora", "a text the page does not show"], articles=6)
    found = " | ".join(unsafe.problems[path])
    expected = ["handler onerror", "<script>", "href with javascript:", "href with data:", "typed as is"]
    expected += ["typed text(s) not shown"]
    assert [e for e in expected if e not in found] == []

    monkeypatch.undo()
    cache.clear()
    safe = Reader(payloads=typed)
    safe.visit(path, shows=["Autora"], articles=6)
    assert safe.problems == {}


def test_a_workshops_page_that_trusts_a_text_is_caught(secretariat, settings, tmp_path):
    """The event page as the main test reads it, from a copy of its template whose agenda is marked safe
    (templates found first in another folder): the reader reports the live payloads; with the portal's
    template the same page is clean."""
    guarded = event_with_trusted_agenda(
        secretariat=secretariat, settings=settings, folder=tmp_path, payloads=LIVE[:7]
    )
    path = guarded.path
    guarded.trust()
    unsafe = Reader(payloads=LIVE[:7])
    unsafe.visit(path, shows=["Taller con agenda"])
    found = " | ".join(unsafe.problems.get(path, []))
    expected = ["handler onerror", "handler onload", "<script>", "href with javascript:", "href with data:"]
    assert [e for e in expected if e not in found] == []

    guarded.distrust()
    safe = Reader(payloads=LIVE[:7])
    safe.visit(path, shows=["Taller con agenda", *LIVE[:7]])
    assert safe.problems == {}
