"""Keyboard only, in real Chromium (issue 8): a citizen goes from the home page to the sign-in form, signs in,
reaches the proposal of the example that is open for comments and posts a comment, pressing only Tab,
Shift+Tab, Enter, Space and the arrow keys and typing (no click, no fill). On the way the comment is first
sent empty: focus lands on the error summary, and following its link puts focus in the field in error.

Every element that Tab reaches shows a visible focus indicator (:focus-visible with an outline), every page
visited has 0 axe violations (WCAG 2.1 A and AA) and nothing comes from another host.
"""

import pytest
from django.core.cache import cache

from commitments.models import Commitment
from consultations.models import Consultation, Contribution
from paga.services import record_signup
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations
from tests.consultations.factories import ConsultationFactory
from tests.factories import PASSWORD, UserFactory
from tests.workshops.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The proposal of the example that tests/browser/test_forum_journey.py comments on.
# A proposal of the example still in consultation: a merged one (the ATU proposal) takes no comment.
PROPOSAL = "Sistemas inteligentes de transporte y tránsito"
EMAIL = "quispe.teclado@example.pe"
NAME = "Juana Quispe Mamani"
TEXT = "Que los paraderos tengan rampas y señalización en braille, también en Áncash."
MAX_TABS = 150

# What the focused element is and how its focus shows.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), type: el.getAttribute('type'),
    href: el.getAttribute('href'), text: (el.innerText || el.value || '').trim().slice(0, 80),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
    classes: el.className, checked: !!el.checked,
    focusVisible: el.matches(':focus-visible'),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""


class Keyboard:
    """One person at the keyboard: each Tab is recorded with how the focus looked."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.log = RequestLog(page, base)
        self.steps: list[dict] = []
        self.pages: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        now = self.focused()
        if key in ("Tab", "Shift+Tab") and now is not None:
            self.steps.append(now)
        return now

    def tab_to(self, wanted, *, back: bool = False) -> dict:
        """Tab (or Shift+Tab) until the focused element satisfies `wanted`; fail if it never does."""
        seen = []
        for _ in range(MAX_TABS):
            now = self.press("Shift+Tab" if back else "Tab")
            if now is not None and wanted(now):
                return now
            seen.append(now and (now["tag"], now["id"] or now["href"] or now["text"]))
        raise AssertionError(f"not reachable by keyboard on {self.page.url}; Tab went through {seen}")

    def enter(self, key: str = "Enter") -> None:
        """Press Enter (or Space) on the focused link or button and wait for the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.check()

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        where = page.url.removeprefix(self.base)
        assert axe_violations(page) == [], where
        assert self.log.foreign == [], where
        self.pages.append(where)


def test_citizen_signs_in_and_comments_with_the_keyboard_alone(browser, live_server, example_plan):
    cache.clear()  # sign-in and posting rate limits live in the cache, which outlives a test
    juana = UserFactory(email=EMAIL, display_name=NAME, groups=["ciudadania"])
    record_signup(user=juana, display_name=NAME, consented=True)  # the consent box ticked at sign-up
    atu = Commitment.objects.get(plan=example_plan, title=PROPOSAL)
    consultation = ConsultationFactory(
        plan=example_plan, slug="foro-teclado", title="Foro virtual: propuestas", items=[atu]
    )
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    keys = Keyboard(page, live_server.url)
    page.goto(live_server.url + "/")
    keys.check()

    # 1. Home: the first Tab is the skip link, shown on screen; Tab goes on to "Sign in" in the header.
    skip = keys.press("Tab")
    assert skip["href"] == "#contenido", skip
    assert skip["onScreen"], "the skip link stays off screen when focused"
    keys.tab_to(lambda el: el["tag"] == "a" and (el["href"] or "").startswith("/cuenta/login/"))
    keys.enter()
    assert page.url.startswith(live_server.url + "/cuenta/login/")

    # 2. The sign-in form: email, password, Enter.
    keys.tab_to(lambda el: el["id"] == "id_login")
    page.keyboard.type(EMAIL)
    keys.tab_to(lambda el: el["id"] == "id_password")
    page.keyboard.type(PASSWORD)
    back = keys.tab_to(lambda el: el["id"] == "id_login", back=True)  # Shift+Tab: the email is still there
    assert back["text"] == EMAIL
    keys.tab_to(lambda el: el["id"] == "id_password")
    keys.enter()
    assert page.url == live_server.url + "/", page.url
    assert NAME in page.locator("header").inner_text()

    # 3. Main navigation → Consultations → the open consultation → the transport proposal's comments.
    keys.tab_to(lambda el: el["href"] == "/consultas/")
    keys.enter()
    assert keys.press("Tab")["href"] == "#contenido"  # the skip link jumps past the header's links
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenido"
    first = keys.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), first
    keys.tab_to(lambda el: el["href"] == consultation.get_absolute_url())
    keys.enter()
    keys.tab_to(lambda el: el["href"] == f"{atu.get_absolute_url()}#comentarios")
    keys.enter()
    assert page.url == f"{live_server.url}{atu.get_absolute_url()}#comentarios"

    # 4. Sent empty: focus lands on the error summary; its link puts focus in the comment box.
    keys.tab_to(lambda el: el["name"] == "text")
    keys.tab_to(lambda el: el["tag"] == "button" and el["text"] == "Publish comment")
    keys.enter()
    summary = keys.focused()
    assert summary is not None
    assert "error-summary" in summary["classes"], summary
    assert "There is a problem" in summary["text"]
    link = keys.tab_to(lambda el: el["tag"] == "a")
    assert link["href"] == "#id_text", link
    page.keyboard.press("Enter")
    in_error = keys.focused()
    assert in_error["id"] == "id_text", in_error
    assert page.locator("#id_text").get_attribute("aria-invalid") == "true"

    # 5. Type the comment, choose "In favour" and "Suggestion" with the arrow keys, publish with Enter.
    page.keyboard.type(TEXT)
    for label in ("In favour", "Suggestion"):
        radio = keys.tab_to(lambda el: el["type"] == "radio")
        for _ in range(10):
            if radio["label"] == label:
                break
            page.keyboard.press("ArrowDown")
            radio = keys.focused()
        assert radio["label"] == label, radio
        page.keyboard.press("Space")
        assert keys.focused()["checked"]
    keys.tab_to(lambda el: el["tag"] == "button" and el["text"] == "Publish comment")
    keys.enter()

    mine = Contribution.objects.get(author=juana)
    assert mine.text == TEXT
    assert mine.consultation == consultation
    assert (mine.stance, mine.category) == (Contribution.Stance.FOR, Contribution.Category.SUGGESTION)
    assert TEXT in page.locator(f"#aporte-{mine.pk}").inner_text()
    assert "Your comment was published." in page.locator("main").inner_text()
    assert mine.consultation.kind == Consultation.Kind.ITEMS
    context.close()

    # Every element Tab reached showed its focus, with an outline.
    assert len(keys.steps) > 20
    hidden = [
        step
        for step in keys.steps
        if not (step["focusVisible"] and step["outlineStyle"] != "none" and step["outlineWidth"] > 0)
    ]
    assert hidden == [], hidden[:5]
    assert len(keys.pages) >= 6


@pytest.mark.django_db(transaction=True)
def test_each_link_of_the_error_summary_moves_focus_to_its_field(browser, live_server):
    """The registration form sent empty: name, email, actor type (a group of radio buttons: its first
    option) and the consent box are in error; Enter on each link of the summary focuses that field."""
    cache.clear()
    event = EventFactory()
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    keys = Keyboard(page, live_server.url)
    page.goto(f"{live_server.url}/talleres/{event.slug}/inscripcion/")
    keys.check()
    keys.tab_to(lambda el: el["tag"] == "button" and el["text"] == "Register")
    keys.enter()

    assert "error-summary" in keys.focused()["classes"]  # focus lands on the summary
    hrefs = page.locator(".error-summary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"#id_name", "#id_email", "#id_actor_type_0", "#id_consent"} <= set(hrefs), hrefs
    for href in hrefs:
        keys.tab_to(lambda el, href=href: el["href"] == href, back=href != hrefs[0])
        page.keyboard.press("Enter")
        field = keys.focused()
        assert field is not None, href
        assert f"#{field['id']}" == href, (href, field)
        assert field["focusVisible"], field
        assert page.locator(href).get_attribute("aria-invalid") == "true"
    context.close()
