"""Progress reports through the services: who may, states, corrections keep every version, evidence
checked, validation emails the followers; each act audited (issue 14)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from commitments.models import Commitment
from consultations.models import Follow
from implementation import services
from implementation.models import Evidence, ProgressStatus, ReportState, ReportTransition
from implementation.services import EvidenceFile, EvidenceLink
from paga import clock
from paga.models import AuditEntry, EmailOptOut, OutboundEmail
from tests.commitments.factories import complete_commitment, ministry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = ReportState


@pytest.fixture(autouse=True)
def english():
    """Messages matched in English (the portal speaks Spanish first: its catalogue translates them)."""
    with translation.override("en"):
        yield


def submit(milestone, actor, **kw):
    kw.setdefault("status", ProgressStatus.LIMITED)
    kw.setdefault("done", "Se publicó el diagnóstico «ambiental» <script>x</script>")
    kw.setdefault("as_of", clock.today() - datetime.timedelta(days=2))
    return services.submit_report(milestone=milestone, actor=actor, **kw)


def audit_actions(report) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="implementation.progressreport", object_id=str(report.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_reviewer_of_the_lead_entity_submits_a_report_recorded_and_audited(milestone, reviewer):
    report = submit(milestone, reviewer, links=[EvidenceLink("Informe en gob.pe", "https://www.gob.pe/x")])
    assert (report.number, report.state, report.entity.acronym) == (1, S.SUBMITTED, "MINAM")
    assert report.author == reviewer
    assert [(t.from_state, t.to_state, t.actor) for t in report.transitions.all()] == [
        ("", S.SUBMITTED, reviewer)
    ]
    assert list(report.evidence.values_list("kind", "url")) == [(Evidence.Kind.LINK, "https://www.gob.pe/x")]
    assert audit_actions(report) == ["progress.submit"]


def test_nobody_else_reports_on_the_milestone(milestone, other_reviewer, secretariat, citizen, administrator):
    for actor in (other_reviewer, secretariat, citizen, administrator):
        with pytest.raises(PermissionDenied):
            submit(milestone, actor)
    assert not milestone.progress_reports.exists()


def test_a_commitment_outside_the_approved_version_is_refused(approved_plan, reviewer):
    outside = complete_commitment(plan=approved_plan, lead_entity=ministry("MINAM"))
    with pytest.raises(ValidationError, match="approved version"):
        submit(outside.milestones.get(), reviewer)


def test_before_the_plan_is_approved_nothing_is_reported(example_plan, reviewer):
    three = Commitment.objects.get(plan=example_plan, number=3)
    with pytest.raises(ValidationError, match="approved version"):
        submit(three.milestones.first(), reviewer)


def test_required_fields_and_dates_in_the_future_are_refused_all_at_once(milestone, reviewer):
    with pytest.raises(ValidationError) as caught:
        submit(
            milestone,
            reviewer,
            status="retrasado",
            done="  ",
            as_of=clock.today() + datetime.timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"status", "done", "as_of"}


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://gob.pe/x", "gob.pe", "https://" + "a" * 600 + ".pe"]
)
def test_an_evidence_link_is_an_http_address(milestone, reviewer, url):
    with pytest.raises(ValidationError) as caught:
        submit(milestone, reviewer, links=[EvidenceLink("Enlace", url)])
    assert "evidence" in caught.value.message_dict


def test_an_evidence_file_is_checked_by_content_and_kept_with_its_hash(milestone, reviewer):
    fake = SimpleUploadedFile(
        "informe.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as caught:
        submit(milestone, reviewer, files=[EvidenceFile("Informe", fake)])
    assert "not really a PDF" in str(caught.value.message_dict["evidence"])
    real = SimpleUploadedFile("../../Informe final.pdf", b"%PDF-1.4\n%real\n", content_type="application/pdf")
    report = submit(milestone, reviewer, files=[EvidenceFile("Informe final", real)])
    evidence = report.evidence.get()
    assert evidence.kind == Evidence.Kind.FILE
    assert evidence.original_name == "Informe final.pdf"
    assert evidence.size == 15
    assert len(evidence.sha256) == 64
    assert evidence.file.name.startswith("evidencias/")
    assert "Informe" not in evidence.file.name
    assert evidence.file.read() == b"%PDF-1.4\n%real\n"


def test_the_secretariat_returns_with_a_reason_and_the_correction_is_a_new_version(
    milestone, reviewer, secretariat
):
    first = submit(milestone, reviewer)
    with pytest.raises(PermissionDenied):
        services.return_report(report=first, actor=reviewer, reason="Me lo devuelvo")
    with pytest.raises(ValidationError):
        services.return_report(report=first, actor=secretariat, reason="   ")
    with pytest.raises(ValidationError, match="waiting"):
        submit(milestone, reviewer)
    returned = services.return_report(report=first, actor=secretariat, reason="Falta el enlace al informe")
    assert (returned.state, returned.return_reason, returned.decided_by) == (
        S.RETURNED,
        "Falta el enlace al informe",
        secretariat,
    )

    second = submit(milestone, reviewer, status=ProgressStatus.SUBSTANTIAL, corrects=returned)
    assert (second.number, second.corrects) == (2, returned)
    returned.refresh_from_db()
    assert (returned.state, returned.status) == (S.RETURNED, ProgressStatus.LIMITED)  # the first stays
    services.validate_report(report=second, actor=secretariat)
    with pytest.raises(ValidationError):
        submit(milestone, reviewer, corrects=returned)  # corrected already
    assert audit_actions(first) == ["progress.submit", "progress.return"]
    assert audit_actions(second) == ["progress.submit", "progress.validate"]
    assert list(
        ReportTransition.objects.filter(report__milestone=milestone).values_list(
            "report__number", "from_state", "to_state", "reason"
        )
    ) == [
        (1, "", S.SUBMITTED, ""),
        (1, S.SUBMITTED, S.RETURNED, "Falta el enlace al informe"),
        (2, "", S.SUBMITTED, ""),
        (2, S.SUBMITTED, S.VALIDATED, ""),
    ]


def test_only_the_secretariat_validates_and_only_a_submitted_report(
    milestone, reviewer, secretariat, administrator
):
    report = submit(milestone, reviewer)
    for actor in (reviewer, administrator):
        with pytest.raises(PermissionDenied):
            services.validate_report(report=report, actor=actor)
    services.validate_report(report=report, actor=secretariat)
    with pytest.raises(ValidationError, match="only a submitted report"):
        services.validate_report(report=report, actor=secretariat)
    with pytest.raises(ValidationError):
        services.return_report(report=report, actor=secretariat, reason="Tarde")


def test_validation_emails_the_followers_who_did_not_opt_out(three, milestone, reviewer, secretariat):
    follower, quiet, gone = UserFactory(), UserFactory(), UserFactory()
    for user in (follower, quiet, gone):
        Follow.objects.create(user=user, commitment=three)
    EmailOptOut.objects.create(user=quiet, kind=EmailOptOut.Kind.FOLLOWED)
    Follow.objects.filter(user=gone).update(active=False)
    report = submit(milestone, reviewer, status=ProgressStatus.COMPLETE)
    before = set(OutboundEmail.objects.values_list("pk", flat=True))
    assert not any(follower.email in e.to for e in OutboundEmail.objects.all())  # submitted: nothing yet

    services.validate_report(report=report, actor=secretariat)

    emails = list(OutboundEmail.objects.exclude(pk__in=before))
    recipients = [e.to for e in emails]
    assert any(follower.email in to for to in recipients)
    assert not any(quiet.email in to or gone.email in to for to in recipients)
    email = next(e for e in emails if follower.email in e.to)
    assert email.subject == f"Progress of “{three}”: Complete"
    assert "https://" in email.body or "http://" in email.body
    entry = AuditEntry.objects.get(action="progress.validate")
    assert entry.details["followers_emailed"] == 1


def test_my_data_lists_the_reports_sent_and_decided_and_cancellation_keeps_them(
    milestone, reviewer, secretariat
):
    from implementation import personal_data

    report = submit(milestone, reviewer)
    services.return_report(report=report, actor=secretariat, reason="Falta el acta")
    sent = personal_data.export(reviewer)
    assert [(r["report"], r["state"]) for r in sent["reports_sent"]] == [(1, S.RETURNED)]
    assert sent["report_decisions"] == []
    decided = personal_data.export(secretariat)["report_decisions"]
    assert [(d["report"], d["to"], d["reason"]) for d in decided] == [(1, S.RETURNED, "Falta el acta")]
    personal_data.erase(reviewer)
    assert report.__class__.objects.filter(pk=report.pk, author=reviewer).exists()


def test_a_returned_report_tells_its_author_why_and_where_to_correct_it(milestone, reviewer, secretariat):
    report = submit(milestone, reviewer)
    before = set(OutboundEmail.objects.values_list("pk", flat=True))
    services.return_report(report=report, actor=secretariat, reason="Falta el acta firmada")
    email = OutboundEmail.objects.exclude(pk__in=before).get()
    assert email.to == [reviewer.email]
    assert "Falta el acta firmada" in email.body
    assert f"/revision/seguimiento/hitos/{milestone.pk}/" in email.body
