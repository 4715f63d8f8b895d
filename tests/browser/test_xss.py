"""An XSS corpus through every text a person types into the forum, rendered in real Chromium (issue 4).

Each payload of tests/browser/xss_corpus.py (the renderer's corpus and browser variants: markdown links,
SVG, event handlers, encoded `javascript:`, breakouts) is stored through the services exactly as a person
would type it, read back unchanged from the database, and rendered on every page that shows the field:

- a forum comment (markdown), a reply, and a reply edited within the 15 minutes: the proposal's thread,
  signed out and signed in, the responses report, the staff moderation queue and responses list, and the
  reply, report, edit, moderation and respond pages of a sample of comments;
- the display name a person chose at signup (paga.services.record_signup): beside each comment, in the
  report, the moderation queue, the blocked people, the staff pages;
- the name or organisation given for another channel, and its text, recorded by the Secretaría: the
  paragraph's thread, the report, the staff responses list;
- the reason of a hide ("Hidden by moderation: <reason>") and of a block: the paragraph's thread, "Mis
  aportes", the moderation queue, the blocked people, the moderation log, the contribution's page;
- the reason of a response: under the contribution, in the report, in "Mis aportes", on the respond page;
- a response template's title and text: the templates list, the template chooser and the form it fills.

Each page is loaded in a context created with `bypass_csp=True`: the portal's Content-Security-Policy
would block inline script anyway, and these tests prove the escaping and sanitising themselves. A page
fails on any dialog, any console message or page error, `window.__xss` set, a dialog function called,
or any element or attribute a payload could create (INERT_CHECK). Each page also has to show the typed
texts it is expected to show, so an empty or failing page cannot pass. The guard tests prove the checks
fail on live payloads, so the main test cannot pass vacuously.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.safestring import mark_safe

from commitments.models import Commitment, Status
from consultations import responses, services
from consultations.models import (
    Block,
    Consultation,
    Contribution,
    ContributionVersion,
    Disposition,
    Follow,
    ModerationAction,
    Paragraph,
    Response,
    ResponseTemplate,
)
from consultations.staff_forms import ResponseTemplateForm
from paga.models import Channel, User
from paga.services import record_signup
from tests.browser.xss_corpus import INERT_CHECK, PAYLOADS, TRAP_DIALOGS
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment, document_consultation
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

N = len(PAYLOADS)
PER_PAGE = 50  # top-level comments on a page of a thread; rows on a staff list
NAME_MAX = User._meta.get_field("display_name").max_length
NAMES = [p for p in PAYLOADS if len(p) <= NAME_MAX]  # a signup form takes no more
NOT_INCORPORATED = Disposition.NOT_INCORPORATED
# The pages of one contribution or one template are the same templates for every payload: a sample,
# spread over the corpus and with every breakout (attribute, textarea, title, select).
BREAKOUTS = [i for i, p in enumerate(PAYLOADS) if re.match(r"\">|'>|</(textarea|title|option)>", p)]
SAMPLE = sorted(set(BREAKOUTS) | set(range(0, N, 11)))


def test_the_corpus_is_large_and_typed_as_is():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert len(NAMES) >= 50
    # Services strip surrounding spaces from names and reasons: the corpus has none, so "stored as typed"
    # means stored exactly.
    assert all(p == p.strip() for p in PAYLOADS)
    for kind in ("](javascript:", "<svg", "onerror=", "&#106;", "%6A", "data:text/html", "window.__xss"):
        assert any(kind.lower() in p.lower() for p in PAYLOADS), kind


# --- The data: every field holding every payload -------------------------------------------------------
@dataclass
class Forum:
    items: Consultation  # on a proposal: comments, replies, names, responses
    proposal: Commitment
    document: Consultation  # on a paragraph: other channels, hidden comments, their responses
    paragraph: Paragraph
    authors: list[User]  # each with a display name from the corpus, later blocked with a reason
    top: list[Contribution]  # comment i says PAYLOADS[i]
    replies: list[Contribution]  # reply i: posted as a draft, edited to PAYLOADS[i]
    recorded: list[Contribution]  # other channel i: name and text PAYLOADS[i]
    hidden: list[Contribution]  # `mine`'s comment i, hidden with the reason PAYLOADS[i]
    templates: list[ResponseTemplate]
    mine: User
    replier: User
    staff: User


def _signed_up(name: str) -> User:
    """A person who typed `name` as their display name at signup (the signup form's own service)."""
    user = UserFactory(display_name="", groups=[])
    record_signup(user=user, display_name=name, consented=True)
    return user


def build(secretariat) -> Forum:
    cache.clear()  # rendered contributions and rate limits live in the cache, which outlives a test
    items = ConsultationFactory(
        slug="xss-propuestas",
        title="Foro XSS: propuestas",
        items=[CommitmentFactory(status=Status.IN_CONSULTATION)],
    )
    proposal = items.items.get()
    document = document_consultation(slug="xss-documento", title="Foro XSS: documento")
    paragraph = document.paragraphs.get(key="p1")
    authors = [_signed_up(name) for name in NAMES]
    replier, mine, flagger = _signed_up("Réplica"), _signed_up("Mía"), _signed_up("Reporta")
    # Nobody follows the proposal (commenting would follow it): no email to every author on each comment.
    Follow.objects.bulk_create(Follow(user=u, commitment=proposal, active=False) for u in [*authors, replier])
    top, replies, recorded, hidden = [], [], [], []
    for i, payload in enumerate(PAYLOADS):
        t = comment(consultation=items, author=authors[i % len(authors)], text=payload)
        services.flag(contribution=t, user=flagger, reason="spam")
        responses.respond(contribution=t, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        r = comment(consultation=items, author=replier, parent=t, text=f"Borrador {i}")
        r = services.edit_comment(contribution=r, author=replier, text=payload)
        o = services.record_other_channel(
            consultation=document,
            actor=secretariat,
            channel=Channel.EMAIL,
            received_on=timezone.localdate() - datetime.timedelta(days=1),
            given_name=payload,
            text=payload,
            paragraph=paragraph,
        )
        responses.respond(contribution=o, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        top.append(t)
        replies.append(r)
        recorded.append(o)
    for payload in PAYLOADS:  # after the other channels: they fill the paragraph's first pages
        h = comment(consultation=document, author=mine, paragraph=paragraph, text=payload)
        h = services.hide(contribution=h, actor=secretariat, reason=payload)
        responses.respond(contribution=h, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        hidden.append(h)
    for author, payload in zip(authors, PAYLOADS, strict=False):
        services.block(user=author, actor=secretariat, reason=payload)
    templates = []
    for payload in PAYLOADS:
        form = ResponseTemplateForm({"title": payload, "disposition": NOT_INCORPORATED, "text": payload})
        assert form.is_valid(), form.errors
        templates.append(form.save())
    return Forum(
        items, proposal, document, paragraph, authors, top, replies, recorded, hidden, templates,
        mine, replier, secretariat,
    )  # fmt: skip


def assert_stored_as_typed(f: Forum) -> None:
    def texts(rows):
        return [Contribution.objects.get(pk=c.pk).text for c in rows]

    assert [User.objects.get(pk=u.pk).display_name for u in f.authors] == NAMES
    assert texts(f.top) == PAYLOADS
    assert texts(f.replies) == PAYLOADS
    assert [v.text for v in ContributionVersion.objects.filter(contribution__in=f.replies)] == [
        f"Borrador {i}" for i in range(N)
    ]
    assert texts(f.recorded) == PAYLOADS
    assert [Contribution.objects.get(pk=c.pk).given_name for c in f.recorded] == PAYLOADS
    assert texts(f.hidden) == PAYLOADS
    assert [Contribution.objects.get(pk=c.pk).hidden_reason for c in f.hidden] == PAYLOADS
    hides = ModerationAction.objects.filter(action=ModerationAction.Action.HIDE).order_by("pk")
    assert [a.reason for a in hides] == PAYLOADS
    assert [b.reason for b in Block.objects.order_by("pk")] == PAYLOADS[: len(f.authors)]
    for rows in (f.top, f.recorded, f.hidden):
        assert [Response.objects.get(contribution=c).reason for c in rows] == PAYLOADS
    templates = ResponseTemplate.objects.order_by("pk")
    assert [t.title for t in templates] == PAYLOADS
    assert [t.text for t in templates] == PAYLOADS


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

    def holds(self, path: str, selector: str, typed: str) -> None:
        """The form field of the page just visited holds exactly what was typed (ready to correct)."""
        value = self.page.input_value(selector) if path not in self.problems else None
        if value != typed:
            self.problems.setdefault(path, []).append(f"{selector} holds {value!r}")

    def close(self) -> None:
        self.context.close()


def _pages(rows: list, per_page: int = PER_PAGE) -> list[list]:
    return [rows[i : i + per_page] for i in range(0, len(rows), per_page)]


def _name(c: Contribution) -> str:
    return c.author.display_name if c.author_id else c.given_name


def _hidden_line(c: Contribution) -> str:
    return f"Hidden by moderation: {c.hidden_reason}"


def _public_pages(inspector: Inspector, f: Forum, *, signed_in: bool) -> None:
    proposal = f.proposal.get_absolute_url()
    for n, chunk in enumerate(_pages(list(zip(f.top, f.replies, strict=True))), start=1):
        inspector.visit(
            f"{proposal}?comentarios={n}",
            shows=[_name(t) for t, _ in chunk]
            + [Response.objects.get(contribution=t).reason for t, _ in chunk],
            articles=2 * len(chunk),
        )
    if signed_in:
        return
    paragraph = f"/consultas/{f.document.slug}/parrafos/{f.paragraph.key}/"
    for n, chunk in enumerate(_pages(f.recorded + f.hidden), start=1):
        inspector.visit(
            f"{paragraph}?comentarios={n}",
            shows=[c.given_name for c in chunk if not c.author_id]
            + [_hidden_line(c) for c in chunk if c.is_hidden]
            + [Response.objects.get(contribution=c).reason for c in chunk],
            articles=len(chunk),
        )
    everyone = f.top + f.replies
    inspector.visit(
        f"/consultas/{f.items.slug}/respuestas/",
        shows=[_name(c) for c in everyone] + [c.text for c in everyone] + PAYLOADS,
    )
    inspector.visit(
        f"/consultas/{f.document.slug}/respuestas/",
        shows=[c.given_name for c in f.recorded] + [c.text for c in f.recorded] + PAYLOADS,
    )


def test_every_typed_text_is_stored_as_typed_and_rendered_inert(browser, live_server, secretariat):
    f = build(secretariat)
    assert_stored_as_typed(f)
    for c in f.hidden:
        c.refresh_from_db()
    problems = {}

    anonymous = Inspector(browser, live_server.url)
    _public_pages(anonymous, f, signed_in=False)
    problems.update(anonymous.problems)
    anonymous.close()

    replier = Inspector(browser, live_server.url, f.replier)  # may edit its replies: other fragments
    _public_pages(replier, f, signed_in=True)
    for i in SAMPLE:
        replier.visit(f"/consultas/aportes/{f.top[i].pk}/responder/", shows=[NAMES[i % len(NAMES)]])
        replier.visit(f"/consultas/aportes/{f.top[i].pk}/reportar/", shows=[NAMES[i % len(NAMES)]])
        edit = f"/consultas/aportes/{f.replies[i].pk}/editar/"
        replier.visit(edit)
        replier.holds(edit, "textarea[name=text]", PAYLOADS[i])
    problems.update({f"replier {k}": v for k, v in replier.problems.items()})
    replier.close()

    mine = Inspector(browser, live_server.url, f.mine)
    mine.visit(
        "/mis-aportes/",
        shows=[c.text for c in f.hidden] + [_hidden_line(c) for c in f.hidden] + PAYLOADS,
    )
    paragraph = f"/consultas/{f.document.slug}/parrafos/{f.paragraph.key}/"
    for n in range(len(f.recorded) // PER_PAGE + 1, len(_pages(f.recorded + f.hidden)) + 1):
        mine.visit(f"{paragraph}?comentarios={n}")  # the author reads their hidden texts
    problems.update({f"mine {k}": v for k, v in mine.problems.items()})
    mine.close()

    staff = Inspector(browser, live_server.url, f.staff)
    queue = "/gestion/consultas/moderacion/"
    for n, chunk in enumerate(_pages(f.top), start=1):
        staff.visit(f"{queue}?pagina={n}", shows=[_name(c) for c in chunk])
    for n, chunk in enumerate(_pages(f.hidden), start=1):
        staff.visit(f"{queue}?estado=oculto&pagina={n}", shows=[_hidden_line(c) for c in chunk])
    staff.visit(f"{queue}bloqueos/", shows=NAMES + PAYLOADS[: len(NAMES)])
    log = list(ModerationAction.objects.exclude(reason="").order_by("-created", "-pk"))
    for n, chunk in enumerate(_pages(log), start=1):
        staff.visit(f"{queue}registro/?pagina={n}", shows=[a.reason for a in chunk])
    for slug, rows in ((f.items.slug, f.top + f.replies), (f.document.slug, f.recorded + f.hidden)):
        rows = sorted(rows, key=lambda c: (c.created, c.pk))
        for n, chunk in enumerate(_pages(rows), start=1):
            staff.visit(
                f"/gestion/consultas/{slug}/respuestas/?pagina={n}",
                shows=[_name(c) for c in chunk] + [c.text for c in chunk],
            )
    staff.visit("/gestion/consultas/plantillas/", shows=PAYLOADS)
    for i in SAMPLE:
        t = f.templates[i]
        chooser = f"/gestion/consultas/{f.items.slug}/respuestas/?plantilla={t.pk}"
        staff.visit(chooser, shows=PAYLOADS)  # every title among the options, this one in the sentence
        staff.holds(chooser, "textarea[name=reason]", PAYLOADS[i])
        staff.visit(f"/gestion/consultas/plantillas/{t.pk}/editar/")
        c = (f.top[i], f.hidden[i], f.recorded[i])[i % 3]  # a comment, a hidden one, another channel's
        reasons = [c.hidden_reason] if c.is_hidden else []
        staff.visit(f"{queue}aportes/{c.pk}/", shows=[_name(c), *reasons])  # text, name, history
        staff.visit(f"/gestion/consultas/aportes/{c.pk}/responder/", shows=[_name(c), *reasons, PAYLOADS[i]])
    problems.update({f"staff {k}": v for k, v in staff.problems.items()})
    staff.close()

    assert problems == {}


# --- The checks can fail -----------------------------------------------------------------------------
# Live HTML, as an unescaped page would hold it: each must be reported.
LIVE = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<script>window.__xss = 1</script>",
    '<a href="&#106;&#97;vascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<iframe srcdoc="<p>x</p>"></iframe>',
    '<form action="vbscript:x"><button>x</button></form>',
    '<button form="f" formaction="javascript:alert(1)">x</button>',
    "<details open ontoggle=confirm(1)>x</details>",
    '<b style="color:red">x</b>',
    '<meta http-equiv="refresh" content="30">',
    '<object data="data:text/html;base64,PHA+eDwvcD4="></object>',
]


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
    author = _signed_up("Autora")
    for payload in ("<img src=x onerror=alert(1)>", "<script>window.__xss = 1</script>", *LIVE[3:7]):
        comment(consultation=consultation, author=author, text=payload)

    monkeypatch.setattr("consultations.markdown.render", lambda text: mark_safe(text))  # noqa: S308
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
REFLECTED = [
    "javascript:alert(1)",
    " JaVaScRiPt:window.__xss=1",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    '"><script>window.__xss = 1</script>',
    "'><img src=x onerror=window.__xss=1>",
]


def test_query_parameters_are_rendered_inert(browser, live_server, secretariat, citizen, other_citizen):
    """What a link can put in the address (a `next` to come back to, a search, a page number) is shown or
    reused as a value, never as markup or as a link's target."""
    cache.clear()
    consultation = ConsultationFactory(items=[CommitmentFactory(status=Status.IN_CONSULTATION)])
    reported = comment(consultation=consultation, author=citizen, text="Un comentario reportado.")
    services.flag(contribution=reported, user=other_citizen, reason="spam")
    proposal = consultation.items.get().get_absolute_url()
    paths = []
    for typed in REFLECTED:
        q = quote(typed, safe="")
        paths += [
            f"/gestion/consultas/moderacion/aportes/{reported.pk}/?next={q}",
            f"/gestion/consultas/moderacion/?q={q}&pagina={q}",
            f"/gestion/consultas/{consultation.slug}/respuestas/?pagina={q}&plantilla={q}",
            f"{proposal}?comentarios={q}&next={q}",
        ]
    staff = Inspector(browser, live_server.url, secretariat)
    for path in paths:
        staff.visit(path)
    # The moderation page's "back" link keeps a `next` within the queue, and only such a one.
    back = staff.page.locator("main a", has_text="Back to the moderation queue")
    queue = "/gestion/consultas/moderacion/"
    staff.visit(f"{queue}aportes/{reported.pk}/?next={quote(queue + '?estado=oculto', safe='')}")
    kept = back.get_attribute("href")
    staff.visit(f"{queue}aportes/{reported.pk}/?next=https%3A%2F%2Fevil.example%2F")
    refused = back.get_attribute("href")
    staff.close()
    assert staff.problems == {}
    assert (kept, refused) == (f"{queue}?estado=oculto", queue)
