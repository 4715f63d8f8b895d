"""The public responses report of a consultation (HTML, CSV, JSON), "Mis aportes" and following an item.

Only published responses count as answered; hidden text and email addresses never leave; the number of
queries does not grow with the number of contributions. Wording is read in English (`english`).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from commitments.models import Status
from consultations import notifications, responses
from consultations.models import Consultation, Contribution, Disposition, Follow
from paga.models import Channel
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory, comment
from tests.consultations.test_responses import contribution, make_consultation, version_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Disposition
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
SECRET = "Texto oculto con el teléfono 987654321"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def consultation(db) -> Consultation:
    return make_consultation()


@pytest.fixture
def answered(consultation, citizen, other_citizen, secretariat) -> Consultation:
    """Five contributions: two answered and published (one incorporated into version 1), one answered
    but unpublished (a draft), one by email unanswered, one hidden by moderation."""
    first = contribution(
        consultation, author=citizen, text="Aporte con correo vecina@example.org <b>¡sí!</b>"
    )
    second = contribution(consultation, author=other_citizen)
    responses.respond(
        contribution=first,
        actor=secretariat,
        disposition=D.INCORPORATED,
        commitment_version=version_of(consultation),
    )
    responses.respond(
        contribution=second, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera del plan."
    )
    responses.publish_responses(consultation=consultation, actor=secretariat)
    draft = contribution(consultation, author=citizen)
    responses.respond(
        contribution=draft, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="Borrador."
    )
    contribution(consultation, channel=Channel.EMAIL, received_on="2017-10-03")
    contribution(
        consultation,
        author=other_citizen,
        text=SECRET,
        state=Contribution.State.HIDDEN,
        hidden_reason="Datos personales de un tercero",
    )
    return consultation


def url(name: str, consultation: Consultation) -> str:
    return reverse(f"consultations:{name}", kwargs={"slug": consultation.slug})


def main_of(html: str) -> str:
    return html.split('<main id="contenido"', 1)[1].split("</main>", 1)[0]


# --- The report page -------------------------------------------------------------------------------
def test_report_gives_the_share_answered_with_published_responses_only(english, answered):
    response = english.get(url("report", answered))

    assert response.status_code == 200
    html = main_of(response.content.decode())
    assert "2 of 5 contributions have a published response (40.0 %)." in html
    assert "3 contributions await a response." in html
    assert "Borrador." not in html  # the draft response is not public
    assert html.count("Awaiting a response") >= 3  # two unanswered + the draft, plus the table row
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="count">(\d+)</td>', html))
    assert rows["Incorporated"] == "1"
    assert rows["Out of scope"] == "1"
    assert rows["Partially incorporated"] == "0"
    assert rows["Awaiting a response"] == "3"


def test_report_lists_each_contribution_with_its_response_and_version_link(english, answered, citizen):
    html = main_of(english.get(url("report", answered)).content.decode())

    first = answered.contributions.order_by("pk").first()
    assert f'id="aporte-{first.pk}"' in html
    assert "Jos\u00e9 \u00d1\u00fa\u00f1ez &lt;script&gt;" in html  # the display name, escaped
    assert "<script>alert" not in html
    assert "&lt;b&gt;¡sí!&lt;/b&gt;" in html  # stored as typed, shown inert
    assert "Fuera del plan." in html
    assert f'href="{answered.items.first().get_absolute_url()}"' in html  # version 1: the item's page
    assert "Colectivo «Áncash» (correo)" in html
    assert "By email" in html or "Email" in html


def test_report_shows_only_the_reason_of_a_hidden_contribution_and_no_email_address(
    english, answered, citizen
):
    html = english.get(url("report", answered)).content.decode()

    assert "987654321" not in html
    assert "Hidden by moderation: Datos personales de un tercero" in html
    assert citizen.email not in html
    assert not EMAIL.search(main_of(html))


def test_report_of_an_unknown_consultation_is_not_found(client, db):
    assert client.get(reverse("consultations:report", kwargs={"slug": "no-existe"})).status_code == 404


def test_report_without_contributions_says_what_will_appear(english, consultation):
    html = main_of(english.get(url("report", consultation)).content.decode())

    assert "No contributions yet" in html


def test_report_csv_is_an_excel_friendly_download_without_emails_or_hidden_text(client, answered):
    contribution(answered, text='=HYPERLINK("http://example.org","clic")')

    response = client.get(url("report_csv", answered))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{answered.slug}-respuestas.csv"'
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert [r["published"] for r in rows].count("True") == 2
    assert rows[-1]["text"].startswith("'=")  # a formula is defused
    assert "987654321" not in text
    assert "Borrador." not in text
    assert not EMAIL.search(text)
    assert "Áncash" in text


def test_report_json_is_a_download_with_licence_and_dictionary(client, answered):
    response = client.get(url("report_json", answered))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{answered.slug}-respuestas.json"'
    text = response.content.decode("utf-8")
    data = json.loads(text)
    assert (data["contributions"], data["answered"], data["share_answered"]) == (5, 2, 40.0)
    assert set(data["data_dictionary"]) == set(data["rows"][0])
    assert "CC BY 4.0" in data["license"]["name"]
    assert data["generated_at"]
    assert "Áncash" in text  # written as UTF-8, not \\u escapes
    assert "987654321" not in text
    assert not EMAIL.search(text)


@pytest.mark.parametrize(("name", "queries"), [("report", 3), ("report_csv", 2), ("report_json", 2)])
@pytest.mark.parametrize("batch", [3, 30])
def test_report_queries_do_not_grow_with_contributions(
    client, secretariat, django_assert_num_queries, name, queries, batch
):
    """The plan (base template), the consultation, its contributions with everything they show."""
    consultation = make_consultation()
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

    with django_assert_num_queries(queries):
        response = client.get(url(name, consultation))

    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("En parte.") == (batch + 1) // 2


# --- Mis aportes -----------------------------------------------------------------------------------
def test_my_contributions_needs_an_account(client, db):
    response = client.get(reverse("consultations:my_contributions"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_contributions_shows_only_mine_and_what_happened_to_each(
    english, answered, citizen, other_citizen
):
    hidden = contribution(
        answered,
        author=citizen,
        text="Mi texto oculto",
        state=Contribution.State.HIDDEN,
        hidden_reason="Ofensivo",
    )
    english.force_login(citizen)

    html = main_of(english.get(reverse("consultations:my_contributions")).content.decode())

    assert "You made 3 contributions.\n1 has a published response." in html
    assert "vecina@example.org" in html  # my own text, as I typed it: it is mine
    assert "Mi texto oculto" in html  # the author still reads their hidden text
    assert 'Hidden by moderation: <span lang="es">Ofensivo</span>' in html
    assert html.count("Awaiting response") == 2  # the draft's response is not published yet
    assert "Borrador." not in html
    assert '<span class="status">Incorporated</span>' in html
    assert f'href="{answered.items.first().get_absolute_url()}"' in html  # the version it went into
    assert f'href="/consultas/aportes/{hidden.pk}/"' in html
    other = answered.contributions.filter(author=other_citizen).first()
    assert other.text not in html
    assert "Fuera del plan." not in html  # other_citizen's response


def test_my_contributions_empty_state(english, citizen):
    english.force_login(citizen)

    html = main_of(english.get(reverse("consultations:my_contributions")).content.decode())

    assert "You have not contributed yet." in html


@pytest.mark.parametrize("batch", [3, 30])
def test_my_contributions_queries_do_not_grow(english, secretariat, django_assert_num_queries, batch):
    client = english  # reads the status labels in English
    person = UserFactory()
    consultation = make_consultation(publication=Consultation.Publication.IMMEDIATE)
    aportes = [contribution(consultation, author=person) for _ in range(batch)]
    responses.respond_many(
        contributions=aportes[::2],
        actor=secretariat,
        disposition=D.INCORPORATED,
        reason="",
        commitment_version=version_of(consultation),
    )
    client.force_login(person)

    # Session, user with its groups (paga/backends.py), the person's contributions with everything shown,
    # the plan.
    with django_assert_num_queries(4):
        response = client.get(reverse("consultations:my_contributions"))

    assert response.content.decode().count('<span class="status">Incorporated</span>') == (batch + 1) // 2
    assert response.content.decode().count("<article") == batch


# --- Following an item -----------------------------------------------------------------------------
def test_follow_and_unfollow_are_posts_that_come_back(english, citizen):
    item = CommitmentFactory(status=Status.IN_CONSULTATION)
    english.force_login(citizen)
    back = item.get_absolute_url() + "?pagina=2"

    response = english.post(reverse("consultations:follow", args=[item.pk]), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert Follow.objects.get(user=citizen, commitment=item).active
    response = english.post(
        reverse("consultations:unfollow", args=[item.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == item.get_absolute_url()  # never an outside address
    assert not Follow.objects.get(user=citizen, commitment=item).active


def test_follow_refuses_get_anonymous_and_items_one_may_not_see(client, citizen):
    item = CommitmentFactory(status=Status.IN_CONSULTATION)
    draft = CommitmentFactory(status=Status.PROPOSED)  # not public: only staff and its ministry see it
    follow = reverse("consultations:follow", args=[item.pk])

    anonymous = client.post(follow)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    client.force_login(citizen)
    assert client.get(follow).status_code == 405
    assert client.post(reverse("consultations:follow", args=[999999])).status_code == 404
    assert client.post(reverse("consultations:follow", args=[draft.pk])).status_code == 404
    assert not Follow.objects.exists()


def test_commenting_follows_the_item_but_not_after_unfollowing(citizen):
    consultation = ConsultationFactory()
    item = consultation.items.first()

    comment(consultation=consultation, author=citizen)
    assert Follow.objects.get(user=citizen, commitment=item).active

    notifications.unfollow(user=citizen, commitment=item)
    comment(consultation=consultation, author=citizen)
    assert not Follow.objects.get(user=citizen, commitment=item).active
    notifications.follow(user=citizen, commitment=item)  # the button follows again
    assert Follow.objects.get(user=citizen, commitment=item).active


def test_follow_button_renders_a_form_without_javascript(rf, citizen):
    item = CommitmentFactory(status=Status.IN_CONSULTATION)
    tpl = Template("{% load follow %}{% follow_button commitment %}")

    request = rf.get("/compromisos/1/")
    request.user = citizen
    html = tpl.render(Context({"request": request, "commitment": item, "csrf_token": "tok"}))
    assert f'action="{reverse("consultations:follow", args=[item.pk])}"' in html
    assert 'method="post"' in html
    assert 'name="next" value="/compromisos/1/"' in html

    Follow.objects.create(user=citizen, commitment=item)
    html = tpl.render(Context({"request": request, "commitment": item, "csrf_token": "tok"}))
    assert f'action="{reverse("consultations:unfollow", args=[item.pk])}"' in html

    request.user = AnonymousUser()
    html = tpl.render(Context({"request": request, "commitment": item}))
    assert "<form" not in html
    assert reverse("account_login") in html
