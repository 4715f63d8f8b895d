"""The README's "Try it" journeys, step by step, in Chromium, in Spanish, on what `make run` loads.

The database gets exactly what `make run` gives (`load_example`, with the development demo of the
example staff accounts: DEBUG and COCREA_EXAMPLE_STAFF_WITHOUT_2FA, as under `make run`), and each person
signs in through the real form with the password of the example accounts file. Every label («…») and
every address (`/…`) of the README's section is one this test uses: the test reads the section and fails
when the text names something the journeys did not use, or the journeys use a label the text does not
name.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from consultations.models import Contribution
from paga import example
from tests.browser.conftest import VIEWPORTS, RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

README = Path(settings.BASE_DIR) / "README.md"
COMMENT = "Que se midan también el ruido y el polvo de las obras, y que el mapa se vea en el celular."
REASON = "Se incorporará a la medición horaria; el ruido depende de cada municipalidad."
HIDE = "Contiene datos personales de un tercero (demostración)"
SIGN_OFF = "Conforme: metas y plazos revisados con la Dirección General (demostración)"


def try_it_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Try it\n")
    return text[start : text.index("\n## ", start + 1)]


class Person:
    """One person's browser, in Spanish; records the labels pressed and the addresses opened."""

    def __init__(self, browser, base: str, email: str | None, viewport: str, used: dict):
        self.base, self.email, self.used = base, email, used
        self.width = VIEWPORTS[viewport]["width"]
        self.context = browser.new_context(viewport=VIEWPORTS[viewport])
        self.page = self.context.new_page()
        self.log = RequestLog(self.page, base)

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        where = page.url.removeprefix(self.base)
        assert page.locator("html").get_attribute("lang") == "es", where
        assert axe_violations(page) == [], where
        assert page.evaluate("document.documentElement.scrollWidth") <= self.width, where
        assert self.log.foreign == [], where

    def open(self, path: str, *, named: bool = True) -> None:
        """Go to `path`; named=False: an address the README does not spell out ("the same proposal")."""
        if named:
            self.used["paths"].add(path)
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.check()

    def label(self, text: str) -> str:
        self.used["labels"].add(text)
        return text

    def press(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def press_button(self, text: str, within=None) -> None:
        self.press(
            (within or self.page.locator("main")).get_by_role("button", name=self.label(text), exact=True)
        )

    def follow(self, text: str, within=None, *, exact: bool = True) -> None:
        """The link named `text` (exact=False: whose name holds it: «Reportar» + whose, "1. " + a title)."""
        scope, name = within or self.page.locator("main"), self.label(text)
        self.press(
            scope.get_by_role("link", name=name if exact else re.compile(re.escape(name)), exact=exact)
        )

    def choose(self, text: str, within=None) -> None:
        (within or self.page.locator("main")).get_by_label(self.label(text), exact=True).check()

    def sign_in(self, then: str | None = None, *, named: bool = True) -> None:
        """The real sign-in form with the printed password; `then`: the page to go to afterwards."""
        password = json.loads(example.accounts_file().read_text())[self.email]  # as printed
        if "/cuenta/login/" not in self.page.url:
            self.page.goto(f"{self.base}/cuenta/login/")
        self.page.fill("#id_login", self.email)
        self.page.fill("#id_password", password)
        self.press(self.page.locator("main form button[type=submit]"))
        assert "/cuenta/" not in self.page.url, (self.page.url, self.main_text())  # no app asked for
        if then:
            self.open(then, named=named)

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()


@pytest.fixture
def made_by_make_run(settings, example_accounts_file, tmp_path):
    """What `make run` loads, with its development demo of the example staff accounts."""
    settings.DEBUG = True
    settings.COCREA_EXAMPLE_STAFF_WITHOUT_2FA = True
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # rate limits live in the cache, which outlives a test
    call_command("load_example", stdout=io.StringIO())


def test_the_readme_journeys_work_as_written(browser, live_server, made_by_make_run):
    base = live_server.url
    used: dict[str, set[str]] = {"labels": set(), "paths": set()}
    section = try_it_section()
    assert "ciudadana@cocrea.example" in section

    # 1. A citizen comments on a proposal.
    rosa = Person(browser, base, "ciudadana@cocrea.example", "phone", used)
    rosa.open("/")
    assert "puede comentar" in rosa.main_text()
    rosa.follow("Participar en la consulta")
    rosa.follow("Publicar cada hora la calidad del aire medida en las ciudades")
    proposal = rosa.page.url.removeprefix(base).split("#")[0]
    rosa.follow("Inicie sesión para comentar")
    rosa.sign_in()
    assert rosa.page.url.endswith("/comentar/")  # the comment form of that proposal
    form = rosa.page.locator("main form", has=rosa.page.locator("textarea[name=text]")).first
    form.locator("textarea[name=text]").fill(COMMENT)
    rosa.choose("A favor", form)
    rosa.choose("Sugerencia", form)
    rosa.press_button("Publicar comentario", form)
    mine = Contribution.objects.get(author__email="ciudadana@cocrea.example", text=COMMENT)
    assert rosa.page.url.removeprefix(base).split("#")[0] == proposal
    assert COMMENT in rosa.main_text()

    # 2. The Secretaría answers it; the consultation publishes responses at once.
    staff = Person(browser, base, "secretaria@cocrea.example", "desktop", used)
    responses = "/planes/demostracion/gestion/consultas/consulta-publica-demostracion/respuestas/"
    staff.page.goto(f"{base}/cuenta/login/")
    staff.sign_in(then=responses)
    staff.page.check(f"#aporte-{mine.pk}")
    staff.page.locator("#id_disposition").select_option(label=staff.label("Parcialmente incorporado"))
    staff.page.fill("#id_reason", REASON)
    staff.page.select_option("#id_commitment_version", index=1)  # the proposal's version it went into
    staff.press_button("Responder los aportes seleccionados")
    mine.refresh_from_db()
    assert mine.response.published_at is not None
    rosa.open("/planes/demostracion/mis-aportes/")
    assert REASON in rosa.main_text()

    # 3. Another citizen reports the comment; the Secretaría hides it with a reason.
    julio = Person(browser, base, "ciudadano@cocrea.example", "phone", used)
    julio.page.goto(f"{base}/cuenta/login/")
    julio.sign_in(then=proposal, named=False)
    julio.follow("Reportar", julio.page.locator(f"#aporte-{mine.pk}"), exact=False)
    julio.choose("Datos personales")
    julio.press_button("Enviar el reporte")
    staff.open("/planes/demostracion/gestion/consultas/moderacion/")
    queued = staff.page.locator("main article", has=staff.page.locator(f"#aporte-{mine.pk}"))
    queued.locator("summary", has_text=staff.label("Ocultar con un motivo")).click()
    queued.get_by_label("Motivo para ocultarlo").fill(HIDE)
    staff.press_button("Ocultar", queued)
    mine.refresh_from_db()
    assert mine.state == Contribution.State.HIDDEN
    assert mine.text == COMMENT  # kept, not deleted
    julio.open(proposal, named=False)
    assert HIDE in julio.page.locator(f"#aporte-{mine.pk}").inner_text()
    assert COMMENT not in julio.page.content()

    # 4. A ministry signs off a commitment.
    minam = Person(browser, base, "revisor.minam@cocrea.example", "desktop", used)
    minam.page.goto(f"{base}/cuenta/login/")
    minam.sign_in(then="/planes/demostracion/revision/")
    minam.follow("Registro público de las denuncias ambientales y de su atención", exact=False)
    minam.page.fill("#id_decision-reason", SIGN_OFF)
    minam.press_button("Dar conformidad")
    assert "Dar conformidad" not in [b.inner_text() for b in minam.page.locator("main button").all()]

    # 5. The Secretaría assembles, freezes and approves the plan, and downloads its PDF.
    staff.open("/planes/demostracion/gestion/plan/")
    staff.press_button("Iniciar la primera versión")
    staff.page.get_by_label("Registro público de las denuncias ambientales y de su atención").fill("1")
    staff.press_button("Guardar el orden")
    staff.follow("Congelar esta versión")
    staff.page.locator("main input[type=checkbox]").check()
    staff.press_button("Congelar la versión")
    staff.follow("Registre el instrumento que la aprueba")
    staff.choose("Resolución Ministerial")
    staff.page.get_by_label("Número").fill("001-2027-PCM (demostración)")
    from paga import clock

    staff.page.get_by_label("Fecha del instrumento").fill(clock.today().isoformat())
    staff.press_button("Registrar la aprobación")
    staff.open("/planes/demostracion/plan/")
    pdf_link = staff.page.locator("main a[href$='/plan.pdf']").first
    with staff.page.expect_download() as download:
        pdf_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert re.search(r"\b[0-9a-f]{64}\b", staff.main_text())

    # 6. Anyone registers for the demonstration workshop.
    visitor = Person(browser, base, None, "phone", used)
    visitor.open("/planes/demostracion/talleres/")
    visitor.follow("Taller regional Cusco (demostración)")
    visitor.follow("Inscribirme")

    # 7. Anyone reads the approved PAGA 2017-2019.
    visitor.open("/plan/")
    assert visitor.page.locator("main a[href$='/plan.pdf']").count() >= 1
    assert re.search(r"\b[0-9a-f]{64}\b", visitor.main_text())
    visitor.open("/seguimiento/")
    assert "Cifras ilustrativas." in visitor.main_text()
    assert "83 %" in visitor.main_text()
    visitor.follow("3. Fortalecer las Comisiones Ambientales Municipales (CAM) y Regionales (CAR)")
    assert visitor.main_text().count("Ejemplo (ilustrativo, no es un reporte real):") == 4

    for person in (rosa, staff, julio, minam, visitor):
        person.context.close()

    # The README names what the journeys used, and only that.
    named_labels = set(re.findall(r"«([^»]+)»", section)) - {"English"}
    named_paths = set(re.findall(r"`(/[^`\s]*)`", section)) - {"/planes/demostracion/"}
    assert named_labels == used["labels"]
    assert named_paths == used["paths"]
