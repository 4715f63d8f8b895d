"""Contributions made at an event: typed in, or imported from the CSV of the input sheets (issue 5:
a good file creates every row; a file with one bad row creates none and names the row and the problem)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from consultations import responses
from consultations.models import Contribution, Disposition
from paga.models import ActorType, Channel
from tests.consultations.factories import ConsultationFactory
from tests.workshops._outcomes import held_event, proposals_in_consultation
from tests.workshops.factories import EventFactory, undated
from workshops import outcomes
from workshops.models import EventInput

pytestmark = pytest.mark.django_db

GOOD = (
    "propuesta,nombre,tipo_actor,texto,postura,categoria\r\n"
    "41,Asociación «Ñaupa» de Áncash,sociedad_civil,Incluir a las provincias.,a favor,sugerencia\r\n"
    '42,Colegio de Ingenieros,Academia,"Texto con coma, y\nsalto de línea",,\r\n'
    '41,=HYPERLINK("http://x"),,=1+1,En contra,Pregunta\r\n'
)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def setup():
    items, consultation = proposals_in_consultation()
    return held_event(), items, consultation


def upload(body: str | bytes, name: str = "aportes.csv") -> SimpleUploadedFile:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return SimpleUploadedFile(name, data, content_type="text/csv")


def import_url(event) -> str:
    return reverse("workshops:outcomes_input_import", args=[event.slug])


# --- Typed in --------------------------------------------------------------------------------------
def test_a_typed_contribution_goes_to_the_consultation_of_its_proposal_in_person(secretariat, setup):
    event, items, consultation = setup
    made = outcomes.record_event_input(
        event=event, actor=secretariat, commitment=items[1], given_name="  Mesa de Trabajo Áncash ",
        text="Aporte escrito en la hoja.", actor_type=ActorType.ACADEMIA, stance="en_contra",
    )  # fmt: skip
    contribution = made.contribution
    assert (made.event, made.sheet_row, made.actor_type) == (event, None, ActorType.ACADEMIA)
    assert contribution.consultation == consultation
    assert contribution.commitment == items[1]
    assert contribution.channel == Channel.IN_PERSON
    assert contribution.received_on == timezone.localdate() - datetime.timedelta(days=1)
    assert contribution.given_name == "Mesa de Trabajo Áncash"
    assert (contribution.recorded_by, contribution.author) == (secretariat, None)


def test_the_typed_form_records_and_keeps_what_was_typed_on_an_error(client, secretariat, setup, english):
    event, items, _consultation = setup
    client.force_login(secretariat)
    url = reverse("workshops:outcomes_input_new", args=[event.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{items[0].pk}"' in page.content.decode()
    bad = client.post(url, {"proposal": str(items[0].pk), "given_name": "Junta «Ñ»", "text": ""})
    assert bad.status_code == 200
    assert "Write the text of the contribution." in bad.content.decode()
    assert "Junta «Ñ»" in bad.content.decode()
    good = client.post(url, {"proposal": str(items[0].pk), "given_name": "Junta «Ñ»", "text": "Sí."})
    assert good.status_code == 302
    assert EventInput.objects.get().contribution.text == "Sí."


def test_the_consultation_open_on_the_event_day_is_chosen_else_the_latest(secretariat, setup):
    event, items, open_then = setup
    later = ConsultationFactory(
        items=[items[0]], opens_at=timezone.now() + datetime.timedelta(days=5),
        closes_at=timezone.now() + datetime.timedelta(days=9),
    )  # fmt: skip
    assert outcomes.consultation_for(event=event, commitment=items[0]) == open_then
    old_event = held_event(starts_at=timezone.now() - datetime.timedelta(days=40), ends_at=None)
    assert outcomes.consultation_for(event=old_event, commitment=items[0]) == later


def test_a_proposal_in_no_consultation_cannot_take_contributions(secretariat, setup, english):
    event, _items, _consultation = setup
    from tests.commitments.factories import CommitmentFactory

    lonely = CommitmentFactory(number=77)
    with pytest.raises(ValidationError) as exc:
        outcomes.record_event_input(
            event=event, actor=secretariat, commitment=lonely, given_name="A", text="B"
        )
    assert exc.value.code == "no_consultation"
    assert not Contribution.objects.exists()


def test_an_event_not_held_yet_or_cancelled_takes_no_contributions(secretariat, setup, english):
    _event, items, _consultation = setup
    future = EventFactory()
    with pytest.raises(ValidationError) as exc:
        outcomes.record_event_input(
            event=future, actor=secretariat, commitment=items[0], given_name="A", text="B"
        )
    assert exc.value.code == "not_held_yet"
    cancelled = held_event(state="cancelado", cancel_reason="Lluvias")
    with pytest.raises(ValidationError) as exc:
        outcomes.record_event_input(
            event=cancelled, actor=secretariat, commitment=items[0], given_name="A", text="B"
        )
    assert exc.value.code == "cancelled"
    assert not Contribution.objects.exists()


def test_an_undated_table_needs_the_date_given(secretariat, setup, english):
    _event, items, _consultation = setup
    table = undated()
    with pytest.raises(ValidationError) as exc:
        outcomes.record_event_input(
            event=table, actor=secretariat, commitment=items[0], given_name="A", text="B"
        )
    assert exc.value.code == "received_on"
    day = timezone.localdate() - datetime.timedelta(days=1)
    made = outcomes.record_event_input(
        event=table, actor=secretariat, commitment=items[0], given_name="A", text="B", received_on=day
    )
    assert made.contribution.received_on == day


def test_only_the_secretariat_and_administrators_record(citizen, reviewer, setup):
    event, items, _consultation = setup
    for user in (citizen, reviewer):
        with pytest.raises(PermissionDenied):
            outcomes.record_event_input(
                event=event, actor=user, commitment=items[0], given_name="A", text="B"
            )


# --- CSV import ------------------------------------------------------------------------------------
def test_a_good_file_creates_every_row_in_person_with_its_sheet_row(client, secretariat, setup, english):
    event, items, consultation = setup
    client.force_login(secretariat)
    response = client.post(import_url(event), {"sheet": upload(GOOD)})
    assert response.status_code == 302
    inputs = list(EventInput.objects.select_related("contribution").order_by("sheet_row"))
    assert [i.sheet_row for i in inputs] == [2, 3, 4]
    assert [i.actor_type for i in inputs] == [ActorType.CIVIL_SOCIETY, ActorType.ACADEMIA, ""]
    first, second, third = (i.contribution for i in inputs)
    assert {c.channel for c in (first, second, third)} == {Channel.IN_PERSON}
    assert {c.consultation_id for c in (first, second, third)} == {consultation.pk}
    assert (first.commitment, first.stance, first.category) == (items[0], "a_favor", "sugerencia")
    assert first.given_name == "Asociación «Ñaupa» de Áncash"
    assert second.text == "Texto con coma, y\nsalto de línea"
    # Formula-looking cells are text, kept as written (nothing ever runs them).
    assert (third.given_name, third.text, third.stance, third.category) == (
        '=HYPERLINK("http://x")', "=1+1", "en_contra", "pregunta",
    )  # fmt: skip
    # In the consultation's response queue, like forum comments.
    queue = client.get(
        reverse("consultations:staff_responses", args=[consultation.slug]), {"canal": "presencial"}
    )
    assert queue.status_code == 200
    assert "Asociación «Ñaupa» de Áncash" in queue.content.decode()


def test_a_file_with_one_bad_row_creates_none_and_names_the_row_and_problem(
    client, secretariat, setup, english
):
    event, _items, _consultation = setup
    client.force_login(secretariat)
    body = GOOD + "99,Vecinos de Huaraz,,Un aporte sobre nada.,,\r\n" + "41,,,,,\r\n"
    response = client.post(import_url(event), {"sheet": upload(body)})
    assert response.status_code == 400
    assert not EventInput.objects.exists()
    assert not Contribution.objects.exists()
    check = response.context["check"]
    assert [(e.row, e.problems) for e in check.row_errors] == [
        (5, ["No proposal “99” in this plan."]),
        (6, ["The name or organisation is missing.", "The text of the contribution is missing."]),
    ]
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert '<th scope="row">5</th><td>No proposal “99” in this plan.</td>' in html


def test_the_problems_are_named_in_the_users_language(secretariat, setup):
    event, _items, _consultation = setup
    with translation.override("es"):
        check = outcomes.check_input_sheet(event=event, data=b"propuesta,nombre,texto\n41,,x\n")
    # The catalogue is compiled by the lead: the Spanish text, or the English source until then.
    assert check.row_errors[0].row == 2
    assert check.row_errors[0].problems[0] in (
        "The name or organisation is missing.", "Falta el nombre o la organización."
    )  # fmt: skip


def test_semicolons_and_a_bom_and_english_headers_are_read(client, secretariat, setup, english):
    event, items, _consultation = setup
    client.force_login(secretariat)
    slug = items[1].slug
    body = (
        "\ufeffProposal;Name;Text;Stance\r\n41;Gremio «Ñ»;Uno, con coma;In favour\r\n"
        + f"{slug};Otro;Dos;\r\n"
    )
    response = client.post(import_url(event), {"sheet": upload(body)})
    assert response.status_code == 302, response.context["check"]
    rows = {i.sheet_row: i.contribution for i in EventInput.objects.select_related("contribution")}
    assert rows[2].text == "Uno, con coma"
    assert rows[2].given_name == "Gremio «Ñ»"
    assert rows[2].stance == "a_favor"
    assert rows[3].commitment == items[1]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "The file is empty"),
        ("propuesta,texto\n41,x\n", "The header row lacks the column(s): nombre."),
        ("propuesta,nombre,texto,fecha\n41,a,b,c\n", "Unknown column “fecha”."),
        ("propuesta,nombre,texto,Texto\n41,a,b,c\n", "The column “texto” appears twice."),
        ("propuesta,nombre,texto\n", "no rows of contributions"),
        ("propuesta,nombre,texto\n41,Ana,é\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_header_and_encoding_errors_import_nothing(client, secretariat, setup, english, body, problem):
    event, _items, _consultation = setup
    client.force_login(secretariat)
    response = client.post(import_url(event), {"sheet": upload(body)})
    if body == "":  # an empty upload is refused by the form itself
        assert response.status_code == 200
        assert "The submitted file is empty." in response.content.decode()
    else:
        assert response.status_code == 400
        assert problem in " ".join(response.context["check"].file_errors)
    assert not Contribution.objects.exists()


def test_limits_of_size_rows_and_text_length(secretariat, setup, english):
    event, _items, _consultation = setup
    big = b"propuesta,nombre,texto\n" + b"41,a," + b"x" * (outcomes.MAX_FILE_BYTES + 1) + b"\n"
    check = outcomes.check_input_sheet(event=event, data=big)
    assert "the limit is 1 MB" in check.file_errors[0]
    many = "propuesta,nombre,texto\n" + "41,a,b\n" * (outcomes.MAX_ROWS + 1)
    check = outcomes.check_input_sheet(event=event, data=many.encode())
    assert "the limit is 2000" in check.file_errors[0]
    long = "propuesta,nombre,texto\n41,a," + "x" * (Contribution.MAX_LENGTH + 1) + "\n"
    check = outcomes.check_input_sheet(event=event, data=long.encode())
    assert check.row_errors[0].row == 2
    assert "at most 5000" in check.row_errors[0].problems[0]
    assert check.file_errors == []
    with pytest.raises(outcomes.SheetRefused):
        outcomes.import_input_sheet(event=event, actor=secretariat, data=long.encode())
    assert not Contribution.objects.exists()


def test_the_template_downloads_with_the_header_and_one_example(client, secretariat, setup):
    event, _items, _consultation = setup
    client.force_login(secretariat)
    response = client.get(reverse("workshops:outcomes_input_template", args=[event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().split("\r\n")
    assert lines[0] == "propuesta,nombre,tipo_actor,texto,postura,categoria"
    assert len(lines) == 2


def test_the_template_itself_imports(secretariat, english):
    _items, _consultation = proposals_in_consultation(numbers=(3,))
    event = held_event()
    made = outcomes.import_input_sheet(event=event, actor=secretariat, data=outcomes.template_csv().encode())
    assert len(made) == 1


# --- The same reasoned-response pipeline ------------------------------------------------------------
def test_a_response_to_an_imported_contribution_shows_on_the_consultation_report(
    client, secretariat, setup, english
):
    event, _items, consultation = setup
    made = outcomes.import_input_sheet(event=event, actor=secretariat, data=GOOD.encode())
    responses.respond(
        contribution=made[0].contribution, actor=secretariat, disposition=Disposition.OUT_OF_SCOPE,
        reason="Excede el alcance del plan «Ñ».",
    )  # fmt: skip
    client.logout()
    report = client.get(reverse("consultations:report", args=[consultation.slug]))
    assert report.status_code == 200
    html = report.content.decode()
    assert "Excede el alcance del plan «Ñ»." in html
    assert "Asociación «Ñaupa» de Áncash" in html
