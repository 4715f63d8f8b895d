"""consultations/reports.py: what the consultations tell the compliance page and the plan's PDF.

Only published responses count as answered; windows are counted in Lima calendar days; the annex
carries no email address and no hidden text; the queries do not grow with the contributions.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from consultations import reports, responses, services
from consultations.models import Consultation, Contribution, Disposition
from paga import example as paga_example
from paga.models import Channel
from tests.commitments.factories import current_plan
from tests.consultations.factories import ConsultationFactory, forum_2017, lima
from tests.consultations.test_responses import contribution, make_consultation, version_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Disposition
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(autouse=True)
def english():
    """Texts are checked in their English source (the Spanish translation comes later)."""
    with translation.override("en"):
        yield


@pytest.fixture
def answered(secretariat, citizen, other_citizen) -> Consultation:
    """Four contributions: two answered and published, one answered in draft, one by email unanswered."""
    consultation = make_consultation()
    first = contribution(consultation, author=citizen)
    second = contribution(consultation, author=other_citizen)
    responses.respond(
        contribution=first,
        actor=secretariat,
        disposition=D.INCORPORATED,
        commitment_version=version_of(consultation),
    )
    responses.respond(contribution=second, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)
    draft = contribution(consultation, author=citizen)
    responses.respond(
        contribution=draft, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="Borrador."
    )
    contribution(consultation, channel=Channel.EMAIL, received_on="2017-10-03")
    return consultation


def lines_by_key(plan) -> dict:
    return {line.key: line for line in reports.compliance(plan)}


# --- compliance ------------------------------------------------------------------------------------
def test_share_answered_counts_published_responses_only(answered):
    line = lines_by_key(answered.plan)[f"consultation-answered-{answered.slug}"]

    assert line.met is False
    assert line.finding == "2 of 4 contributions have a published reasoned response (50.0 %)."
    assert line.evidence_url == f"/consultas/{answered.slug}/respuestas/"


def test_every_contribution_answered_is_met(secretariat, citizen):
    consultation = make_consultation()
    responses.respond(
        contribution=contribution(consultation, author=citizen),
        actor=secretariat,
        disposition=D.OUT_OF_SCOPE,
        reason="Fuera del alcance del plan.",
    )
    assert lines_by_key(consultation.plan)[f"consultation-answered-{consultation.slug}"].met is False
    responses.publish_responses(consultation=consultation, actor=secretariat)

    line = lines_by_key(consultation.plan)[f"consultation-answered-{consultation.slug}"]
    assert line.met is True
    assert line.finding == "1 of 1 contribution has a published reasoned response (100.0 %)."


def test_a_consultation_without_contributions_has_no_data_on_answers(db):
    consultation = make_consultation()
    lines = lines_by_key(consultation.plan)

    assert lines[f"consultation-answered-{consultation.slug}"].met is None
    assert lines["channels"].met is None
    assert lines["channels"].finding == "No contributions recorded yet."


def test_the_2017_forum_was_open_fifteen_lima_days(db):
    forum = forum_2017()  # from midnight on 22.09 until midnight after 06.10, Lima time
    line = lines_by_key(forum.plan)[f"consultation-open-{forum.slug}"]

    assert line.met is True
    assert line.finding == "Open from Sept. 22, 2017 to Oct. 6, 2017 (Lima dates): 15 days."
    assert line.evidence_url == forum.get_absolute_url()


def test_a_window_shorter_than_two_weeks_is_not_met_and_days_are_counted_in_lima(db):
    # 23:30 in Lima is already the next day in UTC: the first day is still the 21st.
    short = ConsultationFactory(opens_at=lima(2017, 9, 21, 23, 30), closes_at=lima(2017, 9, 30, 12, 0))
    first, last, days = reports.window(short)
    line = lines_by_key(short.plan)[f"consultation-open-{short.slug}"]

    assert (first.day, last.day, days) == (21, 30, 10)
    assert line.met is False
    assert "10 days" in line.finding


def test_channels_used_lists_each_channel_with_its_count(answered):
    line = lines_by_key(answered.plan)["channels"]

    assert line.met is True
    assert line.finding == "2 channels used: Virtual forum: 3, Email: 1."
    assert line.evidence_url == "/datos/"


def test_a_single_channel_is_not_met(citizen):
    consultation = make_consultation()
    contribution(consultation, author=citizen)
    line = lines_by_key(consultation.plan)["channels"]

    assert line.met is False
    assert line.finding == "1 channel used: Virtual forum: 1."


def test_a_plan_without_consultations_says_so(db):
    lines = lines_by_key(current_plan())

    assert lines["consultations"].met is None
    assert lines["consultations"].finding.startswith("Not recorded")
    assert reports.process_summary(current_plan()) == []
    assert reports.annex(current_plan()) == []


def test_the_example_figures(example_plan):
    lines = lines_by_key(example_plan)
    forum = "foro-virtual-propuestas-2017"

    assert lines[f"consultation-answered-{forum}"].finding.startswith("2 of 3 contributions")
    assert lines[f"consultation-open-{forum}"].finding.endswith("15 days.")
    # Rosa's comment on the self-assessment report is PAGA 2015-2016's (paga/example.py PREVIOUS_PLAN).
    assert lines["channels"].finding == "2 channels used: Virtual forum: 2, Email: 1."
    previous = lines_by_key(paga_example.previous_plan())
    assert previous["channels"].finding == "1 channel used: Virtual forum: 1."


# --- process_summary -------------------------------------------------------------------------------
def test_the_summary_counts_contributions_by_channel_and_published_disposition(answered):
    by_key = {block.key: block for block in reports.process_summary(answered.plan)}
    channels, windows = by_key["consultations-by-channel"].tables
    [dispositions] = by_key["consultations-answered"].tables

    assert channels.rows == [["Virtual forum", 3, Decimal("75.0")], ["Email", 1, Decimal("25.0")]]
    assert windows.rows[0][0] == answered.title
    assert windows.rows[0][3:] == [reports.window(answered)[2], 4, 2]  # days open, contributions, answered
    counts = {row[0]: row[1] for row in dispositions.rows}
    assert counts["Incorporated"] == 1
    assert counts["Out of scope"] == 1
    assert counts["Not incorporated"] == 0  # the draft is not published
    assert counts["Awaiting a response"] == 2
    assert "2 of 4 contributions have a published reasoned response (50.0 %)." in (
        by_key["consultations-answered"].paragraphs
    )


# --- annex -----------------------------------------------------------------------------------------
def test_the_annex_shows_every_contribution_with_its_published_response_and_no_email(secretariat, citizen):
    consultation = make_consultation()
    named = UserFactory(display_name="Rosa Quispe", email="rosa.quispe@correo.test")
    shown = contribution(consultation, author=named, text="Escríbanme a rosa.quispe@correo.test, por favor.")
    by_email = contribution(consultation, given_name="Colectivo Áncash", text="Aporte enviado por correo.")
    hidden = contribution(consultation, author=citizen, text="Un texto que la moderación ocultó.")
    services.hide(contribution=hidden, actor=secretariat, reason="Datos personales")
    responses.respond(
        contribution=shown,
        actor=secretariat,
        disposition=D.NOT_INCORPORATED,
        reason="No corresponde; escriba a mesa@pcm.test si desea más información.",
    )
    responses.respond(contribution=by_email, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)

    [block] = reports.annex(consultation.plan)
    [table] = block.tables
    rows = {row[0]: row for row in table.rows}

    assert block.key == f"annex-{consultation.slug}"
    assert len(table.rows) == 3
    assert rows[shown.pk][3] == "Rosa Quispe"
    assert rows[shown.pk][6] == "Not incorporated"
    assert rows[by_email.pk][2] == "Email"
    assert rows[by_email.pk][3] == "Colectivo Áncash"
    assert rows[hidden.pk][5] == "Hidden by moderation: Datos personales"
    assert "ocultó" not in str(rows[hidden.pk])
    assert rows[hidden.pk][6] == "Awaiting a response"
    assert "2 of 3 contributions have a published reasoned response." in block.paragraphs
    cells = [str(cell) for row in table.rows for cell in row] + block.paragraphs
    assert not [cell for cell in cells if EMAIL.search(cell)]
    assert citizen.email not in " ".join(cells)


def test_a_draft_response_is_not_in_the_annex(answered):
    [block] = reports.annex(answered.plan)
    drafts = [row for row in block.tables[0].rows if row[6] == "Not incorporated"]

    assert drafts == []
    assert sum(1 for row in block.tables[0].rows if row[6] == "Awaiting a response") == 2


def test_the_annex_names_the_commitment_version_a_contribution_went_into(answered):
    [block] = reports.annex(answered.plan)
    incorporated = next(row for row in block.tables[0].rows if row[6] == "Incorporated")

    assert "Went into:" in incorporated[7]
    assert "version 1" in incorporated[7]


# --- queries -----------------------------------------------------------------------------------------
def _volume(n: int) -> None:
    for _ in range(n):
        consultation = ConsultationFactory(items=[])
        for channel in (Channel.EMAIL, Channel.SOCIAL, Channel.FORUM):
            Contribution.objects.create(
                consultation=consultation, given_name="Colectivo", channel=channel, text="x"
            )


@pytest.mark.parametrize(("hook", "queries"), [("compliance", 2), ("process_summary", 2), ("annex", 2)])
def test_each_hook_runs_a_fixed_number_of_queries(answered, hook, queries, django_assert_num_queries):
    sizes = []
    for n in (1, 12):
        _volume(n)
        with django_assert_num_queries(queries):
            found = getattr(reports, hook)(answered.plan)
        sizes.append(len(found))
    assert sizes[1] > sizes[0] or hook == "process_summary"
