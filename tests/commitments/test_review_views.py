"""The ministries' technical review in the portal: the queue, the review page, decisions, notes, edits.

On the example: commitment 3 (MINAM, in technical review) and commitment 9 (MTC, agreed).
"""

from __future__ import annotations

import contextlib
import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from commitments import services
from commitments.models import Commitment, Review, ReviewNote, Status, Transition, Version
from tests.commitments.factories import commitment_in_review

pytestmark = pytest.mark.django_db

QUEUE = "/revision/"


@pytest.fixture
def english(client):
    """Where a test reads our own wording, read it in English (the Spanish catalog comes later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def number(n: int) -> Commitment:
    return Commitment.objects.get(number=n)


def page_of(commitment: Commitment) -> str:
    return reverse("commitments:review", args=[commitment.pk])


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def section(html: str, section_id: str) -> str:
    return html.split(f'<section id="{section_id}"', 1)[1].split("</section>", 1)[0]


def decide(client, commitment: Commitment, decision: str, reason: str = ""):
    return client.post(
        page_of(commitment),
        {"action": "decide", "decision-decision": decision, "decision-reason": reason},
    )


def edit_data(commitment: Commitment, *, reason: str = "Fechas acordadas en la reunión técnica", **changes):
    """The edit form as the page fills it in, with `changes` applied (keys as the form's field names)."""
    milestones = list(commitment.milestones.all())
    data = {
        "action": "edit",
        "edit-revision": commitment.revision,
        "edit-reason": reason,
        "edit-contact_name": commitment.contact_name,
        "edit-contact_position": commitment.contact_position,
        "edit-contact_email": commitment.contact_email,
        "edit-contact_phone": commitment.contact_phone,
        "edit-resources_amount": commitment.resources_amount or "",
        "edit-resources_currency": commitment.resources_currency,
        "edit-resources_source": commitment.resources_source,
        "milestones-TOTAL_FORMS": len(milestones) + 1,
        "milestones-INITIAL_FORMS": len(milestones),
        "milestones-MIN_NUM_FORMS": 0,
        "milestones-MAX_NUM_FORMS": 1000,
    }
    for i, m in enumerate(milestones):
        data |= {
            f"milestones-{i}-description": m.description,
            f"milestones-{i}-responsible": m.responsible_id or "",
            f"milestones-{i}-start_date": m.start_date.isoformat() if m.start_date else "",
            f"milestones-{i}-due_date": m.due_date.isoformat() if m.due_date else "",
            f"milestones-{i}-status": m.status,
        }
    n = len(milestones)
    data |= {
        f"milestones-{n}-description": "",
        f"milestones-{n}-responsible": "",
        f"milestones-{n}-start_date": "",
        f"milestones-{n}-due_date": "",
        f"milestones-{n}-status": "programado",
    }
    data.update(changes)
    return data


# --- Who sees what -------------------------------------------------------------------------------
def test_minam_reviewer_sees_commitment_3_waiting_and_not_another_ministrys(
    client, example_plan, reviewer, secretariat
):
    services.assign_review(commitment=number(9), actor=secretariat, reason="Reunión técnica (MTC)")
    client.force_login(reviewer)
    html = main_of(client.get(QUEUE).content.decode())
    assert f'href="{page_of(number(3))}"' in html
    assert number(3).title in html
    assert f'href="{page_of(number(9))}"' not in html
    assert number(9).title not in html


def test_mtc_reviewer_sees_its_own_commitment_in_review_only(
    client, example_plan, other_reviewer, secretariat
):
    services.assign_review(commitment=number(9), actor=secretariat, reason="Reunión técnica (MTC)")
    client.force_login(other_reviewer)
    html = main_of(client.get(QUEUE).content.decode())
    assert f'href="{page_of(number(9))}"' in html
    assert f'href="{page_of(number(3))}"' not in html


def test_other_ministrys_reviewer_gets_404_on_the_page_and_on_every_post(
    client, example_plan, other_reviewer
):
    commitment = number(3)
    client.force_login(other_reviewer)
    transitions = Transition.objects.count()
    assert client.get(page_of(commitment)).status_code == 404
    assert client.post(page_of(commitment), {"action": "note", "note-text": "Intrusa"}).status_code == 404
    assert decide(client, commitment, "changes", "Intrusa").status_code == 404
    assert decide(client, commitment, "approve").status_code == 404
    assert client.post(page_of(commitment), edit_data(commitment)).status_code == 404
    assert not ReviewNote.objects.exists()
    assert Transition.objects.count() == transitions
    assert number(3).status == Status.IN_REVIEW


def test_citizen_is_refused_the_queue_and_the_review_page(client, example_plan, citizen):
    client.force_login(citizen)
    assert client.get(QUEUE).status_code == 403
    assert client.get(page_of(number(3))).status_code == 403
    assert client.post(page_of(number(3)), {"action": "note", "note-text": "x"}).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, example_plan):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_commitment_answers_404(client, example_plan, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("commitments:review", args=[999999])).status_code == 404


def test_review_page_shows_template_milestones_and_the_open_review(english, example_plan, reviewer):
    english.force_login(reviewer)
    commitment = number(3)
    html = main_of(english.get(page_of(commitment)).content.decode())
    assert html.count("<h1") == 1
    assert "In technical review" in html
    milestones = section(html, "hitos")
    assert "<caption" in milestones
    assert '<th scope="col">' in milestones
    for milestone in commitment.milestones.all():
        assert milestone.description in milestones
    review = section(html, "revision")
    assert "waiting for the entity" in review
    assert 'value="approve"' in review
    assert 'value="changes"' in review
    assert 'id="id_decision-reason"' in review
    assert 'for="id_decision-reason"' in review


# --- Decisions -----------------------------------------------------------------------------------
def test_request_changes_without_a_reason_is_refused_and_nothing_moves(english, example_plan, reviewer):
    english.force_login(reviewer)
    commitment = number(3)
    transitions = Transition.objects.filter(commitment=commitment).count()
    response = decide(english, commitment, "changes", "   ")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_decision-reason"' in html
    assert number(3).status == Status.IN_REVIEW
    assert Review.objects.get(commitment=commitment).decision == ""
    assert Transition.objects.filter(commitment=commitment).count() == transitions


def test_request_changes_with_a_reason_records_who_when_and_why(client, example_plan, reviewer):
    client.force_login(reviewer)
    commitment = number(3)
    reason = "El hito 2 no tiene un producto verificable «Áncash»"
    response = decide(client, commitment, "changes", reason)
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Status.CHANGES_REQUESTED
    review = Review.objects.get(commitment=commitment)
    assert review.decision == Review.Decision.CHANGES
    assert review.decided_by == reviewer
    assert review.decided is not None
    assert review.reason == reason
    transition = Transition.objects.filter(commitment=commitment).latest("created", "pk")
    assert (transition.from_status, transition.to_status) == (Status.IN_REVIEW, Status.CHANGES_REQUESTED)
    assert transition.actor == reviewer
    assert transition.reason == reason
    # The page now shows the decision with its reason, and no decision form.
    html = main_of(client.get(page_of(commitment)).content.decode())
    assert reason in section(html, "revision")
    assert reason in section(html, "decisiones")
    assert 'name="decision-decision"' not in html


def test_secretariat_queue_shows_changes_requested_across_entities(
    english, example_plan, reviewer, secretariat
):
    services.assign_review(commitment=number(9), actor=secretariat, reason="Reunión técnica (MTC)")
    services.decide_review(commitment=number(3), actor=reviewer, approve=False, reason="Faltan fechas")
    english.force_login(secretariat)
    html = main_of(english.get(QUEUE).content.decode())
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)
    row_3 = next(r for r in rows if page_of(number(3)) in r)
    row_9 = next(r for r in rows if page_of(number(9)) in r)
    assert "Changes requested" in row_3
    assert "MINAM" in row_3
    assert escape(str(reviewer)) in row_3  # who decided, escaped (the factory plants a <script>)
    assert "Not decided yet" in row_9
    assert "MTC" in row_9
    pending = main_of(english.get(QUEUE + "?show=pending").content.decode())
    assert page_of(number(9)) in pending
    assert page_of(number(3)) not in pending


def test_secretariat_sends_a_commitment_back_to_review_with_a_new_review(
    client, example_plan, reviewer, secretariat
):
    services.decide_review(commitment=number(3), actor=reviewer, approve=False, reason="Faltan fechas")
    client.force_login(secretariat)
    html = main_of(client.get(page_of(number(3))).content.decode())
    assert 'name="action" value="resubmit"' in html
    response = client.post(
        page_of(number(3)), {"action": "resubmit", "resubmit-reason": "Fechas completadas"}
    )
    assert response.status_code == 302
    assert number(3).status == Status.IN_REVIEW
    reviews = Review.objects.filter(commitment=number(3)).order_by("opened", "pk")
    assert [r.decision for r in reviews] == [Review.Decision.CHANGES, ""]
    assert reviews.last().assigned_by == secretariat
    # The reviewer finds it waiting again.
    client.force_login(reviewer)
    assert page_of(number(3)) in main_of(client.get(QUEUE + "?show=pending").content.decode())


def test_sign_off_approves_and_the_page_then_has_no_decision_form(english, example_plan, reviewer):
    english.force_login(reviewer)
    assert decide(english, number(3), "approve").status_code == 302
    commitment = number(3)
    assert commitment.status == Status.APPROVED
    review = Review.objects.get(commitment=commitment)
    assert (review.decision, review.decided_by) == (Review.Decision.APPROVED, reviewer)
    html = main_of(english.get(page_of(commitment)).content.decode())
    assert 'name="decision-decision"' not in html
    assert 'value="decide"' not in html
    assert "final" in section(html, "revision")
    assert "Signed off" in section(html, "revision")
    reviewed = main_of(english.get(QUEUE + "?show=reviewed").content.decode())
    assert page_of(commitment) in reviewed
    assert page_of(commitment) not in main_of(english.get(QUEUE).content.decode())


def test_a_second_decision_is_refused_with_a_message_and_no_new_transition(english, example_plan, reviewer):
    english.force_login(reviewer)
    assert decide(english, number(3), "changes", "Faltan fechas").status_code == 302
    transitions = Transition.objects.count()
    response = decide(english, number(3), "approve")
    assert response.status_code == 302
    html = english.get(response["Location"]).content.decode()
    assert "not waiting for a review decision" in html
    assert Transition.objects.count() == transitions
    assert number(3).status == Status.CHANGES_REQUESTED
    assert Review.objects.get(commitment=number(3)).decision == Review.Decision.CHANGES


def test_secretariat_cannot_decide_for_the_ministry(client, example_plan, secretariat):
    client.force_login(secretariat)
    html = main_of(client.get(page_of(number(3))).content.decode())
    assert 'name="decision-decision"' not in html
    assert decide(client, number(3), "approve").status_code == 403
    assert number(3).status == Status.IN_REVIEW


# --- Internal notes ------------------------------------------------------------------------------
def test_reviewers_note_is_seen_by_the_secretariat_and_never_published(
    client, example_plan, reviewer, secretariat, other_reviewer
):
    text = "Nota interna: el presupuesto «aún» no está asegurado <script>alert(1)</script>"
    client.force_login(reviewer)
    response = client.post(page_of(number(3)), {"action": "note", "note-text": text})
    assert response.status_code == 302
    note = ReviewNote.objects.get()
    assert (note.author, note.entity) == (reviewer, reviewer.entity)

    client.force_login(secretariat)
    html = client.get(page_of(number(3))).content.decode()
    assert "Nota interna: el presupuesto «aún» no está asegurado" in section(html, "notas")
    assert "<script>alert(1)" not in html

    client.force_login(other_reviewer)
    assert client.get(page_of(number(3))).status_code == 404

    client.logout()
    public = [reverse("paga:home"), reverse("paga:timeline")]
    for name, kwargs in (("commitments:detail", {"key": "3"}), ("commitments:list", {})):
        # The public commitment pages may not be there yet: then the pages that exist are checked.
        with contextlib.suppress(NoReverseMatch):
            public.append(reverse(name, kwargs=kwargs))
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Nota interna" not in response.content.decode(), url


def test_an_empty_note_is_refused_with_the_error_next_to_the_field(english, example_plan, reviewer):
    english.force_login(reviewer)
    response = english.post(page_of(number(3)), {"action": "note", "note-text": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_note-text"' in html
    assert "Write the note." in html
    assert not ReviewNote.objects.exists()


# --- Edits while in review -----------------------------------------------------------------------
def test_reviewer_edits_a_milestone_contact_and_resources_and_a_version_is_written(
    client, example_plan, reviewer
):
    client.force_login(reviewer)
    commitment = number(3)
    versions = commitment.versions.count()
    data = edit_data(
        commitment,
        **{
            "milestones-0-description": "Diagnóstico de las CAM y CAR publicado en el portal",
            "milestones-0-due_date": "2018-07-31",
            "edit-contact_name": "Ana Quispe",
            "edit-contact_email": "aquispe@minam.gob.pe",
            "edit-resources_amount": "150000.00",
            "edit-resources_currency": "PEN",
        },
    )
    response = client.post(page_of(commitment), data)
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.revision == data["edit-revision"] + 1
    assert commitment.contact_name == "Ana Quispe"
    assert str(commitment.resources_amount) == "150000.00"
    first = commitment.milestones.order_by("order").first()
    assert first.description == "Diagnóstico de las CAM y CAR publicado en el portal"
    assert first.due_date.isoformat() == "2018-07-31"
    assert commitment.milestones.count() == 2  # the blank extra row added nothing
    assert commitment.versions.count() == versions + 1
    version = commitment.versions.latest("number")
    assert version.author == reviewer
    assert version.reason == "Fechas acordadas en la reunión técnica"
    assert version.data["milestones"][0]["due_date"] == "2018-07-31"
    assert version.data["contact_name"] == "Ana Quispe"


def test_reviewer_adds_and_removes_milestones(client, example_plan, reviewer):
    client.force_login(reviewer)
    commitment = number(3)
    entity = commitment.lead_entity_id
    data = edit_data(
        commitment,
        **{
            "milestones-0-DELETE": "on",
            "milestones-2-description": "Taller de validación con las CAR",
            "milestones-2-responsible": entity,
            "milestones-2-start_date": "2019-01-10",
            "milestones-2-due_date": "2019-03-31",
        },
    )
    assert client.post(page_of(commitment), data).status_code == 302
    descriptions = list(commitment.milestones.order_by("order").values_list("description", flat=True))
    assert len(descriptions) == 2
    assert descriptions[1] == "Taller de validación con las CAR"


def test_an_edit_without_a_reason_is_refused_and_keeps_what_was_typed(english, example_plan, reviewer):
    english.force_login(reviewer)
    commitment = number(3)
    data = edit_data(commitment, reason="", **{"edit-contact_name": "Contacto «escrito» a mano"})
    response = english.post(page_of(commitment), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_edit-reason"' in html
    assert "Contacto «escrito» a mano" in html
    assert number(3).revision == commitment.revision
    assert number(3).contact_name != "Contacto «escrito» a mano"


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(english, example_plan, reviewer):
    english.force_login(reviewer)
    commitment = number(3)
    stale = edit_data(commitment, **{"edit-contact_name": "Lo que escribí yo"})
    services.commitment_update(
        commitment=commitment, actor=reviewer, reason="Otra pestaña", revision=commitment.revision,
        fields={"contact_name": "Lo que guardó otra persona"}, perm="commitments.change_review_fields",
    )  # fmt: skip
    versions = Version.objects.filter(commitment=commitment).count()
    response = english.post(page_of(commitment), stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this commitment" in html
    assert 'value="Lo que escribí yo"' in html
    assert "Lo que guardó otra persona" in section(html, "contacto")
    assert number(3).contact_name == "Lo que guardó otra persona"
    assert Version.objects.filter(commitment=commitment).count() == versions


def test_editing_is_refused_once_signed_off(client, example_plan, reviewer):
    client.force_login(reviewer)
    commitment = number(3)
    data = edit_data(commitment, **{"edit-contact_name": "Demasiado tarde"})
    services.decide_review(commitment=commitment, actor=reviewer, approve=True)
    html = main_of(client.get(page_of(commitment)).content.decode())
    assert 'value="edit"' not in html
    data["edit-revision"] = number(3).revision
    assert client.post(page_of(commitment), data).status_code == 403
    assert number(3).contact_name != "Demasiado tarde"


def test_unknown_action_is_a_bad_request(client, example_plan, reviewer):
    client.force_login(reviewer)
    assert client.post(page_of(number(3)), {"action": "borrar"}).status_code == 400


# --- Queries -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["reviewer", "secretariat"])
def test_queue_queries_do_not_grow_with_the_number_of_reviews(
    client, request, django_assert_num_queries, secretariat, reviewer, role
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    made = 0
    counts = []
    for total in (3, 30):
        for _ in range(total - made):
            commitment = commitment_in_review(assigned_by=secretariat, lead_entity=reviewer.entity)
            if made % 2:  # a mix of open and decided reviews, with who decided
                services.decide_review(commitment=commitment, actor=reviewer, approve=False, reason="Falta")
            made += 1
        with django_assert_num_queries(QUEUE_QUERIES[role]) as captured:
            response = client.get(QUEUE + "?show=all")
        assert response.status_code == 200
        counts.append(len(captured))
        assert response.content.decode().count(' scope="row"') == total
    assert counts[0] == counts[1]


# Both: session, user with its groups (paga/backends.py), the plan (header), counts per filter, the
# page's count, its rows.
# A ministry reviewer adds its reviews (prefetched), its entity (named in the lead) and the two
# permission look-ups of Django's ModelBackend (after rules answers no to "view_all").
QUEUE_QUERIES = {"reviewer": 8, "secretariat": 6}


def test_sign_off_of_an_incomplete_commitment_says_what_is_missing(english, example_plan, reviewer):
    english.force_login(reviewer)
    commitment = number(3)
    data = edit_data(commitment, **{"milestones-0-DELETE": "on", "milestones-1-DELETE": "on"})
    assert english.post(page_of(commitment), data).status_code == 302
    html = main_of(english.get(page_of(commitment)).content.decode())
    assert "Add at least one milestone" in section(html, "revision")  # said before signing off
    response = decide(english, commitment, "approve")
    assert response.status_code == 200
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Add at least one milestone" in summary
    assert number(3).status == Status.IN_REVIEW
