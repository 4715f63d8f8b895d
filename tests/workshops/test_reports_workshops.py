"""workshops/reports.py: the compliance lines (forum, repository, participation) and the process summary
blocks (events held, participation by actor type and region) of the plan's PDF."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from paga import reports as paga_reports
from paga.models import ActorType
from tests.commitments.factories import current_plan
from tests.workshops.factories import lima, region
from tests.workshops.participation_data import attend, document, forum_session, held
from workshops import reports
from workshops.forum import months_before
from workshops.models import DocumentType, EventState, Forum, Kind

D = datetime.date
TODAY = D(2018, 6, 1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.COCREA_AS_OF = TODAY.isoformat()
    with translation.override("en"):
        yield


def lines(plan=None) -> dict[str, paga_reports.Line]:
    return {line.key: line for line in reports.compliance(plan or current_plan())}


def a_forum() -> Forum:
    return Forum.objects.create(plan=current_plan(), name="Foro Multiactor")


# --- the forum ----------------------------------------------------------------------------------------
def test_nothing_recorded_about_a_forum_is_no_data(db):
    line = lines()["forum-meetings"]
    assert line.met is None
    assert line.finding == "Not recorded: no multi-stakeholder forum and no meeting of it are recorded."
    assert line.evidence_url == "/foro-multiactor/"
    assert line.order == 40


def test_a_forum_without_meetings_is_not_met(db):
    a_forum()
    line = lines()["forum-meetings"]
    assert line.met is False
    assert line.finding == "No meeting of the forum is recorded."


@pytest.mark.parametrize(
    ("months_ago", "minutes", "met"), [(5, True, True), (5, False, False), (7, True, False)]
)
def test_the_forum_met_in_the_last_six_months_with_minutes(db, months_ago, minutes, met):
    a_forum()
    meeting = forum_session(months_before(TODAY, months_ago))
    if minutes:
        document(event=meeting)
    else:
        document(event=meeting, doc_type=DocumentType.AGENDA)
    line = lines()["forum-meetings"]
    assert line.met is met
    if months_ago == 7:
        assert line.finding == "No meeting in the last six months: the last one was on Nov. 1, 2017."
    else:
        assert line.finding == (
            "1 meeting in the last six months (the last on Jan. 1, 2018), "
            f"{int(minutes)} with its minutes published."
        )
    assert "Measured on June 1, 2018" in line.note


def test_meetings_count_even_when_the_forum_row_is_missing(db):
    document(event=forum_session(D(2018, 3, 1)))
    assert lines()["forum-meetings"].met is True


def test_a_meeting_after_the_day_shown_or_not_held_does_not_count(db):
    a_forum()
    document(event=forum_session(D(2018, 7, 1)))
    document(event=forum_session(D(2018, 5, 1), state=EventState.SCHEDULED))
    assert lines()["forum-meetings"].met is False


# --- the repository -----------------------------------------------------------------------------------
def test_an_empty_repository_is_not_met(db):
    line = lines()["repository-updated"]
    assert line.met is False
    assert line.finding == "The repository holds no document yet."
    assert line.evidence_url == "/repositorio/"


@pytest.mark.parametrize(("months_ago", "met"), [(5, True), (7, False)])
def test_the_repository_was_updated_in_the_last_six_months(db, months_ago, met):
    document(uploaded_at=lima(2017, 1, 5, 12))
    day = months_before(TODAY, months_ago)
    document(uploaded_at=lima(day.year, day.month, day.day, 12))
    document(uploaded_at=lima(2018, 6, 2, 12))  # after the day shown: not yet there
    line = lines()["repository-updated"]
    assert line.met is met
    assert line.finding.startswith("2 documents, each with its date; last updated on ")


# --- participation ------------------------------------------------------------------------------------
def test_without_events_held_participation_is_no_data(db):
    held(state=EventState.SCHEDULED, starts_at=lima(2030, 1, 1, 9))
    line = lines()["participation-by-actor"]
    assert line.met is None
    assert line.evidence_url == "/participacion/"


def test_every_event_held_with_attendance_is_met(db):
    attend(held(), 3)
    attend(held(kind=Kind.NATIONAL_TABLE), 2)
    forum_session(D(2018, 1, 1))  # the forum's sessions are the forum's line
    line = lines()["participation-by-actor"]
    assert line.met is True
    assert line.finding.startswith("Attendance recorded at 2 of 2 events held (5 participants)")
    assert line.note == ""


def test_an_event_held_without_attendance_is_not_met(db):
    attend(held(is_illustrative=True), 3)
    held(title="Mesa sin asistencia")
    line = lines()["participation-by-actor"]
    assert line.met is False
    assert line.finding.startswith("Attendance recorded at 1 of 2 events held (3 participants)")
    assert "Illustrative example" in line.note


def test_compliance_runs_three_queries_whatever_the_volume(db, django_assert_num_queries):
    a_forum()
    for n in (3, 30):
        for i in range(n):
            event = held()
            attend(event, 2)
            document(event=forum_session(D(2017, 1, 1) + datetime.timedelta(days=n * 40 + i)))
        plan = current_plan()
        with django_assert_num_queries(3):
            found = reports.compliance(plan)
    assert [line.key for line in found] == ["forum-meetings", "repository-updated", "participation-by-actor"]


def test_the_compliance_page_takes_these_lines_once(db):
    keys = [line.key for line in paga_reports.collect("compliance", current_plan())]
    for key in ("forum-meetings", "repository-updated", "participation-by-actor"):
        assert keys.count(key) == 1


# --- process summary ----------------------------------------------------------------------------------
def test_the_events_held_with_their_participants_in_spanish(db):
    workshop = held(title="Taller regional Arequipa", starts_at=lima(2017, 10, 2), ends_at=lima(2017, 10, 3))
    workshop.all_day = True
    workshop.save()
    attend(workshop, 3)
    attend(workshop, 1, actor_type=ActorType.ACADEMIA, region=region("Cusco"))
    national = held(
        title="Mesa nacional Ambiente",
        kind=Kind.NATIONAL_TABLE,
        region=region("Lima"),
        starts_at=lima(2017, 10, 12),
        ends_at=lima(2017, 10, 14),
        all_day=True,
        is_illustrative=True,
    )
    held(state=EventState.CANCELLED, cancel_reason="Lluvias")
    with translation.override("es"):
        events, people = reports.process_summary(current_plan())

    assert events.key == "workshops-events"
    [table] = events.tables
    with translation.override("es"):
        kind = str(Kind.REGIONAL_WORKSHOP.label)
    assert table.rows[0] == ["Taller regional Arequipa", kind, "2 de octubre de 2017", "Arequipa", 4]
    assert len(table.rows) == 2  # the cancelled event was not held
    assert table.rows[1][0] == national.title
    assert table.rows[1][2].startswith("12 de octubre de 2017")
    assert "13 de octubre de 2017" in table.rows[1][2]
    with translation.override("es"):
        assert table.rows[1][4] == translation.gettext("not recorded")  # not "0 people came"
    assert len(events.paragraphs) == 2  # the figures, and that they are illustrative

    assert people.key == "workshops-participation"
    by_actor, by_region, by_gender = people.tables
    assert {row[0]: row[1] for row in by_region.rows} == {"Arequipa": 3, "Cusco": 1, "Total": 4}
    assert by_actor.rows[-1] == ["Total", 4]
    assert len(by_gender.rows) == 5
    assert "Zacarías" not in str(people)


def test_no_event_held_no_block(db, django_assert_num_queries):
    held(state=EventState.SCHEDULED, starts_at=lima(2030, 1, 1, 9))
    plan = current_plan()
    with django_assert_num_queries(2):
        assert reports.process_summary(plan) == []


def test_process_summary_runs_two_queries_whatever_the_volume(db, django_assert_num_queries):
    for n in (3, 30):
        for _i in range(n):
            attend(held(), 2)
        plan = current_plan()
        with django_assert_num_queries(2):
            blocks = reports.process_summary(plan)
    assert len(blocks[0].tables[0].rows) == 33
