"""Read-side of consultations: the public responses report (HTML, CSV, JSON) and "Mis aportes".

OGP asks that participants be told how their contributions were taken into account, and the open
data of a consultation carries no personal data beyond the name a person agreed to show: no email
address ever leaves here (the author is the display name, or the name given on another channel, and
addresses typed into texts are withheld). Only PUBLISHED responses count as answered publicly.
Each selector runs a fixed number of queries, whatever the number of contributions.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Version
from paga import clock
from paga.models import Channel

from .models import Consultation, Contribution, Disposition, Response

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A cell that starts with one of these runs as a formula in a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def withhold_emails(text: str) -> str:
    """Personal data stays out of the open data: an email address typed into a text is withheld."""
    return EMAIL.sub(_("[email withheld]"), text or "")


def author_name(contribution: Contribution) -> str:
    """The name shown publicly: the display name the person chose, or the name given on another
    channel. Never the email address (User.__str__ falls back on it, so it is not used here)."""
    name = contribution.author.display_name if contribution.author_id else ""
    return withhold_emails(name or contribution.given_name or _("(no name given)"))


def item_label(contribution: Contribution) -> str:
    if contribution.commitment_id:
        return str(contribution.commitment)
    if contribution.paragraph_id:
        return str(contribution.paragraph)
    return ""


def public_text(contribution: Contribution) -> str:
    """The text as the public sees it: a hidden contribution shows only why it was hidden."""
    if contribution.state == Contribution.State.HIDDEN:
        return _("Hidden by moderation: %(reason)s") % {"reason": contribution.hidden_reason}
    if contribution.state == Contribution.State.PENDING:
        return str(Contribution.State.PENDING.label)
    return withhold_emails(contribution.text)


def version_url(version: Version) -> str:
    """Where a reader sees what the version changed (the commitment's page for its first version)."""
    commitment = version.commitment
    if version.number > 1:
        key = str(commitment.number) if commitment.number else commitment.slug
        return (
            f"{reverse('commitments:diff', kwargs={'key': key})}?de={version.number - 1}&a={version.number}"
        )
    return commitment.get_absolute_url()


def contribution_url(contribution: Contribution) -> str:
    """A stable link to a contribution: the forum's redirect to its page of its thread, at its anchor
    (a link in an email must still work when the thread has grown to another page)."""
    return reverse("consultations:contribution", kwargs={"pk": contribution.pk})


def my_contributions_url() -> str:
    return reverse("consultations:my_contributions")


def published_response(contribution: Contribution) -> Response | None:
    """The contribution's response if it is published; a draft answers nothing publicly."""
    try:
        response = contribution.response
    except Response.DoesNotExist:
        return None
    return response if response.published_at is not None else None


def contribution_date(contribution: Contribution) -> datetime.date:
    """When it arrived: the date recorded for another channel, else the day it was posted (Lima)."""
    return contribution.received_on or timezone.localdate(contribution.created)


# --- The responses report --------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportRow:
    contribution: int
    channel: str
    channel_label: str
    date: datetime.date
    author: str
    item: str
    stance: str
    category: str
    text: str
    disposition: str
    disposition_label: str
    reason: str
    commitment_version: str
    commitment_version_url: str
    published: bool
    published_at: datetime.datetime | None


# Spanish descriptions of each column, for the open data (issue 4, "Open data").
DATA_DICTIONARY = {
    "contribution": "Identificador del aporte en el portal.",
    "channel": "Código del canal por el que llegó el aporte: foro_virtual, correo, redes_sociales, "
    "presencial, papel o web.",
    "channel_label": "Nombre del canal.",
    "date": "Fecha en que se recibió el aporte (AAAA-MM-DD, hora de Lima).",
    "author": "Nombre que la persona eligió mostrar, o el nombre u organización indicado en otro canal. "
    "Nunca incluye correos electrónicos.",
    "item": "Propuesta o compromiso (número y título) o párrafo del documento sobre el que trata el aporte.",
    "stance": "Posición: a favor, neutral o en contra (vacío si no se indicó).",
    "category": "Tipo de aporte: sugerencia, pregunta o preocupación (vacío si no se indicó).",
    "text": "Texto del aporte. Si fue ocultado por moderación, solo el motivo. Las direcciones de correo "
    "escritas en el texto se omiten. En el CSV, un texto que empieza por =, +, - o @ lleva un apóstrofo "
    "delante para que una hoja de cálculo no lo ejecute como fórmula.",
    "disposition": "Código de la respuesta publicada: incorporado, parcial, no_incorporado, "
    "fuera_de_alcance o duplicado (vacío si aún no hay respuesta publicada).",
    "disposition_label": "Respuesta publicada, en palabras.",
    "reason": "Fundamento de la respuesta (obligatorio salvo para «incorporado»).",
    "commitment_version": "Compromiso y versión de su texto en que se incorporó el aporte, si corresponde.",
    "commitment_version_url": "Dirección (relativa al portal) donde se ve esa versión.",
    "published": "Verdadero si la respuesta ya fue publicada.",
    "published_at": "Fecha y hora de publicación de la respuesta (ISO 8601, hora de Lima).",
}


@dataclass(frozen=True)
class Total:
    code: str
    label: str
    count: int


@dataclass
class ResponsesReport:
    consultation: Consultation
    rows: list[ReportRow] = field(default_factory=list)
    by_disposition: list[Total] = field(default_factory=list)
    by_channel: list[Total] = field(default_factory=list)
    answered: int = 0
    # Published responses per 100 contributions, one decimal place; None when nothing was contributed.
    share_answered: Decimal | None = None

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def awaiting(self) -> int:
        return self.total - self.answered


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def report_row(contribution: Contribution) -> ReportRow:
    response = published_response(contribution)
    version = response.commitment_version if response else None
    return ReportRow(
        contribution=contribution.pk,
        channel=contribution.channel,
        channel_label=str(contribution.get_channel_display()),
        date=contribution_date(contribution),
        author=author_name(contribution),
        item=item_label(contribution),
        stance=str(contribution.get_stance_display()) if contribution.stance else "",
        category=str(contribution.get_category_display()) if contribution.category else "",
        text=public_text(contribution),
        disposition=response.disposition if response else "",
        disposition_label=str(response.get_disposition_display()) if response else "",
        reason=withhold_emails(response.reason) if response else "",
        commitment_version=(
            _("%(commitment)s, version %(n)s") % {"commitment": version.commitment, "n": version.number}
            if version
            else ""
        ),
        commitment_version_url=version_url(version) if version else "",
        published=response is not None,
        published_at=timezone.localtime(response.published_at) if response else None,
    )


def responses_report(consultation: Consultation) -> ResponsesReport:
    """Every contribution of the consultation, whatever the channel, with its published response;
    totals by disposition and by channel, and the share answered publicly. One query."""
    contributions = (
        Contribution.objects.filter(consultation=consultation)
        .select_related(
            "author", "commitment", "paragraph", "response", "response__commitment_version__commitment"
        )
        .order_by("created", "pk")
    )
    rows = [report_row(c) for c in contributions]
    dispositions = Counter(r.disposition for r in rows if r.published)
    channels = Counter(r.channel for r in rows)
    answered = sum(dispositions.values())
    return ResponsesReport(
        consultation=consultation,
        rows=rows,
        by_disposition=[Total(code, str(label), dispositions[code]) for code, label in Disposition.choices],
        by_channel=[
            Total(code, str(label), channels[code]) for code, label in Channel.choices if channels[code]
        ],
        answered=answered,
        share_answered=share(answered, len(rows)),
    )


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _cell(value) -> str:
    text = "" if value is None else str(_plain(value))
    return f"'{text}" if text.startswith(FORMULA_START) else text


def report_csv(report: ResponsesReport) -> str:
    """The report as CSV (a header row, then one row per contribution); the caller encodes it UTF-8."""
    names = [f.name for f in fields(ReportRow)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    for row in report.rows:
        writer.writerow({name: _cell(value) for name, value in asdict(row).items()})
    return out.getvalue()


def report_json(report: ResponsesReport) -> dict:
    """The report as plain JSON types, with a data dictionary that describes each column in Spanish."""
    consultation = report.consultation
    return {
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.title,
            "opens_at": timezone.localtime(consultation.opens_at).isoformat(),
            "closes_at": timezone.localtime(consultation.closes_at).isoformat(),
            "is_illustrative": consultation.is_illustrative,
        },
        "contributions": report.total,
        "answered": report.answered,
        "share_answered": float(report.share_answered) if report.share_answered is not None else None,
        "by_disposition": [asdict(t) for t in report.by_disposition],
        "by_channel": [asdict(t) for t in report.by_channel],
        "data_dictionary": DATA_DICTIONARY,
        "rows": [{name: _plain(value) for name, value in asdict(row).items()} for row in report.rows],
    }


# --- Mis aportes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MyContribution:
    contribution: Contribution
    consultation: Consultation
    item: str
    response: Response | None  # the published response, if there is one
    status: str  # the disposition in words, or "awaiting response"


def my_contributions(user, *, plan=None) -> list[MyContribution]:
    """Every contribution of `user` (in `plan`'s consultations when given), newest first, each with its
    published response or "awaiting response" (OGP: each participant learns what happened to what they
    said). One query."""
    if user is None or not user.is_authenticated:
        return []
    contributions = Contribution.objects.filter(author=user)
    if plan is not None:
        contributions = contributions.filter(consultation__plan=plan)
    contributions = contributions.select_related(
        "consultation", "commitment", "paragraph", "response", "response__commitment_version__commitment"
    ).order_by("-created", "-pk")
    mine = []
    for contribution in contributions:
        response = published_response(contribution)
        mine.append(
            MyContribution(
                contribution=contribution,
                consultation=contribution.consultation,
                item=item_label(contribution),
                response=response,
                status=str(response.get_disposition_display()) if response else _("Awaiting response"),
            )
        )
    return mine


# --- Open data -------------------------------------------------------------------------------------
# Columns of the open data: the consultation, then every column of the responses report.
OPEN_DATA_DICTIONARY = {
    "consultation": "Identificador (slug) de la consulta en el portal.",
    "consultation_title": "Título de la consulta.",
    **DATA_DICTIONARY,
}
# The type of each column, for the data dictionary page (in the files: CSV text, JSON values).
OPEN_DATA_TYPES = {
    "consultation": "texto",
    "consultation_title": "texto",
    "contribution": "entero",
    "channel": "texto (código)",
    "channel_label": "texto",
    "date": "fecha (AAAA-MM-DD)",
    "author": "texto",
    "item": "texto",
    "stance": "texto",
    "category": "texto",
    "text": "texto",
    "disposition": "texto (código)",
    "disposition_label": "texto",
    "reason": "texto",
    "commitment_version": "texto",
    "commitment_version_url": "texto (URL relativa)",
    "published": "booleano (True/False en CSV, true/false en JSON)",
    "published_at": "fecha y hora (ISO 8601) o vacío",
}


@dataclass
class OpenData:
    """Every contribution of a plan's consultations, with its published response (the open data)."""

    plan: object
    consultations: list[Consultation]
    rows: list[dict]
    generated_at: datetime.datetime

    @property
    def columns(self) -> list[str]:
        return list(OPEN_DATA_DICTIONARY)


def open_data(plan) -> OpenData:
    """All contributions of the plan's consultations, whatever the channel, with their published
    responses, under the same rules as the report: the name the person agreed to show, no email
    address, no hidden text. Two queries (the consultations, the contributions)."""
    consultations = list(Consultation.objects.filter(plan=plan).order_by("opens_at", "pk"))
    by_pk = {c.pk: c for c in consultations}
    contributions = (
        Contribution.objects.filter(consultation__plan=plan)
        .select_related(
            "author", "commitment", "paragraph", "response", "response__commitment_version__commitment"
        )
        .order_by("consultation__opens_at", "consultation_id", "created", "pk")
    )
    rows = []
    for contribution in contributions:
        consultation = by_pk[contribution.consultation_id]
        rows.append(
            {
                "consultation": consultation.slug,
                "consultation_title": consultation.title,
                **asdict(report_row(contribution)),
            }
        )
    return OpenData(
        plan=plan, consultations=consultations, rows=rows, generated_at=timezone.localtime(clock.now())
    )


def open_data_csv(data: OpenData) -> str:
    """The open data as CSV, cells a spreadsheet would run as formulas defused; the caller encodes it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=data.columns)
    writer.writeheader()
    for row in data.rows:
        writer.writerow({name: _cell(value) for name, value in row.items()})
    return out.getvalue()


def open_data_json(data: OpenData, *, license: dict) -> dict:
    """The open data as plain JSON types, with its data dictionary, licence and the time generated."""
    return {
        "plan": str(data.plan),
        "generated_at": data.generated_at.isoformat(),
        "license": license,
        "contributions": len(data.rows),
        "data_dictionary": {
            name: {"type": OPEN_DATA_TYPES[name], "description": text}
            for name, text in OPEN_DATA_DICTIONARY.items()
        },
        "rows": [{name: _plain(value) for name, value in row.items()} for row in data.rows],
    }
