"""The public pages of the events: the list (upcoming, past, undated), its filters, the month calendar,
an event's page, and their query counts at two volumes."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from paga.models import GovernmentPriority, Pillar, Theme, TimelineStage
from tests.commitments.factories import SCRIPT, current_plan
from tests.factories import UserFactory
from tests.workshops.factories import EventFactory, lima, region, undated
from workshops.models import Document, DocumentType, EventState, EventTransition, Kind

pytestmark = pytest.mark.django_db

LIST = reverse("workshops:list")
CALENDAR = reverse("workshops:calendar")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    current_plan()  # the pages answer 404 without a current plan
    return tmp_path


def main_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def theme(name: str, slug: str):
    plan = current_plan()
    priority, _ = GovernmentPriority.objects.get_or_create(
        plan=plan, slug="salud", defaults={"name": "Salud"}
    )
    found, _ = Theme.objects.get_or_create(
        plan=plan, slug=slug, defaults={"name": name, "priority": priority}
    )
    return found


def stage(title: str = "Talleres regionales «macro»") -> TimelineStage:
    pillar, _ = Pillar.objects.get_or_create(key="dialogo", defaults={"name": "Diálogo", "text": "Espacios"})
    return TimelineStage.objects.create(
        plan=current_plan(),
        pillar=pillar,
        phase="Co-creación",
        title=title,
        order=50 + TimelineStage.objects.count(),
    )


def document(event=None, *, title="Acta «Ñandú»", dated=datetime.date(2017, 10, 2), uploaded_at=None, **kw):
    uploader = kw.pop("uploaded_by", None) or UserFactory()
    doc = Document(
        plan=kw.pop("plan", None) or current_plan(),
        event=event,
        title=title,
        doc_type=kw.pop("doc_type", DocumentType.MINUTES),
        original_name=kw.pop("original_name", "acta-año.pdf"),
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        dated=dated,
        uploaded_by=uploader,
        uploaded_at=uploaded_at or timezone.now(),
        **kw,
    )
    doc.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    doc.save()
    return doc


def cancelled(**kw):
    return EventFactory(state=EventState.CANCELLED, cancel_reason="Paro de transportistas «Ñ»", **kw)


def all_day(first: datetime.date, last: datetime.date, **kw):
    return EventFactory(
        all_day=True,
        starts_at=lima(first.year, first.month, first.day),
        ends_at=lima(last.year, last.month, last.day) + datetime.timedelta(days=1),
        capacity=None,
        registration_opens_at=None,
        registration_closes_at=None,
        **kw,
    )


def past(days: int = 30, **kw):
    start = timezone.now() - datetime.timedelta(days=days)
    return EventFactory(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        registration_opens_at=None,
        registration_closes_at=None,
        capacity=None,
        state=kw.pop("state", EventState.HELD),
        **kw,
    )


# --- The list ----------------------------------------------------------------------------------------
def test_list_puts_upcoming_first_then_past_then_undated_without_inventing_dates(english):
    soon = EventFactory(title="Taller pronto")
    later = EventFactory(
        title="Taller después",
        starts_at=timezone.now() + datetime.timedelta(days=20),
        ends_at=timezone.now() + datetime.timedelta(days=20, hours=3),
    )
    old = past(title="Taller pasado")
    older = past(days=60, title="Taller más antiguo")
    table = undated(title="Mesa temática de salud")
    html = main_of(english.get(LIST))
    order = [html.index(e.title) for e in (soon, later, old, older, table)]
    assert order == sorted(order)
    assert html.index("Upcoming events") < html.index("Past events") < html.index("Events without a date")
    undated_part = html.split('id="undated-heading"', 1)[1]
    assert "No date yet" in undated_part
    assert "<time" not in undated_part.split("</ul>", 1)[0]
    assert "5 events" in html


def test_list_shows_kind_dates_in_lima_region_state_and_themes(english):
    event = EventFactory(
        starts_at=lima(2030, 10, 2, 9, 30), ends_at=lima(2030, 10, 2, 17), registration_closes_at=None
    )
    event.themes.add(theme("Salud «pública»", "salud-publica"))
    html = main_of(english.get(LIST))
    assert "Regional workshop" in html
    assert "Oct. 2, 2030, from 09:30</time> to <time" in html
    assert 'datetime="2030-10-02T09:30:00-05:00"' in html
    assert "Arequipa" in html
    assert "Scheduled" in html
    assert "Salud «pública»" in html


def test_list_dates_are_spanish_by_default(spanish):
    all_day(datetime.date(2030, 9, 21), datetime.date(2030, 9, 22))
    html = main_of(spanish.get(LIST))
    assert "21 de septiembre de 2030" in html
    assert "22 de septiembre de 2030" in html


def test_an_all_day_event_shows_its_days_only_with_the_exclusive_end_removed(english):
    all_day(datetime.date(2030, 10, 12), datetime.date(2030, 10, 13), title="Mesa nacional")
    one_day = all_day(datetime.date(2030, 10, 20), datetime.date(2030, 10, 20), title="Un día")
    html = main_of(english.get(LIST))
    assert 'From <time datetime="2030-10-12">Oct. 12, 2030</time> to <time datetime="2030-10-13">' in html
    assert "Oct. 14, 2030" not in html
    card = html.split(one_day.title, 1)[1].split("</li>", 1)[0]
    assert '<time datetime="2030-10-20">Oct. 20, 2030</time>' in card
    assert "Lima time" not in card  # no invented hours


def test_a_cancelled_event_is_listed_with_its_reason(english):
    cancelled(title="Taller suspendido")
    html = main_of(english.get(LIST))
    assert "Cancelled" in html
    assert "Paro de transportistas «Ñ»" in html


def test_a_script_in_a_title_is_escaped_everywhere(english):
    event = EventFactory(starts_at=lima(2030, 10, 2, 10), ends_at=lima(2030, 10, 2, 12))
    assert SCRIPT in event.title
    for url in (LIST, CALENDAR + "?mes=2030-10", event.get_absolute_url()):
        body = english.get(url).content.decode()
        assert SCRIPT not in body
        assert escape(SCRIPT) in body
    document(event, title=f"Acta {SCRIPT}")
    body = english.get(reverse("workshops:repository")).content.decode()
    assert SCRIPT not in body
    assert escape(SCRIPT) in body


def test_only_events_of_the_current_plan_are_listed(english):
    from tests.commitments.factories import PlanFactory

    EventFactory(title="Del plan vigente")
    old_plan = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    other = EventFactory(plan=old_plan, title="Del plan anterior")
    html = main_of(english.get(LIST))
    assert "Del plan vigente" in html
    assert "Del plan anterior" not in html
    assert english.get(other.get_absolute_url()).status_code == 404


# --- Filters -------------------------------------------------------------------------------------------
def test_filters_by_kind_theme_region_and_month_are_plain_get_parameters(english):
    health = theme("Salud", "salud")
    water = theme("Agua", "agua")
    arequipa = EventFactory(
        title="En Arequipa", starts_at=lima(2030, 10, 2, 10), ends_at=lima(2030, 10, 2, 17)
    )
    arequipa.themes.add(health, water)
    cusco = EventFactory(
        title="En Cusco",
        region=region("Cusco"),
        kind=Kind.NATIONAL_TABLE,
        starts_at=lima(2030, 11, 5, 10),
        ends_at=lima(2030, 11, 5, 17),
    )
    cusco.themes.add(water)
    table = undated(title="Mesa sin fecha")
    table.themes.add(health)

    def titles(**params) -> set[str]:
        html = main_of(english.get(LIST, params))
        return {t for t in ("En Arequipa", "En Cusco", "Mesa sin fecha") if t in html}

    assert titles() == {"En Arequipa", "En Cusco", "Mesa sin fecha"}
    assert titles(tipo="mesa_nacional") == {"En Cusco"}
    assert titles(tema="salud") == {"En Arequipa", "Mesa sin fecha"}
    assert titles(tema="agua") == {"En Arequipa", "En Cusco"}
    assert titles(region="cusco") == {"En Cusco"}
    assert titles(mes="2030-10") == {"En Arequipa"}
    assert titles(mes="2030-11", tema="agua") == {"En Cusco"}
    html = main_of(english.get(LIST, {"mes": "2030-11", "tema": "agua"}))
    assert 'name="mes" value="2030-11"' in html
    assert '<option value="agua" selected lang="es">' in html
    assert 'method="get"' in html
    assert "csrfmiddlewaretoken" not in html


def test_month_filter_catches_an_event_that_spans_the_turn_of_the_month(english):
    all_day(datetime.date(2030, 10, 31), datetime.date(2030, 11, 1), title="Cruza de mes")
    all_day(datetime.date(2030, 9, 29), datetime.date(2030, 9, 30), title="Termina en septiembre")
    html = main_of(english.get(LIST, {"mes": "2030-10"}))
    assert "Cruza de mes" in html
    assert "Termina en septiembre" not in html  # its exclusive end (1 October 00:00) is not a day of it
    assert "Cruza de mes" in main_of(english.get(LIST, {"mes": "2030-11"}))


def test_a_bad_month_is_told_on_the_page_and_kept(english):
    EventFactory(title="Sigue visible")
    html = main_of(english.get(LIST, {"mes": "octubre"}))
    assert "Enter a month as year and month number, for example 2017-10." in html
    assert 'value="octubre"' in html
    assert "There is a problem" in html


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2101-01", "1989-12"])
@pytest.mark.parametrize("url", [LIST, CALENDAR])
def test_a_month_out_of_the_years_range_is_told_with_the_range(english, url, month):
    response = english.get(url, {"mes": month})
    assert response.status_code == 200
    html = main_of(response)
    assert "Give a date with a year from 1990 to 2100." in html
    assert f'value="{month}"' in html
    assert 'href="#id_mes"' in html


def test_an_unknown_choice_is_an_error_not_a_crash(english):
    html = main_of(english.get(LIST, {"tipo": "fiesta", "region": "atlantida"}))
    assert "Select a valid choice" in html


# --- The month calendar ------------------------------------------------------------------------------
def test_calendar_is_an_accessible_table_with_each_day_events_as_links(english):
    event = all_day(datetime.date(2030, 10, 12), datetime.date(2030, 10, 13), title="Mesa nacional «agua»")
    html = main_of(english.get(CALENDAR, {"mes": "2030-10"}))
    assert "<caption>Events of October 2030</caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<abbr title="Monday">Mon</abbr>' in html.split('<th scope="col">', 2)[1]
    link = f'<a href="{event.get_absolute_url()}" lang="es">Mesa nacional «agua»</a>'
    assert html.count(link) == 2  # on both of its days
    cell_12 = html.split('datetime="2030-10-12"', 1)[1].split("</td>", 1)[0]
    assert link in cell_12
    cell_14 = html.split('datetime="2030-10-14"', 1)[1].split("</td>", 1)[0]
    assert link not in cell_14
    assert "1 event this month." in html


def test_calendar_links_to_previous_and_next_month_keeping_the_filters(english):
    html = main_of(english.get(CALENDAR, {"mes": "2030-01", "tipo": "taller_regional"}))
    assert 'href="?tipo=taller_regional&amp;mes=2029-12" rel="prev"' in html
    assert 'href="?tipo=taller_regional&amp;mes=2030-02" rel="next"' in html
    html = main_of(english.get(CALENDAR, {"mes": "2030-12"}))
    assert 'href="?mes=2031-01" rel="next"' in html


def test_calendar_defaults_to_the_month_of_the_next_event(english):
    past(days=90, title="Pasado")
    event = EventFactory(
        title="El próximo",
        starts_at=timezone.now() + datetime.timedelta(days=70),
        ends_at=timezone.now() + datetime.timedelta(days=70, hours=2),
    )
    response = english.get(CALENDAR)
    month = timezone.localtime(event.starts_at).date().replace(day=1)
    assert response.context["month"].first == month
    assert "El próximo" in main_of(response)


def test_calendar_defaults_to_the_current_month_without_events(english):
    response = english.get(CALENDAR)
    assert response.context["month"].first == timezone.localdate().replace(day=1)
    assert "0 events this month." in main_of(response)


def test_calendar_applies_the_same_filters(english):
    EventFactory(title="Regional", starts_at=lima(2030, 10, 2, 10), ends_at=lima(2030, 10, 2, 12))
    EventFactory(
        title="Nacional",
        kind=Kind.NATIONAL_TABLE,
        starts_at=lima(2030, 10, 3, 10),
        ends_at=lima(2030, 10, 3, 12),
    )
    html = main_of(english.get(CALENDAR, {"mes": "2030-10", "tipo": "mesa_nacional"}))
    assert "Nacional" in html
    assert ">Regional<" not in html


def test_calendar_with_a_bad_month_shows_the_error_and_todays_month(english):
    response = english.get(CALENDAR, {"mes": "2030-13"})
    html = main_of(response)
    assert "Enter a month as year and month number" in html
    assert response.context["month"].first == timezone.localdate().replace(day=1)


# --- An event's page -----------------------------------------------------------------------------------
def test_detail_shows_everything_about_the_event(english):
    event = EventFactory(
        starts_at=lima(2030, 10, 2, 10),
        ends_at=lima(2030, 10, 3, 13),
        agenda="9:00 Bienvenida <b>ya</b>\n10:00 Mesas de trabajo",
        stage=stage(),
    )
    event.themes.add(theme("Salud", "salud"))
    doc = document(event, title="Presentación «macro»", doc_type=DocumentType.PRESENTATION)
    doc.size = 2048
    doc.save()
    html = main_of(english.get(event.get_absolute_url()))
    for text in (
        escape(event.title),
        "Regional workshop",
        "Scheduled",
        "Auditorio del Gobierno Regional",
        "Av. Unión 200, Cercado",
        "Arequipa",
        "Salud",
        "From <time",
        "Oct. 2, 2030, 10:00",
        "Oct. 3, 2030, 13:00",
        "(Lima time)",
        "9:00 Bienvenida &lt;b&gt;ya&lt;/b&gt;<br>10:00 Mesas de trabajo",
        "Resumen",
        "Presentación «macro»",
        "Presentation",
        "2.0\xa0KB",
    ):
        assert text in html, text
    assert f'href="{event.stage.get_absolute_url()}" lang="es">Talleres regionales «macro»</a>' in html
    assert f'href="{reverse("workshops:document_download", args=[doc.pk])}"' in html
    assert f'href="{reverse("workshops:event_ics", args=[event.slug])}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_detail_keeps_the_three_slots_in_order():
    source = (settings.BASE_DIR / "templates/workshops/detail.html").read_text()
    content = source.split("{% block content %}", 1)[1]
    # The slots are markers until the other parts replace them with their tags: either way, in order.
    marks = [content.find(m) for m in ("registration", "attendance", "outcomes")]
    assert -1 not in marks
    assert marks == sorted(marks)


def test_a_cancelled_event_says_when_and_why(english, secretariat):
    event = cancelled()
    EventTransition.objects.create(
        event=event,
        from_state=EventState.SCHEDULED,
        to_state=EventState.CANCELLED,
        actor=secretariat,
        reason=event.cancel_reason,
        created=lima(2030, 9, 1, 12),
    )
    html = main_of(english.get(event.get_absolute_url()))
    assert (
        'This event was cancelled on <time datetime="2030-09-01T12:00:00-05:00">Sept. 1, 2030</time>' in html
    )
    assert 'Reason: <span lang="es">Paro de transportistas «Ñ»</span>' in html


def test_an_undated_table_has_no_calendar_link_and_no_invented_date(english):
    table = undated()
    html = main_of(english.get(table.get_absolute_url()))
    assert "No date yet" in html
    assert reverse("workshops:event_ics", args=[table.slug]) not in html
    assert "No documents of this event" in html


def test_unknown_slug_and_unknown_document_answer_404(client):
    assert client.get(reverse("workshops:detail", args=["no-existe"])).status_code == 404
    assert client.get(reverse("workshops:event_ics", args=["no-existe"])).status_code == 404
    assert client.get(reverse("workshops:document_download", args=[999999])).status_code == 404


def test_public_pages_refuse_post(client):
    event = EventFactory()
    for url in (LIST, CALENDAR, event.get_absolute_url(), reverse("workshops:repository")):
        assert client.post(url).status_code == 405


def test_nav_links_to_workshops_and_repository(english):
    html = english.get(LIST).content.decode()
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{LIST}" aria-current="page">Workshops</a>' in nav
    assert f'<a href="{reverse("workshops:repository")}">Repository</a>' in nav


# --- Query counts --------------------------------------------------------------------------------------
def grow(total: int, health, water) -> None:
    from workshops.models import Event

    while Event.objects.count() < total:
        n = Event.objects.count()
        event = EventFactory(starts_at=lima(2030, 10, 1 + n % 28, 10), ends_at=lima(2030, 10, 1 + n % 28, 12))
        event.themes.add(health, water)
        past(title=f"Pasado {n}").themes.add(water)
        undated(title=f"Mesa {n}").themes.add(health)


def test_list_and_calendar_queries_do_not_grow(client, django_assert_num_queries):
    health, water = theme("Salud", "salud"), theme("Agua", "agua")
    for total in (3, 30):
        grow(total, health, water)
        # plan; themes and regions for the form; events; their themes
        with django_assert_num_queries(5):
            response = client.get(LIST)
        assert response.context["events"].total >= total
        with django_assert_num_queries(5):
            client.get(
                LIST, {"tema": "salud", "region": "arequipa", "mes": "2030-10", "tipo": "taller_regional"}
            )
        # plan; themes and regions; the month's events (no themes needed)
        with django_assert_num_queries(4):
            client.get(CALENDAR, {"mes": "2030-10"})
        with django_assert_num_queries(5):  # and the next event, to choose the month
            client.get(CALENDAR)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("state", ["cancelado", "programado"])
def test_detail_queries_do_not_grow_with_documents_and_themes(client, secretariat, state):
    """Own queries: plan; event with region and stage; themes; documents; (when it was cancelled). The
    registration, attendance and outcomes parts add theirs; all together stay within 8, at any volume."""
    if state == "cancelado":
        event = cancelled(stage=stage())
        EventTransition.objects.create(
            event=event, from_state="programado", to_state="cancelado", actor=secretariat, reason="x"
        )
    else:
        event = EventFactory(stage=stage())
    counts = []
    for total in (3, 30):
        for n in range(event.documents.count(), total):
            document(event, title=f"Documento {n}", uploaded_by=secretariat)
            event.themes.add(theme(f"Tema {n}", f"tema-{n}"))
        counts.append(count_queries(client, event.get_absolute_url()))
        assert client.get(event.get_absolute_url()).context["documents"].count() == total
    assert counts[0] == counts[1] <= 8, counts


def test_clearing_the_calendar_filters_keeps_its_month(english):
    html = main_of(english.get(CALENDAR, {"mes": "2030-10"}))
    assert "Clear all filters" not in html
    html = main_of(english.get(CALENDAR, {"mes": "2030-10", "tipo": "mesa_nacional"}))
    assert f'href="{CALENDAR}?mes=2030-10">Clear all filters' in html


@pytest.mark.django_db(transaction=True)
def test_anonymous_visits_are_served_from_the_page_cache_and_a_change_shows_at_once(settings):
    from django.core.cache import cache
    from django.test import Client

    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    event = EventFactory(title="Antes")
    urls = [
        LIST,
        CALENDAR,
        event.get_absolute_url(),
        reverse("workshops:repository"),
        reverse("workshops:ics"),
    ]
    for url in urls:
        first = Client().get(url)
        assert first.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            again = Client().get(url)
        assert len(queries) == 1, url  # the content generation, nothing else
        assert again.content == first.content
    event.title = "Después"
    event.save()
    assert "Después" in Client().get(event.get_absolute_url()).content.decode()
