"""The approved plan and its co-creation report as PDF files (issue 6), rendered with WeasyPrint.

Both come from a `PlanDocument` (commitments/plan_document.py), never from live rows: the Celery task
of a frozen plan version calls `render_plan(document)` and `render_cocreation_report(document)` and
stores the bytes with their SHA-256.

- The document is the official Spanish text that goes with the ministerial resolution: the PDF
  templates (templates/commitments/pdf/) are written in Spanish, and rendering happens under
  `translation.override("es")`, so dates, numbers and the paga.reports blocks (built by the caller)
  come out in Spanish whatever the language of the request or worker.
- Deterministic: the same document gives the same bytes, so the same SHA-256 (a rerun of the job stores
  no second file). WeasyPrint writes no clock time by itself; the metadata dates are the version's
  `frozen_at` and the PDF file identifier is derived from the plan, the version and the kind.
- One font, Liberation Sans (static/css/pdf.css; Debian fonts-liberation, installed by the Dockerfile,
  .ci/run and the README's prerequisites), embedded as subsets by HarfBuzz (libharfbuzz-subset0: the
  fontTools fallback stamps the time in each font), so the PDF is the same on every machine.
- Accessible: a tagged PDF/UA-1 file (pdf_variant), in Spanish (lang), with its title shown by readers,
  the Secretaría as author and a subject; header cells carry their scope (_scope_header_cells).
- Nothing is fetched: the stylesheet is read from static/css/pdf.css by path and every URL the HTML
  might name is refused (user text is escaped by the templates anyway).
"""

from __future__ import annotations

import datetime
import hashlib
import math
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, formats, timezone, translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from paga.reports import Block, Table

from .plan_document import PlanCommitment, PlanDocument

LANGUAGE = "es"
KINDS = {"plan": "commitments/pdf/plan.html", "informe": "commitments/pdf/cocreation_report.html"}


def stylesheet_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"


def render_plan(document: PlanDocument) -> bytes:
    """The plan: cover, approval, introduction, co-creation process, each commitment, annex."""
    return _render("plan", document)


def render_cocreation_report(document: PlanDocument) -> bytes:
    """The co-creation report: the process summary and every contribution with its response."""
    return _render("informe", document)


class _RefuseEveryURL(URLFetcher):
    """The PDF needs no resource: refuse any URL the HTML could name (no network, no local files)."""

    def fetch(self, url, headers=None):
        raise ValueError(f"the plan's PDF fetches nothing ({url[:80]!r})")


def _render(kind: str, document: PlanDocument) -> bytes:
    with translation.override(LANGUAGE):
        html = render_to_string(KINDS[kind], _context(kind, document))
    return write_pdf(html, identifier(kind, document))


def write_pdf(html: str, pdf_identifier: bytes) -> bytes:
    """`html` (a Spanish document styled by pdf.css) as a tagged PDF/UA-1 file, fetching nothing: the
    same HTML and identifier give the same bytes. The plan's documents and the self-assessment
    (implementation) are written by it."""
    fetcher = _RefuseEveryURL()
    css = CSS(string=stylesheet_path().read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[css],
        pdf_identifier=pdf_identifier,
        pdf_variant="pdf/ua-1",
        uncompressed_pdf=False,
        finisher=_scope_header_cells,
    )


def _scope_header_cells(_document, pdf) -> None:
    """Give each table header cell (/TH) of the tagged PDF its /Scope: /Row beside data cells, else /Column.

    WeasyPrint 70 links each data cell to its headers (/Headers and /ID) but writes no /Scope, which
    PDF/UA checkers look for on the header cell itself. The templates put column headers in a row of
    their own (thead) and row headers first in a row of data (scope="row"), so the row tells which.
    """
    by_reference = {obj.reference: obj for obj in pdf.objects if hasattr(obj, "reference")}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.get("S") == "/TH":
            row = by_reference.get(obj["P"], {})
            cells = [by_reference.get(kid, {}).get("S") for kid in row.get("K", [])]
            obj["A"]["Scope"] = "/Row" if "/TD" in cells else "/Column"


def identifier(kind: str, document: PlanDocument) -> bytes:
    """The PDF file identifier (/ID): the same for every rendering of one version and kind."""
    frozen = document.frozen_at.isoformat() if document.frozen_at else ""
    key = "|".join([kind, document.plan_short_name, str(document.version_number), frozen])
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


# --- what the templates get ------------------------------------------------------------------------


def _context(kind: str, document: PlanDocument) -> dict:
    frozen = document.frozen_at  # None only for a draft's preview, which is never rendered to PDF
    if frozen is not None and timezone.is_aware(frozen):
        frozen = timezone.localtime(frozen)
    return {
        "kind": kind,
        "document": document,
        "approved": bool(document.instrument and document.instrument_number),
        "frozen": frozen,
        # dcterms.created/modified: the PDF's CreationDate/ModDate (UTC, W3C format)
        "metadata_date": _w3c(document.frozen_at) if document.frozen_at else "",
        "commitments": [_commitment(c) for c in document.commitments],
        "process_summary": [_block(b) for b in document.process_summary],
        "annex": [_block(b, landscape=True) for b in document.annex],  # the annex pages of pdf.css
    }


def _w3c(moment: datetime.datetime) -> str:
    if timezone.is_aware(moment):
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value) -> datetime.date | None:
    """Snapshot dates are ISO strings (commitments.services._plain); accept dates too."""
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _commitment(commitment: PlanCommitment) -> dict:
    data = commitment.data or {}
    return {
        "number": commitment.number,
        "title": commitment.title,
        "anchor": f"compromiso-{commitment.number}",
        "version_number": commitment.version_number,
        "sign_off": commitment.sign_off,
        "data": data,
        "start_date": _date(data.get("start_date")),
        "end_date": _date(data.get("end_date")),
        "resources_amount": _decimal(data.get("resources_amount")),
        "relevances": data.get("relevances") or [],
        "other_actors": data.get("other_actors") or [],
        "milestones": [
            {**m, "start_date": _date(m.get("start_date")), "due_date": _date(m.get("due_date"))}
            for m in data.get("milestones") or []
        ],
    }


def _cell(value) -> str:
    """A table cell of a paga.reports Table (str, int, Decimal, date) as Spanish text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return dateformat.format(value, r"j \d\e F \d\e Y, H:i")
    if isinstance(value, datetime.date):
        return dateformat.format(value, r"j \d\e F \d\e Y")
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True)  # Spanish: a decimal comma, "12,5"
    return str(value)


def _table(table: Table, *, landscape: bool = False) -> dict:
    rows = [[_cell(value) for value in row] for row in table.rows]
    n = max([len(table.headers), *(len(row) for row in rows)], default=0)
    wide = n > 5
    return {
        "caption": table.caption,
        "headers": table.headers,
        "rows": rows,
        "columns": column_widths(table.headers, rows, n, wide=wide, landscape=landscape),
        "wide": wide,
    }


# The width of the text of a page of pdf.css, in millimetres (A4 less the @page margins).
LINE_MM = {False: 210 - 20 - 18, True: 297 - 16 - 16}  # portrait, landscape
POINT_MM = 25.4 / 72
CELL_PADDING_MM = 4.5  # th, td: 1.8 mm each side and the borders, with some room to spare


def word_mm(word: str, points: float, *, bold: bool) -> float:
    """A generous estimate of the width of `word` in Liberation Sans (Arial's metrics), in mm: capitals
    at 0.72 em (0.78 bold), other characters at 0.56 em (0.62 bold), over the widest letters but m and w."""
    capital, other = (0.78, 0.62) if bold else (0.72, 0.56)
    return sum(capital if ch.isupper() else other for ch in word) * points * POINT_MM


def column_widths(
    headers: list[str], rows: list[list[str]], n: int, *, wide: bool = False, landscape: bool = False
) -> list[int]:
    """Each column's share of the table, in percent, in steps of 5 (the .w5…w100 classes of pdf.css).

    Report tables are set with a fixed layout (WeasyPrint's automatic layout measures every cell's
    content first: seconds for an annex of a few hundred contributions). Each column gets at least
    the room of its longest word (a header in bold is never broken inside a word: pdf.css does not
    wrap words in th), then the rest follows the mean length of its text (up to 60 characters:
    longer texts wrap anyway), so contributions get more room than dates. `wide` tables (more than
    five columns) are set in 8 pt, the others in 9 pt; annex tables are on landscape pages.
    """
    if n == 0:
        return []
    points = 8 if wide else 9
    line = LINE_MM[landscape]
    minima, weights = [], []
    for i in range(n):
        header = headers[i] if i < len(headers) else ""
        cells = [row[i] for row in rows if i < len(row)]
        longest = max(
            [
                *(word_mm(word, points, bold=True) for word in str(header).split()),
                *(word_mm(word, points, bold=False) for text in cells for word in text.split()),
                0.0,
            ]
        )
        minima.append(max(5, math.ceil((longest + CELL_PADDING_MM) * 100 / line / 5) * 5))
        mean = sum(len(c) for c in cells) / len(cells) if cells else 0
        weights.append(max(min(mean, 60), len(header), 1))
    widths = list(minima)
    while sum(widths) > 100:  # too many columns for their words: narrow the widest
        widths[widths.index(max(widths))] -= 5
    spare = 100 - sum(widths)
    total = sum(weights)
    for i in range(n):
        widths[i] += int(spare * weights[i] / total) // 5 * 5
    widths[weights.index(max(weights))] += 100 - sum(widths)
    return widths


def _block(block: Block, *, landscape: bool = False) -> dict:
    tables = [_table(t, landscape=landscape) for t in block.tables]
    return {
        "key": block.key,
        "anchor": f"seccion-{block.key}",
        "title": block.title,
        "paragraphs": block.paragraphs,
        "tables": tables,
        "wide": any(t["wide"] for t in tables),
    }
