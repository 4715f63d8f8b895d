"""`load_example` ends with illustrative progress reports on the approved PAGA 2017-2019 (issue 14:
implementation/example.py), written through the real services, so that /seguimiento/ and commitments 3
and 9 are not empty after `make run`; labelled as examples wherever they show; loading again adds nothing;
with COCREA_AS_OF only what was decided by then."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments.models import Commitment
from implementation import example, services
from implementation.models import Evidence, ProgressReport, ProgressStatus, ReportState, ReportTransition
from paga.models import AuditEntry, User

pytestmark = pytest.mark.django_db

V, R = ReportState.VALIDATED, ReportState.RETURNED


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the plan's PDFs rendered by commitments' finish


@pytest.fixture
def loaded(example_accounts_file) -> str:
    return load()


def load() -> str:
    out = io.StringIO()
    call_command("load_example", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "reports": ProgressReport.objects.count(),
        "validated": ProgressReport.objects.filter(state=V).count(),
        "returned": ProgressReport.objects.filter(state=R).count(),
        "evidence": Evidence.objects.count(),
        "transitions": ReportTransition.objects.count(),
        "audit": AuditEntry.objects.filter(action__startswith="progress.").count(),
    }


def test_the_example_reports_through_the_services_within_the_plan(loaded):
    assert "Progress reports: 9 added, 9 in all (illustrative)" in loaded
    assert counts() == {
        "reports": 9,
        "validated": 8,
        "returned": 1,
        "evidence": 9,
        "transitions": 9 + 9,  # each submitted, then decided
        "audit": 18,
    }
    for report in ProgressReport.objects.select_related("milestone__commitment", "author", "decided_by"):
        commitment = report.milestone.commitment
        assert commitment.number in (3, 9)
        assert commitment.is_illustrative
        assert report.author.email == example.REVIEWERS[commitment.lead_entity.acronym]
        assert report.entity_id == commitment.lead_entity_id
        assert report.decided_by.email == example.SECRETARIAT
        assert report.done.startswith(example.EXAMPLE)
        assert datetime.date(2018, 1, 1) <= report.as_of <= datetime.date(2019, 12, 31)
        assert report.created.year in (2018, 2019)
        assert report.created < report.decided_at
    returned = ProgressReport.objects.get(state=R)
    assert returned.return_reason
    assert returned.corrections.get().state == V
    # Every piece of evidence is a link to a reserved example address, titled as an example.
    for evidence in Evidence.objects.all():
        assert evidence.kind == Evidence.Kind.LINK
        assert evidence.url.split("/")[2].endswith(".example")
        assert evidence.title.startswith("Ejemplo:")


def test_seguimiento_and_the_commitments_pages_show_them_as_examples(loaded, client):
    page = client.get(reverse("implementation:tracking")).content.decode()
    assert "Cifras ilustrativas." in page
    assert "83 %" in page  # commitment 3: complete and substantial
    assert "67 %" in page  # commitment 9: complete and limited
    assert "2 de 4 hitos completos" in page
    assert "2 hitos retrasados" in page
    three = Commitment.objects.get(plan__slug="paga-2017-2019", number=3)
    detail = client.get(three.get_absolute_url()).content.decode()
    assert detail.count(example.EXAMPLE) == 4  # its four validated reports, not the returned one
    assert "La herramienta funciona en las cuatro comisiones piloto.<" not in detail
    assert "https://minam.example/cam-car/diagnostico-2018" in detail
    data = client.get(reverse("implementation:tracking_csv"))
    assert data.status_code == 200
    assert "completo" in data.content.decode("utf-8-sig")


def test_loading_twice_adds_nothing(loaded):
    before = counts()

    output = load()

    assert "Progress reports: 0 added, 9 in all (illustrative)" in output
    assert counts() == before


def test_on_a_day_within_the_plan_what_was_decided_by_then_later_the_rest_but_not_over_a_hand_report(
    example_accounts_file, settings
):
    settings.COCREA_AS_OF = "2018-12-25"
    output = load()

    assert "Progress reports: 5 added, 5 in all (illustrative)" in output
    by_milestone = {
        (r.milestone.commitment.number, r.milestone.order): r.number
        for r in ProgressReport.objects.select_related("milestone__commitment").order_by("number")
    }
    assert by_milestone == {(3, 1): 2, (3, 2): 1, (9, 1): 2}
    # MTC's reviewer reports on commitment 9's second milestone by hand: the example leaves it alone.
    nine_two = Commitment.objects.get(plan__slug="paga-2017-2019", number=9).milestones.get(order=2)
    services.submit_report(
        milestone=nine_two,
        actor=User.objects.get(email=example.REVIEWERS["MTC"]),
        status=ProgressStatus.LIMITED,
        done="Escrito por la entidad",
        as_of=datetime.date(2018, 12, 24),
    )

    settings.COCREA_AS_OF = "2020-01-15"
    output = load()

    assert "Progress reports: 2 added, 8 in all (illustrative)" in output
    assert list(nine_two.progress_reports.values_list("done", flat=True)) == ["Escrito por la entidad"]
    three_two = ProgressReport.objects.filter(milestone__commitment__number=3, milestone__order=2)
    assert list(three_two.order_by("number").values_list("state", flat=True)) == [V, R, V]
