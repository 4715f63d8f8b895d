"""Playwright on Debian's Chromium (no browser download here), against pytest-django's live_server."""

import functools
import os
import shutil
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("COCREA_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Two of axe's best practices, for the landmarks a screen reader user moves by: everything inside one, and
# no two of the same role and name (a section and its table's scroll region both named by one heading).
AXE_ALSO = {"region": {"enabled": True}, "landmark-unique": {"enabled": True}}


@pytest.fixture(scope="session")
def _django_connections():
    """This thread's database connections, taken before Playwright starts."""
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="session")
def playwright(_django_connections, playwright):
    """Playwright's sync API runs an event loop in this thread, and from then on Django keeps database
    connections per async context (asgiref's Local): every test after the browser started got a new
    connection object, without the test database's serialized contents. serialized_rollback then neither
    restored them nor spared the flush its post_migrate, so each such test began with the content types
    under new ids, and without the data of the migrations (regions, OGP values): the example's copy
    (tests/example_snapshot.py) never matched and the real command ran in each. Here the connections
    stay the same before and after, as Django expects: each of those tests begins as the first did."""
    from django.db import connections

    for alias, connection in _django_connections.items():
        connections[alias] = connection
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(autouse=True)
def _chromium_present(request):
    from tests.conftest import require

    require("chromium", bool(shutil.which(CHROMIUM)), f"Chromium not found at {CHROMIUM}")


class RequestLog:
    """Every request a page makes, to prove none goes to another host."""

    def __init__(self, page, origin: str):
        self.origin = urlsplit(origin).netloc
        self.foreign: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.origin:
            self.foreign.append(request.url)


AUTHENTICATE_PATH = "/cuenta/2fa/authenticate/"


def fresh_totp_code(email: str) -> str:
    """The code the authenticator app of `email` shows now (tests.factories.TOTP_SECRET, or the secret
    they set up), never one already used: allauth refuses a code twice within its window, and the cache
    that remembers it outlives a test."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    from tests.factories import totp_code

    app = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP).wrap()
    code = totp_code(decrypt(app.instance.data["secret"]))
    cache.delete(app._get_used_cache_key(code))
    return code


def sign_in_through_form(page, base_url: str, email: str, next_path: str) -> None:
    """The real sign-in form, then (staff, or anyone with an authenticator app) the code it shows."""
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/cuenta/login/?next={next_path}")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if urlsplit(page.url).path == AUTHENTICATE_PATH:
        page.fill("#id_code", fresh_totp_code(email))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script  # axe-core, as the package ships it


# Only the violations come back: axe keeps every node of a violation and one node of each rule that passed
# (resultTypes), and the passes are never sent to Python.
AXE_RUN = """(options) => axe.run(document, options).then((results) => results.violations)"""


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now (AXE_TAGS and AXE_ALSO). axe is put into the page
    once per document: after a resize (at_both_sizes) the same document is checked again without it."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": AXE_ALSO}
    options["resultTypes"] = ["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}) {[n['target'] for n in v['nodes']][:3]}"
        for v in page.evaluate(AXE_RUN, options)
    ]


def at_both_sizes(page, url: str):
    """Loads `url` once, at a phone's size, and yields (viewport name, size, response) at each of VIEWPORTS:
    the page is resized, not loaded again, for the next size (its CSS applies to the new width as it would
    on a fresh load; the page's requests are those of one load)."""
    response = None
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        if response is None:
            response = page.goto(url)
            page.wait_for_load_state("load")
        yield viewport, size, response


# What sticks out of the window sideways (page.evaluate(STICKING_OUT, width)): up to five elements, as
# tag.class; a table in its own scrolling box (.table-scroll) may be wider.
STICKING_OUT = """(width) => {
    if (document.documentElement.scrollWidth <= width) return [];
    const out = [...document.querySelectorAll('body *')].filter(
        (e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-scroll > table'));
    return out.slice(0, 5).map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
}"""


def english_context(browser, live_server, user=None, **options):
    """A new browser context in English, signed in as `user` (a session cookie from Django's test client)
    when given."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(**options)
    cookies = [{"name": "django_language", "value": "en", "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


class Journey:
    """One person's way through the portal in a new English context: `check()` after each page it lands
    on (0 axe violations, nothing wider than the window, no request to another host), `submit(locator)`
    clicks and checks the page it leads to; `checked` lists the paths checked."""

    def __init__(self, browser, live_server, viewport: dict, **options):
        self.context = english_context(browser, live_server, viewport=viewport, **options)
        self.page = self.context.new_page()
        self.log = RequestLog(self.page, live_server.url)
        self.origin, self.width = live_server.url, viewport["width"]
        self.checked: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        where = self.page.url.removeprefix(self.origin)
        assert axe_violations(self.page) == [], where
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.width, where
        assert self.log.foreign == [], where
        self.checked.append(where)

    def submit(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()
