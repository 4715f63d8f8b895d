"""What events produced: contributions made there (typed in, or imported from the input sheets' CSV),
proposals they gave rise to, and the national tables' decisions on the proposals they discussed.

Contributions made at an event are consultations' contributions with channel "in person", created by
`consultations.services.record_other_channel`, so they reach the Secretaría's moderation and response
pages, the responses report and the open data like forum comments (OGP: a reasoned response to every
contribution, whatever the channel). An `EventInput` links each one to its event and sheet row.

Which consultation a contribution goes to: among the consultations on proposals of the event's plan
whose items include the proposal, the one open on the event's day (Lima); if none was open that day,
the latest. A proposal in no consultation cannot take contributions (nowhere to answer them).

What a national table "discussed" (the proposals it may record a decision on): the proposals linked to
the event, plus the plan's proposals and commitments of one of the event's themes that are still under
discussion (proposed, in consultation or agreed), plus any proposal it already decided on.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commitments import services as commitment_services
from commitments.models import Commitment, OriginKind, Status
from consultations import services as consultation_services
from consultations.models import Consultation, Contribution
from paga import audit, clock
from paga.models import ActorType, Channel, Theme

from .models import Decision, Event, EventInput, EventState, Kind, TableDecision

RECORD = "workshops.record_outcomes"
DECIDE = "workshops.record_decision"

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_NAME = Contribution._meta.get_field("given_name").max_length
# Statuses of a proposal still under discussion at a national table.
UNDER_DISCUSSION = (Status.PROPOSED, Status.IN_CONSULTATION, Status.AGREED)
ORIGIN_OF_KIND = {
    Kind.THEMATIC_TABLE: OriginKind.THEMATIC_TABLE,
    Kind.REGIONAL_WORKSHOP: OriginKind.REGIONAL_WORKSHOP,
    Kind.NATIONAL_TABLE: OriginKind.NATIONAL_TABLE,
}


# --- Helpers ---------------------------------------------------------------------------------------
def event_day(event: Event) -> datetime.date | None:
    """The event's (first) day in Lima, or None for an undated event."""
    return timezone.localtime(event.starts_at).date() if event.starts_at else None


def _require(actor, perm: str, event: Event) -> None:
    if actor is None or not actor.has_perm(perm, event):
        raise PermissionDenied


def _check_event_took_place(event: Event, received_on: datetime.date | None) -> datetime.date:
    """Contributions are recorded for an event that took place: not cancelled, not in the future. An
    undated event needs the date to be given."""
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("A cancelled event produced no contributions."), code="cancelled")
    day = event_day(event) or received_on
    if day is None:
        raise ValidationError(
            _("This event has no date: give the date the contributions were made."), code="received_on"
        )
    if day > clock.today():
        raise ValidationError(
            _("Contributions are recorded once the event has taken place."), code="not_held_yet"
        )
    return day


def _plain(value: str) -> str:
    """Lower case, no accents, spaces and hyphens as underscores: how headers and choices are matched."""
    value = unicodedata.normalize("NFKD", (value or "").strip().lower())
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return "_".join(value.replace("-", " ").replace(".", " ").split())


def _choice_aliases(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Each choice by its code, its English label and its Spanish label (plus `extra` spellings)."""
    aliases = {}
    for language in ("en", "es"):
        with translation.override(language):
            for value, label in choices.choices:
                aliases[_plain(str(label))] = value
    for value in choices.values:
        aliases[_plain(value)] = value
    for spelling, value in (extra or {}).items():
        aliases[_plain(spelling)] = value
    return aliases


@functools.cache
def _aliases() -> dict[str, dict[str, str]]:
    """Spellings accepted in the sheet's optional columns (built once, after the apps are ready)."""
    return {
        "postura": _choice_aliases(
            Contribution.Stance,
            {"a favor": "a_favor", "en contra": "en_contra", "for": "a_favor", "against": "en_contra"},
        ),
        "categoria": _choice_aliases(
            Contribution.Category,
            {"sugerencia": "sugerencia", "pregunta": "pregunta", "preocupacion": "preocupacion"},
        ),
        "tipo_actor": _choice_aliases(
            ActorType,
            {
                "entidad publica": ActorType.PUBLIC_ENTITY,
                "sociedad civil": ActorType.CIVIL_SOCIETY,
                "osc": ActorType.CIVIL_SOCIETY,
                "gremio": ActorType.BUSINESS_GUILD,
                "gremio empresarial": ActorType.BUSINESS_GUILD,
                "academia": ActorType.ACADEMIA,
                "ciudadania": ActorType.CITIZENRY,
                "ciudadano": ActorType.CITIZENRY,
                "ciudadana": ActorType.CITIZENRY,
            },
        ),
    }


def choose_consultation(candidates: Iterable[Consultation], day: datetime.date | None) -> Consultation | None:
    """The consultation open on `day` (Lima), else the latest to open."""
    candidates = sorted(candidates, key=lambda c: (c.opens_at, c.pk))
    if not candidates:
        return None
    if day is not None:
        for consultation in reversed(candidates):
            opens = timezone.localtime(consultation.opens_at).date()
            last = timezone.localtime(consultation.closes_at - datetime.timedelta(microseconds=1)).date()
            if opens <= day <= last:
                return consultation
    return candidates[-1]


def consultations_by_proposal(plan_id: int, commitment_ids: Iterable[int] | None = None) -> dict:
    """{commitment id: [consultations on proposals of the plan that include it]}: one query."""
    through = Consultation.items.through.objects.filter(
        consultation__plan_id=plan_id, consultation__kind=Consultation.Kind.ITEMS
    ).select_related("consultation")
    if commitment_ids is not None:
        through = through.filter(commitment_id__in=list(commitment_ids))
    found: dict[int, list[Consultation]] = {}
    for row in through.defer("consultation__description", "consultation__rules"):
        found.setdefault(row.commitment_id, []).append(row.consultation)
    return found


def consultation_for(*, event: Event, commitment: Commitment) -> Consultation | None:
    """The consultation a contribution made at `event` about `commitment` goes to (module docstring)."""
    candidates = consultations_by_proposal(event.plan_id, [commitment.pk]).get(commitment.pk, [])
    return choose_consultation(candidates, event_day(event))


def _no_consultation(commitment: Commitment) -> ValidationError:
    return ValidationError(
        _("The proposal “%(proposal)s” is in no consultation of the plan: it cannot take contributions yet."),
        code="no_consultation",
        params={"proposal": str(commitment)},
    )


# --- Contributions made at an event ----------------------------------------------------------------
@transaction.atomic
def record_event_input(
    *,
    event: Event,
    actor,
    commitment: Commitment,
    given_name: str,
    text: str,
    actor_type: str = "",
    stance: str = "",
    category: str = "",
    received_on: datetime.date | None = None,
    sheet_row: int | None = None,
    consultation: Consultation | None = None,
) -> EventInput:
    """Record one contribution made at `event` about `commitment`, with the name or organisation as
    written on the sheet: an in-person contribution of the proposal's consultation (answered like a
    forum comment), linked to the event. `received_on` only counts for an undated event."""
    _require(actor, RECORD, event)
    day = _check_event_took_place(event, received_on)
    if commitment.plan_id != event.plan_id:
        raise ValidationError(_("Choose a proposal of this event's plan."), code="commitment")
    if actor_type and actor_type not in ActorType.values:
        raise ValidationError(_("Choose a valid actor type."), code="actor_type")
    consultation = consultation or consultation_for(event=event, commitment=commitment)
    if consultation is None:
        raise _no_consultation(commitment)
    contribution = consultation_services.record_other_channel(
        consultation=consultation,
        actor=actor,
        channel=Channel.IN_PERSON,
        received_on=day,
        given_name=given_name,
        text=text,
        commitment=commitment,
        stance=stance,
        category=category,
    )
    return EventInput.objects.create(
        event=event, contribution=contribution, sheet_row=sheet_row, actor_type=actor_type
    )


# The columns of the input sheet: canonical (Spanish) name -> accepted spellings (matched plainly).
COLUMNS = {
    "propuesta": ("propuesta", "proposal", "n_propuesta", "numero_de_propuesta", "compromiso", "commitment"),
    "nombre": ("nombre", "name", "nombre_u_organizacion", "organizacion", "organisation", "organization"),
    "tipo_actor": ("tipo_actor", "tipo_de_actor", "actor_type"),
    "texto": ("texto", "text", "aporte", "contribution"),
    "postura": ("postura", "stance"),
    "categoria": ("categoria", "category"),
}
REQUIRED_COLUMNS = ("propuesta", "nombre", "texto")
TEMPLATE_EXAMPLE = {
    "propuesta": "3",
    "nombre": "Asociación de Productores de Arequipa",
    "tipo_actor": "sociedad_civil",
    "texto": "Incluir a las municipalidades provinciales en la comisión.",
    "postura": "a_favor",
    "categoria": "sugerencia",
}


def template_csv() -> str:
    """The input sheet's template: the header and one example row (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[c] for c in COLUMNS])
    return "\ufeff" + out.getvalue()


@dataclass
class SheetRow:
    row: int  # as in the file: the header is row 1
    commitment: Commitment
    consultation: Consultation
    given_name: str
    text: str
    actor_type: str = ""
    stance: str = ""
    category: str = ""


@dataclass
class RowProblem:
    row: int
    problems: list[str]


@dataclass
class SheetCheck:
    """An input sheet checked: its rows ready to record, or what is wrong with the file or its rows."""

    rows: list[SheetRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


class SheetRefused(ValidationError):
    """The sheet has problems: nothing was imported. `check` says which."""

    def __init__(self, check: SheetCheck):
        self.check = check
        messages = check.file_errors or [
            _("Row %(row)s: %(problem)s") % {"row": p.row, "problem": " ".join(p.problems)}
            for p in check.row_errors
        ]
        super().__init__(messages)


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _delimiter(text: str) -> str:
    """Comma or semicolon: the one the header line uses more (spreadsheets in Spanish save with ";")."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;").delimiter
    except csv.Error:
        return ";" if first.count(";") > first.count(",") else ","


def _header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """{canonical column: index} and the header's problems."""
    spelling = {_plain(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        name = spelling.get(_plain(cell))
        if name is None:
            problems.append(
                _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                % {"column": cell.strip(), "columns": ", ".join(COLUMNS)}
            )
        elif name in found:
            problems.append(_("The column “%(column)s” appears twice.") % {"column": name})
        else:
            found[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        problems.append(
            _("The header row lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return found, problems


def _proposals(plan_id: int) -> tuple[dict[int, Commitment], dict[str, Commitment]]:
    rows = Commitment.objects.filter(plan_id=plan_id).only("pk", "plan_id", "number", "slug", "title")
    by_number, by_slug = {}, {}
    for commitment in rows:
        if commitment.number:
            by_number[commitment.number] = commitment
        by_slug[commitment.slug.lower()] = commitment
    return by_number, by_slug


def _find_proposal(value: str, by_number: dict, by_slug: dict) -> Commitment | None:
    value = value.strip()
    key = value.lstrip("#").strip()
    if key.isdigit():
        return by_number.get(int(key))
    return by_slug.get(value.lower())


def check_input_sheet(*, event: Event, data: bytes, received_on: datetime.date | None = None) -> SheetCheck:
    """Read and check every row of an input sheet (CSV, UTF-8 with or without BOM, "," or ";", a header
    row; see COLUMNS) without writing anything. Problems are in the active language, each row's by its
    number in the file (the header is row 1). Cells are kept as text, formulas included: never run."""
    check = SheetCheck()
    try:
        _check_event_took_place(event, received_on)
    except ValidationError as error:
        check.file_errors.extend(error.messages)
        return check
    if len(data) > MAX_FILE_BYTES:
        check.file_errors.append(
            _("The file has %(size)s KB; the limit is 1 MB (1024 KB).") % {"size": len(data) // 1024}
        )
        return check
    text = _decode(data)
    if text is None:
        check.file_errors.append(
            _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")
        )
        return check
    if "\x00" in text:
        check.file_errors.append(_("The file is not a CSV text file."))
        return check
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    if not records or not any(cell.strip() for cell in records[0]):
        check.file_errors.append(_("The file is empty: it needs a header row and at least one row."))
        return check
    columns, problems = _header(records[0])
    if problems:
        check.file_errors.extend(problems)
        return check
    body = [(n, cells) for n, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)]
    if not body:
        check.file_errors.append(_("The file has a header row but no rows of contributions."))
        return check
    if len(body) > MAX_ROWS:
        check.file_errors.append(
            _("The file has %(n)s rows of contributions; the limit is %(max)s. Split it in several files.")
            % {"n": len(body), "max": MAX_ROWS}
        )
        return check
    by_number, by_slug = _proposals(event.plan_id)
    consultations = consultations_by_proposal(event.plan_id)
    day = event_day(event) or received_on
    width = len(records[0])
    for n, cells in body:
        problems = []
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                _("It has %(n)s cells; the header has %(width)s columns.") % {"n": len(cells), "width": width}
            )

        def cell(name: str, cells=cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        commitment = consultation = None
        proposal = cell("propuesta")
        if not proposal:
            problems.append(_("The proposal (number or identifier) is missing."))
        else:
            commitment = _find_proposal(proposal, by_number, by_slug)
            if commitment is None:
                problems.append(_("No proposal “%(value)s” in this plan.") % {"value": proposal})
            else:
                consultation = choose_consultation(consultations.get(commitment.pk, []), day)
                if consultation is None:
                    problems.append(_no_consultation(commitment).messages[0])
        name = cell("nombre")
        if not name:
            problems.append(_("The name or organisation is missing."))
        elif len(name) > MAX_NAME:
            problems.append(
                _("The name has %(n)s characters; at most %(max)s.") % {"n": len(name), "max": MAX_NAME}
            )
        body_text = cell("texto")
        if not body_text:
            problems.append(_("The text of the contribution is missing."))
        elif len(body_text) > Contribution.MAX_LENGTH:
            problems.append(
                _("The text has %(n)s characters; at most %(max)s.")
                % {"n": len(body_text), "max": Contribution.MAX_LENGTH}
            )
        chosen = {}
        for column, message in (
            ("tipo_actor", _("Unknown actor type “%(value)s”.")),
            ("postura", _("Unknown stance “%(value)s”.")),
            ("categoria", _("Unknown category “%(value)s”.")),
        ):
            aliases = _aliases()[column]
            value = cell(column)
            chosen[column] = aliases.get(_plain(value), None) if value else ""
            if chosen[column] is None:
                problems.append(message % {"value": value})
        if problems:
            check.row_errors.append(RowProblem(row=n, problems=problems))
        else:
            check.rows.append(
                SheetRow(
                    row=n,
                    commitment=commitment,
                    consultation=consultation,
                    given_name=name,
                    text=body_text,
                    actor_type=chosen["tipo_actor"],
                    stance=chosen["postura"],
                    category=chosen["categoria"],
                )
            )
    return check


@transaction.atomic
def import_input_sheet(
    *, event: Event, actor, data: bytes, received_on: datetime.date | None = None
) -> list[EventInput]:
    """Import an input sheet: every row, or nothing. Every row is checked first; if any is bad the
    import is refused (`SheetRefused`, naming each row and its problem) and nothing is written; a good
    file is recorded in one transaction, each row an in-person contribution linked with its row."""
    _require(actor, RECORD, event)
    check = check_input_sheet(event=event, data=data, received_on=received_on)
    if not check.ok:
        raise SheetRefused(check)
    created = []
    for row in check.rows:
        try:
            with transaction.atomic():
                created.append(
                    record_event_input(
                        event=event,
                        actor=actor,
                        commitment=row.commitment,
                        consultation=row.consultation,
                        given_name=row.given_name,
                        text=row.text,
                        actor_type=row.actor_type,
                        stance=row.stance,
                        category=row.category,
                        received_on=received_on,
                        sheet_row=row.row,
                    )
                )
        except ValidationError as error:  # the check and the service disagree: refuse the whole file
            check.row_errors.append(RowProblem(row=row.row, problems=error.messages))
    if check.row_errors:
        transaction.set_rollback(True)
        raise SheetRefused(check)
    audit.record(actor=actor, action="import.csv", obj=event, details={"rows": len(created)})
    return created


# --- Proposals an event produced -------------------------------------------------------------------
def _check_proposal_of_event(event: Event, commitment: Commitment) -> None:
    if commitment.plan_id != event.plan_id:
        raise ValidationError(_("Choose a proposal of this event's plan."), code="commitment")


@transaction.atomic
def link_proposal(*, event: Event, commitment: Commitment, actor) -> None:
    """Credit an existing proposal to `event` as its origin (shown on both pages)."""
    _require(actor, RECORD, event)
    _check_proposal_of_event(event, commitment)
    if event.proposals.filter(pk=commitment.pk).exists():
        raise ValidationError(
            _("“%(proposal)s” is already credited to this event.") % {"proposal": commitment},
            code="commitment",
        )
    event.proposals.add(commitment)
    audit.record(actor=actor, action="event.proposal_link", obj=event, details={"commitment": commitment.pk})


@transaction.atomic
def unlink_proposal(*, event: Event, commitment: Commitment, actor) -> None:
    """Withdraw a credit given by mistake. The proposal itself is untouched."""
    _require(actor, RECORD, event)
    if not event.proposals.filter(pk=commitment.pk).exists():
        raise ValidationError(_("This proposal is not credited to this event."), code="commitment")
    event.proposals.remove(commitment)
    audit.record(
        actor=actor, action="event.proposal_unlink", obj=event, details={"commitment": commitment.pk}
    )


@transaction.atomic
def create_proposal(
    *,
    event: Event,
    actor,
    title: str,
    problem: str = "",
    description: str = "",
    theme: Theme | None = None,
) -> Commitment:
    """A new proposal drafted at `event`: created through commitments' service (first version written),
    with the origin of the event's kind and region, and credited to the event."""
    _require(actor, RECORD, event)
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("A cancelled event produced no proposals."), code="cancelled")
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the proposal a title."), code="title")
    commitment = commitment_services.commitment_create(
        plan=event.plan,
        actor=actor,
        reason=_("Proposed at “%(event)s”") % {"event": event.title},
        title=title,
        problem=problem,
        description=description,
        theme=theme,
        origin_kind=ORIGIN_OF_KIND.get(event.kind, OriginKind.OTHER),
        origin_region=event.region,
    )
    event.proposals.add(commitment)
    return commitment


# --- National tables' decisions --------------------------------------------------------------------
def discussed_proposals(event: Event) -> QuerySet[Commitment]:
    """What the national table may decide on (module docstring), by number then title."""
    themes = event.themes.values("pk")
    return (
        Commitment.objects.filter(plan_id=event.plan_id)
        .filter(
            Q(origin_events=event)
            | Q(theme__in=themes, status__in=UNDER_DISCUSSION)
            | Q(table_decisions__event=event)
        )
        .distinct()
        .order_by(F("number").asc(nulls_last=True), "title", "pk")
    )


@transaction.atomic
def record_decision(
    *,
    event: Event,
    commitment: Commitment,
    actor,
    decision: str,
    notes: str = "",
    sectors_present: Iterable[str] = (),
) -> TableDecision:
    """Record (or correct) what a national table decided on a proposal it discussed: consensus, consensus
    with reservations or no consensus, with notes and the sectors (actor types) present. One decision
    per table and proposal (a database constraint); a correction keeps who recorded it last."""
    _require(actor, DECIDE, event)
    if event.kind != Kind.NATIONAL_TABLE:
        raise ValidationError(_("Only a national table records decisions."), code="kind")
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("A cancelled table decided nothing."), code="cancelled")
    day = event_day(event)
    if day is not None and day > clock.today():
        raise ValidationError(_("Decisions are recorded once the table has met."), code="not_held_yet")
    if decision not in Decision.values:
        raise ValidationError(_("Choose the decision of the table."), code="decision")
    sectors = list(dict.fromkeys(sectors_present))
    if any(s not in ActorType.values for s in sectors):
        raise ValidationError(_("Choose valid sectors."), code="sectors_present")
    if not discussed_proposals(event).filter(pk=commitment.pk).exists():
        raise ValidationError(_("This table did not discuss that proposal."), code="commitment")
    order = {value: i for i, value in enumerate(ActorType.values)}
    values = {
        "decision": decision,
        "notes": (notes or "").strip(),
        "sectors_present": sorted(sectors, key=order.__getitem__),
        "recorded_by": actor,
    }
    existing = TableDecision.objects.select_for_update().filter(event=event, commitment=commitment).first()
    if existing is None:
        try:
            with transaction.atomic():
                made = TableDecision.objects.create(event=event, commitment=commitment, **values)
                audit.record(
                    actor=actor,
                    action="table.decision",
                    obj=event,
                    details={"commitment": commitment.pk, "decision": decision},
                )
                return made
        except IntegrityError:  # recorded at the same moment by someone else: correct theirs
            existing = TableDecision.objects.select_for_update().get(event=event, commitment=commitment)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    audit.record(
        actor=actor,
        action="table.decision",
        obj=event,
        details={"commitment": commitment.pk, "decision": decision, "corrected": True},
    )
    return existing


def sector_labels(codes: Iterable[str]) -> list[str]:
    labels = dict(ActorType.choices)
    return [str(labels[c]) for c in codes if c in labels]


# --- What the pages show ---------------------------------------------------------------------------
@dataclass
class EventOutcomes:
    proposals: list[Commitment]  # produced by the event
    decided: list[Commitment]  # with .decision, .decision_notes, .decision_sectors annotated
    n_inputs: int
    n_answered: int  # with a published response


def event_outcomes(*, event: Event, user) -> EventOutcomes:
    """Proposals the event produced and the decisions it took (those `user` may see), and how many
    contributions were recorded and answered publicly. Two queries."""
    through = Event.proposals.through.objects.filter(event_id=event.pk, commitment_id=OuterRef("pk"))
    rows = list(
        Commitment.objects.visible_to(user)
        .annotate(
            here=FilteredRelation("table_decisions", condition=Q(table_decisions__event_id=event.pk)),
            produced=Exists(through),
        )
        .filter(Q(produced=True) | Q(here__isnull=False))
        .annotate(
            decision=F("here__decision"),
            decision_notes=F("here__notes"),
            decision_sectors=F("here__sectors_present"),
        )
        .select_related("origin_region")
        .only("pk", "plan_id", "number", "slug", "title", "status", "origin_region__name")
        .order_by(F("number").asc(nulls_last=True), "title", "pk")
    )
    counts = EventInput.objects.filter(event_id=event.pk).aggregate(
        n=Count("pk"), answered=Count("pk", filter=Q(contribution__response__published_at__isnull=False))
    )
    labels = dict(Decision.choices)
    for row in rows:
        row.decision_label = labels.get(row.decision, "")
        row.sector_labels = sector_labels(row.decision_sectors or [])
    return EventOutcomes(
        proposals=[r for r in rows if r.produced],
        decided=[r for r in rows if r.decision],
        n_inputs=counts["n"],
        n_answered=counts["answered"],
    )


def commitment_events(*, commitment: Commitment) -> tuple[list[Event], list[Event]]:
    """The events a proposal came from, and the tables that decided on it (each with .decision,
    .decision_notes, .decision_sectors). One query."""
    through = Event.proposals.through.objects.filter(event_id=OuterRef("pk"), commitment_id=commitment.pk)
    rows = list(
        Event.objects.annotate(
            here=FilteredRelation("decisions", condition=Q(decisions__commitment_id=commitment.pk)),
            produced=Exists(through),
        )
        .filter(Q(produced=True) | Q(here__isnull=False))
        .annotate(
            decision=F("here__decision"),
            decision_notes=F("here__notes"),
            decision_sectors=F("here__sectors_present"),
        )
        .select_related("region")
        .only("pk", "slug", "title", "kind", "state", "starts_at", "ends_at", "all_day", "region__name")
    )
    labels = dict(Decision.choices)
    for row in rows:
        row.day = event_day(row)
        row.decision_label = labels.get(row.decision, "")
        row.sector_labels = sector_labels(row.decision_sectors or [])
    rows.sort(key=lambda r: (r.day is None, r.day or datetime.date.min, r.title, r.pk))
    return [r for r in rows if r.produced], [r for r in rows if r.decision]
