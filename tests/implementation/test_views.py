"""The staff pages of implementation tracking through the real views: a MINAM reviewer reports with
evidence, the Secretaría returns it with a reason, the reviewer corrects it, the Secretaría validates;
refusals answer 403/404; nothing typed is lost; queries stay flat with 2 or 20 reports."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from consultations.models import Follow
from implementation.models import ProgressReport, ProgressStatus, ReportState
from paga import clock
from paga.models import OutboundEmail
from tests.commitments.factories import SCRIPT, PlanFactory, complete_commitment
from tests.factories import UserFactory

from .factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

S = ReportState


@pytest.fixture(autouse=True)
def english(client):
    """Our own wording read in English (the pages speak Spanish first: the catalogue translates it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def report_data(**changes) -> dict:
    data = {
        "status": ProgressStatus.SUBSTANTIAL,
        "done": f"Se publicó el diagnóstico «ambiental» {SCRIPT}",
        "as_of": (clock.today() - datetime.timedelta(days=1)).isoformat(),
        "link1_title": "Informe en gob.pe",
        "link1_url": "https://www.gob.pe/minam/informe",
    }
    data.update(changes)
    return data


def milestone_url(milestone) -> str:
    return reverse("implementation:review_milestone", args=[milestone.pk])


def test_the_reviewer_sees_the_entitys_milestones_and_reports_with_evidence(
    client, reviewer, milestone, three
):
    client.force_login(reviewer)
    listing = client.get(reverse("implementation:review_milestones"))
    assert listing.status_code == 200
    assert milestone_url(milestone) in listing.content.decode()
    assert "Commitment 9" not in listing.content.decode()

    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%acta\n", content_type="application/pdf")
    response = client.post(
        milestone_url(milestone), report_data(file1_title="Acta de la reunión", file1=upload), follow=True
    )
    assert response.status_code == 200
    report = ProgressReport.objects.get(milestone=milestone)
    assert (report.state, report.status, report.author) == (S.SUBMITTED, ProgressStatus.SUBSTANTIAL, reviewer)
    assert report.evidence.count() == 2
    html = response.content.decode()
    assert "waiting for the Secretaría" in html
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    file_evidence = report.evidence.get(kind="archivo")
    download = client.get(reverse("implementation:review_evidence", args=[file_evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%acta\n"


def test_a_form_with_errors_keeps_what_was_typed_and_lists_the_errors(client, reviewer, milestone):
    client.force_login(reviewer)
    fake = SimpleUploadedFile("acta.pdf", b"<html>no</html>", content_type="application/pdf")
    response = client.post(
        milestone_url(milestone),
        report_data(as_of="", link1_url="javascript:alert(1)", file1_title="Acta", file1=fake),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Give the date the report speaks of." in html
    assert "starting with https:// or http://" in html
    assert "not really a PDF" in html
    assert "diagnóstico «ambiental»" in html  # the text typed is still there
    assert "choose the file again" in html
    assert not ProgressReport.objects.exists()


def test_another_entitys_reviewer_gets_a_404_and_a_citizen_a_403(client, other_reviewer, citizen, milestone):
    client.force_login(other_reviewer)
    assert client.get(milestone_url(milestone)).status_code == 404
    assert client.post(milestone_url(milestone), report_data()).status_code == 404
    client.force_login(citizen)
    assert client.get(reverse("implementation:review_milestones")).status_code == 403
    assert client.get(milestone_url(milestone)).status_code == 403
    assert not ProgressReport.objects.exists()


def test_return_correct_and_validate_through_the_pages(client, reviewer, secretariat, milestone, three):
    follower = UserFactory()
    Follow.objects.create(user=follower, commitment=three)
    client.force_login(reviewer)
    client.post(milestone_url(milestone), report_data())
    first = ProgressReport.objects.get()

    client.force_login(secretariat)
    queue = client.get(reverse("implementation:queue"))
    assert reverse("implementation:decide", args=[first.pk]) in queue.content.decode()
    decide = reverse("implementation:decide", args=[first.pk])
    empty = client.post(decide, {"action": "devolver", "reason": "  "})
    assert empty.status_code == 200
    assert 'class="error-summary"' in empty.content.decode()
    client.post(decide, {"action": "devolver", "reason": "Falta el acta firmada"})
    first.refresh_from_db()
    assert (first.state, first.return_reason) == (S.RETURNED, "Falta el acta firmada")

    client.force_login(reviewer)
    page = client.get(milestone_url(milestone)).content.decode()
    assert "Falta el acta firmada" in page
    assert "Correct report 1" in page
    client.post(milestone_url(milestone), report_data(status=ProgressStatus.COMPLETE, done="Acta firmada"))
    second = ProgressReport.objects.get(number=2)
    assert second.corrects == first

    client.force_login(secretariat)
    client.post(reverse("implementation:decide", args=[second.pk]), {"action": "validar"})
    second.refresh_from_db()
    assert second.state == S.VALIDATED
    assert any(follower.email in e.to for e in OutboundEmail.objects.all())
    assert client.get(reverse("implementation:queue")).context["reports"] == []


def test_only_the_secretariat_decides_and_an_administrator_only_reads(
    client, reviewer, administrator, milestone
):
    report = ProgressReportFactory(milestone=milestone)
    decide = reverse("implementation:decide", args=[report.pk])
    client.force_login(reviewer)
    assert client.get(reverse("implementation:queue")).status_code == 403
    assert client.get(decide).status_code == 403
    assert client.post(decide, {"action": "validar"}).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("implementation:queue")).status_code == 200
    page = client.get(decide)
    assert page.status_code == 200
    assert 'value="validar"' not in page.content.decode()
    assert client.post(decide, {"action": "validar"}).status_code == 403
    report.refresh_from_db()
    assert report.state == S.SUBMITTED


def test_signed_out_visitors_are_sent_to_sign_in(client, milestone):
    for url in (
        reverse("implementation:review_milestones"),
        reverse("implementation:queue"),
        milestone_url(milestone),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/cuenta/login/" in response["Location"]


def _add_reports(milestone, n: int) -> None:
    """n more decided reports on the milestone (validated and returned in turn), each with two links."""
    for i in range(n):
        report = ProgressReportFactory(milestone=milestone, state=S.VALIDATED if i % 2 else S.RETURNED)
        EvidenceLinkFactory.create_batch(2, report=report)


def _queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_queries_do_not_grow_with_2_or_20_reports(
    client, reviewer, secretariat, three, milestone, django_assert_num_queries
):
    """Every milestone of commitment 3 with 2, then 20, reports (one waiting on `milestone`), each with
    its evidence: the reviewer's list and history, the Secretaría's queue and decision page."""
    waiting = ProgressReportFactory(milestone=milestone)
    EvidenceLinkFactory.create_batch(2, report=waiting)
    for m in three.milestones.all():
        _add_reports(m, 2 if m.pk != milestone.pk else 1)
    pages = [
        (reviewer, reverse("implementation:review_milestones")),
        (reviewer, milestone_url(milestone)),
        (secretariat, reverse("implementation:queue")),
        (secretariat, reverse("implementation:decide", args=[waiting.pk])),
    ]
    with_two = [_queries(client, user, url) for user, url in pages]
    for m in three.milestones.all():
        _add_reports(m, 18)
    assert ProgressReport.objects.filter(milestone=milestone).count() == 20
    for (user, url), expected in zip(pages, with_two, strict=True):
        client.force_login(user)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_the_queue_and_a_report_are_of_the_addresss_plan(client, secretariat, milestone):
    """Nothing leaks between plans: another plan's report waits in that plan's queue only, and its page
    at the current plan's address is sent to its own plan's address."""
    other_plan = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    elsewhere = ProgressReportFactory(milestone=complete_commitment(plan=other_plan).milestones.get())
    here = ProgressReportFactory(milestone=milestone)
    client.force_login(secretariat)
    assert client.get(reverse("implementation:queue")).context["reports"] == [here]
    other_queue = client.get(f"/planes/{other_plan.slug}" + reverse("implementation:queue"))
    assert other_queue.context["reports"] == [elsewhere]
    decide = reverse("implementation:decide", args=[elsewhere.pk])
    moved = client.get(decide)
    assert moved.status_code == 302
    assert moved["Location"] == f"/planes/{other_plan.slug}{decide}"
    assert client.post(decide, {"action": "validar"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == S.SUBMITTED
