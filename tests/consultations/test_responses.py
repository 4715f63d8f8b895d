"""consultations/responses.py: a reasoned response to every contribution, written, rewritten while
unpublished, given in bulk all or nothing, and published one by one or all at once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from commitments.models import Version
from consultations import responses
from consultations.models import Consultation, Contribution, Disposition, Response, ResponseTemplate
from paga.models import Channel
from tests.commitments.factories import SCRIPT, CommitmentFactory, PlanFactory, current_plan

D = Disposition
_serial = iter(range(1, 1_000_000))


def make_consultation(*, publication=Consultation.Publication.AT_ONCE, **kw) -> Consultation:
    """A consultation on one proposal, open now. Written with the ORM: these tests are about responses."""
    n = next(_serial)
    now = timezone.now()
    consultation = Consultation.objects.create(
        plan=current_plan(),
        slug=f"consulta-respuestas-{n}",
        title=f"Foro «Participación» {SCRIPT} n.º {n}",
        kind=Consultation.Kind.ITEMS,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        publication=publication,
        **kw,
    )
    consultation.items.add(CommitmentFactory())
    return consultation


def contribution(consultation: Consultation, *, author=None, **kw) -> Contribution:
    """A forum comment by `author`, or a contribution by email when there is none."""
    kw.setdefault("commitment", consultation.items.first())
    kw.setdefault("text", f"Aporte «ñandú» {SCRIPT} n.º {next(_serial)}")
    if author is None:
        kw.setdefault("given_name", "Colectivo «Áncash» (correo)")
        kw.setdefault("channel", Channel.EMAIL)
    return Contribution.objects.create(consultation=consultation, author=author, **kw)


def version_of(consultation: Consultation) -> Version:
    return consultation.items.first().versions.get(number=1)


@pytest.fixture
def consultation(db) -> Consultation:
    return make_consultation()


@pytest.fixture
def immediate(db) -> Consultation:
    return make_consultation(publication=Consultation.Publication.IMMEDIATE)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in their English source (the Spanish translation comes later)."""
    with translation.override("en"):
        yield


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Each disposition's requirements ---------------------------------------------------------------
def test_incorporated_needs_no_reason_but_a_commitment_version(consultation, secretariat):
    aporte = contribution(consultation)

    with pytest.raises(ValidationError, match="version") as excinfo:
        responses.respond(contribution=aporte, actor=secretariat, disposition=D.INCORPORATED)
    assert excinfo.value.code == "commitment_version"
    response = responses.respond(
        contribution=aporte,
        actor=secretariat,
        disposition=D.INCORPORATED,
        commitment_version=version_of(consultation),
    )

    assert (response.disposition, response.reason, response.author) == (D.INCORPORATED, "", secretariat)
    assert response.commitment_version == version_of(consultation)


def test_partially_incorporated_needs_a_reason_and_a_commitment_version(consultation, secretariat):
    aporte = contribution(consultation)

    with pytest.raises(ValidationError) as excinfo:
        responses.respond(
            contribution=aporte,
            actor=secretariat,
            disposition=D.PARTIAL,
            commitment_version=version_of(consultation),
        )
    assert excinfo.value.code == "reason"
    with pytest.raises(ValidationError) as excinfo:
        responses.respond(contribution=aporte, actor=secretariat, disposition=D.PARTIAL, reason="En parte.")
    assert excinfo.value.code == "commitment_version"
    response = responses.respond(
        contribution=aporte,
        actor=secretariat,
        disposition=D.PARTIAL,
        reason="  Se incorporó el primer hito.  ",
        commitment_version=version_of(consultation),
    )

    assert response.reason == "Se incorporó el primer hito."


@pytest.mark.parametrize("disposition", [D.NOT_INCORPORATED, D.OUT_OF_SCOPE, D.DUPLICATE, D.PARTIAL])
@pytest.mark.parametrize("reason", ["", "   "])
def test_every_disposition_but_incorporated_refuses_a_missing_reason(
    consultation, secretariat, disposition, reason
):
    aporte = contribution(consultation)

    with pytest.raises(ValidationError, match="reason") as excinfo:
        responses.respond(contribution=aporte, actor=secretariat, disposition=disposition, reason=reason)

    assert excinfo.value.code == "reason"
    assert not Response.objects.exists()


@pytest.mark.parametrize("disposition", [D.NOT_INCORPORATED, D.OUT_OF_SCOPE])
def test_not_incorporated_and_out_of_scope_need_only_a_reason(consultation, secretariat, disposition):
    aporte = contribution(consultation)

    response = responses.respond(
        contribution=aporte, actor=secretariat, disposition=disposition, reason="No corresponde al plan."
    )

    assert (response.disposition, response.commitment_version, response.duplicate_of) == (
        disposition,
        None,
        None,
    )


def test_only_incorporated_or_partial_links_to_a_commitment_version(consultation, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        responses.respond(
            contribution=contribution(consultation),
            actor=secretariat,
            disposition=D.NOT_INCORPORATED,
            reason="No corresponde.",
            commitment_version=version_of(consultation),
        )

    assert excinfo.value.code == "commitment_version"


def test_an_unknown_disposition_is_refused(consultation, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        responses.respond(
            contribution=contribution(consultation), actor=secretariat, disposition="quizas", reason="x"
        )

    assert excinfo.value.code == "disposition"


def test_duplicate_needs_the_contribution_it_duplicates(consultation, secretariat):
    first, second = contribution(consultation), contribution(consultation)

    with pytest.raises(ValidationError) as excinfo:
        responses.respond(contribution=second, actor=secretariat, disposition=D.DUPLICATE, reason="Igual.")
    assert excinfo.value.code == "duplicate_of"
    response = responses.respond(
        contribution=second,
        actor=secretariat,
        disposition=D.DUPLICATE,
        reason="Igual al anterior.",
        duplicate_of=first,
    )

    assert response.duplicate_of == first


def test_a_contribution_cannot_duplicate_itself(consultation, secretariat):
    aporte = contribution(consultation)

    with pytest.raises(ValidationError, match="itself"):
        responses.respond(
            contribution=aporte,
            actor=secretariat,
            disposition=D.DUPLICATE,
            reason="Igual.",
            duplicate_of=aporte,
        )


def test_a_commitment_version_of_another_plan_is_refused(consultation, secretariat):
    other_plan = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    foreign = CommitmentFactory(plan=other_plan).versions.get(number=1)

    with pytest.raises(ValidationError, match="plan of this consultation"):
        responses.respond(
            contribution=contribution(consultation),
            actor=secretariat,
            disposition=D.INCORPORATED,
            commitment_version=foreign,
        )


def test_a_contribution_duplicates_only_one_of_the_same_consultation(consultation, secretariat):
    elsewhere = contribution(make_consultation())

    with pytest.raises(ValidationError, match="same consultation"):
        responses.respond(
            contribution=contribution(consultation),
            actor=secretariat,
            disposition=D.DUPLICATE,
            reason="Igual.",
            duplicate_of=elsewhere,
        )


def test_only_a_duplicate_links_to_another_contribution(consultation, secretariat):
    first = contribution(consultation)

    with pytest.raises(ValidationError) as excinfo:
        responses.respond(
            contribution=contribution(consultation),
            actor=secretariat,
            disposition=D.OUT_OF_SCOPE,
            reason="Fuera.",
            duplicate_of=first,
        )

    assert excinfo.value.code == "duplicate_of"


# --- One response per contribution: rewritten while unpublished, final once published --------------
def test_answering_again_before_publication_updates_the_same_response(
    consultation, secretariat, administrator
):
    aporte = contribution(consultation)
    first = responses.respond(
        contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
    )

    second = responses.respond(
        contribution=aporte, actor=administrator, disposition=D.NOT_INCORPORATED, reason="No se incorpora."
    )

    assert second.pk == first.pk
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert (response.disposition, response.reason, response.author) == (
        D.NOT_INCORPORATED,
        "No se incorpora.",
        administrator,
    )
    assert response.published_at is None


def test_a_published_response_cannot_be_changed(consultation, secretariat):
    aporte = contribution(consultation)
    responses.respond(contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)

    with pytest.raises(ValidationError, match="already published") as excinfo:
        responses.respond(
            contribution=aporte, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="Otro."
        )

    assert excinfo.value.code == "published"
    response = Response.objects.get()
    assert (response.disposition, response.reason) == (D.OUT_OF_SCOPE, "Fuera.")


def test_an_at_once_consultation_keeps_responses_unpublished_until_it_publishes(consultation, secretariat):
    response = responses.respond(
        contribution=contribution(consultation),
        actor=secretariat,
        disposition=D.OUT_OF_SCOPE,
        reason="Fuera.",
    )

    assert response.published_at is None
    assert consultation.responses_published_at is None


def test_an_immediate_consultation_publishes_each_response_as_it_is_written(immediate, secretariat):
    aporte = contribution(immediate)
    before = timezone.now()

    response = responses.respond(
        contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
    )

    assert response.published_at is not None
    assert before <= response.published_at <= timezone.now()
    with pytest.raises(ValidationError, match="already published"):
        responses.respond(
            contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Otra razón."
        )


def test_publishing_at_once_sets_the_same_moment_on_every_unpublished_response(consultation, secretariat):
    aportes = [contribution(consultation) for _ in range(3)]
    other = make_consultation()
    elsewhere = responses.respond(
        contribution=contribution(other), actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
    )
    responses.respond_many(
        contributions=aportes, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="No se incorpora."
    )

    count = responses.publish_responses(consultation=consultation, actor=secretariat)

    consultation.refresh_from_db()
    moments = set(Response.objects.filter(contribution__in=aportes).values_list("published_at", flat=True))
    assert count == 3
    assert moments == {consultation.responses_published_at}
    assert consultation.responses_published_at is not None
    elsewhere.refresh_from_db()
    assert elsewhere.published_at is None
    assert responses.publish_responses(consultation=consultation, actor=secretariat) == 0
    consultation.refresh_from_db()
    assert consultation.responses_published_at == moments.pop()


# --- In bulk, all or nothing ------------------------------------------------------------------------
def test_respond_many_gives_the_same_response_to_every_selected_contribution(consultation, secretariat):
    aportes = [contribution(consultation), contribution(consultation, channel=Channel.PAPER)]

    result = responses.respond_many(
        contributions=aportes,
        actor=secretariat,
        disposition=D.PARTIAL,
        reason="Se recoge en parte.",
        commitment_version=version_of(consultation),
    )

    assert [r.contribution_id for r in result] == [a.pk for a in aportes]
    assert {(r.disposition, r.reason, r.commitment_version_id) for r in Response.objects.all()} == {
        (D.PARTIAL, "Se recoge en parte.", version_of(consultation).pk)
    }


def test_respond_many_saves_nothing_when_one_contribution_cannot_take_the_response(consultation, secretariat):
    published = contribution(consultation)
    responses.respond(contribution=published, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)
    fresh = [contribution(consultation), contribution(consultation)]

    with pytest.raises(ValidationError, match=f"Contribution {published.pk}") as excinfo:
        responses.respond_many(
            contributions=[fresh[0], published, fresh[1]],
            actor=secretariat,
            disposition=D.NOT_INCORPORATED,
            reason="No se incorpora.",
        )

    assert "Nothing was saved" in messages(excinfo)
    assert Response.objects.count() == 1
    assert Response.objects.get().disposition == D.OUT_OF_SCOPE


def test_respond_many_refuses_an_empty_selection(consultation, secretariat):
    with pytest.raises(ValidationError, match="at least one"):
        responses.respond_many(
            contributions=[], actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
        )


def test_respond_many_answers_a_contribution_selected_twice_once(immediate, secretariat):
    aporte = contribution(immediate)

    result = responses.respond_many(
        contributions=[aporte, aporte], actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
    )

    assert len(result) == 1
    assert Response.objects.count() == 1


# --- Who may answer ---------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_only_the_secretariat_answers_and_publishes(consultation, request, role):
    actor = request.getfixturevalue(role)
    aporte = contribution(consultation, author=actor)

    with pytest.raises(PermissionDenied):
        responses.respond(contribution=aporte, actor=actor, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    with pytest.raises(PermissionDenied):
        responses.respond_many(
            contributions=[aporte], actor=actor, disposition=D.OUT_OF_SCOPE, reason="Fuera."
        )
    with pytest.raises(PermissionDenied):
        responses.publish_responses(consultation=consultation, actor=actor)

    assert not Response.objects.exists()
    consultation.refresh_from_db()
    assert consultation.responses_published_at is None


def test_a_template_gives_a_form_its_disposition_and_reason(db):
    template = ResponseTemplate.objects.create(
        title="Fuera del plan", disposition=D.OUT_OF_SCOPE, text="No corresponde a gobierno abierto."
    )

    assert responses.apply_template(template) == {
        "disposition": D.OUT_OF_SCOPE,
        "reason": "No corresponde a gobierno abierto.",
    }
