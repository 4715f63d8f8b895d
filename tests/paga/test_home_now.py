"""The home page's one sentence and one action (paga/openings.py), and the demonstration plan's banner.

What can be done now comes from what the apps register: an open consultation first (any plan, the
visitor's own plan first, a real plan before a demonstration one), then a workshop registration, then the
approved plan, then the timeline. The action goes to the opening's own plan's address.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paga import openings
from paga.models import ActionPlan
from tests.commitments.factories import PlanFactory, approve_today, current_plan, freeze_example_plan
from tests.consultations.factories import ConsultationFactory, lima
from tests.workshops.factories import EventFactory

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'<a class="button" href="([^"]+)">([^<]+)</a>')


@pytest.fixture
def plan() -> ActionPlan:
    return current_plan()


@pytest.fixture
def demo() -> ActionPlan:
    return PlanFactory(
        slug="demostracion",
        short_name="PAGA de demostración",
        name="Plan de Acción de Gobierno Abierto de demostración",
        is_current=False,
        is_demonstration=True,
        start_year=2027,
        end_year=2028,
    )


def what_now(client, url: str = "/") -> tuple[str, list[tuple[str, str]]]:
    """The home's sentence (tags removed) and its button-styled links (href, label)."""
    html = client.get(url).content.decode()
    panel = html.split('class="panel what-now"')[1].split("</section>")[0]
    sentence = re.search(r'<p class="what-now-sentence">(.*?)</p>', panel, flags=re.S)[1]
    return re.sub(r"<[^>]+>", "", sentence), BUTTON.findall(html)


def spanish(day: datetime.date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def closing_on(day: datetime.date) -> datetime.datetime:
    """A consultation that takes comments until the end of `day` (Lima) closes at the next midnight."""
    return lima(day.year, day.month, day.day) + datetime.timedelta(days=1)


def test_an_open_consultation_is_the_one_action(client, plan):
    last_day = timezone.localdate() + datetime.timedelta(days=12)
    consultation = ConsultationFactory(
        plan=plan, slug="foro", title="Foro virtual", closes_at=closing_on(last_day)
    )
    EventFactory(plan=plan)  # a registration open too: the consultation comes first
    sentence, buttons = what_now(client)
    assert sentence == (
        f"Hasta el {spanish(last_day)} puede comentar los compromisos propuestos en la consulta "
        f"«Foro virtual» del plan {plan.short_name}."
    )
    assert buttons == [(consultation.get_absolute_url(), "Participar en la consulta")]


def test_the_demonstration_plan_s_consultation_is_named_and_linked_in_its_plan(client, plan, demo):
    last_day = timezone.localdate() + datetime.timedelta(days=21)
    ConsultationFactory(plan=demo, slug="consulta-demo", closes_at=closing_on(last_day))
    sentence, buttons = what_now(client)
    assert sentence == (
        f"Hasta el {spanish(last_day)} puede comentar los compromisos propuestos en la consulta del plan de "
        "demostración."
    )
    assert buttons == [("/planes/demostracion/consultas/consulta-demo/", "Participar en la consulta")]


def test_a_real_plan_s_consultation_comes_before_the_demonstration_s(client, plan, demo):
    ConsultationFactory(
        plan=demo, slug="consulta-demo", closes_at=timezone.now() + datetime.timedelta(days=1)
    )
    ConsultationFactory(plan=plan, slug="consulta-real")
    assert what_now(client)[1] == [("/consultas/consulta-real/", "Participar en la consulta")]
    # On the demonstration plan's own home, its own consultation comes first.
    assert what_now(client, "/planes/demostracion/")[1] == [
        ("/planes/demostracion/consultas/consulta-demo/", "Participar en la consulta")
    ]


def test_an_open_registration_when_no_consultation_is_open(client, plan):
    ConsultationFactory(plan=plan, opens_at=timezone.now() + datetime.timedelta(days=3),
                        closes_at=timezone.now() + datetime.timedelta(days=9))  # fmt: skip  # not open yet
    closes = lima(2030, 5, 20, 18, 0)
    event = EventFactory(plan=plan, slug="taller-arequipa", title="Taller regional Arequipa",
                         starts_at=lima(2030, 5, 21, 10), ends_at=lima(2030, 5, 21, 17),
                         registration_closes_at=closes)  # fmt: skip
    EventFactory(plan=plan, capacity=None, registration_closes_at=None)  # takes no registration
    sentence, buttons = what_now(client)
    assert sentence == (
        "Hasta el 20 de mayo de 2030 a las 18:00 puede inscribirse en «Taller regional Arequipa», un evento "
        f"del plan {plan.short_name}."
    )
    assert buttons == [(f"/talleres/{event.slug}/inscripcion/", "Inscribirse en el evento")]


def test_an_approved_plan_is_to_be_read_when_nothing_is_open(
    client, example_plan, secretariat, reviewer, other_reviewer, settings
):
    approve_today(
        freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer), secretariat, "RM 1"
    )
    settings.COCREA_AS_OF = "2099-01-01"  # long after every consultation and registration
    sentence, buttons = what_now(client)
    assert sentence == "El plan PAGA 2017-2019 está aprobado: puede leer sus compromisos y sus hitos."
    assert buttons == [("/plan/", "Leer el plan aprobado")]


def test_nothing_open_leads_to_the_timeline(client, plan):
    ConsultationFactory(plan=plan, opens_at=timezone.now() - datetime.timedelta(days=9),
                        closes_at=timezone.now() - datetime.timedelta(days=1))  # fmt: skip  # closed
    EventFactory(plan=plan, registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    sentence, buttons = what_now(client)
    assert sentence == (
        f"Hoy no hay consultas ni inscripciones abiertas en el {plan.short_name}: puede seguir cada etapa "
        "del proceso en su cronograma."
    )
    assert buttons == [("/cronograma/", "Ver el cronograma")]


def test_the_sentence_escapes_stored_text(client, plan):
    ConsultationFactory(plan=plan, title="<b>Foro</b>")
    html = client.get("/").content.decode()
    assert "&lt;b&gt;Foro&lt;/b&gt;" in html
    assert "<b>Foro</b>" not in html


def test_the_answer_changes_when_the_consultation_closes_or_the_next_opens(plan):
    now = timezone.now()
    soon = now + datetime.timedelta(days=2)
    ConsultationFactory(plan=plan, closes_at=now + datetime.timedelta(days=5))
    ConsultationFactory(plan=plan, opens_at=soon, closes_at=soon + datetime.timedelta(days=5))
    assert openings.what_now(plan, now).changes_at == soon
    assert openings.what_now(plan, now + datetime.timedelta(days=4)).changes_at == now + datetime.timedelta(
        days=5
    )


def test_a_registration_not_yet_open_is_not_offered_but_changes_the_answer_when_it_opens(client, plan):
    opens = timezone.now() + datetime.timedelta(hours=5)
    EventFactory(plan=plan, registration_opens_at=opens)
    assert what_now(client)[1] == [("/cronograma/", "Ver el cronograma")]
    assert openings.what_now(plan).changes_at == opens


def test_the_home_runs_the_same_queries_whatever_is_open(client, plan, demo, django_assert_num_queries):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    client.get("/")  # what a process caches once is cached
    nothing = count()
    for n in range(8):
        ConsultationFactory(plan=plan if n % 2 else demo, items=[])
        EventFactory(plan=plan if n % 2 else demo)
    assert count() == nothing


def test_the_cached_home_expires_when_the_consultation_closes(settings, plan):
    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    ConsultationFactory(
        plan=plan, slug="foro-breve", closes_at=timezone.now() + datetime.timedelta(seconds=2)
    )
    assert what_now(Client())[1] == [("/consultas/foro-breve/", "Participar en la consulta")]
    assert what_now(Client())[1] == [
        ("/consultas/foro-breve/", "Participar en la consulta")
    ]  # from the cache
    time.sleep(2.5)  # no write in between: only the moment moved
    assert what_now(Client())[1] == [("/cronograma/", "Ver el cronograma")]


def test_the_cached_home_is_served_with_one_query(settings, plan, django_assert_num_queries):
    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    ConsultationFactory(plan=plan)
    first = Client().get("/").content
    with django_assert_num_queries(1):  # the content generation
        assert Client().get("/").content == first


# --- The demonstration plan says so on every page ---------------------------------------------------
BANNER = "Plan de demostración:"


@pytest.mark.parametrize("path", ["/", "/cronograma/", "/compromisos/", "/consultas/", "/talleres/"])
def test_every_page_of_the_demonstration_plan_says_so_and_links_to_the_current_plan(client, plan, demo, path):
    html = client.get(f"/planes/demostracion{path}").content.decode()
    banner = html.split('class="demo-banner"')[1].split("</p>")[0]
    assert BANNER in banner
    assert "los datos son ficticios" in banner
    assert '<a href="/">Ir al plan vigente</a>' in banner
    # The first thing in <main> (inside a landmark, before the page's own content), not below it.
    main = html.split('id="contenido"')[1]
    assert main.index('class="demo-banner"') < main.index("<h1")


@pytest.mark.parametrize("path", ["/", "/cronograma/", "/planes/paga-2017-2019/cronograma/"])
def test_the_real_plan_s_pages_carry_no_banner(client, plan, demo, path):
    assert "demo-banner" not in client.get(path).content.decode()


def test_the_banner_costs_no_query(client, plan, demo):
    client.get("/planes/paga-2017-2019/cronograma/")
    with CaptureQueriesContext(connection) as real:
        client.get("/planes/paga-2017-2019/cronograma/")
    with CaptureQueriesContext(connection) as demonstration:
        client.get("/planes/demostracion/cronograma/")
    assert len(demonstration.captured_queries) == len(real.captured_queries)


def test_the_identity_bar_names_the_secretaria_in_words(client, plan):
    html = client.get("/cronograma/").content.decode()
    identity = html.split('class="identity"')[1].split("</div>")[0]
    assert "Secretaría de Gestión Pública · Presidencia del Consejo de Ministros" in identity
    assert "<img" not in identity
    assert "<svg" not in identity


def test_the_menu_is_a_disclosure_that_needs_no_javascript(client, plan):
    html = client.get("/").content.decode()
    nav = html.split('<nav class="main-nav"')[1].split("</nav>")[0]
    assert '<details class="wrap menu">' in nav
    assert "<summary>Menú</summary>" in nav
    assert "<script" not in html


MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
    "noviembre", "diciembre",
]  # fmt: skip
