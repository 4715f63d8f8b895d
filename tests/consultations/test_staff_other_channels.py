"""Contributions the Secretaría records from other channels (email, social networks, paper, in person),
with an optional attachment checked by name and by content, downloaded by staff only."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from consultations.models import Contribution
from paga.models import Channel
from tests.commitments.factories import SCRIPT
from tests.consultations.factories import ConsultationFactory, document_consultation

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"
TYPED = f"Carta de la Asociación «Ñandú» de Áncash {SCRIPT}"


def docx(*, real: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if real else "payload.js", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(client, secretariat):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretariat)
    return client


@pytest.fixture
def consultation(db):
    return ConsultationFactory()


def url(consultation) -> str:
    return reverse("consultations:staff_other_channel", args=[consultation.slug])


def form(consultation, **changes) -> dict:
    data = {
        "channel": Channel.PAPER,
        "received_on": "2017-09-30",
        "given_name": "Asociación «Ñandú» de Áncash",
        "item": f"c{item.pk}" if (item := consultation.items.first()) else "documento",
        "stance": "en_contra",
        "category": "preocupacion",
        "text": TYPED,
    }
    data.update(changes)
    return data


def error_summary(html: str) -> str:
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def test_recording_a_letter_with_its_scan(staff, consultation, secretariat, media):
    upload = SimpleUploadedFile("Carta de Juana Pérez DNI 12345678.pdf", PDF, content_type="application/pdf")

    response = staff.post(url(consultation), form(consultation, attachment=upload))

    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:staff_responses", args=[consultation.slug])
    recorded = Contribution.objects.get()
    assert (recorded.channel, recorded.received_on, recorded.given_name) == (
        Channel.PAPER,
        datetime.date(2017, 9, 30),
        "Asociación «Ñandú» de Áncash",
    )
    assert (recorded.stance, recorded.category, recorded.text) == ("en_contra", "preocupacion", TYPED)
    assert (recorded.author, recorded.recorded_by, recorded.commitment) == (
        None,
        secretariat,
        consultation.items.first(),
    )
    stored = media / recorded.attachment.name
    assert stored.read_bytes() == PDF
    assert "Juana" not in recorded.attachment.name  # the original name may carry personal data
    assert recorded.attachment.name.startswith("aportes/")
    assert recorded.attachment.name.endswith(".pdf")


def test_recording_without_an_attachment_on_a_document_paragraph(staff):
    consultation = document_consultation()
    paragraph = consultation.paragraphs.get(key="p2")
    response = staff.post(
        url(consultation), form(consultation, item=f"p{paragraph.pk}", channel=Channel.EMAIL)
    )
    assert response.status_code == 302
    recorded = Contribution.objects.get()
    assert (recorded.paragraph, recorded.commitment, recorded.attachment.name) == (paragraph, None, "")
    response = staff.post(
        url(consultation), form(consultation, item="documento", text="Sobre todo el informe")
    )
    assert Contribution.objects.filter(paragraph=None, text="Sobre todo el informe").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programa.pdf", EXE, "is not really a PDF file"),
        ("pagina.png", HTML, "is not really a PNG file"),
        ("foto.jpg", PNG, "is not really a JPEG file"),
        ("documento.docx", docx(real=False), "is not really a DOCX file"),
        ("texto.txt", EXE, "is not really a plain text file"),
        ("pagina.html", HTML, "“pagina.html” is none of these"),
        ("sin-extension", PDF, "is none of these"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(staff, consultation, media, name, content, message):
    response = staff.post(url(consultation), form(consultation, attachment=SimpleUploadedFile(name, content)))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in error_summary(html)
    assert not Contribution.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))
    assert escape(TYPED) in html  # nothing typed is lost
    assert "choose the attachment again" in html


def test_an_attachment_over_5_mb_is_refused(staff, consultation):
    big = SimpleUploadedFile("escaneo.pdf", PDF + b"0" * (5 * 1024 * 1024))
    response = staff.post(url(consultation), form(consultation, attachment=big))
    assert "the limit is 5 MB" in error_summary(response.content.decode())
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.JPEG", JPEG),
        ("captura.png", PNG),
        ("correo.txt", "Texto plano con tildes: «Áncash»\n".encode()),
        ("correo-latin.txt", "Año de la Ñ\r\n".encode("cp1252")),
        ("carta.docx", docx()),
    ],
)
def test_each_allowed_type_is_accepted(staff, consultation, name, content):
    response = staff.post(url(consultation), form(consultation, attachment=SimpleUploadedFile(name, content)))
    assert response.status_code == 302
    assert Contribution.objects.get().attachment.read() == content


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": Channel.FORUM}, "Select a valid choice"),
        ({"channel": ""}, "Choose the channel the contribution arrived through."),
        ({"received_on": ""}, "Give the date the contribution was received."),
        ({"given_name": " "}, "Give the name or organisation as the contribution states it."),
        ({"item": ""}, "Choose the proposal or commitment the contribution is about."),
        ({"text": ""}, "Write the text of the contribution."),
    ],
)
def test_what_is_missing_is_refused_with_its_message(staff, consultation, changes, message):
    response = staff.post(url(consultation), form(consultation, **changes))
    assert message in error_summary(response.content.decode())
    assert not Contribution.objects.exists()


def test_a_date_in_the_future_is_refused_by_the_service(staff, consultation):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = staff.post(url(consultation), form(consultation, received_on=tomorrow.isoformat()))
    html = response.content.decode()
    assert "The date received cannot be in the future." in error_summary(html)
    assert escape(TYPED) in html
    assert not Contribution.objects.exists()


def test_an_item_of_another_consultation_is_refused(staff, consultation):
    other = ConsultationFactory()
    response = staff.post(url(consultation), form(consultation, item=f"c{other.items.first().pk}"))
    assert "Select a valid choice" in error_summary(response.content.decode())
    assert not Contribution.objects.exists()


# --- Download: staff only --------------------------------------------------------------------------
@pytest.fixture
def with_scan(staff, consultation) -> Contribution:
    staff.post(url(consultation), form(consultation, attachment=SimpleUploadedFile("carta.pdf", PDF)))
    return Contribution.objects.get()


def test_staff_download_the_attachment_never_inline(staff, with_scan):
    response = staff.get(reverse("consultations:staff_attachment", args=[with_scan.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="aporte-{with_scan.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_nobody_else_downloads_it(client, request, with_scan, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("consultations:staff_attachment", args=[with_scan.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, with_scan):
    client.logout()
    response = client.get(reverse("consultations:staff_attachment", args=[with_scan.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_attachment_is_not_under_a_public_address(client, with_scan):
    assert client.get(f"{django_settings.MEDIA_URL}{with_scan.attachment.name}").status_code == 404


def test_a_contribution_without_attachment_answers_404(staff, consultation):
    staff.post(url(consultation), form(consultation))
    assert (
        staff.get(reverse("consultations:staff_attachment", args=[Contribution.objects.get().pk])).status_code
        == 404
    )


def test_the_form_offers_only_the_other_channels(staff, consultation):
    html = staff.get(url(consultation)).content.decode()
    for channel in (Channel.EMAIL, Channel.SOCIAL, Channel.PAPER, Channel.IN_PERSON):
        assert f'value="{channel.value}"' in html
    assert f'value="{Channel.FORUM.value}"' not in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_attachment">' in html
