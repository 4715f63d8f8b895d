"""Each family of staff acts writes its audit entry through the real service, in the act's transaction:
who, what, on which object, with the details (states before and after, the reason). An act that is
refused or rolled back leaves none. The log's own rules and page are in test_audit.py."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from commitments import plan_services, services
from commitments.models import PlanVersion, RenderJob, Status
from consultations import responses
from consultations import services as consultation_services
from consultations.models import Consultation, Disposition, Flag
from paga.models import ActorType, AuditEntry, Channel
from tests.commitments.factories import (
    CommitmentFactory,
    commitment_in_review,
    complete_commitment,
    current_plan,
)
from tests.consultations.factories import ConsultationFactory, comment
from tests.workshops._outcomes import held_event, national_table, proposals_in_consultation
from tests.workshops.factories import EventFactory, RegistrationFactory, lima, region
from workshops import outcomes
from workshops import services as workshop_services
from workshops.models import Decision, DocumentType, EventState, Kind

pytestmark = pytest.mark.django_db
S = Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def only(action: str, **filters) -> AuditEntry:
    """The one entry of `action` (fails if there are none or several)."""
    found = list(AuditEntry.objects.filter(action=action, **filters))
    assert len(found) == 1, f"{action}: {len(found)} entries"
    return found[0]


def about(entry: AuditEntry, obj) -> bool:
    return (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))


# --- Commitments ---------------------------------------------------------------------------------------
def test_a_transition_is_recorded_with_both_states_and_the_reason(secretariat):
    proposal = CommitmentFactory(status=S.PROPOSED)
    services.commitment_transition(
        commitment=proposal, to=S.IN_CONSULTATION, actor=secretariat, reason="Foro"
    )
    made = only("commitment.transition")
    assert made.actor == secretariat
    assert about(made, proposal)
    assert made.details == {"from": S.PROPOSED, "to": S.IN_CONSULTATION, "reason": "Foro"}
    assert made.object_label == str(proposal)


def test_a_refused_transition_leaves_no_entry(secretariat, citizen):
    proposal = CommitmentFactory(status=S.PROPOSED)
    with pytest.raises(PermissionDenied):
        services.commitment_transition(commitment=proposal, to=S.IN_CONSULTATION, actor=citizen)
    with pytest.raises(ValidationError):
        services.commitment_transition(commitment=proposal, to=S.WITHDRAWN, actor=secretariat, reason=" ")
    assert not AuditEntry.objects.exclude(action="login.staff").exists()


def test_a_rolled_back_transition_leaves_no_entry(secretariat):
    proposal = CommitmentFactory(status=S.PROPOSED)

    def act_then_fail():
        with transaction.atomic():
            services.commitment_transition(commitment=proposal, to=S.IN_CONSULTATION, actor=secretariat)
            raise RuntimeError("the request failed after the service")

    with pytest.raises(RuntimeError):
        act_then_fail()
    assert not AuditEntry.objects.filter(action="commitment.transition").exists()
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


def test_creating_and_editing_a_commitment_record_its_versions(secretariat):
    made = services.commitment_create(plan=current_plan(), actor=secretariat, title="Agua «segura»")
    assert about(only("commitment.create", actor=secretariat), made)
    services.commitment_update(
        commitment=made, actor=secretariat, reason="Título más claro", revision=made.revision,
        fields={"title": "Agua segura para todos"},
    )  # fmt: skip
    edit = only("commitment.edit")
    assert edit.actor == secretariat
    assert about(edit, made)
    assert edit.details == {"version": 2, "reason": "Título más claro"}


def test_a_merge_and_a_split_are_recorded_once_each_besides_the_moves(secretariat):
    sources = CommitmentFactory.create_batch(2, status=S.IN_CONSULTATION)
    target = CommitmentFactory(status=S.AGREED)
    services.merge(sources=sources, target=target, actor=secretariat, reason="Tratan lo mismo")
    merge = only("commitment.merge")
    assert about(merge, target)
    assert merge.details == {"sources": [s.pk for s in sources], "reason": "Tratan lo mismo"}
    assert AuditEntry.objects.filter(action="commitment.transition").count() == 2

    source = CommitmentFactory(status=S.IN_CONSULTATION)
    parts = services.split(
        source=source, actor=secretariat, reason="Dos temas",
        parts=[services.Part(title="Parte A", reason=""), services.Part(title="Parte B", reason="")],
    )  # fmt: skip
    split = only("commitment.split")
    assert about(split, source)
    assert split.details == {"parts": [p.pk for p in parts], "reason": "Dos temas"}


def test_review_assignment_decision_and_resubmission_are_recorded(secretariat, reviewer):
    commitment = complete_commitment(status=S.AGREED)
    services.assign_review(commitment=commitment, actor=secretariat, reason="Reunión técnica")
    assigned = only("review.assign")
    assert assigned.actor == secretariat
    assert about(assigned, commitment)
    assert assigned.details["entity_id"] == reviewer.entity_id
    services.decide_review(commitment=commitment, actor=reviewer, approve=False, reason="Faltan hitos")
    decided = only("review.decide")
    assert decided.actor == reviewer
    assert about(decided, commitment)
    assert (decided.details["decision"], decided.details["reason"]) == ("cambios", "Faltan hitos")
    services.resubmit(commitment=commitment, actor=secretariat, reason="Hitos añadidos")
    assert about(only("review.resubmit", actor=secretariat), commitment)


def test_notes_and_scores_are_recorded(secretariat):
    commitment = commitment_in_review(assigned_by=secretariat)
    note = services.add_note(commitment=commitment, actor=secretariat, text="Revisar el presupuesto")
    assert only("review.note").details == {"note": note.pk}
    services.score(commitment=commitment, actor=secretariat, criterion="valores", value=3)
    assert only("commitment.score").details == {"criterion": "valores", "value": 3}


# --- The plan ----------------------------------------------------------------------------------------
def test_the_plan_s_draft_items_freeze_approval_and_re_render_are_recorded(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    services.decide_review(commitment=commitment, actor=reviewer, approve=True, reason="Conforme")
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    assert about(only("plan.draft"), version)
    plan_services.set_items(version=version, commitment_ids=[commitment.pk], actor=secretariat)
    assert only("plan.items").details == {"commitments": [commitment.pk]}
    plan_services.freeze(version=version, actor=secretariat)
    assert about(only("plan.freeze", actor=secretariat), version)
    plan_services.approve(
        version=version, actor=secretariat, instrument=PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        instrument_number="099-2017-PCM", instrument_date=timezone.localdate(),
    )  # fmt: skip
    approved = only("plan.approve")
    assert approved.actor == secretariat
    assert about(approved, version)
    assert approved.details == {
        "instrument": "resolucion_ministerial",
        "number": "099-2017-PCM",
        "date": PlanVersion.objects.get(pk=version.pk).instrument_date.isoformat(),
    }
    included = only("commitment.transition", details__to=S.INCLUDED)
    assert about(included, commitment)
    job = RenderJob.objects.filter(version=version).first()
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.FAILED)
    plan_services.rerun_job(job=job, actor=secretariat)
    assert about(only("plan.rerender"), job)


# --- Moderation, other channels and responses --------------------------------------------------------
def test_hide_restore_and_dismiss_are_recorded_without_the_text(secretariat, citizen, other_citizen):
    consultation = ConsultationFactory(items=[CommitmentFactory(status=S.IN_CONSULTATION)])
    posted = comment(consultation=consultation, author=citizen, text="Mi teléfono es 999 888 777")
    consultation_services.hide(contribution=posted, actor=secretariat, reason="Datos personales")
    hidden = only("contribution.hide")
    assert hidden.actor == secretariat
    assert about(hidden, posted)
    assert hidden.details == {"reason": "Datos personales"}
    assert hidden.object_label == ""  # a contribution's text is never copied into the log
    consultation_services.restore(contribution=posted, actor=secretariat, reason="Corregido")
    assert only("contribution.restore").details == {"reason": "Corregido"}
    consultation_services.flag(contribution=posted, user=other_citizen, reason=Flag.Reason.OFF_TOPIC)
    consultation_services.dismiss_flags(contribution=posted, actor=secretariat)
    assert about(only("contribution.dismiss"), posted)


def test_block_and_unblock_are_recorded(secretariat, citizen):
    consultation_services.block(user=citizen, actor=secretariat, reason="Spam reiterado")
    blocked = only("person.block")
    assert about(blocked, citizen)
    assert blocked.details == {"reason": "Spam reiterado"}
    consultation_services.unblock(user=citizen, actor=secretariat)
    assert about(only("person.unblock", actor=secretariat), citizen)


def test_a_contribution_from_another_channel_is_recorded(secretariat):
    consultation = ConsultationFactory(items=[CommitmentFactory(status=S.IN_CONSULTATION)])
    made = consultation_services.record_other_channel(
        consultation=consultation, actor=secretariat, channel=Channel.EMAIL,
        received_on=timezone.localdate(), given_name="Colectivo «Áncash»", text="Aporte por correo",
        commitment=consultation.items.first(),
    )  # fmt: skip
    recorded = only("contribution.record")
    assert about(recorded, made)
    assert recorded.details == {
        "channel": "correo",
        "consultation": consultation.pk,
    }


def test_responses_written_in_bulk_and_published_are_recorded(secretariat, citizen, other_citizen):
    consultation = ConsultationFactory(
        items=[CommitmentFactory(status=S.IN_CONSULTATION)], publication=Consultation.Publication.AT_ONCE
    )
    first = comment(consultation=consultation, author=citizen)
    second = comment(consultation=consultation, author=other_citizen)
    responses.respond(
        contribution=first, actor=secretariat, disposition=Disposition.OUT_OF_SCOPE, reason="Otro sector"
    )
    written = only("response.write")
    assert about(written, first)
    assert written.details["disposition"] == Disposition.OUT_OF_SCOPE
    assert written.details["published"] is False
    responses.respond_many(
        contributions=[second],
        actor=secretariat,
        disposition=Disposition.NOT_INCORPORATED,
        reason="No viable",
    )
    assert only("response.bulk").details == {"contributions": [second.pk], "disposition": "no_incorporado"}
    assert AuditEntry.objects.filter(action="response.write").count() == 2
    assert responses.publish_responses(consultation=consultation, actor=secretariat) == 2
    published = only("response.publish")
    assert about(published, consultation)
    assert published.details == {"count": 2}


def test_a_bulk_response_refused_for_one_contribution_leaves_no_entry(secretariat, citizen, other_citizen):
    consultation = ConsultationFactory(
        items=[CommitmentFactory(status=S.IN_CONSULTATION)], publication=Consultation.Publication.IMMEDIATE
    )
    first = comment(consultation=consultation, author=citizen)
    answered = comment(consultation=consultation, author=other_citizen)
    responses.respond(
        contribution=answered, actor=secretariat, disposition=Disposition.OUT_OF_SCOPE, reason="x"
    )
    with pytest.raises(ValidationError, match="already published"):
        responses.respond_many(
            contributions=[first, answered], actor=secretariat, disposition=Disposition.NOT_INCORPORATED,
            reason="No",
        )  # fmt: skip
    written = AuditEntry.objects.filter(action__startswith="response.").values_list("action", "object_id")
    assert list(written) == [("response.write", str(answered.pk))]


# --- Events ------------------------------------------------------------------------------------------
def event_values(**changes) -> dict:
    data = {
        "kind": Kind.REGIONAL_WORKSHOP, "title": "Taller Arequipa «Ñandú»", "region": region("Arequipa"),
        "venue": "Auditorio", "starts_at": lima(2030, 10, 2, 9), "ends_at": lima(2030, 10, 2, 17),
        "capacity": 40, "registration_opens_at": lima(2030, 9, 1, 0),
        "registration_closes_at": lima(2030, 10, 1, 18),
    }  # fmt: skip
    data.update(changes)
    return data


def test_creating_editing_and_cancelling_an_event_are_recorded(secretariat):
    event = workshop_services.create_event(plan=current_plan(), actor=secretariat, values=event_values())
    assert about(only("event.create", actor=secretariat), event)
    workshop_services.update_event(event=event, actor=secretariat, values={"venue": "Coliseo"})
    assert only("event.edit").details == {"fields": ["venue"]}
    workshop_services.cancel_event(event=event, actor=secretariat, reason="Lluvias intensas")
    cancelled = only("event.transition")
    assert about(cancelled, event)
    assert cancelled.details == {
        "from": EventState.SCHEDULED,
        "to": EventState.CANCELLED,
        "reason": "Lluvias intensas",
    }


def test_attendance_check_ins_walk_ins_and_removals_are_recorded(secretariat):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=5),
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_closes_at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    first, second = RegistrationFactory.create_batch(2, event=event)
    came = workshop_services.check_in(registration=first, actor=secretariat)
    checked = only("attendance.check_in")
    assert about(checked, event)
    assert checked.details == {"registrations": [first.pk]}
    assert first.name not in str(checked.details)
    assert checked.object_label == event.title
    walk_in = workshop_services.add_walk_in(
        event=event, actor=secretariat, name="Ana Quispe", actor_type=ActorType.CITIZENRY
    )
    assert only("attendance.walk_in").details == {"attendance": walk_in.pk}
    workshop_services.undo_check_in(attendance=came, actor=secretariat, reason="Persona equivocada")
    undone = only("attendance.undo")
    assert undone.details == {"attendance": came.pk, "registration": first.pk, "reason": "Persona equivocada"}
    workshop_services.check_in_many(event=event, registrations=[first, second], actor=secretariat)
    assert AuditEntry.objects.filter(
        action="attendance.check_in", details__registrations=[first.pk, second.pk]
    )


def test_a_document_upload_is_recorded_with_its_fingerprint(secretariat):
    document = workshop_services.upload_document(
        plan=current_plan(), actor=secretariat, title="Acta del taller",
        upload=SimpleUploadedFile("acta.pdf", PDF, content_type="application/pdf"),
        doc_type=DocumentType.MINUTES, dated=timezone.localdate(),
    )  # fmt: skip
    uploaded = only("document.upload")
    assert about(uploaded, document)
    assert uploaded.actor == secretariat
    assert (uploaded.details["sha256"], uploaded.details["size"]) == (document.sha256, len(PDF))


def test_an_input_sheet_import_is_recorded_once_and_a_refused_one_not_at_all(secretariat):
    items, _consultation = proposals_in_consultation()
    event = held_event()
    sheet = "propuesta,nombre,texto\r\n41,Colectivo «Ñ»,Aporte uno\r\n42,Colegio,Aporte dos\r\n"
    with pytest.raises(outcomes.SheetRefused):
        outcomes.import_input_sheet(event=event, actor=secretariat, data=b"propuesta,nombre,texto\n99,a,b\n")
    assert not AuditEntry.objects.filter(action__in=["import.csv", "contribution.record"]).exists()
    outcomes.import_input_sheet(event=event, actor=secretariat, data=sheet.encode())
    imported = only("import.csv")
    assert about(imported, event)
    assert imported.details == {"rows": 2}
    assert AuditEntry.objects.filter(action="contribution.record").count() == 2


def test_a_table_decision_and_proposal_credits_are_recorded(secretariat):
    table = national_table()
    proposal = CommitmentFactory(status=S.IN_CONSULTATION)
    outcomes.link_proposal(event=table, commitment=proposal, actor=secretariat)
    assert only("event.proposal_link").details == {"commitment": proposal.pk}
    outcomes.record_decision(event=table, commitment=proposal, actor=secretariat, decision=Decision.CONSENSUS)
    decided = only("table.decision")
    assert about(decided, table)
    assert decided.details == {"commitment": proposal.pk, "decision": "consenso"}
    outcomes.unlink_proposal(event=table, commitment=proposal, actor=secretariat)
    assert only("event.proposal_unlink").details == {"commitment": proposal.pk}


# --- Staff downloads ---------------------------------------------------------------------------------
def test_the_registrations_csv_download_is_recorded_for_staff(client, secretariat):
    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event)
    client.force_login(secretariat)
    response = client.get(
        reverse("workshops:staff_registrations_csv", args=[event.slug]), REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    download = only("export.csv")
    assert download.actor == secretariat
    assert about(download, event)
    assert (download.details["what"], download.details["rows"], download.ip) == (
        "registrations",
        3,
        "10.1.2.0",  # the network only
    )


def test_open_data_downloads_are_recorded_for_staff_only(client, secretariat, citizen):
    current_plan()
    client.get(reverse("consultations:open_data_csv"))
    client.force_login(citizen)
    client.get(reverse("consultations:open_data_json"))
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
    client.force_login(secretariat)
    assert client.get(reverse("consultations:open_data_json")).status_code == 200
    download = only("export.json")
    assert download.actor == secretariat
    assert download.details["what"] == "open_data"
