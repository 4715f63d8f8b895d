"""`load_example` ends with the PAGA 2017-2019 plan approved and its documents rendered (issue 13).

The example's two consolidations (commitments 3 and 9) are signed off by their ministries, assembled,
frozen and approved through the plan's services on the example's approval day, by a ministerial
resolution whose number says it is not in the sources; without a broker the two PDFs are rendered while
the example loads, with one they are sent to the worker. Loading again approves nothing and renders
nothing again.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from commitments import example
from commitments.models import Commitment, PlanVersion, RenderJob, Status, Transition
from paga.models import ActionPlan
from tests.paga.test_celery import worker  # noqa: F401 - the real-worker fixture

TASK = "commitments.plan_tasks.render_job"


def load() -> str:
    out = io.StringIO()
    call_command("load_example", stdout=out)
    return out.getvalue()


def example_version() -> PlanVersion:
    """The example plan's only version (the demonstration plan, if loaded, has none)."""
    return PlanVersion.objects.get(plan__slug="paga-2017-2019")


def shown_sha256(page: str) -> set[str]:
    return set(re.findall(r"\b[0-9a-f]{64}\b", page))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_plan_shows_the_approved_example_plan_with_its_pdf_and_sha256(client, example_accounts_file, media):
    output = load()
    plan = ActionPlan.objects.get(is_current=True)
    version = example_version()
    assert version.state == PlanVersion.State.APPROVED
    assert version.instrument == PlanVersion.Instrument.MINISTERIAL_RESOLUTION
    assert version.instrument_number == "s/n (ejemplo: número y fecha no figuran en las fuentes)"
    assert version.instrument_date == example.APPROVAL_DAY
    assert version.frozen_at == version.approved_at == example.APPROVAL_AT
    assert version.approved_by.email == "secretaria@cocrea.example"
    # Both consolidations, signed off by their ministries' reviewers and included, in number order.
    three, nine = (Commitment.objects.get(plan=plan, number=n) for n in (3, 9))
    assert list(version.items.order_by("number").values_list("commitment_id", flat=True)) == [
        three.pk,
        nine.pk,
    ]
    assert {three.status, nine.status} == {Status.INCLUDED}
    assert {i.signoff_by for i in version.items.all()} == {
        "Revisor MINAM (ejemplo)",
        "Revisora MTC (ejemplo)",
    }
    assert {i.signoff_date for i in version.items.all()} == {example.APPROVAL_DAY}
    moves = Transition.objects.filter(
        commitment__in=[three, nine], to_status__in=[Status.APPROVED, Status.INCLUDED]
    )
    assert {t.created for t in moves} == {example.APPROVAL_AT}
    assert moves.count() == 4

    # Rendered inline while the example loaded (no broker in the tests: tasks run eagerly).
    jobs = {job.kind: job for job in version.jobs.all()}
    assert set(jobs) == set(RenderJob.Kind.values)
    assert {job.state for job in jobs.values()} == {RenderJob.State.DONE}
    assert "plan: rendered" in output
    assert "informe: rendered" in output

    page = client.get(reverse("commitments:plan")).content.decode()
    assert "s/n (ejemplo: número y fecha no figuran en las fuentes)" in page
    for kind, job in jobs.items():
        url = reverse("commitments:plan_download", args=[version.number, kind])
        assert f'href="{url}"' in page
        download = client.get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        content = b"".join(download.streaming_content)
        assert content.startswith(b"%PDF")
        sha = hashlib.sha256(content).hexdigest()
        assert sha == job.sha256 == hashlib.sha256((media / job.file).read_bytes()).hexdigest()
        assert sha in shown_sha256(page)


@pytest.mark.django_db
def test_loading_twice_approves_and_renders_nothing_twice(example_accounts_file, media):
    load()
    version = example_version()
    before = {
        job.kind: (job.pk, job.file, job.sha256, job.attempts, job.finished) for job in version.jobs.all()
    }
    files = sorted(p.name for p in (media / "plan").iterdir())

    output = load()

    assert PlanVersion.objects.filter(plan=version.plan).count() == 1
    assert RenderJob.objects.filter(version__plan=version.plan).count() == 2
    after = {
        job.kind: (job.pk, job.file, job.sha256, job.attempts, job.finished) for job in version.jobs.all()
    }
    assert after == before
    assert sorted(p.name for p in (media / "plan").iterdir()) == files
    assert "plan: already rendered" in output
    assert "informe: already rendered" in output


@pytest.mark.django_db
def test_a_failed_render_is_rendered_again_by_the_next_load(example_accounts_file, media):
    load()
    job = example_version().jobs.get(kind=RenderJob.Kind.PLAN)
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.FAILED, error="RuntimeError: prueba")

    output = load()

    job.refresh_from_db()
    assert (job.state, job.error) == (RenderJob.State.DONE, "")
    assert "plan: rendered" in output
    assert "informe: already rendered" in output
    assert PlanVersion.objects.filter(plan=job.version.plan).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_render_is_queued_for_the_worker(worker, example_accounts_file, media):  # noqa: F811
    output = load()  # its own transaction: the render jobs are sent when it commits

    assert "plan: sent to the worker" in output
    assert "informe: sent to the worker" in output
    version = example_version()
    assert version.state == PlanVersion.State.APPROVED
    for job in version.jobs.all():
        assert worker.wait_for(TASK, (job.pk,)) == ["done"]
        job.refresh_from_db()
        assert job.state == RenderJob.State.DONE, job.error
        assert job.sha256 == hashlib.sha256((media / job.file).read_bytes()).hexdigest()

    # Loading again with the documents rendered sends nothing.
    with transaction.atomic():
        again = load()
    assert "plan: already rendered" in again
    assert "informe: already rendered" in again
    assert PlanVersion.objects.filter(plan=version.plan).count() == 1


@pytest.mark.django_db
def test_on_a_day_before_the_approval_the_example_plan_is_not_approved(
    example_accounts_file, media, settings
):
    settings.COCREA_AS_OF = "2017-09-25"  # during the virtual forum (README: the example as it stood then)

    output = load()

    assert not PlanVersion.objects.filter(plan__slug="paga-2017-2019").exists()
    assert "Plan: not approved yet on 2017-09-25" in output
    assert set(Commitment.objects.filter(number__in=[3, 9]).values_list("status", flat=True)) == {
        Status.IN_REVIEW,
        Status.AGREED,
    }
