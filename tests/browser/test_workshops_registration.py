"""Registering for a workshop in real Chromium on a 360 × 740 phone (issue 5): an anonymous person opens
the workshop's page, follows "Register", fills the form (a refusal first: the consent box left empty,
everything typed kept), gets the confirmation email, opens its link, confirms, then cancels through the
cancel link; the place goes to the first on the waiting list.

Every page visited: 0 axe violations (WCAG 2.1 A and AA), nothing wider than the phone, no request to
another host. Emails are sent by the live server's thread in this process (locmem backend, eager Celery),
so `mail.outbox` holds them.
"""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from tests.browser.conftest import VIEWPORTS, Journey
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = VIEWPORTS["phone"]
EMAIL = "rosa.taller@example.pe"
NAME = "Rosa Quispe Ñahui"
ORGANISATION = "Rondas Campesinas de Lamas"
LINK = re.compile(r"https?://[^/\s]+(/talleres/inscripcion/[0-9a-f-]{36}/(?:confirmar|cancelar)/)")


def test_anonymous_person_registers_by_email_confirms_and_cancels_on_a_phone(browser, live_server):
    cache.clear()  # rate limits live in the cache, which outlives a test
    event = EventFactory(capacity=2, title="Taller regional de San Martín «Ñ»")
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, state=Registration.State.WAITING, waiting_since=timezone.now())
    journey = Journey(browser, live_server, VIEWPORT)
    context, page, checked = journey.context, journey.page, journey.checked
    check, submit = journey.check, journey.submit

    # 1. The workshop's page says how many places are left and links to the form.
    response = page.goto(live_server.url + event.get_absolute_url())
    assert response.status == 200
    check()
    box = page.locator(".registration-box")
    assert "1 place left of 2." in box.inner_text()
    submit(box.get_by_role("link", name="Register"))
    register_path = f"/talleres/{event.slug}/inscripcion/"
    assert page.url == live_server.url + register_path

    # 2. The form: a refusal keeps what was typed, then the registration goes through.
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Civil society organisation").check()
    page.get_by_label("Organisation (optional)").fill(ORGANISATION)
    page.get_by_label("Female").check()
    page.get_by_label("Region you come from (optional)").select_option(label="Arequipa")
    submit(page.get_by_role("button", name="Register"))
    assert "There is a problem" in page.locator("main").inner_text()
    assert page.get_by_label("Your name").input_value() == NAME
    assert page.get_by_label("Organisation (optional)").input_value() == ORGANISATION
    assert not Registration.objects.filter(email=EMAIL).exists()
    page.locator("#id_consent").check()
    submit(page.get_by_role("button", name="Register"))
    assert "Check your email" in page.locator("main h1").inner_text()
    registration = Registration.objects.get(email=EMAIL)
    assert registration.state == Registration.State.PENDING

    # 3. The confirmation email: its link shows a button; only the button confirms.
    (confirmation,) = [m for m in mail.outbox if EMAIL in m.to]
    links = {path.rsplit("/", 2)[-2]: path for path in LINK.findall(confirmation.body)}
    assert set(links) == {"confirmar", "cancelar"}
    page.goto(live_server.url + links["confirmar"])
    check()
    assert Registration.objects.get(pk=registration.pk).state == Registration.State.PENDING
    submit(page.get_by_role("button", name="Confirm my registration"))
    assert "Your registration is confirmed: your place is kept." in page.locator("main").inner_text()
    assert Registration.objects.get(pk=registration.pk).state == Registration.State.CONFIRMED
    confirmed = [m for m in mail.outbox if EMAIL in m.to][-1]
    assert links["cancelar"] in confirmed.body  # every email carries the cancel link

    # 4. The cancel link: the place goes to the first on the waiting list.
    page.goto(live_server.url + links["cancelar"])
    check()
    submit(page.get_by_role("button", name="Cancel my registration"))
    assert "Your registration was cancelled." in page.locator("main").inner_text()
    assert Registration.objects.get(pk=registration.pk).state == Registration.State.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).state == Registration.State.CONFIRMED
    assert any(waiting.email in m.to for m in mail.outbox)
    context.close()

    assert {event.get_absolute_url(), register_path, links["confirmar"], links["cancelar"]} <= set(checked)
