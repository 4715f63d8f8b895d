"""PAGA 2015-2016's timeline (issue 14): the example gives it the one stage of its own the seed supports,
its self-assessment report's virtual consultation (29.09-13.10.2017), linked to that consultation at its
plan's address, and says that the portal holds none of its other stages (paga/example.py PREVIOUS_STAGE)."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from icalendar import Calendar

from paga import example
from paga.models import TimelineStage

PREVIOUS = "/planes/paga-2015-2016"
REPORT = f"{PREVIOUS}/consultas/consulta-informe-autoevaluacion-paga-2015-2016/"


def test_its_timeline_is_its_self_assessment_consultation_and_says_so(client, example_plan):
    stages = list(TimelineStage.objects.filter(plan__slug=example.PREVIOUS_PLAN["slug"]))
    assert [(s.starts_on, s.ends_on) for s in stages] == [
        (datetime.date(2017, 9, 29), datetime.date(2017, 10, 13))
    ]
    assert TimelineStage.objects.filter(plan=example_plan).count() == 13  # PAGA 2017-2019's unchanged

    html = client.get(f"{PREVIOUS}/cronograma/").content.decode()

    assert "El cronograma aún no se ha publicado." not in html
    assert "Publicación y consulta virtual del Informe Final de Autoevaluación de PAGA 2015-2016" in html
    assert "Es la única etapa del PAGA 2015-2016 que recoge el portal" in html
    assert f'href="{REPORT}"' in html
    assert client.get(REPORT).status_code == 200


def test_its_calendar_has_that_stage(client, example_plan):
    response = client.get(f"{PREVIOUS}/cronograma.ics")

    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [example.PREVIOUS_STAGE["title"]]


def test_loading_again_keeps_one_stage(example_plan):
    call_command("load_example", "--no-finish", stdout=io.StringIO())

    assert TimelineStage.objects.filter(plan__slug=example.PREVIOUS_PLAN["slug"]).count() == 1
