"""The self-assessment's pages through the real views: the Secretaría generates, edits, publishes and
finalizes; other roles are refused; CSRF is enforced; bad input is said in words and keeps what was
typed; the public page of a final report and its PDF; queries flat with the number of versions."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation
from implementation import assessment_services as services
from implementation import tasks
from implementation.models import AssessmentDocument, SectionVersion, SelfAssessment

pytestmark = pytest.mark.django_db

K = SelfAssessment.Kind
AS_OF = datetime.date(2018, 6, 30)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def draft(approved_plan, secretariat) -> SelfAssessment:
    return services.generate(plan=approved_plan, kind=K.MID_TERM, as_of=AS_OF, actor=secretariat)


def staff_urls(report: SelfAssessment) -> list[str]:
    return [
        reverse("implementation:assessments"),
        reverse("implementation:assessment", args=[report.pk]),
        reverse("implementation:assessment_section", args=[report.pk, "lecciones"]),
        reverse("implementation:assessment_publish", args=[report.pk]),
        reverse("implementation:assessment_finalize", args=[report.pk]),
    ]


def test_only_the_secretariat_uses_the_pages(client, draft, secretariat, citizen, reviewer, administrator):
    for url in staff_urls(draft):
        assert client.get(url).status_code == 302, url  # to sign in
        for user in (citizen, reviewer, administrator):
            client.force_login(user)
            assert client.get(url).status_code == 403, (url, user)
            assert client.post(url, {"text": "x", "reason": "x"}).status_code == 403, (url, user)
        client.force_login(secretariat)
        assert client.get(url).status_code == 200, url
        client.logout()
    assert draft.sections.get(key="lecciones").versions.count() == 1


def test_the_secretariat_generates_a_report_and_bad_input_is_said(client, approved_plan, secretariat):
    client.force_login(secretariat)
    url = reverse("implementation:assessments")
    page = client.post(url, {"as_of": "31/02/2018"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary"' in html
    assert "Choose mid-term or end-of-term." in html
    assert "Enter a valid date." in html
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    page = client.post(url, {"kind": K.END_OF_TERM, "as_of": future})
    assert "The date of the data cannot be in the future." in page.content.decode()
    response = client.post(url, {"kind": K.END_OF_TERM, "as_of": "2018-06-30"})
    report = SelfAssessment.objects.get(plan=approved_plan, kind=K.END_OF_TERM)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/autoevaluacion/{report.pk}/")
    detail = client.get(response["Location"]).content.decode()
    assert "Lecciones aprendidas" in detail  # the report's text is Spanish on an English page
    assert 'lang="es"' in detail
    assert "Edit this section" in detail


def test_editing_a_section_keeps_the_text_typed_when_the_reason_is_missing(client, draft, secretariat):
    client.force_login(secretariat)
    url = reverse("implementation:assessment_section", args=[draft.pk, "lecciones"])
    page = client.post(url, {"text": "Texto nuevo «con comillas» <b>y</b> acentos", "reason": ""})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Say why the text changes" in html
    assert "Texto nuevo «con comillas» &lt;b&gt;y&lt;/b&gt; acentos" in html
    response = client.post(url, {"text": "Texto nuevo", "reason": "Completa lo aprendido"})
    assert response.status_code == 302
    versions = SectionVersion.objects.filter(section__assessment=draft, section__key="lecciones")
    assert [(v.number, v.author, v.reason) for v in versions.order_by("number")][1] == (
        2,
        secretariat,
        "Completa lo aprendido",
    )
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("implementation:assessment_section", args=[draft.pk, "nada"])).status_code == 404
    )


def test_csrf_is_required(draft, secretariat):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(secretariat)
    url = reverse("implementation:assessment_section", args=[draft.pk, "lecciones"])
    assert strict.post(url, {"text": "Otro", "reason": "x"}).status_code == 403
    assert draft.sections.get(key="lecciones").versions.count() == 1


def test_publish_then_finalize_through_the_pages(
    client, draft, secretariat, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(secretariat)
    publish = reverse("implementation:assessment_publish", args=[draft.pk])
    opens = timezone.localtime() - datetime.timedelta(hours=1)
    soon = opens + datetime.timedelta(days=3)
    short = client.post(
        publish,
        {"opens_at": opens.strftime("%Y-%m-%dT%H:%M"), "closes_at": soon.strftime("%Y-%m-%dT%H:%M")},
    )
    assert "at least two weeks" in short.content.decode()
    closes = opens + datetime.timedelta(days=15)
    data = {"opens_at": opens.strftime("%Y-%m-%dT%H:%M"), "closes_at": closes.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(publish, data).status_code == 302
    draft.refresh_from_db()
    consultation = draft.consultation
    assert consultation.kind == Consultation.Kind.DOCUMENT
    assert client.get(reverse("consultations:detail", args=[consultation.slug])).status_code == 200

    finalize = reverse("implementation:assessment_finalize", args=[draft.pk])
    assert "Tick the box" in client.post(finalize, {}).content.decode()
    assert "after it closes" in client.post(finalize, {"confirm": "on"}).content.decode()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=opens - datetime.timedelta(days=30), closes_at=opens - datetime.timedelta(days=1)
    )
    monkeypatch.setattr(tasks.render_assessment, "delay", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(finalize, {"confirm": "on"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_final
    edit = reverse("implementation:assessment_section", args=[draft.pk, "lecciones"])
    assert "can no longer change" in client.post(edit, {"text": "x", "reason": "y"}).content.decode()


@pytest.fixture
def final(draft, secretariat, settings, tmp_path, django_capture_on_commit_callbacks) -> SelfAssessment:
    """The draft published, closed and finalized, its PDF rendered (eager Celery)."""
    settings.MEDIA_ROOT = tmp_path
    opens = timezone.now() - datetime.timedelta(days=20)
    services.publish(
        assessment=draft, opens_at=opens, closes_at=timezone.now() + datetime.timedelta(days=1),
        actor=secretariat, at=opens,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        return services.finalize(
            assessment=draft, actor=secretariat, at=timezone.now() + datetime.timedelta(days=2)
        )


def test_the_public_page_and_the_tracking_page_give_the_hash_and_the_pdf(client, final):
    document = AssessmentDocument.objects.get(assessment=final)
    assert document.is_done
    assert len(document.sha256) == 64
    url = reverse("implementation:assessment_public", args=[final.kind])
    html = client.get(url).content.decode()
    assert final.sha256 in html
    assert document.sha256 in html
    assert reverse("implementation:assessment_pdf", args=[final.kind]) in html
    tracking = client.get(reverse("implementation:tracking")).content.decode()
    assert final.sha256 in tracking
    assert document.sha256 in tracking
    assert url in tracking
    pdf = client.get(reverse("implementation:assessment_pdf", args=[final.kind]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-SHA256"] == document.sha256
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    other = reverse("implementation:assessment_public", args=[K.END_OF_TERM])
    assert client.get(other).status_code == 404


def test_a_draft_or_consulted_report_has_no_public_page(client, draft):
    assert client.get(reverse("implementation:assessment_public", args=[draft.kind])).status_code == 404
    assert client.get(reverse("implementation:assessment_pdf", args=[draft.kind])).status_code == 404


def _edits(report, secretariat, n: int) -> None:
    sections = list(report.sections.all())
    for i in range(n):
        for section in sections:
            SectionVersion.objects.create(
                section=section,
                number=section.versions.count() + 1,
                text=f"Texto «{i}» de {section.key}",
                author=secretariat,
                reason=f"Edición {i}",
            )


def test_queries_do_not_grow_with_the_versions(
    client, approved_plan, secretariat, django_assert_num_queries, settings, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The staff report and section pages with 2, then 20, versions of each section; the public page of
    a final report with 2 and with 20 versions behind it."""
    settings.MEDIA_ROOT = tmp_path
    counts = {}
    for kind, n in ((K.MID_TERM, 1), (K.END_OF_TERM, 19)):
        report = services.generate(plan=approved_plan, kind=kind, as_of=AS_OF, actor=secretariat)
        _edits(report, secretariat, n)
        staff = staff_urls(report)[1:3]
        client.force_login(secretariat)
        counts[kind] = [_count(client, url) for url in staff]
        opens = timezone.now() - datetime.timedelta(days=20)
        services.publish(
            assessment=report, opens_at=opens, closes_at=timezone.now() + datetime.timedelta(days=1),
            actor=secretariat, at=opens,
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            services.finalize(
                assessment=report, actor=secretariat, at=timezone.now() + datetime.timedelta(days=2)
            )
        client.logout()
        counts[kind].append(_count(client, reverse("implementation:assessment_public", args=[kind])))
    assert counts[K.MID_TERM] == counts[K.END_OF_TERM]
    assert SectionVersion.objects.filter(section__assessment__kind=K.END_OF_TERM).count() >= 20 * 4


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)
