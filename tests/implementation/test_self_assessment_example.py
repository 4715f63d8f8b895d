"""`load_example` ends with the mid-term self-assessment of PAGA 2017-2019 (implementation/
assessment_example.py), generated from the example's illustrative progress reports and taken through
the real services to its final state; labelled illustrative wherever it shows; loading again adds
nothing; with COCREA_AS_OF only the steps whose day has come."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from implementation import assessment_example as example
from implementation import assessment_services as services
from implementation.models import SectionVersion, SelfAssessment
from paga.models import AuditEntry

pytestmark = pytest.mark.django_db

S = SelfAssessment.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def load() -> str:
    out = io.StringIO()
    call_command("load_example", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return (
        SelfAssessment.objects.count(),
        SectionVersion.objects.count(),
        AuditEntry.objects.filter(action__startswith="self_assessment.").count(),
    )


def test_the_example_finalizes_its_mid_term_self_assessment_from_its_reports(example_accounts_file, client):
    output = load()

    report = SelfAssessment.objects.select_related("consultation").get(plan__slug="paga-2017-2019")
    assert "Self-assessment: medio-termino, final (illustrative)" in output
    assert report.kind == SelfAssessment.Kind.MID_TERM
    assert report.state == S.FINAL
    assert report.as_of == example.AS_OF
    assert report.finalized_at == example.FINALIZED
    assert report.consultation.is_illustrative
    assert report.content["illustrative"] is True
    assert report.sha256 == services.digest(report.content)
    sections = {s["key"]: s["text"] for s in report.content["sections"]}
    assert sections["lecciones"] == example.LESSONS
    assert "Ejemplo (ilustrativo, no es un reporte real):" in sections["compromiso-1"]
    actions = AuditEntry.objects.filter(action__startswith="self_assessment.").order_by("pk")
    assert [a.action for a in actions] == [
        "self_assessment.generate",
        "self_assessment.edit",
        "self_assessment.publish",
        "self_assessment.finalize",
    ]
    tracking = client.get(reverse("implementation:tracking")).content.decode()
    assert report.sha256 in tracking
    page = client.get(reverse("implementation:assessment_public", args=[report.kind])).content.decode()
    assert "Ejemplo ilustrativo." in page or "Illustrative example." in page

    before = counts()
    assert "Self-assessment: medio-termino, final" in load()
    assert counts() == before


def test_on_a_day_during_its_consultation_it_is_in_consultation_then_final(example_accounts_file, settings):
    settings.COCREA_AS_OF = "2018-09-15"
    load()
    report = SelfAssessment.objects.get(plan__slug="paga-2017-2019")
    assert report.state == S.IN_CONSULTATION
    assert report.consultation.is_open(example.OPENS.replace(day=15))

    settings.COCREA_AS_OF = "2019-01-10"
    load()
    report.refresh_from_db()
    assert report.state == S.FINAL
    assert SectionVersion.objects.filter(section__assessment=report, section__key="lecciones").count() == 2
