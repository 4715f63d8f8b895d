"""The self-assessment's services (implementation/assessment_services.py): generated from the data at a
date, edited in audited versions, put to a DOCUMENT consultation of the forum, finalized (frozen by the
database, hashed) and rendered to a tagged PDF by the worker's task (eager here; a real worker:
test_self_assessment_worker.py)."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation

from consultations import responses
from consultations import services as forum
from consultations.models import Consultation, Disposition
from implementation import assessment_services as services
from implementation import tasks
from implementation.models import (
    AssessmentDocument,
    ProgressStatus,
    ReportState,
    SectionVersion,
    SelfAssessment,
)
from paga import reports
from paga.models import AuditEntry
from tests.conftest import require
from tests.implementation.factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

K = SelfAssessment.Kind
AS_OF = datetime.date(2018, 6, 30)


@pytest.fixture(autouse=True)
def english():
    """Our own wording of refusals read in English; the report's text is Spanish whatever the language."""
    with translation.override("en"):
        yield


@pytest.fixture
def reported(milestone):
    """Commitment 3's first milestone: substantial by a report validated and dated before AS_OF (with a
    link of evidence), complete by one dated after it, and a submitted one (neither counts on AS_OF)."""
    before = ProgressReportFactory(
        milestone=milestone,
        status=ProgressStatus.SUBSTANTIAL,
        state=ReportState.VALIDATED,
        as_of=datetime.date(2018, 5, 31),
        done="Se publicó el registro de denuncias «piloto» en Áncash",
    )
    EvidenceLinkFactory(report=before, title="Registro piloto", url="https://www.gob.pe/minam/registro")
    ProgressReportFactory(
        milestone=milestone,
        status=ProgressStatus.COMPLETE,
        state=ReportState.VALIDATED,
        as_of=datetime.date(2018, 8, 31),
        done="Registro completo en todas las regiones",
    )
    ProgressReportFactory(milestone=milestone, status=ProgressStatus.COMPLETE, done="Aún sin validar")
    return milestone


@pytest.fixture
def draft(approved_plan, secretariat, reported) -> SelfAssessment:
    return services.generate(plan=approved_plan, kind=K.MID_TERM, as_of=AS_OF, actor=secretariat)


def texts(assessment) -> dict[str, str]:
    return {section.key: version.text for section, version in services.current_texts(assessment)}


def test_the_draft_is_built_from_the_data_on_its_date(draft, secretariat, reported, three):
    sections = texts(draft)
    assert list(sections) == ["proceso", "compromiso-1", "compromiso-2", "lecciones"]
    assert draft.state == SelfAssessment.State.DRAFT
    assert draft.as_of == AS_OF
    own = sections["compromiso-1" if three.plan_items.get().number == 1 else "compromiso-2"]
    # Only the report validated and dated on or before the date counts, with its evidence.
    assert "Se publicó el registro de denuncias «piloto» en Áncash" in own
    assert "https://www.gob.pe/minam/registro" in own
    assert "Sustancial" in own
    assert "Registro completo" not in own
    assert "Aún sin validar" not in own
    assert "Entidad responsable: " in own
    # The process as approved: the instrument, and the process summary the plan version recorded.
    assert "Resolución Ministerial N.º RM 1" in sections["proceso"]
    assert "a completar por la Secretaría" in sections["lecciones"]
    assert "de los 2 compromisos del plan" in sections["lecciones"]
    first = SectionVersion.objects.filter(section__assessment=draft)
    assert {v.number for v in first} == {1}
    assert all(v.generated for v in first)
    entry = AuditEntry.objects.get(action="self_assessment.generate")
    assert entry.actor == secretariat
    assert entry.details["as_of"] == "2018-06-30"


def test_generation_is_refused_twice_in_the_future_and_for_others(
    draft, approved_plan, secretariat, reviewer
):
    with pytest.raises(ValidationError) as error:
        services.generate(plan=approved_plan, kind=K.MID_TERM, as_of=AS_OF, actor=secretariat)
    assert "kind" in error.value.message_dict
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.generate(plan=approved_plan, kind=K.END_OF_TERM, as_of=tomorrow, actor=secretariat)
    assert "as_of" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.generate(plan=approved_plan, kind=K.END_OF_TERM, as_of=AS_OF, actor=reviewer)


def test_a_plan_without_an_approved_version_has_nothing_to_assess(example_plan, secretariat):
    with pytest.raises(ValidationError, match="no approved version"):
        services.generate(plan=example_plan, kind=K.MID_TERM, as_of=AS_OF, actor=secretariat)
    assert not SelfAssessment.objects.exists()


def test_each_edit_is_a_new_version_with_who_when_and_why(draft, secretariat, citizen):
    section = draft.sections.get(key="lecciones")
    version = services.edit_section(
        section=section, text="Aprendimos <script>x</script> a publicar.\n\nSegundo párrafo.",
        reason="Redacción de la Secretaría", actor=secretariat,
    )  # fmt: skip
    assert version.number == 2
    assert version.author == secretariat
    assert not version.generated
    assert list(section.versions.values_list("number", flat=True)) == [1, 2]
    assert texts(draft)["lecciones"].startswith("Aprendimos <script>")
    entry = AuditEntry.objects.get(action="self_assessment.edit")
    assert entry.details == {"section": "lecciones", "number": 2, "reason": "Redacción de la Secretaría"}
    for text, reason, field in (("Otro", "", "reason"), ("  ", "x", "text"), (version.text, "x", "text")):
        with pytest.raises(ValidationError) as error:
            services.edit_section(section=section, text=text, reason=reason, actor=secretariat)
        assert field in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.edit_section(section=section, text="Otro", reason="x", actor=citizen)
    assert section.versions.count() == 2


def window(days: int = 15):
    opens = timezone.now() - datetime.timedelta(hours=1)
    return opens, opens + datetime.timedelta(days=days)


def test_publishing_puts_its_paragraphs_to_a_document_consultation(draft, secretariat, citizen):
    opens, closes = window(days=10)
    with pytest.raises(ValidationError, match="two weeks"):
        services.publish(assessment=draft, opens_at=opens, closes_at=closes, actor=secretariat)
    opens, closes = window()
    published = services.publish(assessment=draft, opens_at=opens, closes_at=closes, actor=secretariat)

    consultation = published.consultation
    assert published.state == SelfAssessment.State.IN_CONSULTATION
    assert consultation.kind == Consultation.Kind.DOCUMENT
    assert consultation.plan == draft.plan
    keys = list(consultation.paragraphs.values_list("key", flat=True))
    assert keys[0] == "proceso"
    assert "proceso-1" in keys
    assert keys[-1].startswith("lecciones-")
    lessons = texts(draft)["lecciones"]
    assert [p.text for p in consultation.paragraphs.filter(key__startswith="lecciones-")] == (
        services.paragraphs(lessons)
    )
    # The forum's own service takes a comment on a paragraph.
    paragraph = consultation.paragraphs.get(key="lecciones-1")
    comment = forum.post_comment(
        consultation=consultation, author=citizen, text="¿Y la región?", paragraph=paragraph
    )
    assert comment.paragraph == paragraph
    assert AuditEntry.objects.filter(action="self_assessment.publish", object_id=str(draft.pk)).exists()
    with pytest.raises(ValidationError):
        services.publish(assessment=published, opens_at=opens, closes_at=closes, actor=secretariat)


@pytest.fixture
def consulted(draft, secretariat, citizen):
    opens, closes = window()
    published = services.publish(assessment=draft, opens_at=opens, closes_at=closes, actor=secretariat)
    paragraph = published.consultation.paragraphs.get(key="lecciones-1")
    comment = forum.post_comment(
        consultation=published.consultation, author=citizen, text="Falta la región", paragraph=paragraph
    )
    return published, comment, closes + datetime.timedelta(hours=1)


def test_finalizing_waits_for_the_close_and_for_every_response(consulted, secretariat):
    published, comment, after = consulted
    with pytest.raises(ValidationError, match="after it closes"):
        services.finalize(assessment=published, actor=secretariat)
    with pytest.raises(ValidationError, match="1 contributions"):
        services.finalize(assessment=published, actor=secretariat, at=after)
    published.refresh_from_db()
    assert published.state == SelfAssessment.State.IN_CONSULTATION
    assert not published.sha256


def finalize(consulted, secretariat, django_capture_on_commit_callbacks, *, execute=True):
    published, comment, after = consulted
    responses.respond(
        contribution=comment, actor=secretariat, disposition=Disposition.NOT_INCORPORATED,
        reason="Se verá en el siguiente plan",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=execute):
        return services.finalize(assessment=published, actor=secretariat, at=after)


def test_a_final_report_is_frozen_hashed_and_guarded_by_the_database(
    consulted, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.render_assessment, "delay", lambda pk: None)  # rendering: the test below
    final = finalize(consulted, secretariat, django_capture_on_commit_callbacks)

    assert final.state == SelfAssessment.State.FINAL
    canonical = json.dumps(final.content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert final.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert [s["key"] for s in final.content["sections"]][-1] == "lecciones"
    assert AuditEntry.objects.get(action="self_assessment.finalize").details["sha256"] == final.sha256
    assert final.document.state == AssessmentDocument.State.PENDING

    section = final.sections.get(key="lecciones")
    with pytest.raises(ValidationError, match="final"):
        services.edit_section(section=section, text="Cambio tardío", reason="x", actor=secretariat)
    # The database refuses what the services would: a change of the report, a new or changed version.
    for write in (
        lambda: SelfAssessment.objects.filter(pk=final.pk).update(sha256="0" * 64),
        lambda: SectionVersion.objects.create(
            section=section, number=9, text="x", author=secretariat, reason="x"
        ),
        lambda: SectionVersion.objects.filter(section=section).update(text="x"),
        lambda: final.sections.filter(pk=section.pk).update(title="x"),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            write()
    final.refresh_from_db()
    assert final.state == SelfAssessment.State.FINAL
    assert final.sha256 == services.digest(final.content)


def test_a_version_is_never_changed_even_in_a_draft(draft):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        SectionVersion.objects.filter(section__assessment=draft).update(text="reescrito")


def test_the_worker_task_renders_the_final_report_to_a_tagged_pdf(
    consulted, secretariat, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    final = finalize(consulted, secretariat, django_capture_on_commit_callbacks)  # eager Celery

    document = AssessmentDocument.objects.get(assessment=final)
    assert document.state == AssessmentDocument.State.DONE, document.error
    content = (tmp_path / document.file).read_bytes()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.file.startswith("autoevaluacion/")
    with pikepdf.open(tmp_path / document.file) as pdf:  # tagged, in Spanish
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "es"
        assert bool(pdf.Root.MarkInfo.Marked)
    require("poppler", bool(shutil.which("pdftotext")), "pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / document.file), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert final.sha256 in " ".join(text.split())
    for section in final.content["sections"]:
        assert section["title"].split(":")[0] in text

    # Rendered again: the same bytes, the same single file.
    AssessmentDocument.objects.filter(pk=document.pk).update(state=AssessmentDocument.State.PENDING)
    assert tasks.render_assessment.delay(document.pk).get() == "done"
    again = AssessmentDocument.objects.get(pk=document.pk)
    assert (again.file, again.sha256) == (document.file, document.sha256)
    assert len(list((tmp_path / "autoevaluacion").iterdir())) == 1


def test_the_compliance_page_says_whether_the_report_was_open_two_weeks(approved_plan, draft, secretariat):
    def line():
        return next(x for x in reports.collect("compliance", approved_plan) if x.key == "self-assessment")

    assert line().met is None  # a draft is not published
    opens = timezone.now() - datetime.timedelta(days=1)
    services.publish(
        assessment=draft, opens_at=opens, closes_at=opens + datetime.timedelta(days=15), actor=secretariat
    )
    found = line()
    assert found.met is True
    assert "(15 days), in public consultation." in found.finding
    assert found.evidence_url == "/seguimiento/#autoevaluacion"
    # A window shorter than two weeks (written directly: the service refuses it) is flagged.
    Consultation.objects.filter(slug=services.consultation_slug(draft)).update(
        closes_at=opens + datetime.timedelta(days=10)
    )
    found = line()
    assert found.met is False
    assert "(10 days)" in found.finding
