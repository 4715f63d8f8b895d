"""Public pages of commitments on the PAGA 2017-2019 example: list, filters, search, matrix, ranking,
a commitment's page, its origin and history, and the comparison of two versions."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from commitments import services
from commitments.example import PROPOSALS
from commitments.models import (
    Commitment,
    Criterion,
    LineageKind,
    LineageLink,
    OriginKind,
    Status,
    Transition,
)
from tests.commitments.factories import CommitmentFactory, MilestoneFactory, complete_commitment, ministry
from tests.conftest import require

pytestmark = pytest.mark.django_db

LIST = reverse("commitments:list")
CAM_CAR = "Fortalecer las Comisiones Ambientales Municipales (CAM) y Comisiones Ambientales Regionales (CAR)"
EXAMPLE_TITLES = [title for rows in PROPOSALS.values() for title, _region, _credit in rows]


def results(client, params: dict | None = None) -> list[Commitment]:
    """Every commitment the list shows for `params`, following its pages."""
    found, page = [], 1
    while True:
        response = client.get(LIST, {**(params or {}), "pagina": page})
        assert response.status_code == 200
        found.extend(response.context["page"].object_list)
        if not response.context["page"].has_next():
            return found
        page += 1


def public(plan):
    return Commitment.objects.filter(plan=plan, status__in=Commitment.PUBLIC_STATUSES)


def section(html: str, element_id: str) -> str:
    """The <section> (or other block) that opens with id=`element_id`."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


# --- List ------------------------------------------------------------------------------------------
def test_list_shows_the_25_example_proposals_and_the_two_commitments(client, example_plan):
    response = client.get(LIST)
    assert response.context["page"].paginator.count == 27
    assert len(response.context["page"].object_list) == 20
    html = "".join(client.get(LIST, {"pagina": n}).content.decode() for n in (1, 2))
    assert len(EXAMPLE_TITLES) == 25
    for title in EXAMPLE_TITLES:
        assert escape(title) in html, title
    # Numbered commitments come first, then the proposals in the order they were made.
    first = response.context["page"].object_list
    assert [c.number for c in first[:2]] == [3, 9]


def test_card_shows_number_status_in_words_theme_lead_origin_milestones_and_illustrative(
    client, example_plan
):
    client.cookies["django_language"] = "en"
    html = client.get(LIST).content.decode()
    card = re.search(r'<li class="commitment-card">.*?</li>', html, flags=re.S).group(0)
    assert 'href="/compromisos/3/"' in card
    assert "Commitment 3:" in card
    assert "In technical review" in card
    assert "Illustrative" in card
    assert "Ambiente" in card
    assert "Ministerio del Ambiente (MINAM)" in card
    assert 'National table, <span lang="es">Arequipa</span>' in card
    assert "<dt>Milestones</dt><dd>2</dd>" in card


def test_the_results_count_is_said_on_the_page(client, example_plan):
    client.cookies["django_language"] = "en"
    html = client.get(LIST, {"region": "san-martin"}).content.decode()
    assert re.search(r'id="results-heading">\s*4 results', html)


@pytest.mark.parametrize(
    ("params", "lookup"),
    [
        ({"tema": "ambiente"}, {"theme__slug": "ambiente"}),
        ({"estado": Status.MERGED}, {"status": Status.MERGED}),
        ({"entidad": "minam"}, {"lead_entity__acronym": "MINAM"}),
        ({"valor": "transparencia"}, {"relevances__value__code": "transparencia"}),
        ({"valor": "ninguno"}, {"relevances__isnull": True}),
        ({"prioridad": "educacion"}, {"priority__slug": "educacion"}),
        ({"region": "arequipa"}, {"origin_region__slug": "arequipa"}),
        ({"origen": OriginKind.REGIONAL_WORKSHOP}, {"origin_kind": OriginKind.REGIONAL_WORKSHOP}),
    ],
)
def test_each_filter_narrows_the_list_to_what_matches(client, example_plan, params, lookup):
    expected = set(public(example_plan).filter(**lookup).values_list("pk", flat=True))
    found = [c.pk for c in results(client, params)]
    assert 0 < len(found) < 27
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_region_san_martin_has_its_four_proposals(client, example_plan):
    found = results(client, {"region": "san-martin"})
    assert len(found) == 4
    assert {c.origin_region.name for c in found} == {"San Martín"}
    assert all(c.origin_kind == OriginKind.REGIONAL_WORKSHOP for c in found)


def test_filters_combine_and_each_active_filter_links_to_the_list_without_it(client, example_plan):
    response = client.get(LIST, {"tema": "ambiente", "region": "san-martin"})
    assert [c.title for c in response.context["page"].object_list] == [
        "Mecanismos de vigilancia y denuncia de las afectaciones al ambiente"
    ]
    active = {f.name: f for f in response.context["active_filters"]}
    assert set(active) == {"tema", "region"}
    assert parse_qs(urlsplit(active["tema"].remove_url).query) == {"region": ["san-martin"]}
    assert active["region"].value == "San Martín"
    html = response.content.decode()
    assert escape(active["tema"].remove_url) in html
    assert '<details class="more-filters" open>' in html  # the filters in effect are in sight


def test_a_wrong_filter_value_is_reported_and_the_rest_still_applies(client, example_plan):
    response = client.get(LIST, {"tema": "no-existe", "region": "san-martin"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert response.context["page"].paginator.count == 4


def test_sort_by_title(client, example_plan):
    found = results(client, {"tema": "saneamiento", "orden": "titulo"})
    assert [c.title.split()[0] for c in found] == ["Creación", "Implementación", "Vigilancia"]


def test_sort_by_recent_puts_the_last_edited_first(client, example_plan):
    proposal = Commitment.objects.get(title__startswith="Planes de prevención")
    proposal.save()  # touches `modified`
    assert results(client, {"orden": "recientes"})[0] == proposal


def test_drafts_are_not_listed_for_the_public(client, example_plan, reviewer):
    draft = complete_commitment(status=Status.PROPOSED, lead_entity=ministry("MINAM"), plan=example_plan)
    assert draft not in results(client)
    client.force_login(reviewer)
    assert draft in results(client)


def test_search_finds_words_in_titles_and_in_the_text(client, example_plan):
    in_text = CommitmentFactory(
        plan=example_plan,
        status=Status.IN_CONSULTATION,
        title="Agua potable para las comunidades",
        description="Mejorar el saneamiento rural con participación de las juntas de usuarios.",
        problem="",
        how_it_helps="",
    )
    found = results(client, {"q": "saneamiento"})
    titles = {c.title for c in found}
    assert "Creación de un repositorio de estudios en materia de saneamiento" in titles
    assert (
        "Implementación de un sistema de información integral sobre proyectos de inversión en "
        "saneamiento que incluya seguimiento"
    ) in titles
    assert in_text in found
    assert "Priorizar la intervención en la primera infancia rural" not in titles


def test_a_search_of_a_thousand_words_searches_the_first_ten_and_says_so(client, example_plan):
    """Found by a scanner: SQLite refused the query ("Expression tree is too large") with a 500."""
    words = " ".join(["saneamiento"] * 1000)
    response = client.get(LIST, {"q": words})
    assert response.status_code == 200
    titles = {c.title for c in response.context["page"].object_list}
    assert "Creación de un repositorio de estudios en materia de saneamiento" in titles
    assert "Priorizar la intervención en la primera infancia rural" not in titles
    html = response.content.decode()
    assert "Solo se buscaron las primeras 10 palabras" in html
    assert f'value="{words}"' in html  # what was typed stays in the box
    # Ten words or fewer: no note.
    assert "Solo se buscaron" not in client.get(LIST, {"q": "saneamiento rural"}).content.decode()


def test_search_combines_with_filters(client, example_plan):
    found = results(client, {"q": "vigilancia", "region": "san-martin"})
    assert len(found) == 3
    assert all("igilancia" in c.title for c in found)


def test_search_ignores_accents_and_ranks_title_matches_first_on_postgresql(client, example_plan):
    require("postgresql", connection.vendor == "postgresql", "needs PostgreSQL (Spanish full-text search)")
    in_text = CommitmentFactory(
        plan=example_plan,
        status=Status.IN_CONSULTATION,
        title="Propuesta sobre docentes rurales",
        description="Mejorar la educación en las zonas altoandinas.",
        problem="",
        how_it_helps="",
    )
    response = client.get(LIST, {"q": "educacion"})
    assert response.context["filter"].form.cleaned_data["orden"] == "relevancia"
    found = results(client, {"q": "educacion"})
    titles = [c.title for c in found]
    assert "Desarrollar línea de carrera del docente rural de Educación Bilingüe Intercultural" in titles
    assert in_text in found
    assert "educación" in found[0].title.lower()
    position = found.index(in_text)
    assert all("educación" in c.title.lower() for c in found[:position])


def test_list_escapes_a_title_with_a_script(client, example_plan):
    CommitmentFactory(
        plan=example_plan, status=Status.IN_CONSULTATION, title="Agua <script>alert(1)</script>"
    )
    html = "".join(client.get(LIST, {"pagina": n}).content.decode() for n in (1, 2))
    assert "<script>alert(1)</script>" not in html
    assert "Agua &lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Query counts ----------------------------------------------------------------------------------
def make_commitments(plan, actor, n: int) -> list[Commitment]:
    """`n` public commitments, each with milestones, two versions and two transitions."""
    made = []
    for _ in range(n):
        commitment = complete_commitment(
            plan=plan, status=Status.IN_CONSULTATION, milestones=2, lead_entity=ministry("MINEDU")
        )
        services.write_version(commitment=commitment, author=actor, reason="Segunda versión")
        Transition.objects.create(
            commitment=commitment, from_status=Status.PROPOSED, to_status=Status.IN_CONSULTATION, actor=actor
        )
        made.append(commitment)
    return made


def test_list_queries_do_not_grow_with_the_number_of_commitments(
    client, example_plan, secretariat, django_assert_num_queries
):
    # current plan; themes, priorities, lead entities, regions and values for the form; count; page.
    for batch in (3, 27):
        make_commitments(example_plan, secretariat, batch)
        with django_assert_num_queries(8):
            assert client.get(LIST).status_code == 200
        filtered = {"entidad": "minedu", "valor": "transparencia", "q": "región", "orden": "titulo"}
        with django_assert_num_queries(8):
            response = client.get(LIST, filtered)
        assert response.context["page"].paginator.count == {3: 3, 27: 30}[batch]


def test_detail_queries_do_not_grow_with_milestones_versions_and_transitions(
    client, example_plan, secretariat, django_assert_num_queries
):
    commitment = complete_commitment(plan=example_plan, status=Status.AGREED, number=40, milestones=1)
    source = CommitmentFactory(plan=example_plan, status=Status.MERGED)
    LineageLink.objects.create(
        source=source, target=commitment, kind=LineageKind.MERGE, reason="Se fusiona", actor=secretariat
    )
    url = commitment.get_absolute_url()
    for total in (3, 30):
        have = commitment.milestones.count()
        MilestoneFactory.create_batch(total - have, commitment=commitment)
        while commitment.versions.count() < total:
            services.write_version(commitment=commitment, author=secretariat, reason="Edición")
        while commitment.transitions.count() < total:
            Transition.objects.create(
                commitment=commitment, from_status=Status.IN_CONSULTATION, to_status=Status.AGREED,
                actor=secretariat, reason="Mesa nacional",
            )  # fmt: skip
        # plan; commitment; relevances, milestones, other actors, versions, transitions; its lineage
        # links (both directions in one query, each saying whether its source came from others: this one
        # did not, so no step further back); the forum's thread (consultations of the item, the page of
        # comments: consultations/threads.py); the events it came from and the national tables'
        # decisions on it (workshops/templatetags/outcomes.py).
        with django_assert_num_queries(11):
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<tr>\n        <td>") == total


def test_matrix_and_ranking_queries_do_not_grow(client, example_plan, secretariat, django_assert_num_queries):
    for batch in (3, 27):
        for commitment in make_commitments(example_plan, secretariat, batch):
            services.score(commitment=commitment, actor=secretariat, criterion=Criterion.SDG, value=2)
        client.logout()
        with django_assert_num_queries(4):  # plan, priorities, values, counts
            assert client.get(reverse("commitments:matrix")).status_code == 200
        with django_assert_num_queries(3):  # plan, commitments with totals, scores
            assert client.get(reverse("commitments:ranking")).status_code == 200


# --- Detail ----------------------------------------------------------------------------------------
def test_detail_by_number_and_by_slug(client, example_plan):
    assert client.get("/compromisos/3/").context["commitment"].number == 3
    proposal = Commitment.objects.get(title=CAM_CAR)
    assert client.get(f"/compromisos/{proposal.slug}/").context["commitment"] == proposal
    assert client.get("/compromisos/99/").status_code == 404
    assert client.get("/compromisos/999999999999/").status_code == 404
    assert client.get("/compromisos/no-existe/").status_code == 404


def test_detail_shows_the_whole_template_in_labelled_sections(client, example_plan):
    client.cookies["django_language"] = "en"
    commitment = Commitment.objects.get(number=3)
    commitment.sdg_targets = "ODS 16.7"
    commitment.contact_email = "punto@minam.example"
    commitment.resources_amount = 150000
    commitment.save()
    commitment.other_actors.create(name="Red de CAM de Arequipa", role="Sociedad civil: vigilancia")
    html = client.get("/compromisos/3/").content.decode()
    assert html.count("<h1>") == 1
    toc = html[html.index('class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    for anchor in ("problema", "compromiso", "contribucion", "valores", "alineamiento", "hitos",
                   "responsables", "recursos", "origen", "historial"):  # fmt: skip
        assert f'href="#{anchor}"' in toc
        assert f'<section id="{anchor}" aria-labelledby="{anchor}-heading">' in html
    assert "Línea de base por establecer" in section(html, "problema")
    values = section(html, "valores")
    assert '<dt lang="es">Transparencia</dt>' in values
    assert "Publica información que hoy no es accesible." in values
    assert "ODS 16.7" in section(html, "alineamiento")
    assert "Saneamiento / Ambiente" in section(html, "alineamiento")
    resources = section(html, "recursos")
    assert "150,000.00 PEN" in resources
    assert 'href="mailto:punto@minam.example"' in resources
    assert "Red de CAM de Arequipa: Sociedad civil: vigilancia" in section(html, "responsables")
    assert "Illustrative example." in html


def test_milestones_are_a_real_table_with_status_in_words(client, example_plan):
    client.cookies["django_language"] = "en"
    html = section(client.get("/compromisos/3/").content.decode(), "hitos")
    assert "<caption" in html
    assert html.count('<th scope="col">') == 6
    assert html.count('<th scope="row" lang="es">') == 2  # each milestone, as written (Spanish)
    assert "Ministerio del Ambiente (MINAM)" in html
    assert '<time datetime="2018-06-30">June 30, 2018</time>' in html
    assert "<td>Scheduled</td>" in html


def test_history_merges_versions_and_transitions_newest_first(client, example_plan):
    client.cookies["django_language"] = "en"
    html = section(client.get("/compromisos/3/").content.decode(), "historial")
    steps = re.findall(r"<h3>(.*?)</h3>", html)
    assert steps == [
        "Status changed from “Agreed at the national table” to “In technical review”",
        "Status changed from “In public consultation” to “Agreed at the national table”",
        "Status changed from “Proposed” to “In public consultation”",
        "Version 2 of the text",
        "Version 1 of the text",
    ]
    assert "Reunión técnica sectorial" in html
    assert "Secretaría de Gestión Pública (ejemplo)" in html
    assert 'href="/compromisos/3/historial/diff/?de=1&amp;a=2"' in html


def test_draft_is_404_for_the_public_and_other_ministries(
    client, example_plan, reviewer, other_reviewer, secretariat
):
    draft = complete_commitment(plan=example_plan, status=Status.PROPOSED, lead_entity=ministry("MINAM"))
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(other_reviewer)  # MTC
    assert client.get(url).status_code == 404
    client.force_login(reviewer)  # MINAM
    assert client.get(url).status_code == 200
    client.force_login(secretariat)
    assert client.get(url).status_code == 200


def test_merged_proposal_points_to_where_it_went_at_the_top(client, example_plan):
    client.cookies["django_language"] = "en"
    proposal = Commitment.objects.get(title=CAM_CAR)
    html = client.get(proposal.get_absolute_url()).content.decode()
    went = section(html, "went-to-heading")
    assert "This proposal was merged into" in went
    assert 'href="/compromisos/3/"' in went
    assert "Consolidación ilustrativa" in went
    assert html.index("went-to-heading") < html.index('id="problema"')
    assert "Merged into another" in html


def test_commitment_origin_lists_the_proposals_it_came_from(
    client, example_plan, secretariat, django_assert_num_queries
):
    client.cookies["django_language"] = "en"
    proposal = Commitment.objects.get(title=CAM_CAR)
    client.get("/compromisos/3/")
    with django_assert_num_queries(11):  # its source came from no other: no step further back
        origin = section(client.get("/compromisos/3/").content.decode(), "origen")
    assert f'href="{proposal.get_absolute_url()}"' in origin
    assert "Consolidación ilustrativa" in origin
    assert 'National table, <span lang="es">Arequipa</span>' in origin
    # A merge of a merge: the first proposal still shows, by way of the one in between.
    older = CommitmentFactory(plan=example_plan, status=Status.MERGED, title="Propuesta anterior")
    LineageLink.objects.create(
        source=older, target=proposal, kind=LineageKind.MERGE, reason="Duplicada", actor=secretariat
    )
    with django_assert_num_queries(12):  # one step further back, and none after it
        origin = section(client.get("/compromisos/3/").content.decode(), "origen")
    assert f'href="{older.get_absolute_url()}"' in origin
    assert "Duplicada" in origin
    assert "by way of" in origin


def test_detail_escapes_a_title_with_a_script(client, example_plan):
    commitment = CommitmentFactory(plan=example_plan, status=Status.IN_CONSULTATION)
    html = client.get(commitment.get_absolute_url()).content.decode()
    assert "<script>" not in html
    assert escape(commitment.title) in html


# --- Matrix ----------------------------------------------------------------------------------------
def test_matrix_counts_match_the_data_and_link_to_the_filtered_list(client, example_plan):
    three = Commitment.objects.get(number=3)
    services._set_values(three, {"transparencia": "Por qué", "rendicion": "Por qué"})
    expected = Counter()
    for commitment in public(example_plan).prefetch_related("relevances__value"):
        codes = [r.value.code for r in commitment.relevances.all()] or [None]
        for code in codes:
            expected[(commitment.priority_id, code)] += 1
    response = client.get(reverse("commitments:matrix"))
    matrix = response.context["matrix"]
    codes = [v.code for v in matrix.values] + [None]
    assert codes[:4] == ["transparencia", "participacion", "rendicion", "tecnologia"]
    seen = Counter()
    for row in matrix.rows:
        for code, cell in zip(codes, row.cells, strict=True):
            assert cell.count == expected[(row.priority.pk, code)]
            seen[(row.priority.pk, code)] = cell.count
            if cell.count:
                query = parse_qs(urlsplit(cell.url).query)
                assert query == {"prioridad": [row.priority.slug], "valor": [code or "ninguno"]}
                assert len(results(client, {k: v[0] for k, v in query.items()})) == cell.count
    assert seen == +expected
    ambiente = next(r for r in matrix.rows if r.priority.slug == "saneamiento-ambiente")
    assert ambiente.cells[2].count == 1  # commitment 3: accountability
    html = response.content.decode()
    assert "<caption" in html
    assert html.count('<th scope="row">') == len(matrix.rows) + 1  # and the totals
    assert escape(ambiente.cells[2].url) in html


# --- Ranking ---------------------------------------------------------------------------------------
def test_ranking_orders_by_total_with_each_criterion_and_lists_unscored_after(
    client, example_plan, secretariat
):
    client.cookies["django_language"] = "en"
    proposals = {c.title.split()[0]: c for c in public(example_plan).filter(theme__slug="saneamiento")}
    given = {
        "Implementación": [3, 3, 2, 1],
        "Creación": [3, 3, 3, 3],
        "Vigilancia": [1, 0, 0, 0],
    }
    for word, values in given.items():
        for criterion, value in zip(Criterion.values, values, strict=True):
            services.score(
                commitment=proposals[word], actor=secretariat, criterion=criterion, value=value,
                note=f"Nota {word} {criterion}",
            )  # fmt: skip
    response = client.get(reverse("commitments:ranking"))
    ranking = response.context["ranking"]
    assert [e.commitment.title.split()[0] for e in ranking.scored] == [
        "Creación",
        "Implementación",
        "Vigilancia",
    ]
    assert [e.total for e in ranking.scored] == [12, 9, 1]
    assert len(ranking.unscored) == 25 - 3
    html = response.content.decode()
    scored = section(html, "scored-heading")
    assert scored.index("Creación de un repositorio") < scored.index("Implementación de un sistema")
    assert "Total: 9 out of 12" in scored
    assert "Nota Implementación ods" in scored
    unscored = section(html, "unscored-heading")
    assert escape("Priorizar la intervención en la primera infancia rural") in unscored
    assert "Creación de un repositorio" not in unscored
    criteria = section(html, "criteria-heading")
    for label in Criterion.labels:
        assert str(label) in criteria


# --- Comparing versions ----------------------------------------------------------------------------
def edit_commitment_9(secretariat) -> Commitment:
    nine = Commitment.objects.get(number=9)
    return services.commitment_update(
        commitment=nine,
        actor=secretariat,
        reason="Precisión del alcance",
        revision=nine.revision,
        fields={"description": nine.description.replace("Creación", "Puesta en marcha")},
    )


def test_diff_shows_the_changed_words_of_the_changed_fields_only(client, example_plan, secretariat):
    client.cookies["django_language"] = "en"
    edit_commitment_9(secretariat)
    response = client.get(reverse("commitments:diff", kwargs={"key": "9"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.cleaned_data["de"], form.cleaned_data["a"]) == (2, 3)  # previous against latest
    html = response.content.decode()
    changes = section(html, "changes-heading")
    assert '<del><span class="visually-hidden">removed: </span>Creación</del>' in changes
    assert '<ins><span class="visually-hidden">added: </span>Puesta en marcha</ins>' in changes
    assert [c.key for c in response.context["changes"]] == ["description"]
    assert "Precisión del alcance" in changes


def test_diff_between_any_two_versions_and_refuses_the_same_one(client, example_plan, secretariat):
    edit_commitment_9(secretariat)
    url = reverse("commitments:diff", kwargs={"key": "9"})
    changes = client.get(url, {"de": 1, "a": 3}).context["changes"]
    assert {c.key for c in changes} == {"description", "milestones"}
    response = client.get(url, {"de": 2, "a": 2})
    assert response.context["changes"] is None
    assert 'class="error-summary"' in response.content.decode()
    assert client.get(url, {"de": 1, "a": 99}).context["form"].errors


def test_diff_escapes_the_text(client, example_plan, secretariat):
    commitment = complete_commitment(plan=example_plan, status=Status.AGREED)
    services.commitment_update(
        commitment=commitment, actor=secretariat, reason="<b>Edición</b>", revision=commitment.revision,
        fields={"description": "Antes <script>alert(2)</script> después"},
    )  # fmt: skip
    html = client.get(reverse("commitments:diff", kwargs={"key": commitment.slug})).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;b&gt;Edición&lt;/b&gt;" in html


def test_diff_of_a_draft_is_404_for_the_public(client, example_plan):
    draft = complete_commitment(plan=example_plan, status=Status.PROPOSED)
    assert client.get(reverse("commitments:diff", kwargs={"key": draft.slug})).status_code == 404
