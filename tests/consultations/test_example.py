"""consultations/example.py: the 2017 forum on the 25 proposals (PAGA 2017-2019) and the self-assessment
consultation (PAGA 2015-2016's, linked from PAGA 2017-2019's timeline), loaded twice without duplicates;
its few contributions are illustrative and say so."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from commitments.models import OriginKind
from consultations import selectors
from consultations.example import FORUM, REPORT
from consultations.models import Consultation, Contribution, Paragraph, Response
from paga import example as paga_example
from paga import plans
from paga.models import ActionPlan

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def forum(example_plan) -> Consultation:
    return Consultation.objects.get(slug=FORUM["slug"])


@pytest.fixture
def report(example_plan) -> Consultation:
    return Consultation.objects.get(slug=REPORT["slug"])


def counts(plan) -> dict[str, int]:
    """A plan's rows of this example (the demonstration plan, paga/demo.py, has its own; so has the
    self-assessment of the finished example, implementation/assessment_example.py)."""
    own = {"consultation__self_assessment__isnull": True}
    return {
        "Consultation": Consultation.objects.filter(plan=plan, self_assessment__isnull=True).count(),
        "Paragraph": Paragraph.objects.filter(consultation__plan=plan, **own).count(),
        "Contribution": Contribution.objects.filter(consultation__plan=plan, **own).count(),
        "Response": Response.objects.filter(
            contribution__consultation__plan=plan, contribution__consultation__self_assessment__isnull=True
        ).count(),
    }


def test_loading_the_example_twice_duplicates_no_consultation_paragraph_contribution_or_response(
    example_plan,
):
    previous = paga_example.previous_plan()
    first, first_previous = counts(example_plan), counts(previous)
    call_command("load_example", stdout=io.StringIO())

    assert (counts(example_plan), counts(previous)) == (first, first_previous)
    assert ActionPlan.objects.filter(slug="paga-2015-2016").count() == 1
    assert (first["Consultation"], first_previous["Consultation"]) == (1, 1)
    assert (first["Paragraph"], first_previous["Paragraph"]) == (0, 5)
    assert 0 < first["Response"] < first["Contribution"] <= 5
    assert (first_previous["Contribution"], first_previous["Response"]) == (1, 0)


def test_pagas_2015_2016_is_a_plan_of_its_own_named_as_the_seed_names_it(example_plan):
    previous = paga_example.previous_plan()

    assert (previous.slug, previous.short_name, previous.name) == (
        "paga-2015-2016",
        "PAGA 2015-2016",
        "PAGA 2015-2016",
    )
    assert (previous.start_year, previous.end_year) == (2015, 2016)
    assert not previous.is_current
    assert not previous.is_demonstration
    assert example_plan.is_current
    assert example_plan.previous_plan == previous.short_name
    # What the seed does not say is labelled illustrative.
    assert previous.secretariat.startswith("Ilustrativo")
    assert previous.general_objective.startswith("Ilustrativo")


def test_the_self_assessment_consultation_belongs_to_paga_2015_2016(report, example_plan):
    assert report.plan == paga_example.previous_plan()
    assert not Consultation.objects.filter(plan=example_plan, slug=REPORT["slug"]).exists()


def test_loading_on_a_database_where_the_report_was_paga_2017_2019s_moves_it_with_its_rows(example_plan):
    """The example before this plan existed had the report's consultation in PAGA 2017-2019."""
    previous = paga_example.previous_plan()
    Consultation.objects.filter(slug=REPORT["slug"]).update(plan=example_plan)
    before = counts(example_plan)
    assert before["Consultation"] == 2
    assert before["Paragraph"] == 5
    previous.delete()

    call_command("load_example", stdout=io.StringIO())

    previous = paga_example.previous_plan()
    report = Consultation.objects.get(slug=REPORT["slug"])
    assert report.plan == previous
    assert Consultation.objects.filter(slug=REPORT["slug"]).count() == 1
    assert counts(example_plan)["Consultation"] == 1
    assert counts(previous) == {
        "Consultation": 1,
        "Paragraph": 5,
        "Contribution": before["Contribution"] - counts(example_plan)["Contribution"],
        "Response": 0,
    }
    assert counts(previous)["Contribution"] == 1


def test_the_2017_2019_timeline_links_its_stage_to_the_consultation_in_paga_2015_2016(client, example_plan):
    address = plans.reverse_in(
        paga_example.previous_plan(), "consultations:detail", kwargs={"slug": REPORT["slug"]}
    )
    assert address == f"/planes/paga-2015-2016/consultas/{REPORT['slug']}/"
    stage = example_plan.stages.get(order=paga_example.SELF_ASSESSMENT_STAGE)
    assert stage.title.startswith("Publicación y consulta virtual del Informe Final de Autoevaluación")
    assert stage.action_url == address

    page = client.get("/cronograma/").content.decode()
    section = page[page.index(f'id="etapa-{stage.pk}"') :]
    section = section[: section.index("</li>")]
    assert f'href="{address}"' in section
    assert client.get(address).status_code == 200


def test_the_report_is_read_at_its_plans_address_not_listed_at_the_current_plans(client, example_plan):
    base = f"/planes/paga-2015-2016/consultas/{REPORT['slug']}/"
    page = client.get(base)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Consulta del Informe Final de Autoevaluación del PAGA 2015-2016" in html
    assert f'href="{base}parrafos/p-3/"' in html
    paragraph = client.get(f"{base}parrafos/p-3/").content.decode()
    assert "Sería útil una tabla con el porcentaje de avance de cada compromiso." in paragraph
    listed = client.get("/planes/paga-2015-2016/consultas/").content.decode()
    assert f'href="{base}"' in listed

    current = client.get("/consultas/").content.decode()
    assert REPORT["slug"] not in current
    assert FORUM["slug"] in current
    moved = client.get(f"/consultas/{REPORT['slug']}/")
    assert (moved.status_code, moved["Location"]) == (302, base)


def test_the_forum_consults_the_25_seed_proposals_in_its_window_in_lima_time(forum):
    items = list(forum.items.all())
    opens, closes = forum.opens_at.astimezone(LIMA), forum.closes_at.astimezone(LIMA)

    assert forum.title == "Foro virtual: propuestas de compromisos"
    assert (forum.kind, forum.publication, forum.is_illustrative) == (
        Consultation.Kind.ITEMS,
        Consultation.Publication.AT_ONCE,
        False,
    )
    assert len(items) == 25
    assert {c.origin_kind for c in items} == {OriginKind.THEMATIC_TABLE, OriginKind.REGIONAL_WORKSHOP}
    assert not any(c.is_illustrative for c in items)
    assert (opens.date(), opens.hour, opens.minute) == (datetime.date(2017, 9, 22), 0, 0)
    assert (closes.date(), closes.hour, closes.minute) == (datetime.date(2017, 10, 6), 23, 59)
    assert "respuesta fundamentada" in forum.rules


def test_the_self_assessment_consultation_has_five_illustrative_paragraphs(report):
    paragraphs = list(report.paragraphs.all())
    opens, closes = report.opens_at.astimezone(LIMA), report.closes_at.astimezone(LIMA)

    assert report.title == "Consulta del Informe Final de Autoevaluación del PAGA 2015-2016"
    assert (report.kind, report.is_illustrative) == (Consultation.Kind.DOCUMENT, True)
    assert (opens.date(), closes.date()) == (datetime.date(2017, 9, 29), datetime.date(2017, 10, 13))
    assert [(p.key, p.number) for p in paragraphs] == [(f"p-{n}", str(n)) for n in range(1, 6)]
    assert all(p.text.startswith("Texto ilustrativo") for p in paragraphs)


def test_example_contributions_are_few_illustrative_and_inside_their_window(example_plan):
    contributions = list(
        Contribution.objects.filter(consultation__plan=example_plan).select_related("consultation", "author")
    )

    assert contributions
    for contribution in contributions:
        assert "(ejemplo ilustrativo)" in contribution.text
        assert contribution.consultation.is_open(contribution.created)
        assert (
            contribution.author.email in {"ciudadana@cocrea.example", "ciudadano@cocrea.example"}
            if contribution.author
            else contribution.given_name == "Asociación de ejemplo (ilustrativo)"
        )


def test_example_responses_are_published_and_linked_as_their_disposition_requires(forum):
    report = selectors.responses_report(forum)

    responses = Response.objects.filter(contribution__consultation__plan=forum.plan)
    assert report.answered == responses.count() >= 2
    assert report.awaiting >= 1
    assert forum.responses_published_at is not None
    for response in responses:
        assert response.published_at is not None
        assert response.commitment_version is not None
        assert response.commitment_version.commitment.is_illustrative
