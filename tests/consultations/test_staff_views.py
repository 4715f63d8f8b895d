"""The Secretaría's side of the virtual forum: who may come in, the desk, and moderation through the pages
(queue, hide, restore, dismiss, block, unblock, log). Nothing is deleted; every action is logged.

Wording is read in English (the `english` fixture); the rest checks structure and the database.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from consultations import services
from consultations.models import Block, Contribution, Flag, ModerationAction, Response, ResponseTemplate
from paga.models import Channel, OutboundEmail
from tests.commitments.factories import SCRIPT
from tests.consultations.factories import ConsultationFactory, comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

State = Contribution.State
Action = ModerationAction.Action
TYPED = "Motivo «tecleado» por la Secretaría, Áncash <script>alert(1)</script>"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff(english, secretariat):
    english.force_login(secretariat)
    return english


@pytest.fixture
def consultation(db):
    return ConsultationFactory()


@pytest.fixture
def posted(citizen, consultation) -> Contribution:
    return comment(consultation=consultation, author=citizen, text=f"Un aporte «con tildes» {SCRIPT}")


def flagged(contribution: Contribution, *reasons: str) -> Contribution:
    for reason in reasons:
        Flag.objects.create(contribution=contribution, user=UserFactory(), reason=reason)
    return contribution


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


def error_summary(html: str) -> str:
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def contribution_on(consultation, **kw) -> Contribution:
    """A contribution written with the ORM (these tests are about the pages, not posting)."""
    kw.setdefault("commitment", consultation.items.first())
    kw.setdefault("text", f"Aporte «ñandú» {SCRIPT}")
    if kw.get("author") is None:
        kw.setdefault("given_name", "Colectivo «Áncash»")
        kw.setdefault("channel", Channel.EMAIL)
    return Contribution.objects.create(consultation=consultation, **kw)


# --- Who may come in -------------------------------------------------------------------------------
def _pages(consultation, contribution, block, template) -> list[tuple[str, str]]:
    """(url, method) of every staff page; POST-only actions with their method."""
    slug, pk = consultation.slug, contribution.pk
    return [
        (reverse("consultations:staff_desk"), "get"),
        (reverse("consultations:staff_moderation"), "get"),
        (reverse("consultations:staff_moderation_log"), "get"),
        (reverse("consultations:staff_blocks"), "get"),
        (reverse("consultations:staff_contribution", args=[pk]), "get"),
        (reverse("consultations:staff_templates"), "get"),
        (reverse("consultations:staff_template_create"), "get"),
        (reverse("consultations:staff_template_edit", args=[template.pk]), "get"),
        (reverse("consultations:staff_respond", args=[pk]), "get"),
        (reverse("consultations:staff_other_channel", args=[slug]), "get"),
        (reverse("consultations:staff_responses", args=[slug]), "get"),
        (reverse("consultations:staff_publish", args=[slug]), "get"),
        (reverse("consultations:staff_hide", args=[pk]), "post"),
        (reverse("consultations:staff_restore", args=[pk]), "post"),
        (reverse("consultations:staff_dismiss", args=[pk]), "post"),
        (reverse("consultations:staff_block", args=[pk]), "post"),
        (reverse("consultations:staff_unblock", args=[block.pk]), "post"),
        (reverse("consultations:staff_attachment", args=[pk]), "get"),
    ]


@pytest.fixture
def every_page(consultation, posted, other_citizen, secretariat):
    block = services.block(user=other_citizen, actor=secretariat, reason="Spam repetido")
    template = ResponseTemplate.objects.create(title="Fuera", disposition="fuera_de_alcance", text="Fuera.")
    return _pages(consultation, posted, block, template)


def test_anonymous_visitors_are_sent_to_sign_in(client, every_page):
    for url, method in every_page:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
        assert "next=" in response["Location"]


@pytest.mark.parametrize("role", ["citizen", "other_citizen", "reviewer", "other_reviewer"])
def test_other_roles_are_refused_and_change_nothing(client, request, every_page, role):
    client.force_login(request.getfixturevalue(role))
    for url, method in every_page:
        assert (
            getattr(client, method)(url, {"ocultar-reason": "x", "bloquear-reason": "x"}).status_code == 403
        ), url
    assert Contribution.objects.filter(state=State.VISIBLE).count() == 1
    assert ModerationAction.objects.count() == 1  # the block made by the fixture
    assert Block.objects.filter(lifted__isnull=True).count() == 1


@pytest.mark.parametrize("role", ["secretariat", "administrator"])
def test_every_page_opens_for_the_secretariat_and_administrators(english, request, every_page, role):
    english.force_login(request.getfixturevalue(role))
    for url, method in every_page:
        if method != "get" or "adjunto" in url:
            continue
        response = english.get(url)
        assert response.status_code == 200, url
        assert main_of(response.content.decode()).count("<h1") == 1, url


def test_actions_answer_405_to_a_get(staff, posted):
    for name in ("staff_hide", "staff_restore", "staff_dismiss", "staff_block"):
        assert staff.get(reverse(f"consultations:{name}", args=[posted.pk])).status_code == 405


def test_a_contribution_that_does_not_exist_answers_404(staff):
    assert staff.get(reverse("consultations:staff_contribution", args=[999999])).status_code == 404
    assert staff.get(reverse("consultations:staff_respond", args=[999999])).status_code == 404
    assert staff.get(reverse("consultations:staff_responses", args=["no-existe"])).status_code == 404


# --- The desk --------------------------------------------------------------------------------------
def test_the_desk_counts_what_waits_for_each_consultation(staff, consultation, secretariat):
    other = ConsultationFactory()
    answered, drafted, waiting, pending = (contribution_on(consultation) for _ in range(4))
    pending.state = State.PENDING
    pending.save()
    flagged(waiting, "spam", "ofensivo")
    Response.objects.create(
        contribution=answered, disposition="incorporado", author=secretariat, published_at=answered.created
    )
    Response.objects.create(
        contribution=drafted, disposition="fuera_de_alcance", reason="Fuera.", author=secretariat
    )
    contribution_on(other)

    response = staff.get(reverse("consultations:staff_desk"))

    rows = {c.pk: c for c in response.context["consultations"]}
    mine = rows[consultation.pk]
    assert (mine.n_contributions, mine.n_unanswered, mine.n_unpublished, mine.n_pending, mine.n_reported) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert (rows[other.pk].n_contributions, rows[other.pk].n_unanswered, rows[other.pk].n_reported) == (
        1,
        1,
        0,
    )
    html = response.content.decode()
    assert (
        reverse("consultations:staff_responses", args=[consultation.slug]) + "?estado=sin_respuesta" in html
    )
    assert escape(consultation.title) in html
    assert "<script>alert" not in main_of(html)


def test_the_desk_runs_the_same_queries_for_3_and_30_consultations(staff, django_assert_num_queries):
    for batch in (3, 27):
        for consultation in ConsultationFactory.create_batch(batch):
            flagged(contribution_on(consultation), "spam")
        with django_assert_num_queries(5):  # session, user with its groups, consultations, reports, plan
            assert staff.get(reverse("consultations:staff_desk")).status_code == 200


# --- The moderation queue --------------------------------------------------------------------------
def test_the_queue_shows_reported_and_pending_contributions_with_their_reports(staff, consultation, citizen):
    reported = flagged(
        contribution_on(consultation, author=citizen, text="**Fuerte** <img src=x onerror=alert(1)>"),
        "spam",
        "spam",
        "ofensivo",
    )
    pending = contribution_on(consultation, state=State.PENDING, text="Pendiente de revisión")
    quiet = contribution_on(consultation, text="Nadie lo reportó")
    hidden = contribution_on(consultation, state=State.HIDDEN, hidden_reason="Insultos", text="Ya oculto")

    response = staff.get(reverse("consultations:staff_moderation"))

    shown = [row.contribution.pk for row in response.context["rows"]]
    assert shown == [reported.pk, pending.pk]
    html = main_of(response.content.decode())
    assert "<strong>Fuerte</strong>" in html  # the safe Markdown subset, rendered
    assert "<img" not in html
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "3 open reports:" in html
    assert "Spam (2)" in html
    assert "Offensive (1)" in html
    assert "Hidden pending review" in html  # state in words
    assert quiet.text not in html
    assert hidden.text not in html


def test_the_queue_filters_by_state_consultation_reason_channel_and_words(staff, consultation, citizen):
    other = ConsultationFactory()
    spam = flagged(contribution_on(consultation, author=citizen, text="Compre ahora"), "spam")
    personal = flagged(contribution_on(other, text="Mi DNI es 12345678"), "datos_personales")
    hidden = contribution_on(consultation, state=State.HIDDEN, hidden_reason="Insultos", text="Oculto")
    url = reverse("consultations:staff_moderation")

    def shown(**params):
        return [row.contribution.pk for row in staff.get(url, params).context["rows"]]

    assert shown(consulta=other.slug) == [personal.pk]
    assert shown(motivo="spam") == [spam.pk]
    assert shown(canal=Channel.EMAIL) == [personal.pk]
    assert shown(canal=Channel.FORUM) == [spam.pk]
    assert shown(q="dni") == [personal.pk]
    assert shown(q=citizen.display_name[:8]) == [spam.pk]
    assert shown(estado="oculto") == [hidden.pk]
    assert shown(estado="reportado") == [spam.pk, personal.pk]
    assert shown(estado="pendiente") == []
    response = staff.get(url, {"estado": "cualquiera"})
    assert "Select a valid choice" in error_summary(response.content.decode())


def test_the_queue_is_paginated(staff, consultation):
    for _ in range(51):
        contribution_on(consultation, state=State.PENDING)
    first = staff.get(reverse("consultations:staff_moderation"))
    second = staff.get(reverse("consultations:staff_moderation"), {"pagina": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert "pagina=2" in first.content.decode()


def test_the_queue_runs_the_same_queries_for_3_and_30_contributions(
    staff, consultation, citizen, django_assert_num_queries
):
    flagger = UserFactory()
    for batch in (3, 27):
        for n in range(batch):
            c = contribution_on(
                consultation,
                author=citizen if n % 2 else None,
                state=State.PENDING if n % 3 else State.VISIBLE,
            )
            Flag.objects.create(contribution=c, user=flagger, reason="spam")
        with django_assert_num_queries(7):
            response = staff.get(reverse("consultations:staff_moderation"), {"consulta": consultation.slug})
        assert response.status_code == 200


# --- Moderation actions ----------------------------------------------------------------------------
def test_hiding_from_the_queue_keeps_the_text_logs_it_and_queues_an_email(
    staff, posted, secretariat, citizen
):
    flagged(posted, "ofensivo")
    back = reverse("consultations:staff_moderation") + "?motivo=ofensivo"

    response = staff.post(
        reverse("consultations:staff_hide", args=[posted.pk]), {"ocultar-reason": TYPED, "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == back
    posted.refresh_from_db()
    assert posted.state == State.HIDDEN
    assert posted.hidden_reason == TYPED
    assert posted.text == f"Un aporte «con tildes» {SCRIPT}"  # nothing deleted
    log = ModerationAction.objects.get(action=Action.HIDE)
    assert (log.contribution, log.actor, log.reason) == (posted, secretariat, TYPED)
    assert not Flag.objects.filter(contribution=posted, reviewed=False).exists()
    email = OutboundEmail.objects.get()
    assert citizen.email in str(email.to)
    page = staff.get(back).content.decode()
    assert "The contribution was hidden" in page


def test_hiding_without_a_reason_is_refused_with_its_message(staff, posted):
    response = staff.post(reverse("consultations:staff_hide", args=[posted.pk]), {"ocultar-reason": "  "})
    assert response.status_code == 200
    assert "Give the reason: the author is told." in error_summary(response.content.decode())
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert not ModerationAction.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_refused_hide_keeps_the_typed_reason(staff, posted, secretariat):
    services.hide(contribution=posted, actor=secretariat, reason="Primera vez")
    response = staff.post(reverse("consultations:staff_hide", args=[posted.pk]), {"ocultar-reason": TYPED})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This contribution is already hidden." in error_summary(html)
    assert escape(TYPED) in html  # what was typed comes back, escaped
    assert ModerationAction.objects.filter(action=Action.HIDE).count() == 1


def test_restoring_makes_it_visible_logs_it_and_tells_the_author(staff, posted, secretariat):
    services.hide(contribution=posted, actor=secretariat, reason="Error")
    OutboundEmail.objects.all().delete()

    response = staff.post(
        reverse("consultations:staff_restore", args=[posted.pk]), {"restaurar-reason": "Revisado"}
    )

    assert response.status_code == 302
    posted.refresh_from_db()
    assert (posted.state, posted.hidden_reason) == (State.VISIBLE, "")
    assert ModerationAction.objects.get(action=Action.RESTORE).reason == "Revisado"
    assert OutboundEmail.objects.count() == 1


def test_restoring_a_visible_contribution_is_refused(staff, posted):
    response = staff.post(
        reverse("consultations:staff_restore", args=[posted.pk]), {"restaurar-reason": TYPED}
    )
    html = response.content.decode()
    assert "This contribution is not hidden." in error_summary(html)
    assert escape(TYPED) in html
    assert not ModerationAction.objects.exists()


def test_dismissing_reports_shows_a_pending_contribution_again(staff, posted, secretariat):
    flagged(posted, "spam")
    posted.state = State.PENDING
    posted.save()

    response = staff.post(reverse("consultations:staff_dismiss", args=[posted.pk]))

    assert response.status_code == 302
    posted.refresh_from_db()
    assert posted.state == State.VISIBLE
    assert not Flag.objects.filter(reviewed=False).exists()
    assert Flag.objects.count() == 1  # kept, marked reviewed
    assert ModerationAction.objects.get().action == Action.DISMISS


def test_dismissing_with_nothing_to_dismiss_says_so(staff, posted):
    response = staff.post(reverse("consultations:staff_dismiss", args=[posted.pk]))
    assert response.status_code == 200
    assert "There are no reports to dismiss." in error_summary(response.content.decode())
    assert not ModerationAction.objects.exists()


def test_blocking_the_author_refuses_their_new_posts(staff, posted, citizen, secretariat, consultation):
    response = staff.post(reverse("consultations:staff_block", args=[posted.pk]), {"bloquear-reason": TYPED})

    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.user, block.actor, block.reason, block.lifted) == (citizen, secretariat, TYPED, None)
    assert ModerationAction.objects.get().action == Action.BLOCK
    with pytest.raises(services.ValidationError):
        comment(consultation=consultation, author=citizen)
    assert Contribution.objects.filter(pk=posted.pk).exists()


def test_blocking_twice_or_without_a_reason_is_refused(staff, posted, citizen, secretariat):
    url = reverse("consultations:staff_block", args=[posted.pk])
    html = staff.post(url, {"bloquear-reason": ""}).content.decode()
    assert "Give the reason: the author is told." in error_summary(html)
    services.block(user=citizen, actor=secretariat, reason="Antes")
    html = staff.post(url, {"bloquear-reason": TYPED}).content.decode()
    assert "This person is already blocked." in error_summary(html)
    assert escape(TYPED) in html
    assert Block.objects.count() == 1


def test_a_contribution_from_another_channel_has_nobody_to_block(staff, consultation):
    by_email = contribution_on(consultation)
    assert (
        staff.post(
            reverse("consultations:staff_block", args=[by_email.pk]), {"bloquear-reason": "x"}
        ).status_code
        == 404
    )


def test_next_never_leaves_the_moderation_queue(staff, posted):
    flagged(posted, "spam")
    response = staff.post(
        reverse("consultations:staff_dismiss", args=[posted.pk]), {"next": "https://evil.example/moderacion/"}
    )
    assert response["Location"] == reverse("consultations:staff_moderation")


# --- Blocked people and the log --------------------------------------------------------------------
def test_unblocking_lifts_the_block_and_keeps_the_row(staff, citizen, secretariat):
    block = services.block(user=citizen, actor=secretariat, reason=TYPED)
    page = staff.get(reverse("consultations:staff_blocks")).content.decode()
    assert escape(TYPED) in page

    response = staff.post(reverse("consultations:staff_unblock", args=[block.pk]), follow=True)

    block.refresh_from_db()
    assert block.lifted is not None
    assert ModerationAction.objects.filter(action=Action.UNBLOCK, person=citizen).exists()
    assert "may post contributions again" in response.content.decode()
    again = staff.post(reverse("consultations:staff_unblock", args=[block.pk]), follow=True)
    assert "This person is not blocked." in again.content.decode()
    assert ModerationAction.objects.filter(action=Action.UNBLOCK).count() == 1


def test_the_log_lists_every_action_and_filters_by_action(staff, posted, citizen, secretariat):
    services.hide(contribution=posted, actor=secretariat, reason="Insulto")
    services.restore(contribution=posted, actor=secretariat, reason="Revisado")
    services.block(user=citizen, actor=secretariat, reason="Spam")
    url = reverse("consultations:staff_moderation_log")

    everything = staff.get(url)
    only_hides = staff.get(url, {"accion": Action.HIDE})

    assert [a.action for a in everything.context["page"].object_list] == [
        Action.BLOCK,
        Action.RESTORE,
        Action.HIDE,
    ]
    assert [a.action for a in only_hides.context["page"].object_list] == [Action.HIDE]
    html = main_of(everything.content.decode())
    assert "Person blocked" in html
    assert "Insulto" in html
    assert "<caption>" in html
    assert 'scope="col"' in html


def test_the_log_and_the_blocks_run_the_same_queries_for_3_and_30_rows(
    staff, consultation, secretariat, django_assert_num_queries
):
    for batch in (3, 27):
        for _ in range(batch):
            person = UserFactory()
            services.block(user=person, actor=secretariat, reason="Spam")
            services.unblock(user=person, actor=secretariat)
            services.block(user=person, actor=secretariat, reason="Otra vez")
            c = contribution_on(consultation)
            services.hide(contribution=c, actor=secretariat, reason="Fuera de tema")
        with django_assert_num_queries(5):
            assert staff.get(reverse("consultations:staff_moderation_log")).status_code == 200
        with django_assert_num_queries(6):
            assert staff.get(reverse("consultations:staff_blocks")).status_code == 200


def test_the_contribution_page_shows_its_history(staff, posted, secretariat):
    services.hide(contribution=posted, actor=secretariat, reason="Insulto grave")
    html = staff.get(reverse("consultations:staff_contribution", args=[posted.pk])).content.decode()
    assert "Insulto grave" in html
    assert "Hidden by moderation" in html
    assert posted.text not in html  # shown escaped, never raw
    assert "&lt;script&gt;" in html
