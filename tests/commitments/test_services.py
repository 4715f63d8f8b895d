"""commitments/services.py on the real database: each change of state leaves its audit row, each refusal
leaves nothing behind."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from commitments import services
from commitments.models import (
    Commitment,
    LineageKind,
    LineageLink,
    Review,
    Score,
    Status,
    Transition,
    Version,
)
from commitments.services import Part, StaleEdit
from tests.commitments.factories import (
    CommitmentFactory,
    MilestoneFactory,
    commitment_in_review,
    complete_commitment,
    ministry,
    text,
)

S = Status
D = datetime.date
pytestmark = pytest.mark.django_db
REASON = "Acordado en la mesa nacional «Ambiente» <script>alert(1)</script>"


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the source language)."""
    with translation.override("en"):
        yield


def last_transition(commitment: Commitment) -> Transition | None:
    return Transition.objects.filter(commitment=commitment).order_by("-pk").first()


def assert_transition(commitment: Commitment, old: str, new: str, actor, reason: str) -> None:
    row = last_transition(commitment)
    assert (row.from_status, row.to_status, row.actor, row.reason) == (old, new, actor, reason)


def reload(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


# --- Every allowed transition -------------------------------------------------------------------------
# (from, to) -> the service that makes the move.
ROUTES = {
    (S.PROPOSED, S.IN_CONSULTATION): "transition",
    (S.IN_CONSULTATION, S.AGREED): "transition",
    (S.PROPOSED, S.WITHDRAWN): "transition",
    (S.IN_CONSULTATION, S.WITHDRAWN): "transition",
    (S.AGREED, S.WITHDRAWN): "transition",
    (S.PROPOSED, S.MERGED): "merge",
    (S.IN_CONSULTATION, S.MERGED): "merge",
    (S.AGREED, S.MERGED): "merge",
    (S.PROPOSED, S.SPLIT): "split",
    (S.IN_CONSULTATION, S.SPLIT): "split",
    (S.AGREED, S.SPLIT): "split",
    (S.AGREED, S.IN_REVIEW): "assign_review",
    (S.IN_REVIEW, S.CHANGES_REQUESTED): "request_changes",
    (S.CHANGES_REQUESTED, S.IN_REVIEW): "resubmit",
    (S.IN_REVIEW, S.APPROVED): "approve",
    (S.APPROVED, S.INCLUDED): "transition",
}


def commitment_at(status: str, *, secretariat, reviewer) -> Commitment:
    """A complete MINAM commitment in `status`, brought there by the services when review is involved."""
    if status not in (S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED):
        return complete_commitment(status=status)
    commitment = commitment_in_review(assigned_by=secretariat)
    if status != S.IN_REVIEW:
        services.decide_review(
            commitment=commitment, actor=reviewer, approve=status == S.APPROVED, reason="Falta el presupuesto"
        )
    return reload(commitment)


def test_every_transition_of_the_table_is_tested():
    assert set(ROUTES) == set(services.TRANSITIONS)


@pytest.mark.parametrize(("old", "new"), list(ROUTES), ids=[f"{a}->{b}" for a, b in ROUTES])
def test_allowed_transition_changes_the_status_and_records_who_and_why(old, new, secretariat, reviewer):
    commitment = commitment_at(old, secretariat=secretariat, reviewer=reviewer)
    route = ROUTES[(old, new)]
    actor = reviewer if route in ("approve", "request_changes") else secretariat
    if route == "transition":
        services.commitment_transition(commitment=commitment, to=new, actor=actor, reason=REASON)
    elif route == "merge":
        target = complete_commitment(status=S.AGREED)
        services.merge(sources=[commitment], target=target, actor=actor, reason=REASON)
    elif route == "split":
        services.split(source=commitment, parts=[Part("Parte A", ""), Part("Parte B", "")], actor=actor,
                       reason=REASON)  # fmt: skip
    elif route == "assign_review":
        services.assign_review(commitment=commitment, actor=actor, reason=REASON)
    elif route == "resubmit":
        services.resubmit(commitment=commitment, actor=actor, reason=REASON)
    else:
        services.decide_review(commitment=commitment, actor=actor, approve=route == "approve", reason=REASON)

    assert reload(commitment).status == new
    assert_transition(commitment, old, new, actor, REASON)


# --- Refused transitions --------------------------------------------------------------------------------
REFUSED = [(S.PROPOSED, S.APPROVED), (S.APPROVED, S.PROPOSED), (S.PROPOSED, S.INCLUDED)] + [
    (S.INCLUDED, to) for to in S.values if to != S.INCLUDED
]


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_transition_outside_the_table_is_refused_in_words_and_writes_nothing(old, new, administrator):
    commitment = complete_commitment(status=old)

    with pytest.raises(ValidationError) as refused:
        services.commitment_transition(commitment=commitment, to=new, actor=administrator, reason=REASON)

    assert refused.value.code == "transition"
    assert refused.value.messages == [f"A commitment in “{S(old).label}” cannot move to “{S(new).label}”."]
    assert reload(commitment).status == old
    assert not Transition.objects.filter(commitment=commitment).exists()


def test_citizen_may_not_open_a_consultation(citizen):
    commitment = complete_commitment(status=S.PROPOSED)

    with pytest.raises(PermissionDenied):
        services.commitment_transition(commitment=commitment, to=S.IN_CONSULTATION, actor=citizen)

    assert reload(commitment).status == S.PROPOSED
    assert not Transition.objects.exists()


def test_ministry_reviewer_may_not_agree_or_assign_review(reviewer):
    consultation = complete_commitment(status=S.IN_CONSULTATION)
    agreed = complete_commitment(status=S.AGREED)

    with pytest.raises(PermissionDenied):
        services.commitment_transition(commitment=consultation, to=S.AGREED, actor=reviewer)
    with pytest.raises(PermissionDenied):
        services.assign_review(commitment=agreed, actor=reviewer)

    assert not Transition.objects.exists()
    assert not Review.objects.exists()


def test_reviewer_of_another_entity_may_not_decide_the_review(secretariat, other_reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)  # led by MINAM; other_reviewer is MTC
    before = Transition.objects.count()

    for approve in (True, False):
        with pytest.raises(PermissionDenied):
            services.decide_review(
                commitment=commitment, actor=other_reviewer, approve=approve, reason=REASON
            )

    assert reload(commitment).status == S.IN_REVIEW
    assert Transition.objects.count() == before
    assert Review.objects.get(commitment=commitment).decision == ""


def test_citizen_may_not_merge_split_edit_score_or_note(citizen):
    source, target = CommitmentFactory.create_batch(2, status=S.IN_CONSULTATION)

    with pytest.raises(PermissionDenied):
        services.merge(sources=[source], target=target, actor=citizen, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.split(source=source, parts=[Part("A", ""), Part("B", "")], actor=citizen, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.commitment_update(commitment=source, actor=citizen, reason=REASON, revision=1,
                                   fields={"title": "Otro"})  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.score(commitment=source, actor=citizen, criterion="valores", value=3)
    with pytest.raises(PermissionDenied):
        services.add_note(commitment=source, actor=citizen, text="Nota")

    assert reload(source).status == S.IN_CONSULTATION
    assert reload(source).title == source.title
    assert not Transition.objects.exists()
    assert not LineageLink.objects.exists()
    assert not Score.objects.exists()


# --- Reasons required -----------------------------------------------------------------------------------
def test_withdrawal_needs_a_reason(secretariat):
    commitment = complete_commitment(status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError) as refused:
        services.commitment_transition(commitment=commitment, to=S.WITHDRAWN, actor=secretariat, reason="  ")

    assert refused.value.message_dict == {"reason": ["Give the reason for this decision."]}
    assert reload(commitment).status == S.IN_CONSULTATION
    assert not Transition.objects.exists()


def test_merge_needs_a_reason(secretariat):
    source, target = CommitmentFactory.create_batch(2, status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError) as refused:
        services.merge(sources=[source], target=target, actor=secretariat, reason="")

    assert refused.value.message_dict == {"reason": ["Give the reason for the merge."]}
    assert reload(source).status == S.IN_CONSULTATION
    assert not Transition.objects.exists()
    assert not LineageLink.objects.exists()


def test_split_needs_a_reason(secretariat):
    source = CommitmentFactory(status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError) as refused:
        services.split(
            source=source, parts=[Part("A", "uno"), Part("B", "dos")], actor=secretariat, reason=""
        )

    assert refused.value.message_dict == {"reason": ["Give the reason for the split."]}
    assert reload(source).status == S.IN_CONSULTATION
    assert Commitment.objects.count() == 1
    assert not Transition.objects.exists()


def test_requesting_changes_needs_a_reason(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    before = Transition.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.decide_review(commitment=commitment, actor=reviewer, approve=False, reason=" ")

    assert refused.value.message_dict == {"reason": ["Give the reason for this decision."]}
    assert reload(commitment).status == S.IN_REVIEW
    assert Transition.objects.count() == before
    assert Review.objects.get(commitment=commitment).decision == ""


# --- What the template lacks ----------------------------------------------------------------------------
def test_complete_commitment_lacks_nothing():
    assert services.missing_items(complete_commitment()) == []


def test_missing_items_lists_an_empty_template_item_by_item():
    commitment = CommitmentFactory(problem="", description=" ", how_it_helps="")

    assert services.missing_items(commitment) == [
        "A lead entity is missing.",
        "The template does not say the problem.",
        "The template does not say what the commitment is.",
        "The template does not say how it will help.",
        "Tick at least one of transparency, citizen participation or accountability "
        "(technology and innovation counts only on top of one of them).",
        "Add at least one milestone (a verifiable product or activity).",
    ]


PERIOD = "Milestone 1 must fall inside the plan period (2017 to 2019)."
CASES = {
    "only technology ticked": (
        {"values": {"tecnologia": "Usa datos abiertos"}},
        {},
        "Tick at least one of transparency, citizen participation or accountability "
        "(technology and innovation counts only on top of one of them).",
    ),
    "value ticked without justification": (
        {"values": {"transparencia": "ok", "participacion": "  "}},
        {},
        "Say why the commitment is relevant to “Participación ciudadana”.",
    ),
    "milestone without responsible": ({}, {"responsible": None}, "Milestone 1 has no responsible entity."),
    "start after due": (
        {},
        {"start_date": D(2018, 6, 1), "due_date": D(2018, 1, 31)},
        "Milestone 1 starts after it is due.",
    ),
    "starts before 2017": ({}, {"start_date": D(2016, 12, 1), "due_date": D(2017, 3, 1)}, PERIOD),
    "due after 2019": ({}, {"start_date": D(2019, 6, 1), "due_date": D(2020, 1, 1)}, PERIOD),
    "milestone without dates": ({}, {"start_date": None}, "Milestone 1 needs a start date and a due date."),
    "no milestone": ({}, None, "Add at least one milestone (a verifiable product or activity)."),
    "no lead entity": ({"lead_entity": None}, {"responsible": ministry}, "A lead entity is missing."),
}


@pytest.mark.parametrize(("commitment_kw", "milestone_kw", "problem"), CASES.values(), ids=CASES)
def test_missing_items_names_each_problem(commitment_kw, milestone_kw, problem):
    commitment = complete_commitment(**{"milestones": 0, **commitment_kw})
    if milestone_kw is not None:
        kw = {k: (v() if callable(v) else v) for k, v in milestone_kw.items()}
        MilestoneFactory(commitment=commitment, **kw)

    assert services.missing_items(commitment) == [problem]


def test_incomplete_commitment_can_be_saved_but_not_sent_to_review(secretariat):
    commitment = CommitmentFactory(status=S.AGREED)  # no lead entity, no value, no milestone

    saved = services.commitment_update(
        commitment=commitment, actor=secretariat, reason="Borrador", revision=commitment.revision,
        fields={"title": "Compromiso aún incompleto"},
    )  # fmt: skip
    assert saved.title == "Compromiso aún incompleto"

    with pytest.raises(ValidationError) as refused:
        services.assign_review(commitment=saved, actor=secretariat, reason=REASON)

    assert refused.value.messages == services.missing_items(saved)
    assert {error.code for error in refused.value.error_list} == {"incomplete"}
    assert len(refused.value.messages) == 3  # lead entity, values, milestone
    assert reload(commitment).status == S.AGREED
    assert not Review.objects.exists()
    assert not Transition.objects.exists()


def test_approval_also_needs_a_complete_template(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    commitment.milestones.update(responsible=None)  # broken while in review

    with pytest.raises(ValidationError) as refused:
        services.decide_review(commitment=commitment, actor=reviewer, approve=True)

    assert refused.value.messages == ["Milestone 1 has no responsible entity."]
    assert reload(commitment).status == S.IN_REVIEW


# --- Edits and versions ---------------------------------------------------------------------------------
def test_edit_writes_the_next_version_with_author_reason_and_snapshot(secretariat):
    commitment = complete_commitment(status=S.IN_CONSULTATION)
    mtc = ministry("MTC")
    assert list(commitment.versions.values_list("number", flat=True)) == [1]

    updated = services.commitment_update(
        commitment=commitment,
        actor=secretariat,
        reason="Redacción de la mesa «Ambiente»",
        revision=1,
        fields={"title": "Vigilancia ciudadana del agua", "problem": text("Nueva problemática"),
                "lead_entity": mtc},
        values={"participacion": "Abre el grupo de trabajo a la sociedad civil"},
        milestones=[{"description": "Mesa instalada", "responsible": mtc, "start_date": D(2018, 2, 1),
                     "due_date": D(2018, 12, 31)}],
    )  # fmt: skip

    assert updated.revision == 2
    version = commitment.versions.get(number=2)
    assert (version.author, version.reason) == (secretariat, "Redacción de la mesa «Ambiente»")
    assert version.data["title"] == "Vigilancia ciudadana del agua"
    assert version.data["problem"] == text("Nueva problemática")
    assert version.data["lead_entity"] == str(mtc)
    assert [r["value"] for r in version.data["relevances"]] == ["participacion"]
    assert version.data["milestones"] == [
        {"description": "Mesa instalada", "responsible": str(mtc), "start_date": "2018-02-01",
         "due_date": "2018-12-31", "status": "programado"},
    ]  # fmt: skip
    assert commitment.versions.get(number=1).data["title"] == commitment.title  # the old one is kept
    assert updated.slug == commitment.slug  # public links stay valid when the title is reworded


def test_stale_edit_is_refused_and_changes_nothing(secretariat, administrator):
    commitment = complete_commitment(status=S.IN_CONSULTATION)
    loaded = commitment.revision
    services.commitment_update(commitment=commitment, actor=administrator, reason="Primero", revision=loaded,
                               fields={"title": "Título del primero"})  # fmt: skip

    with pytest.raises(StaleEdit) as refused:
        services.commitment_update(commitment=commitment, actor=secretariat, reason="Segundo",
                                   revision=loaded, fields={"title": "Título del segundo"},
                                   values={}, milestones=[])  # fmt: skip

    assert refused.value.code == "stale"
    assert refused.value.commitment.title == "Título del primero"  # to compare with
    now = reload(commitment)
    assert (now.title, now.revision) == ("Título del primero", loaded + 1)
    assert now.versions.count() == 2
    assert now.relevances.count() == 1
    assert now.milestones.count() == 1


def test_edit_needs_a_reason(secretariat):
    commitment = complete_commitment(status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, actor=secretariat, reason=" ", revision=1,
                                   fields={"title": "Otro"})  # fmt: skip

    assert "reason" in refused.value.message_dict
    assert reload(commitment).title == commitment.title
    assert commitment.versions.count() == 1


@pytest.mark.parametrize("status", [S.APPROVED, S.INCLUDED, S.MERGED, S.WITHDRAWN, S.SPLIT])
def test_text_is_frozen_once_signed_off_or_closed_even_for_a_superuser(status, administrator):
    commitment = complete_commitment(status=status)

    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, actor=administrator, reason="Retoque",
                                   revision=commitment.revision, fields={"title": "Otro"})  # fmt: skip

    assert refused.value.code == "frozen"
    assert reload(commitment).title == commitment.title
    assert commitment.versions.count() == 1


def test_ministry_edits_review_fields_while_in_review(secretariat, reviewer, other_reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    perm = "commitments.change_review_fields"

    with pytest.raises(PermissionDenied):
        services.commitment_update(commitment=commitment, actor=other_reviewer, reason="x", perm=perm,
                                   revision=commitment.revision, fields={"contact_name": "Otra"})  # fmt: skip
    with pytest.raises(PermissionDenied):  # the Secretaría's own edit is closed during review
        services.commitment_update(commitment=commitment, actor=secretariat, reason="x",
                                   revision=commitment.revision, fields={"contact_name": "Otra"})  # fmt: skip
    updated = services.commitment_update(
        commitment=commitment, actor=reviewer, reason="Punto de contacto", perm=perm,
        revision=commitment.revision, fields={"contact_name": "Lucía Ñahui"},
    )  # fmt: skip

    assert updated.contact_name == "Lucía Ñahui"
    assert updated.versions.order_by("-number").first().author == reviewer


# --- Lineage ----------------------------------------------------------------------------------------------
def test_merge_marks_sources_merged_links_them_and_keeps_the_reason(secretariat):
    first, second = CommitmentFactory.create_batch(2, status=S.IN_CONSULTATION)
    target = CommitmentFactory(status=S.IN_CONSULTATION)

    services.merge(sources=[first, second], target=target, actor=secretariat, reason=REASON)

    for source in (first, second):
        assert reload(source).status == S.MERGED
        assert_transition(source, S.IN_CONSULTATION, S.MERGED, secretariat, REASON)
        link = LineageLink.objects.get(source=source)
        assert (link.target, link.kind, link.reason, link.actor) == (target, LineageKind.MERGE, REASON,
                                                                     secretariat)  # fmt: skip
    assert reload(target).status == S.IN_CONSULTATION
    assert set(services.ancestors(target)) == {first, second}


def test_ancestors_go_through_two_levels_of_merges(secretariat):
    a, b, c, d = CommitmentFactory.create_batch(4, status=S.IN_CONSULTATION)
    services.merge(sources=[a, b], target=c, actor=secretariat, reason="Mesa temática")
    services.merge(sources=[c], target=d, actor=secretariat, reason="Mesa nacional")

    assert set(services.ancestors(d)) == {a, b, c}
    assert set(services.ancestors(c)) == {a, b}
    assert services.ancestors(a) == []


def test_ancestors_follow_a_split_and_then_a_merge(secretariat):
    source = CommitmentFactory(status=S.IN_CONSULTATION)
    left, right = services.split(source=source, parts=[Part("A", ""), Part("B", "")], actor=secretariat,
                                 reason="Dos temas")  # fmt: skip
    other = CommitmentFactory(status=S.IN_CONSULTATION)
    services.merge(sources=[left, other], target=right, actor=secretariat, reason="Se juntan")

    assert set(services.ancestors(right)) == {source, left, other}


def test_merge_refuses_the_target_among_its_sources_or_no_source(secretariat):
    a, b = CommitmentFactory.create_batch(2, status=S.IN_CONSULTATION)

    for sources in ([a, b], []):
        with pytest.raises(ValidationError):
            services.merge(sources=sources, target=b, actor=secretariat, reason=REASON)

    assert not LineageLink.objects.exists()
    assert not Transition.objects.exists()


def test_split_makes_children_that_copy_the_text_and_marks_the_source_split(secretariat):
    values = {"transparencia": "Publica datos", "tecnologia": "Con datos abiertos"}
    source = complete_commitment(status=S.IN_CONSULTATION, values=values)

    children = services.split(
        source=source, actor=secretariat, reason=REASON,
        parts=[Part("Repositorio de estudios «saneamiento»", "Parte de datos"),
               Part("Vigilancia del agua", "")],
    )  # fmt: skip

    assert reload(source).status == S.SPLIT
    assert_transition(source, S.IN_CONSULTATION, S.SPLIT, secretariat, REASON)
    assert [c.title for c in children] == ["Repositorio de estudios «saneamiento»", "Vigilancia del agua"]
    for child, reason in zip(children, ["Parte de datos", REASON], strict=True):
        child = reload(child)
        assert child.status == S.IN_CONSULTATION
        for field in ("problem", "description", "how_it_helps", "lead_entity_id", "start_date", "end_date"):
            assert getattr(child, field) == getattr(source, field)
        assert {r.value.code: r.justification for r in child.relevances.all()} == values
        link = LineageLink.objects.get(target=child)
        assert (link.source, link.kind, link.reason) == (source, LineageKind.SPLIT, reason)
        assert child.versions.get().author == secretariat
        assert services.ancestors(child) == [source]


def test_split_needs_two_parts(secretariat):
    source = CommitmentFactory(status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError):
        services.split(source=source, parts=[Part("Única", "")], actor=secretariat, reason=REASON)

    assert reload(source).status == S.IN_CONSULTATION
    assert Commitment.objects.count() == 1


# --- Ministry review ----------------------------------------------------------------------------------
def test_assign_review_opens_one_review_for_the_lead_entity(secretariat):
    commitment = commitment_in_review(assigned_by=secretariat, reason=REASON)

    review = Review.objects.get(commitment=commitment)
    assert (review.entity, review.assigned_by, review.decision) == (ministry("MINAM"), secretariat, "")
    assert_transition(commitment, S.AGREED, S.IN_REVIEW, secretariat, REASON)


def test_ministry_signs_off_and_the_decision_is_recorded(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)

    review = services.decide_review(commitment=commitment, actor=reviewer, approve=True, reason="Conforme")

    review.refresh_from_db()
    assert (review.decision, review.decided_by, review.reason) == (Review.Decision.APPROVED, reviewer,
                                                                    "Conforme")  # fmt: skip
    assert review.decided is not None
    assert reload(commitment).status == S.APPROVED
    assert_transition(commitment, S.IN_REVIEW, S.APPROVED, reviewer, "Conforme")


def test_ministry_asks_for_changes_and_resubmission_opens_a_new_review(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)

    review = services.decide_review(commitment=commitment, actor=reviewer, approve=False, reason="Sin fechas")

    review.refresh_from_db()
    assert (review.decision, review.decided_by, review.reason) == (Review.Decision.CHANGES, reviewer,
                                                                    "Sin fechas")  # fmt: skip
    assert reload(commitment).status == S.CHANGES_REQUESTED

    again = services.resubmit(commitment=commitment, actor=secretariat, reason="Fechas añadidas")

    assert reload(commitment).status == S.IN_REVIEW
    assert again.decision == ""
    assert Review.objects.filter(commitment=commitment).count() == 2


def test_a_decided_review_cannot_be_decided_again(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    services.decide_review(commitment=commitment, actor=reviewer, approve=True)
    before = Transition.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.decide_review(commitment=commitment, actor=reviewer, approve=False, reason="Tarde")

    assert refused.value.code == "decided"
    assert Transition.objects.count() == before
    assert reload(commitment).status == S.APPROVED


def test_notes_are_added_by_the_lead_entity_and_the_secretariat_only(secretariat, reviewer, other_reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)

    note = services.add_note(commitment=commitment, actor=reviewer, text="Revisar «presupuesto» <script>")
    services.add_note(commitment=commitment, actor=secretariat, text="De acuerdo")
    with pytest.raises(PermissionDenied):
        services.add_note(commitment=commitment, actor=other_reviewer, text="Nota ajena")
    with pytest.raises(ValidationError):
        services.add_note(commitment=commitment, actor=reviewer, text="  ")

    assert note.entity == ministry("MINAM")
    assert commitment.notes.count() == 2


# --- Scores ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, 1, 2, 3])
def test_score_from_zero_to_three_is_saved(value, secretariat):
    commitment = CommitmentFactory(status=S.IN_CONSULTATION)

    services.score(commitment=commitment, actor=secretariat, criterion="valores", value=value, note="Por qué")

    row = Score.objects.get(commitment=commitment, criterion="valores")
    assert (row.value, row.note, row.scorer) == (value, "Por qué", secretariat)


@pytest.mark.parametrize("value", [4, -1])
def test_score_outside_zero_to_three_is_refused(value, secretariat):
    commitment = CommitmentFactory(status=S.IN_CONSULTATION)

    with pytest.raises(ValidationError) as refused:
        services.score(commitment=commitment, actor=secretariat, criterion="valores", value=value)

    assert refused.value.message_dict == {"value": ["A score goes from 0 to 3."]}
    assert not Score.objects.exists()


def test_rescoring_replaces_the_score(secretariat):
    commitment = CommitmentFactory(status=S.IN_CONSULTATION)
    services.score(commitment=commitment, actor=secretariat, criterion="ods", value=1)
    services.score(commitment=commitment, actor=secretariat, criterion="ods", value=3)

    assert list(Score.objects.values_list("criterion", "value")) == [("ods", 3)]


def test_version_rows_are_written_only_by_edits_not_by_transitions(secretariat):
    commitment = complete_commitment(status=S.PROPOSED)
    services.commitment_transition(commitment=commitment, to=S.IN_CONSULTATION, actor=secretariat)

    assert Version.objects.filter(commitment=commitment).count() == 1
