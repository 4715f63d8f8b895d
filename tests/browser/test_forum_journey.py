"""The virtual forum's journey in real Chromium on a 360 × 740 phone (issue 4): a citizen signs up through
the real form and confirms the email through the emailed link, signs in and comments on a proposal of an
open consultation; a second citizen reports the comment; the Secretaría hides it with a reason, and the
author is emailed that reason; the Secretaría answers several contributions at once and publishes all the
responses (the consultation publishes them at once, after a confirmation page); the citizen reads the
response in "Mis aportes"; the public sees the reason, not the text.

Every page visited: 0 axe violations (WCAG 2.1 A and AA), nothing wider than the phone, no request to
another host. Emails are sent by the live server's thread in this process (locmem backend, eager Celery),
so `mail.outbox` holds them.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from commitments.models import Commitment
from consultations.models import Consultation, Contribution, Disposition
from paga.models import OutboundEmail
from tests.browser.conftest import AUTHENTICATE_PATH, VIEWPORTS, RequestLog, axe_violations, fresh_totp_code
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORT = VIEWPORTS["phone"]
# A proposal of the example still in consultation: a merged one (the ATU proposal) takes no comment.
PROPOSAL = "Sistemas inteligentes de transporte y tránsito"
EMAIL = "rosa.journey@example.pe"
NAME = "Rosa Quispe Ñahui"
TEXT = "Que se publiquen las rutas del transporte público en datos abiertos, también en Áncash."
HIDE_REASON = "Contiene el teléfono de una persona (datos personales)"
RESPONSE_REASON = "Se incorporó la publicación de rutas; los paraderos dependen de cada municipalidad."
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/cuenta/confirm-email/[^/\s]+/)")


class Visitor:
    """One browser context (a person on their phone), in English, logging every request it makes."""

    def __init__(self, browser, base_url: str, checked: list[str]):
        self.base = base_url
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])
        self.page = self.context.new_page()
        self.log = RequestLog(self.page, base_url)
        self.checked = checked  # every page checked, shared by all the visitors of the journey

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.check()

    def check(self) -> None:
        """The page now shown: accessible, as narrow as the phone, and nothing from another host."""
        page = self.page
        page.wait_for_load_state("load")
        where = page.url.removeprefix(self.base)
        assert axe_violations(page) == [], where
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"], where
        assert self.log.foreign == [], where
        self.checked.append(where.split("?")[0].split("#")[0])

    def submit(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def sign_in(self, email: str, next_path: str) -> None:
        self.goto(f"/cuenta/login/?next={next_path}")
        self.page.fill("#id_login", email)
        self.page.fill("#id_password", PASSWORD)
        self.submit(self.page.locator("main form button[type=submit]"))
        if self.page.url == self.base + AUTHENTICATE_PATH:  # staff: the code of their authenticator app
            self.page.fill("#id_code", fresh_totp_code(email))
            self.submit(self.page.locator("main form button[type=submit]").first)
        assert self.page.url.split("#")[0] == self.base + next_path

    def close(self) -> None:
        self.context.close()


def sent_to(email: str) -> list:
    return [message for message in mail.outbox if email in message.to]


def test_citizen_comments_is_reported_hidden_answered_in_bulk_and_reads_the_response(
    browser, live_server, example_plan, other_citizen, secretariat
):
    cache.clear()  # allauth's and the forum's rate limits live in the cache, which outlives a test
    atu = Commitment.objects.get(plan=example_plan, title=PROPOSAL)
    consultation = ConsultationFactory(
        plan=example_plan,
        slug="foro-abierto",
        title="Foro virtual abierto: propuestas",
        items=[atu],
        publication=Consultation.Publication.AT_ONCE,
    )
    earlier = comment(consultation=consultation, author=other_citizen, text="Un aporte anterior sobre rutas.")
    proposal = atu.get_absolute_url()
    checked: list[str] = []

    # 1. Sign up through the real form, with the consent box.
    rosa = Visitor(browser, live_server.url, checked)
    rosa.goto("/cuenta/signup/")
    rosa.page.fill("#id_display_name", NAME)
    rosa.page.fill("#id_email", EMAIL)
    rosa.page.fill("#id_password1", PASSWORD)
    rosa.page.fill("#id_password2", PASSWORD)
    rosa.page.check("#id_consent")
    rosa.submit(rosa.page.locator("main form button[type=submit]"))
    assert rosa.page.url == live_server.url + "/cuenta/confirm-email/"

    # 2. Confirm the email through the link in the email.
    (confirmation,) = sent_to(EMAIL)
    rosa.goto(CONFIRM_LINK.search(confirmation.body).group(1))
    rosa.submit(rosa.page.get_by_role("button", name="Confirm"))
    rosa.close()

    # 3. Sign in (another day, a fresh browser) and comment on the proposal of the open consultation.
    rosa = Visitor(browser, live_server.url, checked)
    rosa.sign_in(EMAIL, consultation.get_absolute_url())
    rosa.page.locator(f"main a[href='{proposal}#comentarios']").click()
    rosa.page.wait_for_url(f"{live_server.url}{proposal}#comentarios")
    rosa.check()
    form = rosa.page.locator("#comentar form")
    form.locator("textarea[name=text]").fill(TEXT)
    form.get_by_label("In favour").check()
    form.get_by_label("Suggestion").check()
    rosa.submit(form.get_by_role("button", name="Publish comment"))
    mine = Contribution.objects.get(author__email=EMAIL)
    assert mine.text == TEXT
    assert mine.consultation == consultation
    article = rosa.page.locator(f"#aporte-{mine.pk}")
    assert TEXT in article.inner_text()
    assert "Your comment was published." in rosa.page.locator("main").inner_text()

    # 4. A second citizen reports it, with a reason.
    julio = Visitor(browser, live_server.url, checked)
    julio.sign_in(other_citizen.email, proposal)
    julio.page.locator(f"#aporte-{mine.pk} a[href$='/reportar/']").click()
    julio.page.wait_for_url(f"**/consultas/aportes/{mine.pk}/reportar/")
    julio.check()
    julio.page.get_by_label("Personal data").check()
    julio.submit(julio.page.get_by_role("button", name="Send the report"))
    assert "Thank you" in julio.page.locator("main").inner_text()
    julio.close()
    assert mine.flags.get().user == other_citizen

    # 5. The Secretaría hides it with a reason in the moderation queue; the author is emailed the reason.
    mail.outbox.clear()
    staff = Visitor(browser, live_server.url, checked)
    staff.sign_in(secretariat.email, "/gestion/consultas/moderacion/")
    queued = staff.page.locator("main article", has=staff.page.locator(f"#aporte-{mine.pk}"))
    assert TEXT in queued.inner_text()
    queued.locator("summary", has_text="Hide with a reason").click()
    queued.get_by_label("Reason for hiding").fill(HIDE_REASON)
    staff.check()  # the opened form is accessible too
    staff.submit(queued.get_by_role("button", name="Hide", exact=True))
    assert "was hidden" in staff.page.locator("main").inner_text()
    mine.refresh_from_db()
    assert mine.state == Contribution.State.HIDDEN
    assert mine.text == TEXT  # kept, not deleted
    (hidden_email,) = sent_to(EMAIL)
    assert HIDE_REASON in hidden_email.body
    assert TEXT in hidden_email.body
    row = OutboundEmail.objects.get(to=[EMAIL], subject=hidden_email.subject)
    assert row.sent_at is not None

    # 6. It answers both contributions at once, then publishes all the responses after confirming.
    responses = f"/gestion/consultas/{consultation.slug}/respuestas/"
    staff.goto(responses)
    staff.page.check(f"#aporte-{mine.pk}")
    staff.page.check(f"#aporte-{earlier.pk}")
    staff.page.select_option("#id_disposition", Disposition.PARTIAL)
    staff.page.fill("#id_reason", RESPONSE_REASON)
    staff.page.select_option("#id_commitment_version", index=1)  # the version it went into
    staff.submit(staff.page.get_by_role("button", name="Answer the selected contributions"))
    assert "2 contributions were answered" in staff.page.locator("main").inner_text()
    assert set(consultation.contributions.values_list("response__published_at", flat=True)) == {None}
    staff.page.locator("main a.button", has_text="Publish all responses").click()
    staff.page.wait_for_url(f"**{responses}publicar/")
    staff.check()
    staff.submit(staff.page.get_by_role("button", name="Yes, publish them"))
    assert "2 responses were published." in staff.page.locator("main").inner_text()
    staff.close()
    assert None not in set(consultation.contributions.values_list("response__published_at", flat=True))
    assert any(RESPONSE_REASON in m.body for m in sent_to(EMAIL))  # the response is emailed as well

    # 7. The citizen reads the response in "Mis aportes".
    rosa.goto("/mis-aportes/")
    entry = rosa.page.locator("main article", has=rosa.page.locator(f"#mine-{mine.pk}"))
    text = entry.inner_text()
    assert "Partially incorporated" in text
    assert RESPONSE_REASON in text
    assert f"Hidden by moderation: {HIDE_REASON}" in text
    assert entry.locator("a", has_text="version").count() == 1  # the version it went into
    rosa.close()

    # 8. The public reads the reason in place of the text.
    public = Visitor(browser, live_server.url, checked)
    public.goto(proposal)
    hidden = public.page.locator(f"#aporte-{mine.pk}")
    assert f"Hidden by moderation: {HIDE_REASON}" in hidden.inner_text()
    assert TEXT not in public.page.content()
    public.close()

    # Each step's page was checked (accessible, narrow, self-contained), not only reached.
    steps = {
        "/cuenta/signup/",
        "/cuenta/confirm-email/",
        "/cuenta/login/",
        consultation.get_absolute_url(),
        proposal,
        f"/consultas/aportes/{mine.pk}/reportar/",
        "/gestion/consultas/moderacion/",
        responses,
        f"{responses}publicar/",
        "/mis-aportes/",
    }
    assert steps - set(checked) == set()
