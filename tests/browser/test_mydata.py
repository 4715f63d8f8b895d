"""“Mis datos” in real Chromium on a 360 × 740 phone (issue 7, item 2): a citizen signs in, opens "My
data" from the account menu, downloads everything as JSON, withdraws her consent and gives it again,
then deletes her account: a wrong password first (refused, nothing lost), then the right one. Her
comment stays on the proposal's page under "Participante anónimo".

Every page visited: 0 axe violations (WCAG 2.1 A and AA), nothing wider than the phone, no request to
another host.
"""

import json

import pytest
from django.core.cache import cache

from consultations.models import Contribution
from paga.models import Consent, User
from paga.personal_data import ANONYMOUS_NAME
from paga.services import record_signup
from tests.browser.conftest import VIEWPORTS, Journey
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = VIEWPORTS["phone"]
EMAIL = "rosa.misdatos@example.pe"
NAME = "Rosa Quispe Ñahui"
TEXT = "Que las rutas del transporte público de Áncash se publiquen en datos abiertos."


def test_citizen_downloads_her_data_withdraws_consent_and_deletes_her_account_on_a_phone(
    browser, live_server
):
    cache.clear()  # rate limits live in the cache, which outlives a test
    rosa = UserFactory(email=EMAIL, display_name=NAME, groups=["ciudadania"])
    record_signup(user=rosa, display_name=NAME, consented=True)
    item = CommitmentFactory(status="en_consulta")
    posted = comment(consultation=ConsultationFactory(items=[item]), author=rosa, text=TEXT)

    journey = Journey(browser, live_server, VIEWPORT, accept_downloads=True)
    page, checked = journey.page, journey.checked
    check, submit = journey.check, journey.submit

    # 1. Sign in; "My data" is in the account menu.
    page.goto(live_server.url + "/cuenta/login/")
    check()
    page.fill("#id_login", EMAIL)
    page.fill("#id_password", PASSWORD)
    submit(page.locator("main form button[type=submit]"))
    submit(page.locator(".account-nav").get_by_role("link", name="My data"))
    assert page.url == live_server.url + "/mis-datos/"
    main = page.locator("main")
    assert EMAIL in main.inner_text()

    # 2. Download everything: a JSON file with her comment, accents intact.
    with page.expect_download() as info:
        main.get_by_role("link", name="Download my data (JSON)").first.click()
    download = info.value
    assert download.suggested_filename.startswith("cocrea-mis-datos-")
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["paga"]["account"]["email"] == EMAIL
    assert [c["text"] for c in data["consultations"]["contributions"]] == [TEXT]

    # 3. Withdraw the consent, then give it again.
    submit(main.get_by_role("button", name="Withdraw this consent"))
    assert "You withdrew your consent" in page.locator("main").inner_text()
    assert Consent.objects.get(user=rosa).withdrawn_at is not None
    submit(page.locator("main").get_by_role("button", name="Give my consent"))
    assert Consent.objects.filter(user=rosa, withdrawn_at__isnull=True).count() == 1

    # 4. Delete the account: a wrong password is refused and nothing is lost.
    submit(page.locator("main").get_by_role("link", name="Delete my account…"))
    assert page.url == live_server.url + "/mis-datos/eliminar-cuenta/"
    page.get_by_label("Your password").fill("no-es-mi-clave")
    submit(page.locator("main").get_by_role("button", name="Delete my account"))
    assert "The password is not correct." in page.locator(".error-summary").inner_text()
    assert User.objects.filter(pk=rosa.pk).exists()
    page.get_by_label("Your password").fill(PASSWORD)
    submit(page.locator("main").get_by_role("button", name="Delete my account"))
    assert page.url == live_server.url + "/"
    assert "Your account was deleted." in page.locator("main").inner_text()
    assert page.locator(".account-nav").get_by_role("link", name="Sign in").is_visible()
    assert not User.objects.filter(pk=rosa.pk).exists()

    # 5. Her comment stays on the proposal's page, without her name.
    page.goto(live_server.url + item.get_absolute_url())
    check()
    thread = page.locator("main").inner_text()
    assert TEXT in thread
    assert ANONYMOUS_NAME in thread
    assert NAME not in thread
    assert Contribution.objects.get(pk=posted.pk).given_name == ANONYMOUS_NAME
    assert len(checked) == 9, checked
