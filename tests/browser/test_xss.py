"""An XSS corpus through every text a person types into the forum (issue 4) and the workshops (issue 7),
rendered in real Chromium.

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
- a response template's title and text: the templates list, the template chooser and the form it fills;
- in the workshops: an event's title, summary, agenda, venue, address, province and cancel reason; a
  registration's and a walk-in's name and organisation; the name and text of each row of an imported input
  sheet; a national table's decision notes; a document's title and file name; the forum's name, rules
  and members (the section "The workshops" below says on which pages).

Each page is loaded in a context created with `bypass_csp=True`: the portal's Content-Security-Policy
would block inline script anyway, and these tests prove the escaping and sanitising themselves. A page
fails on any dialog, any console message or page error, `window.__xss` set, a dialog function called,
or any element or attribute a payload could create (INERT_CHECK). Each page also has to show the typed
texts it is expected to show, so an empty or failing page cannot pass. The guard tests prove the checks
fail on live payloads, so the main test cannot pass vacuously.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
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
from paga.models import ActorType, Channel, User
from paga.services import record_signup
from paga.uploads import safe_name
from tests.browser.xss_corpus import INERT_CHECK, PAYLOADS, TRAP_DIALOGS
from tests.commitments.factories import CommitmentFactory, current_plan
from tests.consultations.factories import ConsultationFactory, comment, document_consultation
from tests.factories import UserFactory
from tests.workshops._outcomes import proposals_in_consultation
from tests.workshops.factories import region
from workshops import outcomes, registrations
from workshops import services as events
from workshops.models import (
    Attendance,
    Decision,
    Document,
    DocumentType,
    Event,
    ForumMember,
    Kind,
    Registration,
    TableDecision,
)
from workshops.models import Forum as StakeholderForum

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


# --- The workshops (issue 7) ------------------------------------------------------------------------------
# Every text typed into the workshops app, each holding every payload, through the services the staff
# and registration forms call: an event's title, summary, agenda, venue, address and province, and the
# reason it was cancelled (the public list, calendar and page, the staff pages and edit form); the name and
# organisation of a registration (the staff event page, the attendance list) and of a walk-in; the name
# and text of each contribution of an input sheet (CSV, imported as a file: quotes, commas and newlines
# included) on the proposal's thread, the event's inputs list and the staff responses list; a national
# table's decision notes (the table's public page, the proposal's page, the staff decisions and form);
# a document's title and the name its file was sent with (the repository, the event's page, the staff
# documents list); the forum's name, rules and members' organisations and representatives. The sectors of
# a decision and every other choice are codes checked against a list: no text gets through them.
LINE = [" ".join(p.split()) for p in PAYLOADS]  # a one-line field: a typed newline is a space there
REGIONAL, NATIONAL = Kind.REGIONAL_WORKSHOP, Kind.NATIONAL_TABLE
TITLE_BREAKOUT = next(i for i, p in enumerate(PAYLOADS) if p.startswith("</title>"))  # the event with places


@dataclass
class Workshops:
    events: list  # event i: title, venue, address = LINE[i]; summary, agenda = PAYLOADS[i]; cancelled
    registered: object  # registration i: name and organisation LINE[i]
    held: object  # walk-in i: name and organisation LINE[i]; input i from the sheet; document i
    table: object  # national table: decision i on proposal i, notes PAYLOADS[i]
    proposal: Commitment  # the proposal the sheet's inputs are about
    consultation: Consultation
    proposals: list  # credited to the table
    inputs: list  # Contribution i: given name LINE[i], text PAYLOADS[i]
    documents: list
    forum: object
    staff: User


def _sheet(number: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["propuesta", "nombre", "tipo_actor", "texto"])
    for i in range(N):
        writer.writerow([str(number), LINE[i], "sociedad_civil", PAYLOADS[i]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build_workshops(secretariat) -> Workshops:
    cache.clear()
    plan = current_plan()
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    today = timezone.localdate()

    def at(days: int, hour: int) -> datetime.datetime:
        day = today + datetime.timedelta(days=days)
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=lima)

    where = region("Arequipa")
    created = []
    for i in range(N):
        values = {
            "kind": REGIONAL, "title": LINE[i], "summary": PAYLOADS[i], "agenda": PAYLOADS[i],
            "venue": LINE[i], "address": LINE[i], "province": LINE[i][:80], "region": where,
            "starts_at": at(7, 10), "ends_at": at(7, 17),
        }  # fmt: skip
        event = events.create_event(plan=plan, actor=secretariat, values=values)
        created.append(events.cancel_event(event=event, actor=secretariat, reason=PAYLOADS[i]))

    registered = events.create_event(
        plan=plan,
        actor=secretariat,
        values={
            "kind": REGIONAL, "title": LINE[TITLE_BREAKOUT], "region": where,
            "starts_at": at(8, 10), "ends_at": at(8, 17), "capacity": N + 5,
            "registration_opens_at": timezone.now() - datetime.timedelta(days=1),
            "registration_closes_at": at(7, 10),
        },
    )  # fmt: skip
    for i in range(N):
        r = registrations.register(
            event=registered,
            email=f"inscrita{i}@cocrea.test",
            name=LINE[i],
            actor_type=ActorType.CIVIL_SOCIETY,
            organisation=LINE[i],
        )
        registrations.confirm(key=r.key)

    [proposal], consultation = proposals_in_consultation(numbers=(41,))
    held = events.create_event(
        plan=plan,
        actor=secretariat,
        values={"kind": REGIONAL, "title": "Taller realizado", "region": where,
                "starts_at": at(-1, 10), "ends_at": at(-1, 17)},
    )  # fmt: skip
    for i in range(N):
        events.add_walk_in(
            event=held, actor=secretariat, name=LINE[i], actor_type=ActorType.ACADEMIA, organisation=LINE[i]
        )
    rows = outcomes.import_input_sheet(event=held, actor=secretariat, data=_sheet(41))
    inputs = [row.contribution for row in rows]
    documents = [
        events.upload_document(
            plan=plan,
            actor=secretariat,
            upload=SimpleUploadedFile(f"{LINE[i]} acta.txt", b"Acta de la reunion.\n", "text/plain"),
            title=LINE[i],
            doc_type=DocumentType.MINUTES,
            dated=today,
            event=held,
        )
        for i in range(N)
    ]

    table = events.create_event(
        plan=plan,
        actor=secretariat,
        values={"kind": NATIONAL, "title": "Mesa nacional", "starts_at": at(-1, 9), "ends_at": at(-1, 13)},
    )
    proposals = [
        outcomes.create_proposal(event=table, actor=secretariat, title=f"Propuesta de la mesa {i}")
        for i in range(N)
    ]
    for i, p in enumerate(proposals):
        outcomes.record_decision(
            event=table,
            commitment=p,
            actor=secretariat,
            decision=Decision.CONSENSUS,
            notes=PAYLOADS[i],
            sectors_present=[ActorType.ACADEMIA, ActorType.CIVIL_SOCIETY],
        )

    # The forum's rows are kept in the back office: its form, as the administrator types in it.
    forum = StakeholderForum(plan=plan, name=LINE[BREAKOUTS[0]], rules="\n\n".join(PAYLOADS))
    forum.full_clean()
    forum.save()
    for i in range(N):
        member = ForumMember(
            forum=forum, organisation=LINE[i], representative=LINE[i], sector=ForumMember.Sector.ACADEMIA
        )
        member.full_clean()
        member.save()
    return Workshops(
        created, registered, held, table, proposal, consultation, proposals, inputs, documents, forum,
        secretariat,
    )  # fmt: skip


def assert_workshops_stored_as_typed(w: Workshops) -> None:
    def values(model, rows, *fields):
        stored = {r["pk"]: r for r in model.objects.filter(pk__in=[r.pk for r in rows]).values("pk", *fields)}
        return [tuple(stored[r.pk][f] for f in fields) for r in rows]

    fields = ("title", "venue", "address", "summary", "agenda", "cancel_reason", "province")
    typed = [(t, t, t, p, p, t, t[:80]) for t, p in zip(LINE, PAYLOADS, strict=True)]
    assert values(Event, w.events, *fields) == typed
    people = w.registered.registrations.order_by("pk").values_list("name", "organisation", "state")
    assert list(people) == [(t, t, Registration.State.CONFIRMED) for t in LINE]
    walk_ins = Attendance.objects.filter(event=w.held).order_by("pk").values_list("name", "organisation")
    assert list(walk_ins) == [(t, t) for t in LINE]
    assert values(Contribution, w.inputs, "given_name", "text") == list(zip(LINE, PAYLOADS, strict=True))
    names = [safe_name(f"{t} acta.txt".rsplit("/", 1)[-1]) for t in LINE]
    assert values(Document, w.documents, "title", "original_name") == list(zip(LINE, names, strict=True))
    notes = TableDecision.objects.filter(event=w.table).order_by("commitment_id").values_list("notes")
    assert [n for (n,) in notes] == PAYLOADS
    w.forum.refresh_from_db()
    assert (w.forum.name, w.forum.rules) == (LINE[BREAKOUTS[0]], "\n\n".join(PAYLOADS))
    members = w.forum.members.order_by("pk").values_list("organisation", "representative")
    assert list(members) == [(t, t) for t in LINE]


def test_every_workshops_text_is_stored_as_typed_and_rendered_inert(browser, live_server, secretariat):
    w = build_workshops(secretariat)
    assert_workshops_stored_as_typed(w)
    for d in w.documents:
        d.refresh_from_db()
    month = timezone.localtime(w.events[0].starts_at).strftime("%Y-%m")
    texts = LINE + PAYLOADS

    anonymous = Inspector(browser, live_server.url)
    anonymous.visit("/talleres/", shows=LINE)  # titles, places and cancel reasons of every event
    anonymous.visit(f"/talleres/calendario/?mes={month}", shows=LINE)
    for i in SAMPLE:
        anonymous.visit(w.events[i].get_absolute_url(), shows=[LINE[i], PAYLOADS[i]])
    anonymous.visit(w.registered.get_absolute_url(), shows=[LINE[TITLE_BREAKOUT]])
    anonymous.visit(f"{w.registered.get_absolute_url()}inscripcion/", shows=[LINE[TITLE_BREAKOUT]])
    registered = list(w.registered.registrations.order_by("pk"))
    for i in SAMPLE:  # the link in every email: the registration's name, the event's title
        anonymous.visit(f"/talleres/inscripcion/{registered[i].key}/cancelar/", shows=[LINE[i]])
    anonymous.visit(w.held.get_absolute_url(), shows=LINE)  # its documents
    anonymous.visit(w.table.get_absolute_url())
    anonymous.visit("/repositorio/", shows=LINE)
    anonymous.visit("/foro-multiactor/", shows=[w.forum.name, *texts])
    proposal = w.proposal.get_absolute_url()
    for n, chunk in enumerate(_pages(w.inputs), start=1):
        anonymous.visit(
            f"{proposal}?comentarios={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
            articles=len(chunk),
        )
    problems = dict(anonymous.problems)
    anonymous.close()

    staff = Inspector(browser, live_server.url, w.staff)
    desk = "/gestion/talleres/"
    everything = [*w.events, w.registered, w.held, w.table]
    staff.seen = ""
    for n in range(1, len(_pages(everything)) + 1):
        staff.visit(f"{desk}?pagina={n}")
    staff.showed_all("staff events list", LINE)
    for i in SAMPLE:
        event = w.events[i]
        staff.visit(f"{desk}{event.slug}/", shows=[LINE[i]])
        edit = f"{desk}{event.slug}/editar/"
        staff.visit(edit)
        for name, typed in (("title", LINE[i]), ("venue", LINE[i]), ("address", LINE[i])):
            staff.holds(edit, f"input[name={name}]", typed)
        for name in ("summary", "agenda"):
            staff.holds(edit, f"textarea[name={name}]", PAYLOADS[i])
    staff.visit(f"{desk}{w.registered.slug}/", shows=LINE)  # names and organisations: 100 a page
    staff.visit(f"{desk}{w.registered.slug}/asistencia/", shows=LINE)
    staff.visit(f"{desk}{w.held.slug}/asistencia/", shows=LINE)  # walk-ins
    staff.visit(f"{desk}{w.held.slug}/", shows=LINE)  # its documents
    for n, chunk in enumerate(_pages(w.inputs), start=1):
        staff.visit(
            f"{desk}{w.held.slug}/aportes/?pagina={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
        )
    for n, chunk in enumerate(_pages(w.inputs), start=1):
        staff.visit(
            f"/gestion/consultas/{w.consultation.slug}/respuestas/?pagina={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
        )
    for i in SAMPLE:
        c = w.inputs[i]
        staff.visit(f"/gestion/consultas/moderacion/aportes/{c.pk}/", shows=[c.given_name])
        staff.visit(f"/gestion/consultas/aportes/{c.pk}/responder/", shows=[c.given_name])
    staff.visit(f"{desk}{w.table.slug}/decisiones/")
    # Proposals drafted at the table are not public yet: the Secretaría sees them, and the decisions on
    # them, on the table's public page and on each proposal's.
    staff.visit(w.table.get_absolute_url(), shows=PAYLOADS)
    for i in SAMPLE:
        staff.visit(w.proposals[i].get_absolute_url(), shows=[PAYLOADS[i]])
    for i in SAMPLE:
        form = f"{desk}{w.table.slug}/decisiones/{w.proposals[i].pk}/"
        staff.visit(form)
        staff.holds(form, "textarea[name=notes]", PAYLOADS[i])
    staff.seen = ""
    for n in range(1, len(_pages(w.documents)) + 1):
        staff.visit(f"{desk}documentos/?pagina={n}")
    staff.showed_all("staff documents list", LINE + [d.original_name for d in w.documents])
    problems.update({f"staff {k}": v for k, v in staff.problems.items()})
    staff.close()

    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_a_workshops_page_that_trusts_a_text_is_caught(browser, live_server, secretariat, settings, tmp_path):
    """The event page as the main test sees it, from a copy of its template whose agenda is marked safe
    (templates found first in another folder): the payloads go live and the inspector says so; with the
    portal's template the same page is clean."""
    source = Path(settings.BASE_DIR) / "templates" / "workshops" / "detail.html"
    html = source.read_text(encoding="utf-8")
    assert "{{ event.agenda|linebreaksbr }}" in html
    (tmp_path / "workshops").mkdir()
    (tmp_path / "workshops" / "detail.html").write_text(
        html.replace("{{ event.agenda|linebreaksbr }}", "{{ event.agenda|safe }}"), encoding="utf-8"
    )
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    day = timezone.localdate() + datetime.timedelta(days=7)
    values = {
        "kind": REGIONAL,
        "title": "Taller con agenda",
        "agenda": "\n".join(LIVE[:7]),
        "starts_at": datetime.datetime(day.year, day.month, day.day, 10, tzinfo=lima),
    }
    event = events.create_event(plan=current_plan(), actor=secretariat, values=values)
    path = event.get_absolute_url()

    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    cache.clear()
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

    settings.TEMPLATES = copy.deepcopy(templates)
    settings.TEMPLATES[0]["DIRS"] = templates[0]["DIRS"][1:]
    cache.clear()
    safe = Inspector(browser, live_server.url)
    safe.visit(path, shows=["Taller con agenda", *LIVE[:7]])
    safe.close()
    assert safe.problems == {}
