"""The Secretaría's work on commitments in the portal: its desk, the OGP template (new, edit, stale edits),
status changes, sending to review, merges, splits and scores.

Wording is read in English (the `english` fixture); the rest checks structure and the database.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from commitments import services
from commitments.models import (
    Commitment,
    Criterion,
    LineageKind,
    LineageLink,
    Milestone,
    Review,
    Score,
    Status,
    Transition,
    Version,
)
from tests.commitments.factories import (
    CommitmentFactory,
    commitment_in_review,
    complete_commitment,
    current_plan,
    ministry,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TYPED = "Texto «tecleado» por la Secretaría, región Áncash <script>alert(1)</script>"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff(english, secretariat):
    """A member of the Secretaría, signed in, reading English, with a current plan."""
    current_plan()
    english.force_login(secretariat)
    return english


@pytest.fixture
def proposal(db) -> Commitment:
    return CommitmentFactory(status=Status.PROPOSED)


def url(name: str, commitment: Commitment | None = None) -> str:
    return reverse(f"commitments:{name}", args=[commitment.pk] if commitment else [])


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def error_summary(html: str) -> str:
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def as_post(form, formset=None) -> dict:
    """A bound or unbound form (and formset) as the browser would post it back, unchanged."""
    data: dict = {}
    forms = [form]
    if formset is not None:
        forms += [formset.management_form, *formset.forms]
    for f in forms:
        for field in f:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif value is None:
                data[field.html_name] = ""
            elif isinstance(value, datetime.date):
                data[field.html_name] = value.isoformat()
            else:
                data[field.html_name] = str(value)
    return data


def new_template(**changes) -> dict:
    """The new-proposal form: the title only, four empty milestone rows, then `changes`."""
    data = {
        "title": "Propuesta nueva",
        "origin_kind": "otro",
        "resources_currency": "PEN",
        "hitos-TOTAL_FORMS": "4",
        "hitos-INITIAL_FORMS": "0",
        "hitos-MIN_NUM_FORMS": "0",
        "hitos-MAX_NUM_FORMS": "1000",
    }
    for n in range(4):
        data[f"hitos-{n}-status"] = "programado"
    data.update(changes)
    return data


def edit_page_data(client, commitment: Commitment, **changes) -> dict:
    response = client.get(url("edit", commitment))
    assert response.status_code == 200
    data = as_post(response.context["form"], response.context["formset"])
    data.update(changes)
    return data


# --- Who may come in -------------------------------------------------------------------------------
PAGES = [
    ("staff_home", False, "get"),
    ("create", False, "get"),
    ("merge", False, "get"),
    ("edit", True, "get"),
    ("transition", True, "post"),
    ("assign", True, "get"),
    ("split", True, "get"),
    ("score", True, "get"),
]


@pytest.mark.parametrize(("name", "with_pk", "method"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, proposal, name, with_pk, method):
    target = url(name, proposal if with_pk else None)
    response = getattr(client, method)(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize(("name", "with_pk", "method"), PAGES)
def test_citizens_are_refused(client, citizen, proposal, name, with_pk, method):
    client.force_login(citizen)
    response = getattr(client, method)(url(name, proposal if with_pk else None))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["create", "merge"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_ministry_reviewers_may_not_create_or_merge(client, reviewer, name, method):
    client.force_login(reviewer)
    assert getattr(client, method)(url(name)).status_code == 403
    assert not Commitment.objects.exists()


def test_a_commitment_that_does_not_exist_answers_404(staff):
    assert staff.get(reverse("commitments:edit", args=[999999])).status_code == 404


@pytest.mark.parametrize(("name", "with_pk", "method"), [p for p in PAGES if p[2] == "get"])
def test_every_page_opens_for_the_secretariat(staff, proposal, name, with_pk, method):
    response = staff.get(url(name, proposal if with_pk else None))
    assert response.status_code == 200
    assert main_of(response.content.decode()).count("<h1") == 1


# --- The OGP template ------------------------------------------------------------------------------
def test_secretariat_creates_a_proposal_with_values_and_milestones(staff, secretariat):
    minam = ministry("MINAM")
    plan = current_plan()
    theme = plan.themes.first()
    data = new_template(
        title=TYPED,
        lead_entity=minam.pk,
        start_date="2018-01-01",
        end_date="2019-12-31",
        problem="La información ambiental está dispersa.",
        description="Publicar un portal de datos ambientales.",
        how_it_helps="La ciudadanía podrá vigilar.",
        theme=theme.pk if theme else "",
        resources_amount="150000.50",
        contact_email="punto@minam.gob.pe",
        origin_kind="taller_regional",
        value_transparencia="on",
        why_transparencia="Abre datos que hoy no son públicos.",
        value_tecnologia="on",
        why_tecnologia="Un portal con datos abiertos.",
        **{
            "hitos-0-description": "Diagnóstico publicado",
            "hitos-0-responsible": str(minam.pk),
            "hitos-0-start_date": "2018-01-15",
            "hitos-0-due_date": "2018-06-30",
            "hitos-1-description": "Portal en línea",
            "hitos-1-responsible": str(minam.pk),
            "hitos-1-start_date": "2018-07-01",
            "hitos-1-due_date": "2019-06-30",
            "hitos-1-status": "parcial",
        },
    )
    response = staff.post(url("create"), data)

    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("edit", commitment)
    assert commitment.title == TYPED
    assert commitment.status == Status.PROPOSED
    assert commitment.lead_entity == minam
    assert commitment.resources_amount == 150000.50
    assert commitment.origin_kind == "taller_regional"
    assert {r.value.code: r.justification for r in commitment.relevances.select_related("value")} == {
        "transparencia": "Abre datos que hoy no son públicos.",
        "tecnologia": "Un portal con datos abiertos.",
    }
    milestones = list(commitment.milestones.order_by("order"))
    assert [(m.description, m.responsible, m.due_date, m.status) for m in milestones] == [
        ("Diagnóstico publicado", minam, D(2018, 6, 30), "programado"),
        ("Portal en línea", minam, D(2019, 6, 30), "parcial"),
    ]
    version = Version.objects.get(commitment=commitment)
    assert (version.number, version.author) == (1, secretariat)
    assert [m["description"] for m in version.data["milestones"]] == [
        "Diagnóstico publicado",
        "Portal en línea",
    ]
    assert version.data["title"] == TYPED
    page = staff.get(response["Location"]).content.decode()
    assert "The proposal" in page  # the success message
    assert escape(TYPED) in page
    assert "<script>alert(1)" not in page
    assert "Nothing: the template is complete." in page


def test_an_incomplete_draft_is_saved_and_says_what_is_missing(staff):
    response = staff.post(url("create"), new_template(title="Solo un título"), follow=True)
    commitment = Commitment.objects.get()
    assert commitment.title == "Solo un título"
    html = response.content.decode()
    missing = html.split('id="falta-heading"', 1)[1].split("</section>", 1)[0]
    assert "What is missing before it can move forward" in html
    assert "A lead entity is missing." in missing
    assert "Add at least one milestone" in missing


def test_the_new_proposal_form_keeps_everything_typed_on_an_error(staff):
    data = new_template(
        title="",
        problem=TYPED,
        why_participacion="Porque sí",  # a justification for a value not ticked
        **{"hitos-0-description": "", "hitos-0-due_date": "2018-03-01"},  # a row without its product
    )
    response = staff.post(url("create"), data)
    assert response.status_code == 200
    assert not Commitment.objects.exists()
    html = response.content.decode()
    summary = error_summary(html)
    assert 'href="#id_title"' in summary
    assert 'href="#id_why_participacion"' in summary
    assert 'href="#id_hitos-0-description"' in summary
    assert escape(TYPED) in html
    assert "Porque sí" in html
    assert 'value="2018-03-01"' in html


def test_edit_writes_a_new_version_with_its_reason(staff, secretariat):
    commitment = complete_commitment(status=Status.IN_CONSULTATION)
    data = edit_page_data(staff, commitment, title="Título revisado", reason="Acordado en la mesa temática")
    data["hitos-0-description"] = "Diagnóstico revisado"
    response = staff.post(url("edit", commitment), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Título revisado"
    assert commitment.revision == 2
    latest = commitment.versions.order_by("-number").first()
    assert (latest.number, latest.author, latest.reason) == (2, secretariat, "Acordado en la mesa temática")
    assert latest.data["title"] == "Título revisado"
    assert list(commitment.milestones.values_list("description", flat=True)) == ["Diagnóstico revisado"]
    # Values were not lost by the round trip through the form.
    assert list(commitment.relevances.values_list("value__code", flat=True)) == ["transparencia"]


def test_edit_needs_a_reason(staff, proposal):
    data = edit_page_data(staff, proposal, title="Otro título", reason="")
    response = staff.post(url("edit", proposal), data)
    assert response.status_code == 200
    assert 'href="#id_reason"' in error_summary(response.content.decode())
    proposal.refresh_from_db()
    assert proposal.title != "Otro título"


def test_stale_edit_is_refused_and_keeps_what_was_typed(staff, secretariat, proposal):
    data = edit_page_data(
        staff, proposal, title=TYPED, problem="Mi análisis del problema", reason="Mi cambio"
    )
    # Meanwhile, someone else saves.
    services.commitment_update(
        commitment=proposal,
        actor=secretariat,
        reason="Corrección de otra persona",
        revision=proposal.revision,
        fields={"title": "Título guardado por otra persona"},
    )
    before = (Version.objects.count(), Commitment.objects.values().get(pk=proposal.pk))

    response = staff.post(url("edit", proposal), data)

    assert response.status_code == 200
    assert (Version.objects.count(), Commitment.objects.values().get(pk=proposal.pk)) == before
    html = response.content.decode()
    assert "Someone else saved this commitment" in error_summary(html)
    form_html = html.split('id="editar-heading"', 1)[1]
    assert escape(TYPED) in form_html
    assert "Mi análisis del problema" in form_html
    assert 'value="Mi cambio"' in form_html
    # What the newer version says, and where to compare it.
    stale = html.split('id="stale-heading"', 1)[1].split("</section>", 1)[0]
    assert "Título guardado por otra persona" in stale
    assert "Corrección de otra persona" in stale
    proposal.refresh_from_db()  # its slug follows the newer title
    assert f'href="{proposal.get_absolute_url()}#historial"' in stale


def test_after_a_stale_refusal_saving_again_replaces_the_newer_version(staff, secretariat, proposal):
    data = edit_page_data(staff, proposal, title="Mi título", reason="Mi cambio")
    services.commitment_update(
        commitment=proposal,
        actor=secretariat,
        reason="Otro",
        revision=proposal.revision,
        fields={"title": "X"},
    )
    refused = staff.post(url("edit", proposal), data)
    again = as_post(refused.context["form"], refused.context["formset"])
    assert staff.post(url("edit", proposal), again).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.revision) == ("Mi título", 3)
    assert list(proposal.versions.values_list("reason", flat=True)) == [
        "Creado (fábrica de pruebas)",
        "Otro",
        "Mi cambio",
    ]


def test_a_commitment_in_review_is_shown_without_the_template_form(staff, secretariat):
    commitment = commitment_in_review(assigned_by=secretariat)
    response = staff.get(url("edit", commitment))
    assert response.status_code == 200
    assert response.context.get("form") is None
    assert staff.post(url("edit", commitment), {"title": "x"}).status_code == 403


# --- Status ----------------------------------------------------------------------------------------
def test_the_edit_page_offers_only_the_moves_allowed_from_the_status(staff):
    commitment = CommitmentFactory(status=Status.IN_CONSULTATION)
    html = staff.get(url("edit", commitment)).content.decode()
    offered = {v for v in Status.values if f'name="estado-to" value="{v}"' in html}
    assert offered == {Status.AGREED, Status.WITHDRAWN}


def test_a_status_button_moves_it_and_records_who_and_why(staff, secretariat, proposal):
    response = staff.post(
        url("transition", proposal),
        {"estado-to": Status.IN_CONSULTATION, "estado-reason": "Publicada en el foro"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_CONSULTATION
    move = Transition.objects.get(commitment=proposal)
    assert (move.from_status, move.to_status, move.actor, move.reason) == (
        Status.PROPOSED,
        Status.IN_CONSULTATION,
        secretariat,
        "Publicada en el foro",
    )
    assert "In public consultation" in staff.get(response["Location"]).content.decode()


def test_withdrawing_without_a_reason_is_refused_with_a_message(staff, proposal):
    response = staff.post(url("transition", proposal), {"estado-to": Status.WITHDRAWN, "estado-reason": ""})
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    assert "Give the reason for this decision." in summary
    assert 'href="#id_estado-reason"' in summary
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED
    assert not Transition.objects.filter(commitment=proposal).exists()


def test_a_move_done_on_its_own_page_is_refused_here(staff):
    commitment = complete_commitment(status=Status.AGREED)
    response = staff.post(url("transition", commitment), {"estado-to": Status.IN_REVIEW})
    assert response.status_code == 200
    assert "on its own page" in error_summary(response.content.decode())
    commitment.refresh_from_db()
    assert commitment.status == Status.AGREED


def test_an_incomplete_commitment_is_saved_but_not_sent_to_review(staff, secretariat):
    staff.post(url("create"), new_template(title="Borrador incompleto"))
    commitment = Commitment.objects.get()
    for to in (Status.IN_CONSULTATION, Status.AGREED):
        services.commitment_transition(commitment=commitment, to=to, actor=secretariat, reason="Mesa")

    response = staff.post(url("assign", commitment), {"reason": "Reunión técnica"})

    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    assert "A lead entity is missing." in summary
    assert "Add at least one milestone (a verifiable product or activity)." in summary
    commitment.refresh_from_db()
    assert commitment.status == Status.AGREED
    assert not Review.objects.exists()
    assert "Reunión técnica</textarea>" in response.content.decode()  # what was typed is kept


def test_a_complete_agreed_commitment_is_sent_to_its_lead_entity(staff, secretariat):
    commitment = complete_commitment(status=Status.AGREED)
    response = staff.post(url("assign", commitment), {"reason": "Reunión técnica sectorial"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_REVIEW
    review = Review.objects.get(commitment=commitment)
    assert (review.entity, review.assigned_by, review.decision) == (commitment.lead_entity, secretariat, "")


# --- Consolidation ---------------------------------------------------------------------------------
def test_merge_of_two_example_proposals_into_a_new_commitment(staff, secretariat, example_plan):
    first, second = Commitment.objects.filter(plan=example_plan, status=Status.IN_CONSULTATION)[:2]
    response = staff.post(
        url("merge"),
        {
            "sources": [first.pk, second.pk],
            "into": "nuevo",
            "title": "Compromiso consolidado «saneamiento»",
            "reason": "Dicen lo mismo: acordado en la mesa nacional",
        },
    )
    target = Commitment.objects.get(title="Compromiso consolidado «saneamiento»")
    assert response.status_code == 302
    assert response["Location"] == url("edit", target)
    links = LineageLink.objects.filter(target=target).order_by("source_id")
    assert [(link.source_id, link.kind, link.actor) for link in links] == [
        (first.pk, LineageKind.MERGE, secretariat),
        (second.pk, LineageKind.MERGE, secretariat),
    ]
    assert set(Commitment.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        Status.MERGED
    }
    assert target.versions.count() == 1


def test_merge_needs_a_reason_and_creates_nothing_without_it(staff, example_plan):
    first, second = Commitment.objects.filter(plan=example_plan, status=Status.IN_CONSULTATION)[:2]
    before = Commitment.objects.count()
    response = staff.post(
        url("merge"),
        {"sources": [first.pk, second.pk], "into": "nuevo", "title": "Título tecleado", "reason": ""},
    )
    assert response.status_code == 200
    assert 'href="#id_reason"' in error_summary(response.content.decode())
    assert Commitment.objects.count() == before
    assert 'value="Título tecleado"' in response.content.decode()


def test_merge_into_an_existing_commitment(staff, secretariat):
    target = CommitmentFactory(status=Status.AGREED)
    source = CommitmentFactory(status=Status.IN_CONSULTATION)
    response = staff.post(
        url("merge"),
        {"sources": [source.pk], "into": "existente", "target": target.pk, "reason": "Duplicada"},
    )
    assert response.status_code == 302
    assert LineageLink.objects.filter(source=source, target=target, kind=LineageKind.MERGE).exists()
    source.refresh_from_db()
    assert source.status == Status.MERGED


def test_split_creates_two_children(staff, secretariat):
    source = CommitmentFactory(status=Status.IN_CONSULTATION, values={"transparencia": "Por qué"})
    response = staff.post(
        url("split", source),
        {
            "partes-TOTAL_FORMS": "3",
            "partes-INITIAL_FORMS": "0",
            "partes-MIN_NUM_FORMS": "2",
            "partes-MAX_NUM_FORMS": "10",
            "partes-0-title": "Primera parte",
            "partes-1-title": "Segunda parte",
            "partes-1-reason": "El componente regional",
            "partes-2-title": "",
            "reason": "Dos compromisos distintos en una propuesta",
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == Status.SPLIT
    links = LineageLink.objects.filter(source=source, kind=LineageKind.SPLIT).select_related("target")
    assert sorted((link.target.title, link.reason) for link in links) == [
        ("Primera parte", "Dos compromisos distintos en una propuesta"),
        ("Segunda parte", "El componente regional"),
    ]
    for link in links:
        assert link.target.status == Status.IN_CONSULTATION
        assert list(link.target.relevances.values_list("value__code", flat=True)) == ["transparencia"]


def test_split_needs_two_parts(staff, proposal):
    response = staff.post(
        url("split", proposal),
        {
            "partes-TOTAL_FORMS": "2",
            "partes-INITIAL_FORMS": "0",
            "partes-MIN_NUM_FORMS": "2",
            "partes-MAX_NUM_FORMS": "10",
            "partes-0-title": "Solo una parte",
            "partes-1-title": "",
            "reason": "Razón",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_partes-1-title"' in error_summary(response.content.decode())
    assert not LineageLink.objects.exists()


def test_the_split_page_shows_as_many_part_rows_as_asked(staff, proposal):
    html = staff.get(url("split", proposal) + "?partes=4").content.decode()
    assert 'name="partes-3-title"' in html
    assert 'name="partes-4-title"' not in html


# --- Prioritisation --------------------------------------------------------------------------------
def test_scoring_saves_score_rows(staff, secretariat, proposal):
    response = staff.post(
        url("score", proposal),
        {"score_valores": "3", "note_valores": "Transparencia activa", "score_ods": "1", "score_ocde": ""},
    )
    assert response.status_code == 302
    scores = {s.criterion: (s.value, s.note, s.scorer) for s in Score.objects.filter(commitment=proposal)}
    assert scores == {
        Criterion.OGP_VALUES: (3, "Transparencia activa", secretariat),
        Criterion.SDG: (1, "", secretariat),
    }
    # The page opens with the saved scores ticked.
    html = staff.get(url("score", proposal)).content.decode()
    assert 'name="score_valores" value="3" id="id_score_valores_4" checked>' in html
    assert 'name="score_ocde" value="" id="id_score_ocde_0" checked>' in html


def test_a_score_of_4_is_refused(staff, proposal):
    response = staff.post(url("score", proposal), {"score_valores": "4", "note_valores": "Muy relevante"})
    assert response.status_code == 200
    assert "A score goes from 0 to 3." in error_summary(response.content.decode())
    assert not Score.objects.exists()
    assert 'value="Muy relevante"' in response.content.decode()


def test_an_empty_scoring_form_saves_nothing_and_says_so(staff, proposal):
    response = staff.post(url("score", proposal), {"note_ods": ""})
    assert response.status_code == 200
    assert "Choose a score for at least one criterion." in error_summary(response.content.decode())
    assert not Score.objects.exists()


# --- The desk --------------------------------------------------------------------------------------
def test_the_desk_lists_what_waits_for_the_secretariat(staff, secretariat):
    consulting = CommitmentFactory(status=Status.IN_CONSULTATION, title="En consulta «uno»")
    agreed = complete_commitment(status=Status.AGREED, title="Consensuado «dos»")
    in_review = commitment_in_review(assigned_by=secretariat, title="En revisión «tres»")
    asked = commitment_in_review(assigned_by=secretariat, title="Con cambios «cuatro»")
    services.decide_review(
        commitment=asked,
        actor=_reviewer_of(asked),
        approve=False,
        reason="Faltan los recursos",
    )
    html = staff.get(url("staff_home")).content.decode()

    def part(section_id):
        return html.split(f'<section id="{section_id}"', 1)[1].split("</section>", 1)[0]

    assert escape(consulting.title) in part("en-consulta")
    assert escape(agreed.title) in part("consensuados")
    assert escape(in_review.title) in part("revisiones")
    assert "Faltan los recursos" in part("cambios")
    assert escape(asked.title) in part("cambios")
    counts = part("por-estado")
    assert "<caption>" in counts
    assert 'scope="row"' in counts
    listing = staff.get(url("staff_home") + "?estado=consensuado").content.decode()
    assert escape(agreed.title) in listing.split('<section id="listado"', 1)[1].split("</section>", 1)[0]


def _reviewer_of(commitment: Commitment):
    from paga import roles
    from tests.factories import UserFactory

    return UserFactory(groups=[roles.REVIEWER], entity=commitment.lead_entity)


def test_the_desk_queries_do_not_grow_with_the_commitments(staff, secretariat, django_assert_num_queries):
    staff.get(url("staff_home"))  # session, user and plan warmed the same way each time
    for batch in (3, 30):
        for n in range(batch):
            status = [Status.IN_CONSULTATION, Status.AGREED, Status.PROPOSED][n % 3]
            CommitmentFactory(status=status, lead_entity=ministry("MINAM"))
        commitment_in_review(assigned_by=secretariat)
        asked = commitment_in_review(assigned_by=secretariat)
        services.decide_review(commitment=asked, actor=_reviewer_of(asked), approve=False, reason="Cambios")
        with django_assert_num_queries(9):
            assert staff.get(url("staff_home")).status_code == 200
        with django_assert_num_queries(11):
            assert staff.get(url("staff_home") + "?estado=consensuado").status_code == 200


def test_milestones_round_trip_through_the_edit_form(staff):
    commitment = complete_commitment(status=Status.PROPOSED, milestones=2)
    data = edit_page_data(staff, commitment, reason="Quitar el segundo hito")
    data["hitos-1-DELETE"] = "on"
    assert staff.post(url("edit", commitment), data).status_code == 302
    assert Milestone.objects.filter(commitment=commitment).count() == 1


def test_the_edit_page_queries_do_not_grow_with_the_milestones(staff):
    few, many = complete_commitment(milestones=1), complete_commitment(milestones=12)
    staff.get(url("edit", few))  # session, user and plan warmed the same way each time
    counts = []
    for commitment in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url("edit", commitment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
