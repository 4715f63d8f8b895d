"""Every page of the virtual forum in real Chromium, at 360 × 740 and at 1280 × 800: 0 axe violations
(WCAG 2.1 A and AA), nothing wider than the window, no request to another host. The public forum pages
are also weighed like tests/browser/test_weight.py (≤ 60 KB compressed, loaded cold), among them a
proposal with 50 top-level comments and their replies.

One test per group of pages of the same person (anonymous, the citizen, the Secretaría in two halves), on
one data set: each page is loaded at both sizes in a browser context of its own, and the test reports,
at the end, every page that failed with what failed at which size. Signed-in pages get the session of a
`force_login`, so a page test does not spend its time on the login form (tests/browser/
test_forum_journey.py goes through it). The pages are GETs that change nothing, so one page's visit does
not change what the next one shows.
"""

import gzip
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from commitments.models import Commitment, Version
from consultations import responses, services
from consultations.models import Consultation, Contribution, Disposition, Paragraph, ResponseTemplate
from consultations.threads import PAGE_PARAM
from paga.models import EmailOptOut
from paga.services import unsubscribe_token
from tests.browser.conftest import VIEWPORTS, RequestLog, at_both_sizes, axe_violations
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FORUM_2017 = "foro-virtual-propuestas-2017"
REPORT_2017 = "consulta-informe-autoevaluacion-paga-2015-2016"
PAGA_2015 = "/planes/paga-2015-2016"  # the plan the report belongs to (paga/example.py)
OPEN = "foro-abierto"
# A proposal of the example still in consultation: a merged one (the ATU proposal) takes no comment.
PROPOSAL = "Sistemas inteligentes de transporte y tránsito"
BUDGET = 60 * 1024  # all of a page, compressed (as in test_weight.py)
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")


@dataclass
class Forum:
    """What the pages show: the example, plus an open consultation on the transport proposal with a comment, a
    reply, a reported comment, a hidden one, a blocked author, a template and an unanswered response."""

    atu: Commitment
    open: Consultation
    comment: Contribution  # the citizen's, answered but not published
    reply: Contribution
    reported: Contribution  # the other citizen's, reported by the citizen
    hidden: Contribution
    template: ResponseTemplate
    citizen: object
    secretariat: object


@pytest.fixture
def forum(example_plan, citizen, other_citizen, secretariat) -> Forum:
    cache.clear()  # rate limits live in the cache, which outlives a test
    atu = Commitment.objects.get(plan=example_plan, title=PROPOSAL)
    consultation = ConsultationFactory(
        plan=example_plan,
        slug=OPEN,
        title="Foro virtual abierto: propuestas",
        items=[atu],
        publication=Consultation.Publication.AT_ONCE,
    )
    mine = comment(
        consultation=consultation, author=citizen, text="Que publiquen las *rutas* en datos abiertos."
    )
    reply = comment(
        consultation=consultation, author=other_citizen, parent=mine, text="De acuerdo, y los horarios."
    )
    reported = comment(consultation=consultation, author=other_citizen, text="Un comentario fuera de tema.")
    services.flag(contribution=reported, user=citizen, reason="fuera_de_tema")
    troll = UserFactory()
    hidden = comment(consultation=consultation, author=troll, text="Llamen al 999 888 777.")
    services.hide(contribution=hidden, actor=secretariat, reason="Datos personales de un tercero")
    services.block(user=troll, actor=secretariat, reason="Publica datos personales de otras personas")
    template = ResponseTemplate.objects.create(
        title="Fuera de alcance", disposition=Disposition.OUT_OF_SCOPE, text="No corresponde a este plan."
    )
    responses.respond(
        contribution=mine,
        actor=secretariat,
        disposition=Disposition.PARTIAL,
        reason="Se incorporó en parte.",
        commitment_version=Version.objects.filter(commitment__plan=example_plan).order_by("pk").first(),
        duplicate_of=None,
    )
    return Forum(atu, consultation, mine, reply, reported, hidden, template, citizen, secretariat)


def _atu(f: Forum) -> str:
    return f.atu.get_absolute_url()


# name -> (who is signed in, the page's path given the forum's data)
PAGES = {
    "consultations": (None, lambda f: "/consultas/"),
    "forum 2017": (None, lambda f: f"/consultas/{FORUM_2017}/"),
    "self-assessment consultation": (None, lambda f: f"{PAGA_2015}/consultas/{REPORT_2017}/"),
    "paragraph with a comment": (None, lambda f: f"{PAGA_2015}/consultas/{REPORT_2017}/parrafos/p-3/"),
    "proposal with comments": (None, _atu),
    "responses report": (None, lambda f: f"/consultas/{FORUM_2017}/respuestas/"),
    "open data": (None, lambda f: "/datos/"),
    "data dictionary": (None, lambda f: "/datos/diccionario/"),
    "citizen: open proposal with the form": ("citizen", _atu),
    "citizen: comment form": ("citizen", lambda f: f"/consultas/{OPEN}/propuestas/{f.atu.pk}/comentar/"),
    "citizen: reply": ("citizen", lambda f: f"/consultas/aportes/{f.reply.pk}/responder/"),
    "citizen: report": ("citizen", lambda f: f"/consultas/aportes/{f.reported.pk}/reportar/"),
    "citizen: support": ("citizen", lambda f: f"/consultas/aportes/{f.reply.pk}/apoyar/"),
    "citizen: edit": ("citizen", lambda f: f"/consultas/aportes/{f.comment.pk}/editar/"),
    "citizen: my contributions": ("citizen", lambda f: "/mis-aportes/"),
    "citizen: unsubscribe": (
        "citizen",
        lambda f: reverse(
            "paga:unsubscribe",
            kwargs={"token": unsubscribe_token(user=f.citizen, kind=EmailOptOut.Kind.REPLY)},
        ),
    ),
    "staff: desk": ("secretariat", lambda f: "/gestion/consultas/"),
    "staff: moderation queue": ("secretariat", lambda f: "/gestion/consultas/moderacion/"),
    "staff: moderation queue, hidden": (
        "secretariat",
        lambda f: "/gestion/consultas/moderacion/?estado=oculto",
    ),
    "staff: moderation log": ("secretariat", lambda f: "/gestion/consultas/moderacion/registro/"),
    "staff: blocked people": ("secretariat", lambda f: "/gestion/consultas/moderacion/bloqueos/"),
    "staff: moderate a contribution": (
        "secretariat",
        lambda f: f"/gestion/consultas/moderacion/aportes/{f.reported.pk}/",
    ),
    "staff: other channel": ("secretariat", lambda f: f"/gestion/consultas/{OPEN}/otros-canales/nuevo/"),
    "staff: responses": ("secretariat", lambda f: f"/gestion/consultas/{OPEN}/respuestas/"),
    "staff: responses from a template": (
        "secretariat",
        lambda f: f"/gestion/consultas/{OPEN}/respuestas/?plantilla={f.template.pk}",
    ),
    "staff: respond": ("secretariat", lambda f: f"/gestion/consultas/aportes/{f.reported.pk}/responder/"),
    "staff: published response": (
        "secretariat",
        lambda f: f"/gestion/consultas/aportes/{_example_answered().pk}/responder/",
    ),
    "staff: templates": ("secretariat", lambda f: "/gestion/consultas/plantillas/"),
    "staff: new template": ("secretariat", lambda f: "/gestion/consultas/plantillas/nueva/"),
    "staff: edit template": (
        "secretariat",
        lambda f: f"/gestion/consultas/plantillas/{f.template.pk}/editar/",
    ),
    "staff: publish": ("secretariat", lambda f: f"/gestion/consultas/{OPEN}/respuestas/publicar/"),
}

# The public forum pages that are weighed; the proposal is weighed with 50 top-level comments and replies.
WEIGHED = [name for name, (who, _) in PAGES.items() if who is None and name != "proposal with comments"]


def _example_answered() -> Contribution:
    return Contribution.objects.filter(response__published_at__isnull=False).order_by("pk").first()


def _session_cookie(user, base_url: str) -> dict:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


# The innermost elements that reach past the right edge (what makes a page scroll sideways).
STICKING_OUT = """(width) => {
    if (document.documentElement.scrollWidth <= width) return [];
    const out = [...document.querySelectorAll('body *')].filter(
        (e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-scroll > table'));
    const named = out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 5).map(
        (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (e.className ? '.' + [...e.classList].join('.') : '')
            + ` (${Math.round(e.getBoundingClientRect().right)} px)`);
    return named.length ? named : [`html (${document.documentElement.scrollWidth} px)`];
}"""


def _sticking_out(page, width: int) -> list[str]:
    return page.evaluate(STICKING_OUT, width)


def _groups(most: int = 8) -> dict[str, list[str]]:
    """The pages by whose they are, in PAGES' order; a person's pages in parts of at most `most` pages, so
    that test processes share them out."""
    by_person: dict[str, list[str]] = {}
    for name, (who, _) in PAGES.items():
        by_person.setdefault(who or "anonymous", []).append(name)
    groups = {}
    for person, names in by_person.items():
        parts = -(-len(names) // most)
        size = -(-len(names) // parts)
        for k in range(parts):
            groups[person if parts == 1 else f"{person}, part {k + 1} of {parts}"] = names[
                k * size : (k + 1) * size
            ]
    return groups


GROUPS = _groups()


def _problems_of(browser, base_url: str, forum: Forum, name: str) -> dict:
    """The page `name` at both sizes in a new browser context: what failed, by size."""
    who, path_of = PAGES[name]
    path = path_of(forum)
    context = browser.new_context()
    cookies = [{"name": "django_language", "value": "en", "url": base_url}]
    if who:
        cookies.append(_session_cookie(getattr(forum, who), base_url))
    context.add_cookies(cookies)
    page = context.new_page()
    log = RequestLog(page, base_url)
    problems = {}
    for viewport, size, response in at_both_sizes(page, base_url + path):
        found = {
            "status": response.status if response.status != 200 else None,
            "not signed in": bool(who) and page.locator("form[action='/cuenta/logout/']").count() == 0,
            "axe": axe_violations(page),
            "wider than the window": _sticking_out(page, size["width"]),
            "other hosts": list(log.foreign),
        }
        if found := {k: v for k, v in found.items() if v}:
            problems[viewport] = found
    context.close()
    return problems


@pytest.mark.parametrize("group", GROUPS)
def test_forum_pages_are_accessible_fit_and_are_self_contained(browser, live_server, forum, group):
    problems = {}
    for name in GROUPS[group]:
        if found := _problems_of(browser, live_server.url, forum, name):
            problems[f"{name} ({PAGES[name][1](forum)})"] = found
    listed = "\n".join(f"{page}: {found}" for page, found in problems.items())
    assert problems == {}, f"{len(problems)} of the {len(GROUPS[group])} pages of the group:\n{listed}"


@pytest.fixture
def crowded(forum) -> str:
    """The transport proposal with 50 more top-level comments, each with a reply: a full first page."""
    authors = [UserFactory() for _ in range(5)]
    for n in range(50):
        top = comment(
            consultation=forum.open,
            author=authors[n % 5],
            text=f"Comentario n.º {n}: que se publiquen **rutas** y [horarios](https://example.pe/{n}).",
            stance=Contribution.Stance.FOR,
            category=Contribution.Category.SUGGESTION,
        )
        comment(consultation=forum.open, author=authors[(n + 1) % 5], parent=top, text=f"Respuesta al {n}.")
    return _atu(forum)


def _weigh(browser, base_url: str, path: str) -> tuple[int, int, list[str], int]:
    """A cold load (new context, empty cache): status, bytes as production sends them (text gzipped at
    level 9), requests to other hosts, and the number of top-level comments on the page."""
    context = browser.new_context()
    page = context.new_page()
    log = RequestLog(page, base_url)
    seen = []
    page.on("response", lambda response: seen.append(response))
    document = page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    total = 0
    for response in seen:
        if 300 <= response.status < 400:
            continue
        body = response.body()
        text = any(kind in response.headers.get("content-type", "") for kind in TEXT_TYPES)
        total += len(gzip.compress(body, 9)) if text else len(body)
    top_level = page.locator("ol.thread > li > article.contribution").count()
    context.close()
    return document.status, total, log.foreign, top_level


def test_public_forum_pages_are_light(browser, live_server, forum, crowded, capsys):
    paths = {name: PAGES[name][1](forum) for name in WEIGHED}
    paths["proposal with 50 top-level comments and their replies"] = crowded
    weights, statuses, foreign = {}, {}, {}
    for name, path in paths.items():
        statuses[name], weights[name], foreign[name], top_level = _weigh(browser, live_server.url, path)
        if path == crowded:
            assert top_level == 50  # a full first page of comments
    with capsys.disabled():
        print()  # noqa: T201 -- the weights are what this test reports
        for name, weight in weights.items():
            print(f"{weight:>8,} B  {name}")  # noqa: T201
    assert {name: s for name, s in statuses.items() if s != 200} == {}
    assert {name: urls for name, urls in foreign.items() if urls} == {}
    assert {name: w for name, w in weights.items() if w > BUDGET} == {}
    # The crowded page has a second page of comments.
    assert f"{PAGE_PARAM}=2" in Client().get(crowded).content.decode()


@pytest.mark.django_db  # no browser: rolled back with the others, not flushed
def test_paragraph_of_the_example_has_a_comment(forum):
    """The paragraph page checked above is one with a thread, not an empty one."""
    paragraph = Paragraph.objects.get(consultation__slug=REPORT_2017, key="p-3")
    assert paragraph.contributions.exists()
    assert forum.atu.contributions.filter(consultation__slug=FORUM_2017).exists()


def test_the_width_check_can_fail(page, live_server, example_plan):
    """Guards the guard: something wider than the phone is found and named."""
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + "/consultas/")
    assert _sticking_out(page, VIEWPORTS["phone"]["width"]) == []
    page.evaluate(
        """() => {
        const wide = document.createElement('div');
        wide.className = 'too-wide';
        wide.style.width = '500px';
        wide.style.height = '1rem';
        document.querySelector('main').append(wide);
    }"""
    )
    assert _sticking_out(page, VIEWPORTS["phone"]["width"]) == ["div.too-wide (516 px)"]
