"""The public read side of implementation tracking (issue 14): /seguimiento/ (progress per commitment,
lead entity, theme and OGP value, from VALIDATED reports only), its open data (CSV, JSON, dictionary),
the milestones' calendar, a commitment's page with its validated reports and evidence, and the download
of an evidence file (validated reports only). Queries flat with volume."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from icalendar import Calendar

from commitments.models import Commitment, PlanItem, PlanVersion, Status
from implementation import progress
from implementation.models import Evidence, ProgressStatus, ReportState
from paga.models import GovernmentPriority, Theme
from tests.commitments.factories import (
    SCRIPT,
    PlanFactory,
    complete_commitment,
    current_plan,
    ministry,
    ogp_value,
)
from tests.factories import UserFactory

from .factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

TRACKING = reverse("implementation:tracking")
TODAY = datetime.date(2018, 9, 1)  # milestones are due 30.06.2018 (the factory's): past
V, R, S = ReportState.VALIDATED, ReportState.RETURNED, ReportState.SUBMITTED


@pytest.fixture(autouse=True)
def _today(settings):
    settings.COCREA_AS_OF = TODAY.isoformat()


def theme(plan, name: str, order: int) -> Theme:
    priority = GovernmentPriority.objects.filter(plan=plan).first() or GovernmentPriority.objects.create(
        plan=plan, name="Prioridad", slug="prioridad"
    )
    return Theme.objects.create(plan=plan, name=name, slug=name.lower(), priority=priority, order=order)


def in_force(plan, *commitments, number: int = 1) -> PlanVersion:
    """An approved version of `plan` with `commitments` as rows (read-side tests: the approval through
    its services is tests/commitments/test_plan_*'s and tests/implementation/conftest.py's)."""
    someone = UserFactory()
    at = datetime.datetime(2017, 12, 29, 15, tzinfo=datetime.UTC)
    version = PlanVersion.objects.create(plan=plan, number=number, created_by=someone)
    for n, commitment in enumerate(commitments, start=1):
        PlanItem.objects.create(version=version, commitment=commitment, number=n)
    versions = PlanVersion.objects.filter(pk=version.pk)  # as the services move it (frozen rows stay)
    versions.update(state=PlanVersion.State.FROZEN, frozen_at=at, frozen_by=someone)
    versions.update(
        state=PlanVersion.State.APPROVED, instrument=PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        instrument_number="RM 1", instrument_date=at.date(), approved_at=at, approved_by=someone,
        snapshot={}, annex={},
    )  # fmt: skip
    return version


def report(milestone, status, state=V, **kw):
    return ProgressReportFactory(milestone=milestone, status=status, state=state, **kw)


@pytest.fixture
def data():
    """Two commitments in implementation and one not yet:
    - 1 (MINAM, Ambiente, transparency + participation), 3 milestones: complete (validated); substantial
      validated then a LIMITED validated correction (latest counts: limited) plus a COMPLETE submitted
      (not counted); a COMPLETE returned (not counted: not started, delayed). 1 + 1/3 + 0 = 4/9 -> 44 %.
    - 2 (MTC, Transporte, transparency), 2 milestones: substantial validated; nothing. 1/3 -> 33 %.
    - 3 (MINAM, agreed: not in implementation), a complete validated report: never counted or shown."""
    plan = current_plan()
    ambiente, transporte = theme(plan, "Ambiente", 1), theme(plan, "Transporte", 2)
    one = complete_commitment(
        plan=plan, number=1, status=Status.INCLUDED, theme=ambiente, milestones=3,
        values={"transparencia": "a", "participacion": "b"},
    )  # fmt: skip
    two = complete_commitment(
        plan=plan,
        number=2,
        status=Status.INCLUDED,
        theme=transporte,
        lead_entity=ministry("MTC"),
        milestones=2,
    )
    three = complete_commitment(plan=plan, number=3, status=Status.AGREED, theme=ambiente)
    in_force(plan, one, two)
    a, b, c = one.milestones.order_by("order")
    report(a, ProgressStatus.COMPLETE, done="Se publicó el «informe» final")
    report(b, ProgressStatus.SUBSTANTIAL, done="Primera versión del avance")
    report(b, ProgressStatus.LIMITED, done="Versión corregida del avance", as_of=datetime.date(2018, 5, 2))
    report(b, ProgressStatus.COMPLETE, state=S, done="Todavía por validar: no se publica")
    report(c, ProgressStatus.COMPLETE, state=R, done="Devuelto por la Secretaría: no se publica")
    d, _e = two.milestones.order_by("order")
    report(d, ProgressStatus.SUBSTANTIAL)
    report(three.milestones.get(), ProgressStatus.COMPLETE, done="De un compromiso sin aprobar")
    return {"plan": plan, "one": one, "two": two, "three": three, "milestones": (a, b, c, d)}


def test_the_figures_come_from_validated_reports_only(client, data):
    response = client.get(TRACKING)
    assert response.status_code == 200
    tracking = response.context["tracking"]
    rows = {row.commitment.number: row for row in tracking.commitments}
    assert set(rows) == {1, 2}  # commitment 3 is not being implemented
    assert [m.status for m in rows[1].milestones] == ["completo", "limitado", "no_iniciado"]
    assert (rows[1].completion, rows[1].complete, rows[1].total, rows[1].delayed) == (44, 1, 3, 2)
    assert (rows[2].completion, rows[2].complete, rows[2].total, rows[2].delayed) == (33, 0, 2, 2)
    assert rows[1].completion == progress.completion(["completo", "limitado", None])
    assert tracking.completion == 39  # (44 + 33) / 2 = 38.5, half up
    html = response.content.decode()
    for hidden in ("Todavía por validar", "Devuelto por la Secretaría", "De un compromiso sin aprobar"):
        assert hidden not in html


def test_each_group_is_the_mean_of_its_commitments(client, data):
    groups = {g.key: g for g in client.get(TRACKING).context["tracking"].groups}
    by = {key: {(r.label, r.n, r.commitments, r.complete, r.milestones, r.delayed) for r in g.rows}
          for key, g in groups.items()}  # fmt: skip
    minam, mtc = str(ministry("MINAM")), str(ministry("MTC"))
    assert by["por-entidad"] == {(minam, 44, 1, 1, 3, 2), (mtc, 33, 1, 0, 2, 2)}
    assert by["por-tema"] == {("Ambiente", 44, 1, 1, 3, 2), ("Transporte", 33, 1, 0, 2, 2)}
    transparency, participation = ogp_value("transparencia").name, ogp_value("participacion").name
    # Commitment 1 counts under both of its values.
    assert by["por-valor"] == {(transparency, 39, 2, 1, 5, 4), (participation, 44, 1, 1, 3, 2)}
    assert [r.label for r in groups["por-tema"].rows] == ["Ambiente", "Transporte"]  # the themes' order


def test_the_page_writes_the_rule_and_draws_each_group_with_its_table(client, data):
    html = client.get(TRACKING).content.decode()
    assert str(progress.RULE)[:60].replace("'", "&#x27;") in html
    for key in ("compromisos", "por-entidad", "por-tema", "por-valor"):
        section = html[html.index(f'<section id="{key}"') :]
        section = section[: section.index("</section>")]
        assert '<svg viewBox="0 0 360' in section
        assert 'role="img"' in section
        assert "<table" in section
        assert "<caption" in section
        assert "%</text>" in section  # the bars' values are percentages
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_a_milestone_complete_is_not_delayed_and_one_without_due_date_never(client, data):
    _a, _b, c, d = data["milestones"]
    assert progress.is_delayed("no_iniciado", c.due_date, TODAY)
    c.due_date = None
    c.save()
    report(d, ProgressStatus.COMPLETE)
    rows = {r.commitment.number: r for r in client.get(TRACKING).context["tracking"].commitments}
    assert (rows[1].delayed, rows[2].delayed) == (1, 1)  # b (limited); 2's second milestone


def test_an_empty_plan_says_what_will_appear(client):
    current_plan()
    html = client.get(TRACKING).content.decode()
    assert "No commitment is being implemented yet" in html or "Ningún compromiso" in html


@pytest.mark.parametrize("n", [2, 20])
def test_queries_do_not_grow_with_commitments_milestones_and_reports(client, django_assert_num_queries, n):
    plan = current_plan()
    values = ("transparencia", "participacion", "rendicion")
    made = []
    for i in range(n):
        commitment = complete_commitment(
            plan=plan, number=i + 1, status=Status.INCLUDED, theme=theme(plan, f"Tema{i}", i),
            values={values[i % 3]: "x"}, milestones=2,
        )  # fmt: skip
        for milestone in commitment.milestones.all():
            report(milestone, ProgressStatus.LIMITED, state=R)
            EvidenceLinkFactory(report=report(milestone, ProgressStatus.SUBSTANTIAL))
        made.append(commitment)
    in_force(plan, *made)
    # plan; commitments with entity and theme; milestones with their status; OGP values; the plan's
    # self-assessments (templatetags/self_assessments.py).
    with django_assert_num_queries(5):
        response = client.get(TRACKING)
    assert len(response.context["tracking"].commitments) == n
    for name in ("tracking_csv", "tracking_json", "milestones_ics"):
        with django_assert_num_queries(4):
            assert client.get(reverse(f"implementation:{name}")).status_code == 200
    # A commitment's page: its own queries (11 here, tests/commitments/test_public_views.py), plus one
    # (milestones with their status, joined to validated reports and evidence); none for one not included.
    with django_assert_num_queries(11 + 1):
        response = client.get(commitment.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("https://www.gob.pe/minam/informe-") == 2  # one per milestone
    Commitment.objects.filter(pk=commitment.pk).update(status=Status.APPROVED)
    with django_assert_num_queries(11):
        assert client.get(commitment.get_absolute_url()).status_code == 200


def test_csv_has_a_row_per_milestone_with_the_dictionary_columns(client, data):
    response = client.get(reverse("implementation:tracking_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    from implementation.public_selectors import OPEN_DATA_DICTIONARY

    assert list(rows[0]) == list(OPEN_DATA_DICTIONARY)
    assert [(r["commitment_number"], r["status"], r["milestone_completion"], r["delayed"]) for r in rows] == [
        ("1", "completo", "100", "False"),
        ("1", "limitado", "33", "True"),
        ("1", "no_iniciado", "0", "True"),
        ("2", "sustancial", "67", "True"),
        ("2", "no_iniciado", "0", "True"),
    ]
    assert {r["commitment_completion"] for r in rows} == {"44", "33"}
    assert rows[1]["reported_on"] == "2018-05-02"
    assert rows[2]["reported_on"] == ""
    assert rows[1]["validated_reports"] == "2"
    assert rows[2]["validated_reports"] == "0"
    assert "Devuelto" not in text
    assert "por validar" not in text


def test_json_has_the_rule_the_dictionary_and_the_same_rows(client, data):
    response = client.get(reverse("implementation:tracking_json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert body["rule"] == str(progress.RULE)
    assert body["license"]["url"].startswith("https://creativecommons.org/")
    assert set(body["data_dictionary"]) == set(body["rows"][0])
    assert [(c["number"], c["completion"], c["complete"], c["milestones"], c["delayed"])
            for c in body["commitments"]] == [(1, 44, 1, 3, 2), (2, 33, 0, 2, 2)]  # fmt: skip
    assert body["rows"][1]["delayed"] is True
    assert body["rows"][0]["due_date"] == "2018-06-30"


def test_dictionary_page_lists_every_column(client, data):
    from implementation.public_selectors import OPEN_DATA_DICTIONARY

    html = client.get(reverse("implementation:data_dictionary")).content.decode()
    for name in OPEN_DATA_DICTIONARY:
        assert f"<code>{name}</code>" in html


def test_calendar_has_each_due_date_as_an_all_day_event(client, data):
    response = client.get(reverse("implementation:milestones_ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 5  # the milestones of commitments 1 and 2 (3 is not being implemented)
    first = events[0]
    assert first.decoded("dtstart") == datetime.date(2018, 6, 30)
    assert first.decoded("dtend") == datetime.date(2018, 7, 1)
    assert str(first["uid"]).startswith("milestone-")
    assert str(first["url"]).endswith(data["one"].get_absolute_url())
    assert "Completo" in str(first["description"]) or "Complete" in str(first["description"])


def test_the_commitment_page_shows_validated_reports_with_evidence_and_nothing_else(client, data):
    a, b, c, _d = data["milestones"]
    validated = b.progress_reports.get(number=2)
    EvidenceLinkFactory(report=validated, title="Acta «firmada»", url="https://www.gob.pe/acta")
    EvidenceLinkFactory(report=validated, title="Lista de asistentes", url="https://www.gob.pe/lista")
    returned = c.progress_reports.get()
    EvidenceLinkFactory(report=returned, title="Evidencia devuelta", url="https://www.gob.pe/devuelta")
    html = client.get(data["one"].get_absolute_url()).content.decode()
    section = html[html.index('<section id="avance"') :]
    section = section[: section.index("</section>")]
    assert "Se publicó el «informe» final" in section
    assert "Versión corregida del avance" in section
    assert "Primera versión del avance" in section  # the history: every validated report
    assert 'href="https://www.gob.pe/acta"' in section
    assert section.index("gob.pe/acta") < section.index("gob.pe/lista")  # both, in the order given
    for hidden in ("Todavía por validar", "Devuelto por la Secretaría", "Evidencia devuelta"):
        assert hidden not in html
    assert 'href="#avance"' in html


def test_a_commitment_not_being_implemented_has_no_progress_section(client, data):
    html = client.get(data["three"].get_absolute_url()).content.decode()
    assert 'id="avance"' not in html
    assert 'href="#avance"' not in html
    assert "De un compromiso sin aprobar" not in html


def file_evidence(report_, name="acta.pdf"):
    evidence = Evidence(
        report=report_, kind=Evidence.Kind.FILE, title="Acta en PDF", original_name=name,
        content_type="application/pdf", sha256="0" * 64, size=9,
    )  # fmt: skip
    evidence.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return evidence


def test_evidence_files_are_served_for_validated_reports_only(client, data):
    a, b, c, _d = data["milestones"]
    shown = file_evidence(a.progress_reports.get())
    returned = file_evidence(c.progress_reports.get())
    submitted = file_evidence(b.progress_reports.get(state=S))
    not_implemented = file_evidence(data["three"].milestones.get().progress_reports.get())
    url = reverse("implementation:evidence_download", args=[shown.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert url in client.get(data["one"].get_absolute_url()).content.decode()
    for hidden in (returned, submitted, not_implemented):
        assert client.get(reverse("implementation:evidence_download", args=[hidden.pk])).status_code == 404
    link = EvidenceLinkFactory(report=a.progress_reports.get())
    assert client.get(reverse("implementation:evidence_download", args=[link.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_served_from_the_page_cache_until_a_report_is_validated(settings, data, django_assert_num_queries):
    from django.core.cache import cache
    from django.test import Client

    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    first = Client().get(TRACKING).content
    with django_assert_num_queries(1):  # the content generation, nothing else
        assert Client().get(TRACKING).content == first
    # Validating the submitted COMPLETE report on commitment 1's second milestone: 1 + 1 + 0 -> 67 %.
    _a, b, _c, _d = data["milestones"]
    b.progress_reports.filter(state=S).update(
        state=V, decided_by=UserFactory(), decided_at=datetime.datetime.now(datetime.UTC)
    )
    rows = {r.commitment.number: r for r in Client().get(TRACKING).context["tracking"].commitments}
    assert rows[1].completion == 67


def test_each_plan_has_its_own_tracking_and_nothing_leaks_between_plans(client, data):
    other = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    old = complete_commitment(plan=other, number=7, status=Status.INCLUDED, milestones=1)
    in_force(other, old)
    validated = report(old.milestones.get(), ProgressStatus.COMPLETE, done="Hecho en el plan anterior")
    evidence = file_evidence(validated)
    here = client.get(TRACKING)
    assert {r.commitment.number for r in here.context["tracking"].commitments} == {1, 2}
    assert (
        "Hecho en el plan anterior" not in client.get(reverse("implementation:tracking_csv")).content.decode()
    )
    there = client.get(f"/planes/paga-2015-2016{TRACKING}")
    assert [r.commitment.number for r in there.context["tracking"].commitments] == [7]
    assert there.context["tracking"].commitments[0].completion == 100
    csv_there = client.get("/planes/paga-2015-2016/seguimiento/avance.csv").content.decode()
    assert "PAGA 2015-2016" in csv_there
    assert "PAGA 2017-2019" not in csv_there
    download = reverse("implementation:evidence_download", args=[evidence.pk])
    assert client.get(download).status_code == 404  # the current plan's address
    assert client.get(f"/planes/paga-2015-2016{download}").status_code == 200
