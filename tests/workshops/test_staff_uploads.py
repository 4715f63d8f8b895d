"""Documents of the repository: the type is checked by content against the extension, the size is
limited, the file is stored under a random name and the name it was sent with is kept, made safe."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from paga.models import ActionPlan
from paga.uploads import safe_name
from tests.commitments.factories import current_plan
from tests.workshops.factories import EventFactory
from workshops import services
from workshops.models import Document, DocumentType

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TODAY = datetime.date(2017, 10, 13)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def ooxml(main_part: str, main_type: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/{main_part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(main_part, "<document/>")
    return out.getvalue()


def odf(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield settings.MEDIA_ROOT


def upload(name: str, content: bytes, *, secretariat, **changes) -> Document:
    kwargs = {
        "plan": current_plan(),
        "actor": secretariat,
        "upload": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        "title": "Acta del taller regional de Arequipa",
        "doc_type": DocumentType.MINUTES,
        "dated": TODAY,
    }
    kwargs.update(changes)
    return services.upload_document(**kwargs)


def upload_error(name: str, content: bytes, *, secretariat, **changes) -> dict:
    with pytest.raises(ValidationError) as caught:
        upload(name, content, secretariat=secretariat, **changes)
    assert not Document.objects.exists()
    return caught.value.message_dict


def test_a_real_pdf_is_stored_under_a_random_name_with_its_size_type_and_sha256(secretariat, media):
    event = EventFactory()
    document = upload("Acta Arequipa 02-10-2017.pdf", PDF, secretariat=secretariat, event=event)
    assert (document.title, document.doc_type, document.dated, document.event) == (
        "Acta del taller regional de Arequipa",
        DocumentType.MINUTES,
        TODAY,
        event,
    )
    assert (document.original_name, document.content_type, document.size) == (
        "Acta Arequipa 02-10-2017.pdf",
        "application/pdf",
        len(PDF),
    )
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == secretariat
    folder, stored = document.file.name.rsplit("/", 1)
    assert folder == f"documentos/{timezone.now().year}"
    assert len(stored) == 32 + 4
    assert stored.endswith(".pdf")
    assert "Acta" not in stored
    assert (media / document.file.name).read_bytes() == PDF


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(secretariat):
    """The issue's test: an upload that claims to be a PDF but is not is refused, with a clear message."""
    errors = upload_error("acta.pdf", b"MZ\x90\x00 not a pdf at all", secretariat=secretariat)
    assert errors["upload"] == ["The file “acta.pdf” is not really a PDF file: its content says otherwise."]


def test_html_disguised_as_a_png_or_as_text_is_refused(secretariat):
    errors = upload_error("foto.png", HTML, secretariat=secretariat)
    assert errors["upload"] == ["The file “foto.png” is not really a PNG file: its content says otherwise."]
    errors = upload_error("lista.txt", HTML, secretariat=secretariat)
    assert "not really a TXT file" in errors["upload"][0]
    errors = upload_error("pagina.html", HTML, secretariat=secretariat)
    assert "is none of them" in errors["upload"][0]


def test_a_file_over_the_limit_is_refused(secretariat, settings):
    assert services.document_max_bytes() == 20 * 1024 * 1024
    big = PDF + b"0" * (20 * 1024 * 1024)
    errors = upload_error("grande.pdf", big, secretariat=secretariat)
    assert errors["upload"] == ["The file has 20.0 MB; the limit is 20 MB."]
    settings.COCREA_DOCUMENT_MAX_MB = 1
    errors = upload_error("mediano.pdf", PDF + b"0" * (1024 * 1024), secretariat=secretariat)
    assert errors["upload"] == ["The file has 1.0 MB; the limit is 1 MB."]


def test_a_path_in_the_name_is_dropped_and_the_name_made_safe(secretariat, media):
    document = upload("../../etc/\x00pass\u202ewd\r\n.pdf", PDF, secretariat=secretariat)
    assert document.original_name == "passwd.pdf"
    assert ".." not in document.file.name
    assert "etc" not in document.file.name
    assert safe_name("C:\\Users\\Juana\\Escritorio\\acta final.pdf") == "acta final.pdf"
    assert safe_name("...") == "documento"
    assert safe_name(".htaccess") == "htaccess"
    long = safe_name("á" * 300 + ".docx", max_length=200)
    assert len(long) == 200
    assert long.endswith(".docx")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        (
            "acta.docx",
            ooxml("word/document.xml", WORD_MAIN),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "asistencia.xlsx",
            ooxml("xl/workbook.xml", SHEET_MAIN),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "acta.odt",
            odf("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        ("foto.png", PNG, "image/png"),
        ("foto.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("lista.csv", "nombre;organización\nAna;Red Muqui\n".encode("cp1252"), "text/csv; charset=utf-8"),
    ],
)
def test_office_files_images_and_text_are_accepted_by_content(secretariat, name, content, content_type):
    document = upload(name, content, secretariat=secretariat)
    assert document.content_type == content_type
    extension = "." + name.rsplit(".", 1)[1].lower()
    assert document.file.name.endswith(".jpg" if extension == ".jpeg" else extension)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("acta.docx", ooxml("xl/workbook.xml", SHEET_MAIN)),  # a spreadsheet renamed
        ("acta.docx", ooxml("word/document.xml", SHEET_MAIN)),  # the content types say spreadsheet
        (
            "acta.docx",
            ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
        ),
        ("acta.odt", odf("application/vnd.oasis.opendocument.spreadsheet")),
        ("acta.xlsx", b"PK\x03\x04 broken zip"),
        ("datos.csv", b"\x00\x01\x02binary"),
    ],
)
def test_office_files_whose_parts_say_otherwise_are_refused(secretariat, name, content):
    assert "not really" in upload_error(name, content, secretariat=secretariat)["upload"][0]


def test_every_missing_field_is_named(secretariat):
    other_plan = ActionPlan.objects.create(
        name="Cuarto plan",
        short_name="PAGA 2020",
        slug="paga-2020",
        country="Perú",
        start_year=2020,
        end_year=2022,
        secretariat="SGP",
    )
    errors = upload_error(
        "acta.pdf",
        b"no",
        secretariat=secretariat,
        title=" ",
        doc_type="",
        dated=timezone.localdate() + datetime.timedelta(days=1),
        event=EventFactory(plan=other_plan),
    )
    assert errors == {
        "title": ["Give the document a title."],
        "doc_type": ["Choose the type of document."],
        "dated": ["The date of the document cannot be in the future."],
        "event": ["Choose an event of this plan."],
        "upload": ["The file “acta.pdf” is not really a PDF file: its content says otherwise."],
    }


def test_only_staff_upload(citizen, reviewer):
    for person in (citizen, reviewer):
        with pytest.raises(PermissionDenied):
            upload("acta.pdf", PDF, secretariat=person)
    assert not Document.objects.exists()
