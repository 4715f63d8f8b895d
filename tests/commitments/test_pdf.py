"""commitments/pdf.py: the plan and the co-creation report as PDF, read back with poppler's pdftotext.

The document is built here (no database): three commitments with accents, «», º and ñ, milestones,
process summary and annex blocks. Each PDF is rendered once per module (a render takes about a second).
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from pdfua import validate

from commitments import pdf
from commitments.plan_document import PlanCommitment, PlanDocument, SignOff
from paga.reports import Block, Table
from tests.conftest import require

TITLES = [
    "Fortalecer las Comisiones Ambientales Municipales (CAM) y Regionales (CAR)",
    "Creación de la Autoridad de Transporte Urbano (ATU) para Lima y Callao",
    "Información estandarizada «abierta» sobre trata de personas en San Martín, año 2.º",
]
RESOLUTION = "176-2017-PCM"
CONSULTATION_HEADERS = ["Consulta", "Abierta desde", "Abierta hasta", "Días", "Aportes", "Respondidos"]
OBJECTIVE = "Elaborar el tercer Plan de Acción de Gobierno Abierto para el periodo 2017-2019."


def commitment(number: int, title: str, *, milestones: int = 4) -> PlanCommitment:
    data = {
        "title": title,
        "start_date": "2018-01-01",
        "end_date": "2019-12-31",
        "lead_entity": "Ministerio del Ambiente (MINAM)",
        "problem": f"La problemática del compromiso {number}: poca información pública.\n\nSegundo párrafo.",
        "baseline": "Línea de base: 12 % de las municipalidades publica sus actas.",
        "description": "Publicar cada año las actas de las comisiones, con datos abiertos. " * 6,
        "how_it_helps": "Permitirá a la ciudadanía vigilar el cumplimiento de los acuerdos.",
        "theme": "Ambiente",
        "priority": "Saneamiento / Ambiente",
        "sdg_targets": "16.10; 16.7",
        "oecd_standards": "",
        "additional_info": "",
        "resources_amount": "150000.00",
        "resources_currency": "PEN",
        "resources_source": "Presupuesto institucional",
        "contact_name": "José Núñez Peña",
        "contact_position": "Director de Información Ambiental",
        "contact_email": "jnunez@minam.example",
        "contact_phone": "01 611 6000",
        "relevances": [
            {"value": "transparencia", "name": "Transparencia", "justification": "Publica información."},
            {
                "value": "participacion",
                "name": "Participación ciudadana",
                "justification": "Abre las comisiones.",
            },
        ],
        "other_actors": [{"organisation": "Proética", "role": "Vigilancia ciudadana"}],
        "milestones": [
            {
                "description": f"Hito {number}.{i}: diagnóstico publicado en el portal de datos abiertos",
                "responsible": "Ministerio del Ambiente (MINAM)",
                "start_date": "2018-01-15",
                "due_date": f"2018-{i + 2:02d}-30",
                "status": "programado",
            }
            for i in range(1, milestones + 1)
        ],
    }
    return PlanCommitment(
        number=number,
        title=title,
        data=data,
        sign_off=SignOff(
            entity="Ministerio del Ambiente (MINAM)", by="Ana Peña", on=datetime.date(2017, 12, 1)
        ),
        version_number=2,
    )


def document(titles=TITLES, **changes) -> PlanDocument:
    fields = {
        "plan_name": "Tercer Plan de Acción de Gobierno Abierto 2017-2019",
        "plan_short_name": "PAGA 2017-2019",
        "country": "Perú",
        "secretariat": "Secretaría de Gestión Pública (Presidencia del Consejo de Ministros, PCM)",
        "general_objective": OBJECTIVE,
        "objectives": ["Aplicar los estándares de la AGA.", "Identificar y priorizar los compromisos."],
        "version_number": 1,
        "frozen_at": datetime.datetime(2017, 12, 10, 15, 30, tzinfo=datetime.UTC),
        "instrument": "Resolución Ministerial",
        "instrument_number": RESOLUTION,
        "instrument_date": datetime.date(2017, 12, 15),
        "instrument_url": "https://www.gob.pe/institucion/pcm/normas-legales/176-2017-pcm",
        "commitments": [commitment(n, title) for n, title in enumerate(titles, start=1)],
        "process_summary": [
            Block(
                key="timeline",
                title="Cronograma del proceso de cocreación",
                paragraphs=["El cronograma se publicó el 8 de septiembre de 2017."],
                tables=[
                    Table(
                        caption="Etapas del cronograma",
                        headers=["Fase", "Etapa", "Fechas"],
                        rows=[["Difusión", "Publicación del cronograma", datetime.date(2017, 9, 8)]],
                    )
                ],
                order=10,
            ),
            Block(
                key="channels",
                title="Aportes por canal",
                paragraphs=["Foro virtual: 3; correo: 1."],
                tables=[
                    Table(
                        caption="Aportes por canal",
                        headers=["Canal", "Aportes", "Proporción del total de aportes (%)"],
                        rows=[
                            ["Foro virtual", 3, Decimal("75.0")],
                            ["Correo electrónico", 1, Decimal("12.5")],
                        ],
                    ),
                    Table(  # six columns, set in 8 pt on a portrait page
                        caption="Consultas",
                        headers=CONSULTATION_HEADERS,
                        rows=[
                            [
                                "Foro virtual: propuestas de compromisos",
                                datetime.date(2017, 9, 22),
                                datetime.date(2017, 10, 6),
                                15,
                                3,
                                2,
                            ]
                        ],
                    ),
                ],
                order=20,
            ),
        ],
        "annex": [
            Block(
                key="annex-foro",
                title="Aportes a «Propuesta de compromisos» y sus respuestas",
                paragraphs=["4 de 4 aportes tienen una respuesta razonada publicada."],
                tables=[
                    Table(
                        caption="Cada aporte y su respuesta publicada",
                        headers=["N.º", "Fecha", "Canal", "Autor", "Ítem", "Aporte", "Respuesta", "Razón"],
                        rows=[
                            [
                                n,
                                "30 de septiembre de 2017",
                                "Foro virtual",
                                f"Ciudadana {n}",
                                "Compromiso 1",
                                f"Aporte número {n}: incluir a las comunidades nativas.",
                                "Acogido",
                                f"Razón {n}: se incorporó al hito 1.2.",
                            ]
                            for n in range(1, 5)
                        ],
                    )
                ],
                order=200,
            )
        ],
    }
    fields.update(changes)
    return PlanDocument(**fields)


@pytest.fixture(scope="module")
def plan_pdf() -> bytes:
    return pdf.render_plan(document())


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return pdf.render_cocreation_report(document())


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    require("poppler-utils", path is not None, f"{tool} is missing (Debian package poppler-utils)")
    return path


def pages_of(data: bytes, tmp_path: Path, name: str = "doc.pdf") -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed), whitespace collapsed."""
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def test_plan_has_every_title_the_resolution_and_page_x_of_y(plan_pdf, tmp_path):
    pages = pages_of(plan_pdf, tmp_path)
    text = " ".join(pages)
    n = len(pages)
    assert n >= 8
    for title in TITLES:
        assert title in text
    assert f"Resolución Ministerial N.º {RESOLUTION}, del 15 de diciembre de 2017" in pages[0]
    assert all(f"Página {i} de {n}" in page for i, page in enumerate(pages, start=1) if i > 1)


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_the_cover_has_no_running_title_and_no_page_number(kind, plan_pdf, report_pdf, tmp_path):
    pages = pages_of(plan_pdf if kind == "plan" else report_pdf, tmp_path)
    assert "Página" not in pages[0]
    assert pages[0].count("PAGA 2017-2019 · ") == 1  # its first line; no running title in the margin
    assert pages[1].startswith("PAGA 2017-2019 · ")
    assert f"Página 2 de {len(pages)}" in pages[1]


def test_plan_has_every_part_of_the_ogp_template(plan_pdf, tmp_path):
    text = " ".join(pages_of(plan_pdf, tmp_path))
    for words in [
        "Datos de aprobación",
        "Objetivo general",
        OBJECTIVE,
        "Identificar y priorizar los compromisos.",
        "Cronograma del proceso de cocreación",
        "Publicación del cronograma 8 de septiembre de 2017",  # a date cell of a Block, in Spanish
        "¿Cuál es la problemática que el compromiso aborda?",
        "Línea de base: 12 % de las municipalidades publica sus actas.",
        "Transparencia Publica información.",
        "Prioridad de gobierno (CEPLAN) Saneamiento / Ambiente",
        "Hito 2.3: diagnóstico publicado en el portal de datos abiertos",
        "Proética Vigilancia ciudadana",
        "150 000,00 PEN",
        "José Núñez Peña, Director de Información Ambiental",
        "Ministerio del Ambiente (MINAM) dio su conformidad al texto de este compromiso (versión 2) "
        "el 1 de diciembre de 2017, por Ana Peña.",
        "Anexo: respuestas razonadas a los aportes",
        "Aporte número 4: incluir a las comunidades nativas.",
    ]:
        assert words in text, words


def test_milestones_table_has_responsible_entity_and_dates(plan_pdf, tmp_path):
    text = " ".join(pages_of(plan_pdf, tmp_path))
    assert "N.º Actividad o producto verificable Entidad responsable Inicio Término" in text
    assert (
        "Hito 1.2: diagnóstico publicado en el portal de datos abiertos "
        "Ministerio del Ambiente (MINAM) 15 de enero de 2018 30 de abril de 2018" in text
    )


def test_table_of_contents_gives_the_page_each_commitment_starts_on(plan_pdf, tmp_path):
    pages = pages_of(plan_pdf, tmp_path)
    toc = pages[1]
    assert toc.startswith("PAGA 2017-2019 · Plan de Acción · versión 1 Contenido")
    for number, title in enumerate(TITLES, start=1):
        starts = next(i for i, page in enumerate(pages, start=1) if f"COMPROMISO {number} {title}" in page)
        assert f"{number}. {title} {starts}" in toc
    annex = next(i for i, page in enumerate(pages, start=1) if page.endswith(f"Página {i} de {len(pages)}")
                 and "Anexo: respuestas razonadas a los aportes Aportes a" in page)  # fmt: skip
    assert f"Anexo: respuestas razonadas a los aportes {annex}" in toc


def test_same_document_gives_the_same_bytes(plan_pdf, report_pdf):
    assert hashlib.sha256(pdf.render_plan(document())).digest() == hashlib.sha256(plan_pdf).digest()
    assert pdf.render_cocreation_report(document()) == report_pdf
    assert plan_pdf != report_pdf


def test_same_document_gives_the_same_bytes_in_another_process(plan_pdf):
    """The worker that reruns a job is another process, with another hash seed."""
    code = (
        "import django, hashlib, sys; django.setup(); "
        "from commitments import pdf; from tests.commitments.test_pdf import document; "
        "sys.stdout.write(hashlib.sha256(pdf.render_plan(document())).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={**_environ(), "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "paga.settings"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == hashlib.sha256(plan_pdf).hexdigest()


def _environ() -> dict:
    return {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}


def test_another_version_gives_other_bytes(plan_pdf):
    assert pdf.render_plan(document(version_number=2)) != plan_pdf


def test_metadata_dates_are_the_freezing_time_and_the_file_has_an_identifier(plan_pdf, tmp_path):
    path = tmp_path / "info.pdf"
    path.write_bytes(plan_pdf)
    info = subprocess.run(
        [poppler("pdfinfo"), "-isodates", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert re.search(r"CreationDate: +2017-12-10T15:30:00(Z|\+00)", info), info
    assert re.search(r"ModDate: +2017-12-10T15:30:00(Z|\+00)", info), info
    assert re.search(r"Title: +Tercer Plan de Acción de Gobierno Abierto 2017-2019", info), info
    assert b"/ID [(" + pdf.identifier("plan", document()) + b") (" in plan_pdf


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_fonts_are_the_named_ones_and_embedded(kind, plan_pdf, report_pdf, tmp_path):
    """Every font of the file is Liberation Sans (regular and bold here), embedded as a subset: a machine
    without the font the stylesheet names (the Docker image had only DejaVu) fails here."""
    data = plan_pdf if kind == "plan" else report_pdf
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    listing = subprocess.run(
        [poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    assert listing
    for line in listing:
        assert re.match(r"[A-Z]{6}\+Liberation-Sans(-Bold)? ", line), line
        assert re.search(r"\byes\s+yes\s+yes\b", line), line  # embedded, subset, unicode map
    with pikepdf.open(path) as document:
        fonts = [
            o for o in document.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
        ]
        names = {str(f.BaseFont).split("+")[-1] for f in fonts}
        assert names == {"Liberation-Sans", "Liberation-Sans-Bold"}
        for font in fonts:
            if font.Subtype == "/Type0":
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor, font.BaseFont  # the TrueType program is in the file


def test_the_stylesheet_names_the_one_font_that_docker_ci_and_the_readme_install():
    base = Path(settings.BASE_DIR)
    families = re.findall(r"font-family:\s*([^;]+);", pdf.stylesheet_path().read_text())
    assert families
    assert set(families) == {'"Liberation Sans"'}
    dockerfile = (base / "Dockerfile").read_text()
    ci = (base / ".ci" / "run").read_text()
    readme = (base / "README.md").read_text()
    installs = {
        "Dockerfile": re.search(r"apt-get install[^&]+", dockerfile).group(),
        ".ci/run": re.search(r"PACKAGES=\(([^)]*)\)", ci).group(1),
        "README": re.search(r"apt-get install [^\n]*libpango[^\n]*", readme).group(),
    }
    for where, packages in installs.items():
        assert re.findall(r"\bfonts-[\w-]+", packages) == ["fonts-liberation"], where
        assert "libharfbuzz-subset0" in packages, where  # fontTools' subsets carry the time: other bytes


def test_a4_portrait_and_the_annex_landscape(plan_pdf, tmp_path):
    path = tmp_path / "sizes.pdf"
    path.write_bytes(plan_pdf)
    info = subprocess.run(
        [poppler("pdfinfo"), "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page +\d+ size: +([\d.]+ x [\d.]+) pts", info)
    assert sizes[0] == "595.276 x 841.89"
    assert sizes[-1] == "841.89 x 595.276"


def test_a_draft_says_proyecto_instead_of_a_resolution(tmp_path):
    draft = document(
        titles=TITLES[:1], instrument="", instrument_number="", instrument_date=None, instrument_url=""
    )
    pages = pages_of(pdf.render_plan(draft), tmp_path)
    assert "Versión 1 · Proyecto" in pages[0]
    assert "Proyecto: aún no aprobado" in pages[0]
    assert "Resolución Ministerial" not in " ".join(pages)


def test_html_in_a_title_is_printed_as_text(tmp_path):
    title = '<script>alert("x")</script> & <b>negrita</b> <img src="http://127.0.0.1:9/x.png">'
    hostile = document(titles=[title], annex=[])
    text = " ".join(pages_of(pdf.render_plan(hostile), tmp_path))
    assert '<script>alert("x")</script> & <b>negrita</b> <img src="http://127.0.0.1:9/x.png">' in text


def test_spanish_whatever_the_active_language(tmp_path):
    with translation.override("en"):
        data = pdf.render_plan(document(titles=TITLES[:1]))
        assert translation.get_language() == "en"
    text = " ".join(pages_of(data, tmp_path))
    assert "1 de enero de 2018 — 31 de diciembre de 2019" in text
    assert "December" not in text


def test_cocreation_report_has_every_contribution_and_response(report_pdf, tmp_path):
    pages = pages_of(report_pdf, tmp_path)
    text = " ".join(pages)
    assert (
        "PERÚ Informe de cocreación Tercer Plan de Acción de Gobierno Abierto 2017-2019 Versión 1" in pages[0]
    )
    assert f"Página 2 de {len(pages)}" in pages[1]
    assert "Aportes a «Propuesta de compromisos» y sus respuestas" in pages[1]  # in the contents
    for n in range(1, 5):
        assert (
            f"Aporte número {n}: incluir a las comunidades nativas. Acogido "
            f"Razón {n}: se incorporó al hito 1.2." in text
        )
    assert TITLES[0] not in text  # the commitments are the plan's, not the report's


def test_the_pdf_fetches_nothing():
    with pytest.raises(ValueError, match="fetches nothing"):
        pdf._RefuseEveryURL().fetch("http://127.0.0.1:9/x.png")


# --- accessibility: a tagged PDF/UA-1 file -------------------------------------------------------------
def pdfua_findings(data: bytes, tmp_path: Path) -> list[str]:
    """What the pdfua checker (PyPI) reports, and any rule it could not run but UA-14-001 (empty headings):
    pdfua 0.1.3 fails on it for any heading whose /K is an array (it reads .is_integer of the array,
    which pikepdf 10 refuses); `empty_headings` checks the same instead."""
    path = tmp_path / "ua.pdf"
    path.write_bytes(data)
    report = validate(str(path))
    found = [f"{f.rule_id} {f.location} {f.message}" for f in report.findings]
    return found + [
        f"{o.rule_id} not run: {o.skipped_reason}" for o in report.skipped if o.rule_id != "UA-14-001"
    ]


def empty_headings(data: bytes) -> list[str]:
    """The heading elements (/H1…/H6) of the structure tree that mark no content."""

    def marks_content(node) -> bool:
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if isinstance(kids, int):
            return True
        if isinstance(kids, pikepdf.Array):
            return any(isinstance(k, int) or marks_content(k) for k in kids)
        return isinstance(kids, pikepdf.Dictionary) and marks_content(kids)

    with pikepdf.open(io.BytesIO(data)) as document:
        headings = [
            o
            for o in document.objects
            if isinstance(o, pikepdf.Dictionary)
            and o.get("/Type") == "/StructElem"
            and re.fullmatch(r"/H[1-6]", str(o.get("/S")))
        ]
        assert headings
        return [str(h.S) for h in headings if not marks_content(h)]


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_a_tagged_pdf_ua_file_in_spanish_with_title_author_and_subject(kind, plan_pdf, report_pdf, tmp_path):
    data = plan_pdf if kind == "plan" else report_pdf
    path = tmp_path / "ua.pdf"
    path.write_bytes(data)
    info = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert re.search(r"^Tagged: +yes$", info, re.M), info
    title = "Tercer Plan de Acción de Gobierno Abierto 2017-2019"
    assert re.search(rf"^Title: +{'' if kind == 'plan' else 'Informe de cocreación · '}{title}$", info, re.M)
    author = "Secretaría de Gestión Pública (Presidencia del Consejo de Ministros, PCM)"
    assert re.search(rf"^Author: +{re.escape(author)}$", info, re.M), info
    assert re.search(r"^Subject: +.+, versión 1, aprobada mediante Resolución Ministerial N\.º 176-2017-PCM$",
                     info, re.M), info  # fmt: skip
    with pikepdf.open(path) as document:
        assert document.Root.Lang == "es"
        assert document.Root.ViewerPreferences.DisplayDocTitle is True  # readers show the title
        assert b'pdfuaid:part="1"' in document.Root.Metadata.read_bytes()
    assert pdfua_findings(data, tmp_path) == []
    assert empty_headings(data) == []


def test_header_cells_carry_their_scope(plan_pdf):
    with pikepdf.open(io.BytesIO(plan_pdf)) as document:
        scopes = Counter(
            str(o.A.Scope)
            for o in document.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem" and o.get("/S") == "/TH"
        )
    assert set(scopes) == {"/Column", "/Row"}  # thead's columns; the OGP sheet's row labels


# --- layout: what a state document does not do ---------------------------------------------------------
MARGIN_PT = 55  # the running title and the page number sit within 20 mm (57 pt) of the top and bottom


@dataclass
class Page:
    width: float
    height: float
    words: list[tuple[float, float, str]]  # top, bottom, text

    @property
    def body_lines(self) -> int:
        """Lines of text between the running title and the page number (a table row counts once)."""
        return len(
            {
                round(top)
                for top, bottom, _ in self.words
                if top > MARGIN_PT and bottom < self.height - MARGIN_PT
            }
        )


def layout_of(data: bytes, tmp_path: Path) -> list[Page]:
    path = tmp_path / "bbox.pdf"
    path.write_bytes(data)
    html = subprocess.run(
        [poppler("pdftotext"), "-bbox", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    pages = []
    for attrs, body in re.findall(r"<page ([^>]*)>(.*?)</page>", html, re.S):
        size = dict(re.findall(r'(\w+)="([\d.]+)"', attrs))
        words = [
            (float(y_min), float(y_max), word)
            for y_min, y_max, word in re.findall(
                r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)">([^<]*)</word>', body
            )
        ]
        pages.append(Page(float(size["width"]), float(size["height"]), words))
    return pages


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_no_almost_empty_page(kind, plan_pdf, report_pdf, tmp_path):
    """Every page has at least 8 lines of text, but the contents (a page of its own, as short as the
    document), the last page and the last before the annex's landscape pages: the commitments' chapter
    was a page of its own with its title and two lines, the introduction one with six."""
    pages = layout_of(plan_pdf if kind == "plan" else report_pdf, tmp_path)
    short = [
        (number, page.body_lines)
        for number, (page, after) in enumerate(zip(pages, pages[1:], strict=False), start=1)
        if number != 2 and page.body_lines < 8 and (page.width, page.height) == (after.width, after.height)
    ]
    assert short == []


def headings_of(document_html: str) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", heading)).split())
        for heading in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", document_html, re.S)
    ]


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_no_page_ends_with_a_heading(kind, plan_pdf, report_pdf, tmp_path):
    with translation.override("es"):
        source = render_to_string(pdf.KINDS[kind], pdf._context(kind, document()))
    headings = [h.casefold() for h in headings_of(source)]
    assert len(headings) > 5
    pages = pages_of(plan_pdf if kind == "plan" else report_pdf, tmp_path)
    for number, page in enumerate(pages[:-1], start=1):
        body = page.removesuffix(f"Página {number} de {len(pages)}").strip().casefold()
        assert not [h for h in headings if body.endswith(h)], (number, body[-200:])


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_header_cells_never_break_inside_a_word(kind, plan_pdf, report_pdf, tmp_path):
    """The six columns of the consultations' table on a portrait page: "Respondidos" came out as
    "Respondi dos" and "Días" as "Día s"."""
    text = " ".join(pages_of(plan_pdf if kind == "plan" else report_pdf, tmp_path))
    assert " ".join(CONSULTATION_HEADERS) in text
    assert "N.º Fecha Canal Autor Ítem Aporte Respuesta Razón" in text  # the annex, landscape


def test_column_widths_leave_room_for_the_longest_header_word():
    rows = [
        [
            "Foro virtual: propuestas de compromisos",
            "22 de septiembre de 2017",
            "6 de octubre de 2017",
            "15",
            "3",
            "2",
        ]
    ]
    for landscape in (False, True):
        widths = pdf.column_widths(CONSULTATION_HEADERS, rows, 6, wide=True, landscape=landscape)
        assert sum(widths) == 100
        line = pdf.LINE_MM[landscape]
        for header, width in zip(CONSULTATION_HEADERS, widths, strict=True):
            longest = max(pdf.word_mm(word, 8, bold=True) for word in header.split())
            assert width * line / 100 >= longest + 3.6, (header, width)  # 3.6 mm: the cell's padding


@pytest.mark.parametrize("kind", ["plan", "informe"])
def test_one_date_format_and_decimal_commas(kind, plan_pdf, report_pdf, tmp_path):
    text = " ".join(pages_of(plan_pdf if kind == "plan" else report_pdf, tmp_path))
    assert not re.findall(r"\d{4}-\d{2}-\d{2}(?!\d)|\b\d{1,2}/\d{1,2}/\d{2,4}\b", text)  # ISO or 15/01/2018
    assert (
        "Foro virtual: propuestas de compromisos 22 de septiembre de 2017 6 de octubre de 2017 15 3 2" in text
    )
    assert "Foro virtual 3 75,0 Correo electrónico 1 12,5" in text
    assert not re.findall(r"\b\d+\.\d+ ?%|\b75\.0\b|\b12\.5\b", text)
