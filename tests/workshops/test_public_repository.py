"""The documents' repository (/repositorio/): every document of the plan, newest first, the date it was
last updated, filters; and the download: the stored file as an attachment with a safe name."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.commitments.factories import PlanFactory
from tests.workshops.factories import EventFactory, lima
from tests.workshops.test_public_views import document, english, main_of, media, stage
from workshops.models import DocumentType
from workshops.views import content_disposition, safe_filename

__all__ = ["english", "media"]  # fixtures

pytestmark = pytest.mark.django_db

REPOSITORY = reverse("workshops:repository")


def download(doc) -> str:
    return reverse("workshops:document_download", kwargs={"pk": doc.pk})


def test_documents_newest_first_by_date_then_upload_time(english):
    now = timezone.now()
    old = document(title="Convocatoria", dated=datetime.date(2017, 9, 8), doc_type=DocumentType.CALL)
    same_day_early = document(title="Agenda temprana", uploaded_at=now - datetime.timedelta(hours=2))
    same_day_late = document(title="Acta tardía", uploaded_at=now - datetime.timedelta(hours=1))
    newest = document(
        title="Informe final", dated=datetime.date(2017, 12, 1), uploaded_at=now - datetime.timedelta(days=3)
    )
    html = main_of(english.get(REPOSITORY))
    positions = [html.index(d.title) for d in (newest, same_day_late, same_day_early, old)]
    assert positions == sorted(positions)
    assert "4 documents" in html


def test_last_updated_is_the_latest_upload_shown_at_the_top(english):
    document(title="Antiguo", dated=datetime.date(2017, 12, 1), uploaded_at=lima(2030, 1, 5, 9, 15))
    document(title="Reciente", dated=datetime.date(2017, 9, 1), uploaded_at=lima(2030, 3, 7, 16, 40))
    html = main_of(english.get(REPOSITORY))
    assert 'Last updated on <time datetime="2030-03-07T16:40:00-05:00">' in html
    assert html.index("Last updated") < html.index("Antiguo")
    # Filtering does not change when the repository was last updated.
    html = main_of(english.get(REPOSITORY, {"tipo": "convocatoria"}))
    assert 'datetime="2030-03-07T16:40:00-05:00"' in html
    assert "No document matches these filters" in html


def test_an_empty_repository_says_so(english):
    PlanFactory()
    html = main_of(english.get(REPOSITORY))
    assert "No document has been published yet." in html


def test_each_document_shows_type_stage_date_event_size_and_download_link(english):
    event = EventFactory(title="Taller en Arequipa")
    doc = document(event, title="Acta del taller", stage=stage("Talleres regionales"))
    html = main_of(english.get(REPOSITORY))
    row = html.split("Acta del taller", 1)[1].split("</li>", 1)[0]
    assert "Minutes" in row
    assert "Oct. 2, 2017" in row
    assert "9\xa0bytes" in row
    assert f'<a href="{event.get_absolute_url()}" lang="es">Taller en Arequipa</a>' in row
    assert "Talleres regionales</a>" in row
    assert f'href="{download(doc)}"' in html


def test_filter_by_type_and_event(english):
    first = EventFactory(title="Primer taller")
    second = EventFactory(title="Segundo taller")
    document(first, title="Acta uno")
    document(second, title="Acta dos")
    document(second, title="Agenda dos", doc_type=DocumentType.AGENDA)
    document(None, title="Informe general", doc_type=DocumentType.REPORT)

    def titles(**params) -> set[str]:
        html = main_of(english.get(REPOSITORY, params))
        return {t for t in ("Acta uno", "Acta dos", "Agenda dos", "Informe general") if t in html}

    assert titles() == {"Acta uno", "Acta dos", "Agenda dos", "Informe general"}
    assert titles(tipo="acta") == {"Acta uno", "Acta dos"}
    assert titles(evento=second.slug) == {"Acta dos", "Agenda dos"}
    assert titles(evento=second.slug, tipo="agenda") == {"Agenda dos"}
    html = main_of(english.get(REPOSITORY, {"evento": "no-existe"}))
    assert "Select a valid choice" in html


def test_documents_of_another_plan_are_not_listed_nor_downloaded(client):
    document(title="Del plan vigente")
    old = PlanFactory(slug="paga-2015-2016", short_name="PAGA 2015-2016", is_current=False)
    other = document(title="Del plan anterior", plan=old)
    html = main_of(client.get(REPOSITORY))
    assert "Del plan vigente" in html
    assert "Del plan anterior" not in html
    assert client.get(download(other)).status_code == 404


def test_download_streams_the_file_as_an_attachment_with_a_safe_name(client):
    doc = document(original_name="Acta año 2017 «final».pdf")
    response = client.get(download(doc))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == "9"
    assert response["Content-Disposition"] == (
        'attachment; filename="Acta ano 2017 final.pdf"; '
        "filename*=UTF-8''Acta%20a%C3%B1o%202017%20%C2%ABfinal%C2%BB.pdf"
    )


def test_a_hostile_original_name_cannot_break_the_header_or_name_a_folder(client):
    doc = document(original_name='..\\..\\etc/pass"wd\r\nSet-Cookie: x=1.pdf')
    response = client.get(download(doc))
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.startswith('attachment; filename="pass_wdSet-Cookie_ x_1.pdf"')
    assert "/" not in disposition.split("filename*=")[0]
    assert not response.cookies


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("acta.pdf", "acta.pdf"),
        ("C:\\Users\\x\\acta.pdf", "acta.pdf"),
        ("../../acta.pdf", "acta.pdf"),
        ('a"b<c>.pdf', "a_b_c_.pdf"),
        ("\x00\x1f", "documento"),
        ("...", "documento"),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert (
        content_disposition("informe.pdf")
        == "attachment; filename=\"informe.pdf\"; filename*=UTF-8''informe.pdf"
    )
    assert content_disposition("ñ.pdf").startswith(
        "attachment; filename=\"n.pdf\"; filename*=UTF-8''%C3%B1.pdf"
    )


def test_a_missing_file_is_404_not_an_error(client, media):
    doc = document()
    (media / doc.file.name).unlink()
    assert client.get(download(doc)).status_code == 404


def test_download_refuses_post(client):
    doc = document()
    assert client.post(download(doc)).status_code == 405


def test_repository_queries_do_not_grow(client, secretariat, django_assert_num_queries):
    events = [EventFactory() for _ in range(3)]
    for total in (3, 30):
        for n in range(len(client.get(REPOSITORY).context["documents"]), total):
            document(
                events[n % 3], title=f"Documento {n}", uploaded_by=secretariat, stage=stage(f"Etapa {n}")
            )
        # plan; events for the filter; documents with their event, stage and the last upload
        with django_assert_num_queries(3):
            response = client.get(REPOSITORY)
        assert len(response.context["documents"]) == total
        with django_assert_num_queries(3):
            client.get(REPOSITORY, {"tipo": "acta", "evento": events[0].slug})
