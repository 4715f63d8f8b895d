"""The OGP compliance page (/cumplimiento/) and paga's own lines (paga/timeline_reports.py).

The example published its timeline on 08.09.2017 and held its first regional workshop on 21.09.2017:
13 days' notice, flagged against the 14 days OGP asks, with a note that the 2017 standards applied then.
"""

from __future__ import annotations

import datetime
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consultations.models import Contribution
from paga import reports, timeline_reports
from paga.models import Channel, Pillar, TimelineStage
from tests.commitments.factories import PlanFactory
from tests.consultations.factories import ConsultationFactory

D = datetime.date
URL = "/cumplimiento/"


@pytest.fixture(autouse=True)
def english():
    """Texts are checked in their English source (the Spanish translation comes later)."""
    with translation.override("en"):
        yield


def section(html: str, key: str) -> str:
    """The text of one line of the page (its <li id="requisito-KEY">), tags removed."""
    found = re.search(rf'<li id="requisito-{re.escape(key)}">(.*?)</li>', html, re.S)
    assert found, f"no line {key} on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def page(client) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


# --- The page -------------------------------------------------------------------------------------
def test_the_url_is_named_and_public(db):
    assert reverse("paga:compliance") == URL


def test_the_page_flags_the_13_day_notice_of_the_example(client, example_plan):
    html = page(client)
    line = section(html, "timeline-notice")

    assert "Status: Not met" in line
    assert "13 days" in line
    assert "September 8, 2017" in line or "Sept. 8, 2017" in line
    assert "Taller regional La Libertad" in line
    assert "Sept. 21, 2017" in line
    assert "Standards of 2017, which applied then" in line
    assert "14 days" in line
    assert html.count("<h1") == 1


def test_each_status_is_in_words_with_a_class_that_only_reinforces_it(client, example_plan):
    html = page(client)

    assert '<strong class="status status-not-met">Not met</strong>' in html
    assert '<strong class="status status-met">Met</strong>' in html
    assert "Status: Met" in section(html, "channels")
    assert "Status: Not met" in section(html, "forum-meetings")


def test_a_requirement_without_data_says_so_in_words(client, db):
    PlanFactory()  # a plan with nothing recorded: no forum, no event, no consultation
    html = page(client)

    assert '<strong class="status status-no-data">No data</strong>' in html
    assert "Status: No data" in section(html, "forum-meetings")
    assert "Status: No data" in section(html, "participation-by-actor")


def test_the_summary_counts_the_lines_by_status(client, example_plan):
    lines = reports.collect("compliance", example_plan)
    html = " ".join(unescape(re.sub(r"<[^>]+>", " ", page(client))).split())
    met = sum(1 for line in lines if line.met is True)
    not_met = sum(1 for line in lines if line.met is False)
    no_data = sum(1 for line in lines if line.met is None)

    # The self-assessment consultation's two lines are PAGA 2015-2016's (paga/example.py PREVIOUS_PLAN);
    # PAGA 2017-2019's own self-assessment (implementation/reports.py) is not published yet: no data.
    assert (met, not_met, no_data) == (3, 5, 1)
    assert "3 requirements met" in html
    assert "5 requirements not met" in html
    assert "1 requirement without data" in html


def test_every_line_with_data_links_to_evidence_that_answers_200(client, example_plan):
    html = page(client)
    lines = reports.collect("compliance", example_plan)
    assert lines
    for line in lines:
        if line.met is not None:
            assert line.evidence_url, f"{line.key} has no evidence"
        if not line.evidence_url:
            assert "No evidence recorded yet." in section(html, line.key)
            continue
        assert f'href="{line.evidence_url}"' in html
        assert Client().get(urlsplit(line.evidence_url).path).status_code == 200, line.key


def test_the_evidence_link_says_where_it_leads(client, example_plan):
    html = page(client)

    assert "Evidence The published timeline" in section(html, "timeline-notice")
    assert "Evidence The responses report" in section(
        html, "consultation-answered-foro-virtual-propuestas-2017"
    )
    assert "Evidence The consultation's page" in section(
        html, "consultation-open-foro-virtual-propuestas-2017"
    )


def test_the_workshops_lines_come_from_the_data_of_the_example(client, example_plan):
    """The example records the Foro Multiactor but no meeting, no document, and attendance (illustrative)
    at the three regional workshops only: the three lines are not met, and say why."""
    html = page(client)
    forum = section(html, "forum-meetings")
    assert "Status: Not met" in forum
    assert "No meeting of the forum is recorded." in forum
    assert "Evidence The multi-stakeholder forum's page" in forum
    repository = section(html, "repository-updated")
    assert "Status: Not met" in repository
    assert "Evidence The repository of documents" in repository
    participation = section(html, "participation-by-actor")
    assert "Status: Not met" in participation
    assert "Attendance recorded at 3 of " in participation
    assert "Illustrative example" in participation
    assert "Evidence The participation statistics" in participation
    assert "the workshops module is not built" not in html


def test_without_a_current_plan_the_page_is_not_found(client, db):
    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_served_from_the_page_cache(example_plan, settings, django_assert_num_queries):
    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    first = Client().get(URL).content
    with django_assert_num_queries(1):  # the content generation only
        again = Client().get(URL).content
    assert again == first


def test_a_post_is_not_allowed(client, example_plan):
    assert client.post(URL).status_code == 405


def _add_volume(plan, n: int) -> None:
    """n more stages, and n consultations with two contributions each (by email and in the forum)."""
    pillar = Pillar.objects.first()
    start = TimelineStage.objects.filter(plan=plan).order_by("-order").first().order
    for i in range(1, n + 1):
        TimelineStage.objects.create(
            plan=plan,
            pillar=pillar,
            phase="Volumen",
            title=f"Etapa de volumen {i}",
            starts_on=D(2017, 11, 1) + datetime.timedelta(days=i),
            order=start + i,
        )
        consultation = ConsultationFactory(plan=plan, items=[])
        for channel in (Channel.EMAIL, Channel.FORUM):
            Contribution.objects.create(
                consultation=consultation, given_name="Colectivo de volumen", channel=channel, text="Aporte"
            )


def test_the_number_of_queries_does_not_grow_with_the_data(client, example_plan, django_assert_num_queries):
    counts = []
    for n in (2, 20):
        _add_volume(example_plan, n)
        lines = reports.collect("compliance", example_plan)
        with django_assert_num_queries(9) as captured:  # the self-assessments: one
            page(client)
        counts.append((len(captured.captured_queries), len(lines)))
    assert counts[0][0] == counts[1][0]
    assert counts[1][1] > counts[0][1]  # the second volume does show more lines


# --- paga's own lines ------------------------------------------------------------------------------
def stages(*rows) -> list[TimelineStage]:
    """Unsaved stages: (title, starts_on, published_on)."""
    return [
        TimelineStage(title=title, starts_on=start, published_on=published, order=n, phase="Fase")
        for n, (title, start, published) in enumerate(rows, start=1)
    ]


def test_fourteen_days_notice_is_met():
    line = timeline_reports.notice_line(
        stages(
            ("Publicación del cronograma de actividades", D(2024, 3, 1), None),
            ("Taller regional Cusco", D(2024, 3, 15), None),
        )
    )
    assert line.met is True
    assert "14 days' notice" in line.finding
    assert line.note == ""  # the current standards apply to a plan co-created in 2024


def test_an_announcement_date_counts_when_it_comes_before_the_publication_stage():
    line = timeline_reports.notice_line(
        stages(
            ("Publicación del cronograma de actividades", D(2017, 9, 8), None),
            ("Taller regional La Libertad", D(2017, 9, 21), D(2017, 9, 1)),
        )
    )
    assert line.met is True
    assert "13 days" not in line.finding
    assert "20 days' notice" in line.finding
    assert "September 1, 2017" in line.finding or "Sept. 1, 2017" in line.finding


def test_the_first_activity_is_the_earliest_dated_stage_whatever_its_order():
    line = timeline_reports.notice_line(
        stages(
            ("Página web de Gobierno Abierto", None, None),
            ("Publicación del cronograma de actividades", D(2017, 9, 8), None),
            ("Consulta pública", D(2017, 9, 22), None),
            ("Taller regional La Libertad", D(2017, 9, 21), None),
        )
    )
    assert "“Taller regional La Libertad”" in line.finding
    assert "13 days' notice" in line.finding


@pytest.mark.parametrize(
    ("rows", "missing"),
    [
        ((("Taller regional", D(2017, 9, 21), None),), "the date the timeline was published is not recorded"),
        (
            (("Publicación del cronograma", D(2017, 9, 8), None), ("Mesas temáticas", None, None)),
            "no activity",
        ),
        ((), "the date the timeline was published is not recorded"),
    ],
)
def test_without_the_dates_the_notice_is_not_recorded(rows, missing):
    line = timeline_reports.notice_line(stages(*rows))
    assert line.met is None
    assert line.finding.startswith("Not recorded:")
    assert missing in line.finding


def test_the_timeline_block_lists_every_stage_with_its_dates_in_spanish(example_plan):
    with translation.override("es"):
        [block] = timeline_reports.process_summary(example_plan)
    [table] = block.tables
    rows = {row[1]: row for row in table.rows}

    assert block.key == "timeline"
    assert len(table.rows) == TimelineStage.objects.filter(plan=example_plan).count() == 13
    assert rows["Taller regional La Libertad"][2] == "21 de septiembre de 2017"
    assert rows["Publicación del cronograma de actividades"][2] == "8 de septiembre de 2017"
    assert rows["Mesas nacionales por temáticas"][2].startswith("12 de octubre de 2017")
    assert rows["Mesas nacionales por temáticas"][3] == "Lima"
    assert rows["Taller regional Arequipa"][3] == "Arequipa"
    # Undated stages stay undated: no date is invented.
    assert rows["Página web de Gobierno Abierto"][2] == "sin fecha"


def test_paga_hooks_run_one_query_each(example_plan, django_assert_num_queries):
    with django_assert_num_queries(1):
        timeline_reports.process_summary(example_plan)
    with django_assert_num_queries(1):
        timeline_reports.compliance(example_plan)


def test_another_plans_page_shows_its_own_lines_and_says_where_its_evidence_leads(client, example_plan):
    """PAGA 2015-2016's page (/planes/paga-2015-2016/cumplimiento/): its consultation's lines, none of
    PAGA 2017-2019's, each evidence link in that plan and named (was "The evidence": the prefixed address
    did not resolve)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/planes/paga-2015-2016" + URL).content.decode()
    report = "consulta-informe-autoevaluacion-paga-2015-2016"

    assert "foro-virtual-propuestas-2017" not in html
    assert f'href="/planes/paga-2015-2016/consultas/{report}/"' in html
    assert "Evidence The consultation's page" in section(html, f"consultation-open-{report}")
    assert "Evidence The responses report" in section(html, f"consultation-answered-{report}")
