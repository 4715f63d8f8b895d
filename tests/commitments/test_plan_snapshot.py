"""An approved version of the plan is frozen for real: what its documents show besides its commitments (the
plan's texts, the process summary, the annex of responses) is snapshotted in the approval's transaction,
and /plan/ and every rendering of its PDFs read that snapshot. Before, they were computed live: a comment,
a hide or a late response after approval changed /plan/'s figures and the PDF rendered again had another
SHA-256 than the one published."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from commitments import plan_services, plan_tasks
from commitments.models import PlanVersion, RenderJob
from consultations import responses, services
from consultations.models import Contribution, Disposition
from paga import reports
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.consultations.factories import ConsultationFactory, comment

pytestmark = pytest.mark.django_db


def the_document(client, language: str) -> str:
    """/plan/'s document (contents, approval, objectives, process summary, commitments), in `language`."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch sets it
    page = client.get(reverse("commitments:plan")).content.decode()
    return page[page.index('<nav class="toc"') : page.index('<section id="versiones"')]


def test_what_happens_after_approval_changes_neither_the_plan_page_nor_a_new_rendering(
    example_plan,
    secretariat,
    reviewer,
    other_reviewer,
    citizen,
    client,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer, why="instantánea")
    with django_capture_on_commit_callbacks(execute=True):  # without a broker the documents render inline
        approve_today(version, secretariat, "000-2017-PCM-INSTANTANEA")
    published = {job.kind: job.sha256 for job in version.jobs.all()}
    assert set(published) == set(RenderJob.Kind.values)
    assert all(published.values())
    before = {language: the_document(client, language) for language in ("es", "en")}
    assert "Aportes recibidos por canal" in before["es"]
    assert "Contributions received by channel" in before["en"]

    # After the approval: new comments on a new consultation, one contribution hidden, a late response
    # published, the plan's objectives edited.
    consultation = ConsultationFactory(plan=example_plan)  # on a new proposal
    for _ in range(3):
        comment(consultation=consultation, author=citizen)
    existing = Contribution.objects.filter(consultation__plan=example_plan).exclude(consultation=consultation)
    hidden = existing.filter(author__isnull=False).first()
    services.hide(contribution=hidden, actor=secretariat, reason="Spam")
    late = existing.filter(response__isnull=True).first()
    responses.respond(
        contribution=late,
        actor=secretariat,
        disposition=Disposition.NOT_INCORPORATED,
        reason="Respondido después de la aprobación",
    )
    assert responses.publish_responses(consultation=late.consultation, actor=secretariat) == 1
    example_plan.general_objective = "Otro objetivo general, escrito después"
    example_plan.save(update_fields=["general_objective"])
    example_plan.objectives.update(text="Objetivo cambiado después")

    version = PlanVersion.objects.get(pk=version.pk)
    for language in ("es", "en"):
        assert the_document(client, language) == before[language], language
    for kind, sha256 in published.items():
        assert hashlib.sha256(plan_tasks.render_version(kind, version)).hexdigest() == sha256, kind

    # The live figures did change: the document is not the same only for want of a change.
    document = plan_services.document(version)
    with translation.override("es"):
        assert reports.collect("process_summary", example_plan) != document.process_summary
        assert reports.collect("annex", example_plan) != document.annex
    assert example_plan.general_objective != document.general_objective
