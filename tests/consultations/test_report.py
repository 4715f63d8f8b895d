"""consultations/selectors.py: the public responses report (CSV, JSON) and "Mis aportes".

Only published responses count as answered; no email address and no hidden text ever leaves; the
number of queries does not grow with the number of contributions.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from consultations import responses, selectors
from consultations.models import Consultation, Contribution, Disposition
from paga.models import Channel
from tests.consultations.test_responses import contribution, make_consultation, version_of
from tests.factories import UserFactory

D = Disposition
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(autouse=True)
def english():
    """Labels are checked in their English source (the Spanish translation comes later)."""
    with translation.override("en"):
        yield


@pytest.fixture
def consultation(db) -> Consultation:
    return make_consultation()


@pytest.fixture
def answered(consultation, citizen, other_citizen, secretariat) -> Consultation:
    """Four contributions: two answered and published, one answered but unpublished, one by email
    without a response yet. The last one is written after publication."""
    first = contribution(consultation, author=citizen, stance="a_favor", category="sugerencia")
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


def test_share_answered_counts_only_published_responses(answered):
    report = selectors.responses_report(answered)

    assert (report.total, report.answered, report.awaiting) == (4, 2, 2)
    assert report.share_answered == Decimal("50.0")
    assert {t.code: t.count for t in report.by_disposition} == {
        D.INCORPORATED: 1,
        D.PARTIAL: 0,
        D.NOT_INCORPORATED: 0,
        D.OUT_OF_SCOPE: 1,
        D.DUPLICATE: 0,
    }
    assert {t.code: t.count for t in report.by_channel} == {Channel.FORUM: 3, Channel.EMAIL: 1}


def test_an_unpublished_response_shows_nothing_publicly(answered):
    report = selectors.responses_report(answered)
    draft = report.rows[2]

    assert (draft.published, draft.disposition, draft.reason, draft.published_at) == (False, "", "", None)
    assert "Borrador." not in selectors.report_csv(report)


def test_share_answered_has_one_decimal_place_and_none_without_contributions(consultation, secretariat):
    assert selectors.responses_report(consultation).share_answered is None
    aportes = [contribution(consultation) for _ in range(3)]
    responses.respond(contribution=aportes[0], actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.respond(contribution=aportes[1], actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.publish_responses(consultation=consultation, actor=secretariat)

    assert selectors.responses_report(consultation).share_answered == Decimal("66.7")


def test_rows_carry_author_item_stance_and_the_version_link(answered, citizen):
    row = selectors.responses_report(answered).rows[0]

    assert row.author == citizen.display_name
    assert row.item == str(answered.items.first())
    assert (row.stance, row.category) == (
        str(Contribution.Stance.FOR.label),
        str(Contribution.Category.SUGGESTION.label),
    )
    assert (row.disposition, row.published) == (D.INCORPORATED, True)
    assert row.disposition_label == str(D.INCORPORATED.label)
    assert row.commitment_version_url == answered.items.first().get_absolute_url()
    email_row = selectors.responses_report(answered).rows[3]
    assert (email_row.channel, email_row.author, str(email_row.date)) == (
        Channel.EMAIL,
        "Colectivo «Áncash» (correo)",
        "2017-10-03",
    )


def test_csv_parses_back_with_a_header_and_never_contains_an_email_address(answered):
    contribution(
        answered, author=UserFactory(display_name=""), text="Escríbanme a vecina@example.org, por favor"
    )
    report = selectors.responses_report(answered)

    text = selectors.report_csv(report)
    rows = list(csv.DictReader(io.StringIO(text)))

    assert len(rows) == 5
    assert list(rows[0]) == list(selectors.DATA_DICTIONARY)
    assert [int(r["contribution"]) for r in rows] == [r.contribution for r in report.rows]
    assert [r["published"] for r in rows] == ["True", "True", "False", "False", "False"]
    assert "<script>" in rows[0]["text"]  # stored and exported as typed; escaping is the page's job
    assert not EMAIL.search(text)
    assert text.encode("utf-8").decode("utf-8") == text
    assert "Áncash" in text


def test_csv_defuses_a_text_a_spreadsheet_would_run_as_a_formula(consultation):
    contribution(consultation, text='=HYPERLINK("http://example.org","clic")')

    rows = list(csv.DictReader(io.StringIO(selectors.report_csv(selectors.responses_report(consultation)))))

    assert rows[0]["text"].startswith("'=")


def test_json_has_a_data_dictionary_for_every_column_and_no_email(answered):
    data = selectors.report_json(selectors.responses_report(answered))

    text = json.dumps(data, ensure_ascii=False)
    assert set(data["data_dictionary"]) == set(data["rows"][0])
    assert all(description.strip() for description in data["data_dictionary"].values())
    assert (data["contributions"], data["answered"], data["share_answered"]) == (4, 2, 50.0)
    assert not EMAIL.search(text)


def test_hidden_text_never_appears_only_the_reason(consultation):
    secret = "Texto oculto con datos personales 987654321"
    contribution(consultation, text=secret, state=Contribution.State.HIDDEN, hidden_reason="Datos personales")
    contribution(consultation, text=secret + " (pendiente)", state=Contribution.State.PENDING)

    report = selectors.responses_report(consultation)
    outputs = [selectors.report_csv(report), json.dumps(selectors.report_json(report), ensure_ascii=False)]

    assert report.rows[0].text == "Hidden by moderation: Datos personales"
    assert report.rows[1].text == "Hidden pending review"
    for output in outputs:
        assert "987654321" not in output
        assert "Datos personales" in output


@pytest.mark.parametrize("batch", [5, 50])
def test_report_queries_do_not_grow_with_contributions(
    consultation, secretariat, django_assert_num_queries, batch
):
    people = UserFactory.create_batch(3)
    aportes = [contribution(consultation, author=people[n % 3] if n % 4 else None) for n in range(batch)]
    responses.respond_many(
        contributions=aportes[::2],
        actor=secretariat,
        disposition=D.PARTIAL,
        reason="En parte.",
        commitment_version=version_of(consultation),
    )
    responses.publish_responses(consultation=consultation, actor=secretariat)
    consultation = Consultation.objects.get(pk=consultation.pk)

    with django_assert_num_queries(1):
        report = selectors.responses_report(consultation)
        selectors.report_csv(report)
        selectors.report_json(report)

    assert report.total == batch


def test_my_contributions_shows_only_mine_with_their_published_responses(answered, citizen, other_citizen):
    mine = selectors.my_contributions(citizen)

    assert all(m.contribution.author_id == citizen.pk for m in mine)
    assert len(mine) == 2
    newest, oldest = mine
    assert (newest.response, newest.status) == (None, "Awaiting response")  # answered, not yet published
    assert oldest.response.disposition == D.INCORPORATED
    assert oldest.status == str(D.INCORPORATED.label)
    assert oldest.consultation == answered
    assert [m.response.disposition for m in selectors.my_contributions(other_citizen)] == [D.OUT_OF_SCOPE]


def test_my_contributions_is_empty_for_an_anonymous_visitor(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.my_contributions(AnonymousUser()) == []


@pytest.mark.parametrize("batch", [5, 50])
def test_my_contributions_queries_do_not_grow(citizen, secretariat, django_assert_num_queries, batch):
    consultations = [make_consultation(), make_consultation(publication=Consultation.Publication.IMMEDIATE)]
    aportes = [contribution(consultations[n % 2], author=citizen) for n in range(batch)]
    for aporte in aportes[::3]:
        responses.respond(contribution=aporte, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")

    with django_assert_num_queries(1):
        mine = selectors.my_contributions(citizen)
        statuses = [(m.status, m.item, m.consultation.title) for m in mine]

    assert len(statuses) == batch
