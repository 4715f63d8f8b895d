"""Open data (`/datos/`): every contribution of the current plan's consultations with its response, as
CSV and JSON, with a data dictionary, a licence and the date generated; no personal data beyond the
name a person agreed to show (never an email address), no hidden text."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consultations import responses, selectors
from consultations.models import Consultation, Contribution, Disposition
from tests.commitments.factories import PlanFactory
from tests.consultations.test_responses import contribution, make_consultation, version_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Disposition
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def data(citizen, other_citizen, secretariat) -> list[Consultation]:
    """Two consultations of the current plan and one of an older plan (left out)."""
    forum, document = make_consultation(), make_consultation(publication=Consultation.Publication.IMMEDIATE)
    answered = contribution(forum, author=citizen, text="Escríbanme a vecino@example.org")
    responses.respond(
        contribution=answered,
        actor=secretariat,
        disposition=D.INCORPORATED,
        commitment_version=version_of(forum),
    )
    responses.publish_responses(consultation=forum, actor=secretariat)
    contribution(forum, author=UserFactory(display_name="", email="sin.nombre@example.org"))
    contribution(
        document,
        author=other_citizen,
        text="Secreto 555-0199",
        state=Contribution.State.HIDDEN,
        hidden_reason="Datos personales",
    )
    contribution(document)  # by email, unanswered
    old_plan = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    old = make_consultation()
    Consultation.objects.filter(pk=old.pk).update(plan=old_plan)
    contribution(old, text="De otro plan")
    return [forum, document]


def test_the_data_page_lists_the_downloads_with_licence_and_date(english, data):
    response = english.get(reverse("consultations:open_data"))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("open_data_csv", "open_data_json", "data_dictionary"):
        assert f'href="{reverse(f"consultations:{name}")}"' in html
    for consultation in data:
        assert f'href="{reverse("consultations:report_csv", kwargs={"slug": consultation.slug})}"' in html
    assert "paga-2015-2016" not in html
    assert 'rel="license"' in html
    assert "CC BY 4.0" in html
    assert str(timezone.localdate().year) in html


def test_the_csv_has_every_contribution_of_the_plan_and_no_personal_data(client, data, citizen):
    response = client.get(reverse("consultations:open_data_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="paga-2017-2019-aportes-{today}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert {r["consultation"] for r in rows} == {c.slug for c in data}
    assert "De otro plan" not in text
    assert not EMAIL.search(text)
    assert "sin.nombre" not in text  # no display name: never the address's local part either
    assert "Secreto" not in text
    assert "Datos personales" in text
    assert [r["author"] for r in rows if r["contribution"] == str(data[0].contributions.first().pk)] == [
        citizen.display_name
    ]


def test_the_dictionary_covers_every_column_of_both_files(english, data):
    csv_header = next(
        csv.reader(
            io.StringIO(english.get(reverse("consultations:open_data_csv")).content.decode("utf-8-sig"))
        )
    )
    body = json.loads(english.get(reverse("consultations:open_data_json")).content)
    page = english.get(reverse("consultations:data_dictionary")).content.decode()

    assert csv_header == list(selectors.OPEN_DATA_DICTIONARY)
    assert set(body["rows"][0]) == set(csv_header) == set(body["data_dictionary"])
    for name in csv_header:
        assert f"<code>{name}</code>" in page
        assert body["data_dictionary"][name]["type"]
        assert body["data_dictionary"][name]["description"].strip()
    assert set(selectors.OPEN_DATA_TYPES) == set(selectors.OPEN_DATA_DICTIONARY)


def test_the_json_says_when_it_was_generated_and_under_which_licence(client, data):
    response = client.get(reverse("consultations:open_data_json"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="paga-2017-2019-aportes-')
    text = response.content.decode("utf-8")
    body = json.loads(text)
    assert body["contributions"] == 4
    generated = datetime.datetime.fromisoformat(body["generated_at"])
    assert abs((timezone.now() - generated).total_seconds()) < 60
    assert body["license"]["url"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert not EMAIL.search(text)
    assert "Secreto" not in text
    published = [r for r in body["rows"] if r["published"]]
    assert [r["disposition"] for r in published] == [D.INCORPORATED]


@pytest.mark.parametrize(("name", "queries"), [("open_data_csv", 3), ("open_data_json", 3), ("open_data", 2)])
@pytest.mark.parametrize("batch", [3, 30])
def test_open_data_queries_do_not_grow(client, secretariat, django_assert_num_queries, name, queries, batch):
    """The plan, the consultations, the contributions with everything they show."""
    consultation = make_consultation()
    people = UserFactory.create_batch(3)
    aportes = [contribution(consultation, author=people[n % 3] if n % 4 else None) for n in range(batch)]
    responses.respond_many(
        contributions=aportes[::2], actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
    )
    responses.publish_responses(consultation=consultation, actor=secretariat)

    with django_assert_num_queries(queries):
        response = client.get(reverse(f"consultations:{name}"))

    assert response.status_code == 200
