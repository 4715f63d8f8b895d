"""The plan's documents are the official Spanish text whatever language is active where they are
rendered: an inline render (no broker) during an English request, or a process that served English
pages before, gives the bytes a worker gives. Found by the failure drills: the process-summary blocks
came out in English when the test process had served English pages."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import translation

from commitments import plan_tasks
from commitments.models import RenderJob
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.commitments.test_pdf import pages_of

pytestmark = pytest.mark.django_db


def test_an_inline_render_during_an_english_request_gives_the_spanish_documents(
    example_plan,
    secretariat,
    reviewer,
    other_reviewer,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        # Without a broker the documents render inline, here under English.
        approve_today(version, secretariat, "000-2017-PCM-IDIOMA")

    jobs = {job.kind: job for job in version.jobs.all()}
    assert {job.state for job in jobs.values()} == {RenderJob.State.DONE}
    text = " ".join(pages_of((tmp_path / jobs["plan"].file).read_bytes(), tmp_path))
    for spanish in (
        "Cronograma del proceso de cocreación",
        "Eventos realizados",
        "Aportes recibidos por canal",
    ):
        assert spanish in text
    for english in (
        "Timeline of the co-creation process",
        "Events held",
        "Contributions received by channel",
    ):
        assert english not in text

    version.refresh_from_db()
    with translation.override("es"):  # what a worker, whose language is Spanish, renders
        for kind, job in jobs.items():
            assert hashlib.sha256(plan_tasks.render_version(kind, version)).hexdigest() == job.sha256, kind
