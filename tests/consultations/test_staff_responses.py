"""Reasoned responses through the Secretaría's pages: the list with its filters, answering many at once
(all or nothing), one by one (editable until published), publishing all at once, response templates."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from consultations import responses
from consultations.models import Consultation, Contribution, Disposition, Response, ResponseTemplate
from paga.models import Channel
from tests.commitments.factories import SCRIPT
from tests.consultations.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

D = Disposition
TYPED = f"Fundamento «tecleado» de la Secretaría, Áncash {SCRIPT}"


@pytest.fixture
def staff(client, secretariat):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretariat)
    return client


@pytest.fixture
def at_once(db) -> Consultation:
    return ConsultationFactory(publication=Consultation.Publication.AT_ONCE)


@pytest.fixture
def immediate(db) -> Consultation:
    return ConsultationFactory(publication=Consultation.Publication.IMMEDIATE)


def aporte(consultation, **kw) -> Contribution:
    kw.setdefault("commitment", consultation.items.first())
    kw.setdefault("text", f"Aporte «ñandú» {SCRIPT}")
    kw.setdefault("given_name", "Colectivo «Áncash»")
    kw.setdefault("channel", Channel.EMAIL)
    return Contribution.objects.create(consultation=consultation, **kw)


def list_url(consultation) -> str:
    return reverse("consultations:staff_responses", args=[consultation.slug])


def error_summary(html: str) -> str:
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def version_of(consultation):
    return consultation.items.first().versions.get(number=1)


# --- The list --------------------------------------------------------------------------------------
def test_the_list_filters_by_response_channel_item_and_disposition(staff, at_once, secretariat):
    second = ConsultationFactory().items.first()
    at_once.items.add(second)
    waiting = aporte(at_once)
    drafted = aporte(at_once, channel=Channel.PAPER, commitment=second)
    published = aporte(at_once)
    responses.respond(contribution=drafted, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    responses.respond(contribution=published, actor=secretariat, disposition=D.NOT_INCORPORATED, reason="No.")
    Response.objects.filter(contribution=published).update(published_at=timezone.now())
    aporte(ConsultationFactory())  # another consultation's: never listed

    def shown(**params):
        return [c.pk for c in staff.get(list_url(at_once), params).context["page"].object_list]

    assert shown() == [waiting.pk, drafted.pk, published.pk]
    assert shown(estado="sin_respuesta") == [waiting.pk]
    assert shown(estado="sin_publicar") == [drafted.pk]
    assert shown(estado="publicadas") == [published.pk]
    assert shown(canal=Channel.PAPER) == [drafted.pk]
    assert shown(item=f"c{second.pk}") == [drafted.pk]
    assert shown(disposicion=D.NOT_INCORPORATED) == [published.pk]


def test_the_list_labels_each_checkbox_and_says_the_state_in_words(staff, at_once, secretariat):
    waiting = aporte(at_once)
    drafted = aporte(at_once)
    responses.respond(contribution=drafted, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    html = staff.get(list_url(at_once)).content.decode()
    for c in (waiting, drafted):
        assert f'<input type="checkbox" name="aportes" value="{c.pk}" id="aporte-{c.pk}">' in html
        assert f'<label for="aporte-{c.pk}">' in html
    assert "<legend>Select the contributions to answer (2 contributions)</legend>" in html
    assert "No response yet" in html
    assert "Not published" in html
    assert "Out of scope" in html
    assert "<caption>" in html
    assert "<script>alert" not in html.split('<main id="contenido"', 1)[1]


def test_the_list_runs_the_same_queries_for_3_and_30_contributions(
    staff, at_once, secretariat, django_assert_num_queries
):
    for batch in (3, 27):
        for n in range(batch):
            c = aporte(at_once, channel=Channel.PAPER if n % 2 else Channel.EMAIL)
            if n % 3:
                responses.respond(
                    contribution=c, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera."
                )
        ResponseTemplate.objects.create(title=f"Plantilla {batch}", disposition=D.OUT_OF_SCOPE, text="Fuera.")
        with django_assert_num_queries(10):
            assert staff.get(list_url(at_once), {"plantilla": "1"}).status_code == 200


# --- Answering many at once ------------------------------------------------------------------------
def test_answering_the_selected_contributions_at_once(staff, at_once, secretariat):
    chosen = [aporte(at_once), aporte(at_once, channel=Channel.PAPER)]
    left = aporte(at_once)

    response = staff.post(
        list_url(at_once) + "?canal=",
        {
            "aportes": [c.pk for c in chosen],
            "disposition": D.PARTIAL,
            "reason": TYPED,
            "commitment_version": version_of(at_once).pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(at_once) + "?canal="
    saved = Response.objects.order_by("contribution_id")
    assert [
        (r.contribution_id, r.disposition, r.reason, r.commitment_version_id, r.author) for r in saved
    ] == [(c.pk, D.PARTIAL, TYPED, version_of(at_once).pk, secretariat) for c in chosen]
    assert all(r.published_at is None for r in saved)  # published all at once, later
    assert not Response.objects.filter(contribution=left).exists()
    assert "2 contributions were answered" in staff.get(response["Location"]).content.decode()


def test_in_an_immediate_consultation_bulk_responses_are_published(staff, immediate):
    chosen = [aporte(immediate), aporte(immediate)]
    staff.post(
        list_url(immediate),
        {"aportes": [c.pk for c in chosen], "disposition": D.OUT_OF_SCOPE, "reason": "Fuera."},
    )
    assert Response.objects.filter(published_at__isnull=False).count() == 2


def test_bulk_is_all_or_nothing_and_lists_each_refusal_keeping_what_was_typed(staff, at_once, secretariat):
    fresh = aporte(at_once)
    first_published, second_published = aporte(at_once), aporte(at_once)
    for c in (first_published, second_published):
        responses.respond(contribution=c, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Antes.")
    responses.publish_responses(consultation=at_once, actor=secretariat)

    response = staff.post(
        list_url(at_once),
        {
            "aportes": [fresh.pk, first_published.pk, second_published.pk],
            "disposition": D.NOT_INCORPORATED,
            "reason": TYPED,
        },
    )

    html = response.content.decode()
    summary = error_summary(html)
    assert response.status_code == 200
    assert (
        f"Contribution n.º {first_published.pk}: The response to this contribution was already published"
        in summary
    )
    assert f"Contribution n.º {second_published.pk}:" in summary
    assert f"Contribution n.º {fresh.pk}:" not in summary
    assert "Nothing was saved." in summary
    assert not Response.objects.filter(contribution=fresh).exists()
    assert set(Response.objects.values_list("reason", flat=True)) == {"Antes."}
    for c in (fresh, first_published, second_published):  # the selection is kept
        assert f'value="{c.pk}" id="aporte-{c.pk}" checked' in html
    assert escape(TYPED) in html  # so is the reason


def test_bulk_without_a_selection_or_a_reason_is_refused(staff, at_once):
    c = aporte(at_once)
    html = staff.post(list_url(at_once), {"disposition": D.OUT_OF_SCOPE, "reason": "Fuera."}).content.decode()
    assert "Select at least one contribution to answer." in error_summary(html)
    other = aporte(at_once)
    html = staff.post(
        list_url(at_once), {"aportes": [c.pk, other.pk], "disposition": D.OUT_OF_SCOPE}
    ).content.decode()
    summary = error_summary(html)
    assert summary.count("Give the reason for “Out of scope”") == 1  # said once, on its field
    assert 'href="#id_reason"' in summary
    assert "Contribution n.º" not in summary
    assert not Response.objects.exists()


def test_bulk_refuses_a_contribution_of_another_consultation(staff, at_once):
    elsewhere = aporte(ConsultationFactory())
    html = staff.post(
        list_url(at_once), {"aportes": [elsewhere.pk], "disposition": D.OUT_OF_SCOPE, "reason": "Fuera."}
    ).content.decode()
    assert "Select a valid choice" in error_summary(html) or "not part of this consultation" in html
    assert not Response.objects.exists()


def test_a_duplicate_points_to_the_contribution_it_duplicates(staff, at_once):
    original, copy = aporte(at_once), aporte(at_once)
    staff.post(
        list_url(at_once),
        {
            "aportes": [copy.pk],
            "disposition": D.DUPLICATE,
            "reason": "Igual al anterior.",
            "duplicate_of": original.pk,
        },
    )
    assert Response.objects.get().duplicate_of == original
    html = staff.post(
        list_url(at_once),
        {"aportes": [original.pk], "disposition": D.DUPLICATE, "reason": "x", "duplicate_of": 999999},
    ).content.decode()
    assert "No contribution n.º 999999 in this consultation." in error_summary(html)


# --- One by one ------------------------------------------------------------------------------------
def test_answering_one_contribution_and_rewriting_it_until_published(staff, at_once, secretariat):
    c = aporte(at_once)
    url = reverse("consultations:staff_respond", args=[c.pk])

    first = staff.post(url, {"disposition": D.INCORPORATED, "commitment_version": version_of(at_once).pk})
    assert first.status_code == 302
    assert Response.objects.get().disposition == D.INCORPORATED
    page = staff.get(url).content.decode()
    assert "Written, not published" in page
    assert f'<option value="{version_of(at_once).pk}" selected>' in page  # the form starts from it

    staff.post(url, {"disposition": D.NOT_INCORPORATED, "reason": TYPED})
    response = Response.objects.get()
    assert (response.disposition, response.reason, response.commitment_version) == (
        D.NOT_INCORPORATED,
        TYPED,
        None,
    )

    responses.publish_responses(consultation=at_once, actor=secretariat)
    page = staff.get(url).content.decode()
    assert "Published on" in page
    assert 'name="disposition"' not in page
    refused = staff.post(url, {"disposition": D.OUT_OF_SCOPE, "reason": "Otra."})
    assert "already published" in error_summary(refused.content.decode())
    assert Response.objects.get().disposition == D.NOT_INCORPORATED


def test_incorporated_needs_the_commitment_version(staff, at_once):
    c = aporte(at_once)
    html = staff.post(
        reverse("consultations:staff_respond", args=[c.pk]), {"disposition": D.INCORPORATED}
    ).content.decode()
    assert "Say which version of which commitment" in error_summary(html)
    assert not Response.objects.exists()


def test_the_contribution_is_shown_rendered_and_escaped(staff, at_once):
    c = aporte(at_once, text="**Importante** <script>alert(1)</script> [x](javascript:alert(1))")
    html = staff.get(reverse("consultations:staff_respond", args=[c.pk])).content.decode()
    assert "<strong>Importante</strong>" in html
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html


# --- Templates -------------------------------------------------------------------------------------
def test_a_template_prefills_the_response_through_a_get_parameter(staff, at_once):
    template = ResponseTemplate.objects.create(
        title="Fuera de alcance", disposition=D.OUT_OF_SCOPE, text=TYPED
    )
    c = aporte(at_once)

    single = staff.get(reverse("consultations:staff_respond", args=[c.pk]), {"plantilla": template.pk})
    bulk = staff.get(list_url(at_once), {"plantilla": template.pk, "canal": Channel.EMAIL})

    for page in (single, bulk):
        html = page.content.decode()
        assert f'<option value="{D.OUT_OF_SCOPE}" selected>' in html
        assert escape(TYPED) in html
        assert "starts from the template" in html
    assert 'name="canal" value="correo"' in bulk.content.decode()  # the filters are kept


def test_templates_are_created_listed_and_edited(staff):
    created = staff.post(
        reverse("consultations:staff_template_create"),
        {"title": "No corresponde", "disposition": D.NOT_INCORPORATED, "text": TYPED},
    )
    assert created.status_code == 302
    template = ResponseTemplate.objects.get()
    assert (template.title, template.disposition, template.text) == (
        "No corresponde",
        D.NOT_INCORPORATED,
        TYPED,
    )
    assert "No corresponde" in staff.get(reverse("consultations:staff_templates")).content.decode()
    staff.post(
        reverse("consultations:staff_template_edit", args=[template.pk]),
        {"title": "No corresponde (2)", "disposition": D.OUT_OF_SCOPE, "text": "Otra."},
    )
    template.refresh_from_db()
    assert (template.title, template.disposition) == ("No corresponde (2)", D.OUT_OF_SCOPE)


def test_a_template_without_title_or_reason_is_refused(staff):
    html = staff.post(
        reverse("consultations:staff_template_create"),
        {"title": "", "disposition": D.OUT_OF_SCOPE, "text": ""},
    ).content.decode()
    summary = error_summary(html)
    assert "Give the template a title." in summary
    assert "Write the reason the template starts from." in summary
    assert not ResponseTemplate.objects.exists()


def test_the_templates_list_runs_the_same_queries_for_3_and_30(staff, django_assert_num_queries):
    for batch in (3, 27):
        for n in range(batch):
            ResponseTemplate.objects.create(title=f"T{batch}-{n}", disposition=D.OUT_OF_SCOPE, text="Fuera.")
        with django_assert_num_queries(4):
            assert staff.get(reverse("consultations:staff_templates")).status_code == 200


# --- Publishing all at once ------------------------------------------------------------------------
def test_publishing_asks_first_then_publishes_every_written_response(staff, at_once, secretariat):
    written = [aporte(at_once), aporte(at_once)]
    aporte(at_once)  # not answered yet
    for c in written:
        responses.respond(contribution=c, actor=secretariat, disposition=D.OUT_OF_SCOPE, reason="Fuera.")
    url = reverse("consultations:staff_publish", args=[at_once.slug])

    confirm = staff.get(url).content.decode()
    assert "2 responses are written and will be published now" in confirm
    assert "1 of the 3 contributions still has no response" in confirm
    assert not Response.objects.filter(published_at__isnull=False).exists()  # a GET publishes nothing

    assert staff.post(url).status_code == 200  # an empty POST only asks again
    assert not Response.objects.filter(published_at__isnull=False).exists()

    response = staff.post(url, {"confirmar": "si"}, follow=True)

    at_once.refresh_from_db()
    assert Response.objects.filter(published_at=at_once.responses_published_at).count() == 2
    assert "2 responses were published." in response.content.decode()
    again = staff.post(url, {"confirmar": "si"}, follow=True)
    assert "nothing was published" in again.content.decode()
