"""Home, timeline and the iCalendar feed, on the PAGA 2017-2019 example."""

import datetime
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from paga.models import TimelineStage

pytestmark = pytest.mark.django_db


def stage_item(html: str, title: str) -> str:
    """The <li> of the timeline that holds `title`."""
    for item in re.findall(r"<li id=\"etapa-\d+\".*?</li>", html, flags=re.S):
        if title in item:
            return item
    raise AssertionError(f"{title!r} not on the page")


def test_timeline_shows_the_seed_dates_in_spanish(client, example_plan):
    html = client.get(reverse("paga:timeline")).content.decode()
    assert "21 de septiembre de 2017" in stage_item(html, "Taller regional La Libertad")
    forum = stage_item(html, "Consulta pública: foro virtual")
    assert "Del " in forum
    assert "22 de septiembre de 2017" in forum
    assert "6 de octubre de 2017" in forum
    assert '<time datetime="2017-09-22">' in forum
    assert '<time datetime="2017-10-06">' in forum
    assert "12 de octubre de 2017" in stage_item(html, "Mesas nacionales por temáticas")
    # Undated items stay undated: no date is invented.
    assert "Sin fecha" in stage_item(html, "Mesas temáticas: elaboración de propuesta")
    assert "<time" not in stage_item(html, "Mesas temáticas: elaboración de propuesta")


def test_timeline_marks_the_current_stage_in_words(client, example_plan, settings):
    settings.COCREA_AS_OF = "2017-09-25"
    html = client.get(reverse("paga:timeline")).content.decode()
    forum = stage_item(html, "Consulta pública: foro virtual")
    assert 'aria-current="step"' in forum
    assert "En curso" in forum
    assert "Concluida" in stage_item(html, "Taller regional La Libertad")
    assert "Próxima" in stage_item(html, "Taller regional San Martín")
    assert html.count('aria-current="step"') == 1
    assert "25 de septiembre de 2017" in html  # the simulated day is said on the page


def test_timeline_current_stage_moves_with_the_date(client, example_plan, settings):
    settings.COCREA_AS_OF = "2017-10-12"
    html = client.get(reverse("paga:timeline")).content.decode()
    assert "En curso" in stage_item(html, "Mesas nacionales por temáticas")
    assert "En curso" in stage_item(html, "Publicación y consulta virtual del Informe Final")
    assert "Concluida" in stage_item(html, "Consulta pública: foro virtual")


def test_home_shows_the_open_stage_and_what_comes_next(client, example_plan, settings):
    settings.COCREA_AS_OF = "2017-09-25"
    html = client.get(reverse("paga:home")).content.decode()
    now = html.split('id="now-heading"')[1].split("</section>")[0]
    assert "Consulta pública: foro virtual" in now
    nxt = html.split('id="next-heading"')[1].split("</section>")[0]
    assert nxt.index("Taller regional San Martín") < nxt.index("Publicación y consulta virtual")
    assert "Tercer Plan de Acción de Gobierno Abierto 2017-2019" in html


def test_home_after_the_process_says_nothing_is_open(client, example_plan, settings):
    settings.COCREA_AS_OF = "2018-03-01"
    html = client.get(reverse("paga:home")).content.decode()
    now = html.split('id="now-heading"')[1].split("</section>")[0]
    assert "Ninguna etapa" in now


def test_ics_feed_parses_back_with_the_same_events(client, example_plan):
    response = client.get(reverse("paga:timeline_ics"))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    dated = TimelineStage.objects.filter(plan=example_plan, starts_on__isnull=False)
    assert len(events) == dated.count() == 7
    for stage in dated:
        event = events[stage.title]
        assert event.decoded("DTSTART") == stage.starts_on
        assert event.decoded("DTEND") == stage.last_day + datetime.timedelta(days=1)  # exclusive end
        assert str(event["UID"]).startswith(f"stage-{stage.pk}@")
    assert "Mesas temáticas: elaboración de propuesta de compromisos por temáticas" not in events
    assert str(events["Taller regional Arequipa"]["LOCATION"]) == "Arequipa"


def test_pages_run_the_same_queries_whatever_the_number_of_stages(
    client, example_plan, django_assert_num_queries
):
    pillar = TimelineStage.objects.first().pillar
    # The home: + what can be done now (paga/openings.py: one query per app that registers openings).
    for url, queries in ((reverse("paga:home"), 7), (reverse("paga:timeline"), 2)):
        for extra in (0, 20):
            for i in range(extra):
                TimelineStage.objects.create(
                    plan=example_plan, pillar=pillar, phase="Extra", title=f"Extra {i}", order=100 + i
                )
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
            TimelineStage.objects.filter(phase="Extra").delete()


def test_spanish_first_whatever_the_browser_asks(client, example_plan):
    response = client.get(reverse("paga:timeline"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="es">' in response.content.decode()
    assert response["Content-Language"] == "es"


def test_language_switch_keeps_the_page(client, example_plan):
    html = client.get("/cronograma/").content.decode()
    assert 'href="/idioma/?idioma=en&amp;next=/cronograma/"' in html  # a plain link: no form, no token
    response = client.get(reverse("set_language"), {"idioma": "en", "next": "/cronograma/"})
    assert response.status_code == 302
    assert response["Location"] == "/cronograma/"
    html = client.get("/cronograma/").content.decode()
    assert '<html lang="en">' in html
    assert "Timeline of PAGA 2017-2019" in html
    assert "Sept. 21, 2017" in html
    client.get(reverse("set_language"), {"idioma": "es", "next": "/"})
    assert '<html lang="es">' in client.get("/").content.decode()


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/", "javascript:x()"])
def test_language_switch_never_leaves_the_site(client, target):
    response = client.get(reverse("set_language"), {"idioma": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"


def test_language_switch_ignores_an_unknown_language_and_refuses_post(client):
    response = client.get(reverse("set_language"), {"idioma": "xx", "next": "/cronograma/"})
    assert response["Location"] == "/cronograma/"
    assert "django_language" not in response.cookies
    assert client.post(reverse("set_language"), {"idioma": "en"}).status_code == 405


def test_branded_404_in_the_users_language(client, example_plan):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No encontramos esta página" in html
    assert 'class="site-header"' in html
    client.cookies["django_language"] = "en"
    assert "We could not find this page" in client.get("/no-existe/").content.decode()


def test_branded_500_without_the_database(rf):
    from django.utils import translation

    from paga.views import error_500

    with translation.override("es"):
        response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Algo salió mal" in response.content.decode()


def test_security_headers_and_strict_csp(client, example_plan):
    response = client.get(reverse("paga:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_another_host(client, example_plan):
    for url in (reverse("paga:home"), reverse("paga:timeline"), reverse("account_login")):
        html = client.get(url).content.decode()
        for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", attr), (url, attr)
        assert "style=" not in html
        assert "<script" not in html


def test_health_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("paga:health"))
    assert response.status_code == 200
    assert response.content == b"ok"
