"""A sample of the XSS corpus through every text a person types into the forum (issue 4) and the workshops
(issue 7), rendered in real Chromium.

Every payload of tests/xss_corpus.py goes into every field, on every page that shows it, in this process
(tests/security/test_xss_escaping.py: Django's test client and an HTML parser). Here `BROWSER_SAMPLE` of
it (one payload or a few per place a text lands in: text, attribute, textarea, title, select, address,
markdown link and image; and those only a browser can judge: dialogs, scripts that would run, its own
parser) goes into the same fields, stored through the same services and visited on the same pages
(tests/xss_fields.py).

Each page is loaded in a context created with `bypass_csp=True`: the portal's Content-Security-Policy
would block inline script anyway, and these tests prove the escaping and sanitising themselves. A page
fails on any dialog, any console message or page error, `window.__xss` set, a dialog function called,
or any element or attribute a payload could create (INERT_CHECK). Each page also has to show the typed
texts it is expected to show, so an empty or failing page cannot pass. The guard tests prove the checks
fail on live payloads, so the main tests cannot pass vacuously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils.safestring import mark_safe

from commitments.models import Status
from paga.models import User
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment
from tests.xss_corpus import BROWSER_REFLECTED, BROWSER_SAMPLE, INERT_CHECK, LIVE, TRAP_DIALOGS
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Each payload of the sample on every list, thread and report; the pages of one item (a reply's edit
# form, a template, an event's edit form...), each showing one payload, for the breakouts, which aim at
# their form fields and titles (every payload is on them in tests/security/test_xss_escaping.py).
SAMPLE = Corpus(BROWSER_SAMPLE, spread=None)


# --- The browser ---------------------------------------------------------------------------------------
def _squeezed(text: str) -> str:
    """Text without any whitespace: a typed newline may be a <br>, a space or nothing in textContent."""
    return re.sub(r"\s+", "", text)


@dataclass
class Inspector:
    """One browser context (CSP bypassed) for one visitor, recording dialogs and console messages."""

    browser: object
    base: str
    user: User | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        self.context = self.browser.new_context(bypass_csp=True)
        cookies = [{"name": "django_language", "value": "en", "url": self.base}]
        if self.user is not None:
            client = Client()
            client.force_login(self.user)
            value = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": value, "url": self.base})
        self.context.add_cookies(cookies)
        self.context.add_init_script(TRAP_DIALOGS)
        self.page = self.context.new_page()
        self.events: list[str] = []
        self.seen = ""
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda message: self.events.append(f"console {message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))

    def _dialog(self, dialog) -> None:
        self.events.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    def inspect(self) -> list[str]:
        """What is live on the page now shown: dialogs and messages since the last call, and the DOM."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(50)  # a handler fired on load (onerror of a broken image) has run
        found = self.events + self.page.evaluate(INERT_CHECK)
        if len(self.page.frames) > 1:
            found.append(f"{len(self.page.frames) - 1} frame(s)")
        self.events = []
        return found

    def visit(self, path: str, *, shows: list[str] = (), articles: int | None = None) -> None:
        """Load `path`; record what is live on it, and which expected typed texts it does not show."""
        response = self.page.goto(self.base + path)
        found = [] if response.status == 200 else [f"HTTP {response.status}"]
        found += self.inspect()
        content = _squeezed(self.page.evaluate("document.body.textContent"))
        missing = [text for text in shows if _squeezed(text) not in content]
        if missing:
            found.append(f"{len(missing)} typed text(s) not shown, e.g. {missing[:3]}")
        if articles is not None:
            seen = self.page.locator("article.contribution").count()
            if seen != articles:
                found.append(f"{seen} contributions shown, {articles} expected")
        if found:
            self.problems[path] = found
        self.seen += content

    def showed_all(self, what: str, texts: list[str]) -> None:
        """Every one of `texts` was shown on the pages visited since the last call (a paginated list
        whose order is the page's business), then start over."""
        missing = [text for text in texts if _squeezed(text) not in self.seen]
        if missing:
            self.problems[what] = [f"{len(missing)} typed text(s) not shown, e.g. {missing[:3]}"]
        self.seen = ""

    def holds(self, path: str, selector: str, typed: str) -> None:
        """The form field of the page just visited holds exactly what was typed (ready to correct)."""
        value = self.page.input_value(selector) if path not in self.problems else None
        if value != typed:
            self.problems.setdefault(path, []).append(f"{selector} holds {value!r}")

    def close(self) -> None:
        self.context.close()


def _inspectors(browser, live_server):
    def open_inspector(user: User | None) -> Inspector:
        return Inspector(browser, live_server.url, user)

    return open_inspector


def test_every_typed_text_is_stored_as_typed_and_rendered_inert(browser, live_server, secretariat):
    f = build_forum(SAMPLE, secretariat)
    assert_forum_stored_as_typed(f)
    problems = walk_forum(f, _inspectors(browser, live_server))
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_every_workshops_text_is_stored_as_typed_and_rendered_inert(browser, live_server, secretariat):
    w = build_workshops(SAMPLE, secretariat)
    assert_workshops_stored_as_typed(w)
    problems = walk_workshops(w, _inspectors(browser, live_server))
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


# --- The checks can fail -----------------------------------------------------------------------------
def _serve(inspector: Inspector, html: str) -> list[str]:
    """`html` as a page of the live server's origin (a routed address); what the inspector finds on it."""
    url = f"{inspector.base}/__xss__/"
    inspector.page.route(url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
    inspector.page.goto(url)
    found = inspector.inspect()
    inspector.page.unroute(url)
    return found


def test_the_checks_report_live_payloads(browser, live_server):
    inspector = Inspector(browser, live_server.url)
    page = "<!doctype html><html lang='es'><head><title>x</title></head><body><main>{}</main></body></html>"
    assert _serve(inspector, page.format("<p>Texto <a href='https://example.org'>enlace</a></p>")) == []
    found = {payload: _serve(inspector, page.format(payload)) for payload in LIVE}
    inspector.close()
    assert [payload for payload, problems in found.items() if not problems] == []
    assert any(p.startswith("dialog alert") for p in found["<img src=x onerror=alert(1)>"])
    assert "called confirm" in found["<details open ontoggle=confirm(1)>x</details>"]
    assert "window.__xss = 1" in found["<script>window.__xss = 1</script>"]
    assert any("href with javascript:" in p for p in found['<a href="java\tscript:alert(1)">x</a>'])


def test_a_thread_rendered_without_sanitising_is_caught(browser, live_server, monkeypatch):
    """The same page as the main test, with the Markdown renderer replaced by one that trusts the text:
    the payloads go live and the inspector says so; with the real renderer the page is clean."""
    consultation = ConsultationFactory(items=[CommitmentFactory(status=Status.IN_CONSULTATION)])
    path = consultation.items.get().get_absolute_url()
    author = signed_up("Autora")
    for payload in ("<img src=x onerror=alert(1)>", "<script>window.__xss = 1</script>", *LIVE[3:7]):
        comment(consultation=consultation, author=author, text=payload)

    monkeypatch.setattr("consultations.markdown.render", lambda text: mark_safe(text))  # noqa: S308
    monkeypatch.setattr("consultations.markdown.VERSION", "a renderer that trusts the text")  # stored: stale
    cache.clear()
    unsafe = Inspector(browser, live_server.url)
    unsafe.visit(path, shows=["Autora", "a text the page does not show"], articles=6)
    unsafe.close()
    found = " | ".join(unsafe.problems[path])
    expected = ["dialog alert", "window.__xss = 1", "handler onerror", "<script>", "href with javascript:"]
    expected += ["href with data:", "typed text(s) not shown"]
    assert [e for e in expected if e not in found] == []

    monkeypatch.undo()
    cache.clear()
    safe = Inspector(browser, live_server.url)
    safe.visit(path, shows=["Autora"], articles=6)
    safe.close()
    assert safe.problems == {}


# --- Texts typed into an address ------------------------------------------------------------------------
def test_query_parameters_are_rendered_inert(browser, live_server, secretariat, citizen, other_citizen):
    """What a link can put in the address (a `next` to come back to, a search, a page number) is shown or
    reused as a value, never as markup or as a link's target: BROWSER_REFLECTED here, every text of
    REFLECTED in tests/security/test_xss_escaping.py."""
    reported = reported_comment(citizen, other_citizen)
    staff = Inspector(browser, live_server.url, secretariat)
    for path in reflecting_paths(reported, BROWSER_REFLECTED):
        staff.visit(path)
    # The moderation page's "back" link keeps a `next` within the queue, and only such a one.
    back = staff.page.locator("main a", has_text="Back to the moderation queue")
    within, elsewhere = back_paths(reported)
    staff.visit(within)
    kept = back.get_attribute("href")
    staff.visit(elsewhere)
    refused = back.get_attribute("href")
    staff.close()
    assert staff.problems == {}
    assert (kept, refused) == (f"{QUEUE}?estado=oculto", QUEUE)


def test_a_workshops_page_that_trusts_a_text_is_caught(browser, live_server, secretariat, settings, tmp_path):
    """The event page as the main test sees it, from a copy of its template whose agenda is marked safe
    (templates found first in another folder): the payloads go live and the inspector says so; with the
    portal's template the same page is clean."""
    guarded = event_with_trusted_agenda(
        secretariat=secretariat, settings=settings, folder=tmp_path, payloads=LIVE[:7]
    )
    path = guarded.path
    guarded.trust()
    unsafe = Inspector(browser, live_server.url)
    unsafe.visit(path, shows=["Taller con agenda"])
    unsafe.close()
    found = " | ".join(unsafe.problems.get(path, []))
    expected = [
        "dialog alert",
        "handler onload",
        "window.__xss = 1",
        "href with javascript:",
        "href with data:",
    ]
    assert [e for e in expected if e not in found] == []

    guarded.distrust()
    safe = Inspector(browser, live_server.url)
    safe.visit(path, shows=["Taller con agenda", *LIVE[:7]])
    safe.close()
    assert safe.problems == {}
