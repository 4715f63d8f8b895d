"""What the public sees of the plan's implementation: `/seguimiento/`, its open data and calendar, and the
history of validated reports on a commitment's page.

Only VALIDATED reports count and show: a milestone's status, whether it is delayed and a commitment's
completion come from implementation/progress.py (THE rule, written on the page from progress.RULE), which
reads validated reports only; a submitted or returned report is never shown here.

Queries are fixed whatever the number of commitments, milestones and reports: `tracking()` runs three
(the commitments with their entity and theme, their milestones annotated with their status, their OGP
values); `commitment_reports()` one (a commitment's milestones with their status, joined to their
validated reports and those to their evidence), none for a commitment not included in the plan.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext as _

from commitments.models import Commitment, Milestone, Status, ValueRelevance
from paga.models import ActionPlan

from . import progress
from .models import Evidence, ProgressReport, ProgressStatus, ReportState
from .selectors import implemented_commitments

# Only a commitment included in the plan can be in its approved version in force (selectors.py says
# which are): a first test that costs no query, for a commitment's page.
IMPLEMENTED = (Status.INCLUDED,)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def mean(values: list[int | None]) -> int | None:
    """The mean of whole percentages (None left out; None when none is known), a whole percentage
    rounded half up as progress.completion rounds: a group's completion (each commitment weighs the
    same)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return int(Fraction(sum(known), len(known)) + Fraction(1, 2))


# --- /seguimiento/ ----------------------------------------------------------------------------------
@dataclass
class MilestoneRow:
    milestone: Milestone
    status: str  # a ProgressStatus code (not started while no report is validated)
    as_of: datetime.date | None  # the date of the validated report the status comes from; None: none yet
    delayed: bool

    @property
    def reported(self) -> bool:
        return self.as_of is not None

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label)

    @property
    def percent(self) -> int:
        return progress.completion([self.status])

    @property
    def complete(self) -> bool:
        return self.status == ProgressStatus.COMPLETE


@dataclass
class CommitmentRow:
    commitment: Commitment
    milestones: list[MilestoneRow]
    values: list[str]  # names of its OGP values
    completion: int | None  # whole per cent (progress.completion); None without milestones

    @property
    def total(self) -> int:
        return len(self.milestones)

    @property
    def complete(self) -> int:
        return sum(1 for m in self.milestones if m.complete)

    @property
    def delayed(self) -> int:
        return sum(1 for m in self.milestones if m.delayed)

    @property
    def percent(self) -> int | None:
        return self.completion


@dataclass
class GroupRow:
    """One bar of a chart and one row of its table: a lead entity, a theme or an OGP value."""

    label: str
    n: int  # completion, whole per cent (the bar's length)
    commitments: int
    milestones: int
    complete: int
    delayed: int
    completion: int | None
    stored: bool = True  # a name as stored (Spanish)


@dataclass
class Group:
    """A chart with its table (the shape workshops/templatetags/participation.py draws)."""

    key: str
    title: str
    category: str  # header of the categories' column
    rows: list[GroupRow] = field(default_factory=list)
    note: str = ""
    counted: str = ""
    scale: int = 100
    unit: str = " %"

    def __post_init__(self):
        self.counted = self.counted or _("Completion (%)")

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Tracking:
    plan: ActionPlan
    today: datetime.date
    commitments: list[CommitmentRow]
    groups: list[Group]
    rule: str

    @property
    def illustrative(self) -> bool:
        return any(row.commitment.is_illustrative for row in self.commitments)

    @property
    def milestones(self) -> int:
        return sum(row.total for row in self.commitments)

    @property
    def complete(self) -> int:
        return sum(row.complete for row in self.commitments)

    @property
    def delayed(self) -> int:
        return sum(row.delayed for row in self.commitments)

    @property
    def completion(self) -> int | None:
        return mean([row.completion for row in self.commitments])

    @property
    def percent(self) -> int | None:
        return self.completion

    @property
    def by_commitment(self) -> Group:
        """Completion per commitment as a chart (the table of commitments is the page's own)."""
        return Group(
            key="por-compromiso",
            title=_("Completion by commitment"),
            category=_("Commitment"),
            rows=[
                GroupRow(
                    label=(
                        _("Commitment %(n)s") % {"n": row.commitment.number}
                        if row.commitment.number
                        else row.commitment.title
                    ),
                    n=row.percent or 0,
                    commitments=1,
                    milestones=row.total,
                    complete=row.complete,
                    delayed=row.delayed,
                    completion=row.completion,
                    stored=not row.commitment.number,
                )
                for row in self.commitments
                if row.completion is not None
            ],
        )


def implemented(plan: ActionPlan):
    """The commitments being implemented: those of the plan's approved version in force."""
    return implemented_commitments(plan)


def tracking(plan: ActionPlan, today: datetime.date) -> Tracking:
    """Progress of the plan's commitments in implementation, and grouped by lead entity, theme and OGP
    value. Three queries."""
    commitments = list(implemented(plan).select_related("lead_entity", "theme").order_by("number", "pk"))
    ids = [c.pk for c in commitments]
    milestones: dict[int, list[MilestoneRow]] = defaultdict(list)
    annotated = progress.with_progress(
        Milestone.objects.filter(commitment_id__in=ids)
        .select_related("responsible")
        .annotate(
            n_validated=Count("progress_reports", filter=Q(progress_reports__state=ReportState.VALIDATED))
        )
    ).order_by("commitment_id", "order", "pk")
    for milestone in annotated:
        milestones[milestone.commitment_id].append(_milestone_row(milestone, today))
    values: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for commitment_id, order, name in (
        ValueRelevance.objects.filter(commitment_id__in=ids)
        .order_by("value__order", "value__name")
        .values_list("commitment_id", "value__order", "value__name")
    ):
        values[commitment_id].append((order, name))
    rows = [
        CommitmentRow(
            commitment=c,
            milestones=milestones[c.pk],
            values=[name for _order, name in values[c.pk]],
            completion=progress.completion([m.status for m in milestones[c.pk]]),
        )
        for c in commitments
    ]
    groups = [
        _group(
            rows,
            key="por-entidad",
            title=_("Completion by lead entity"),
            category=_("Lead entity"),
            keys=lambda row: [str(row.commitment.lead_entity)] if row.commitment.lead_entity else [],
            none=_("No lead entity assigned"),
        ),
        _group(
            rows,
            key="por-tema",
            title=_("Completion by theme"),
            category=_("Theme"),
            keys=lambda row: [row.commitment.theme.name] if row.commitment.theme else [],
            none=_("No theme"),
            order={c.theme.name: (c.theme.order, c.theme.name) for c in commitments if c.theme},
        ),
        _group(
            rows,
            key="por-valor",
            title=_("Completion by OGP value"),
            category=_("OGP value"),
            keys=lambda row: row.values,
            none=_("No OGP value ticked"),
            order={name: (order, name) for pairs in values.values() for order, name in pairs},
            note=_("A commitment relevant to several values counts under each."),
        ),
    ]
    return Tracking(plan=plan, today=today, commitments=rows, groups=groups, rule=str(progress.RULE))


def _milestone_row(milestone: Milestone, today: datetime.date) -> MilestoneRow:
    """A milestone annotated by progress.with_progress."""
    status = progress.milestone_status(milestone)
    return MilestoneRow(
        milestone=milestone,
        status=status,
        as_of=milestone.progress_as_of,
        delayed=progress.is_delayed(status, milestone.due_date, today),
    )


def _group(rows, *, key, title, category, keys, none, order=None, note="") -> Group:
    """Commitments grouped by `keys(row)` (several keys: counted under each; none: under `none`);
    completion of a group = the mean of its commitments' completion (each commitment weighs the same)."""
    members: dict[str, list[CommitmentRow]] = defaultdict(list)
    for row in rows:
        for name in keys(row) or [""]:
            members[name].append(row)
    names = sorted((n for n in members if n), key=lambda n: (order or {}).get(n, (0, n)))
    if "" in members:
        names.append("")
    out = []
    for name in names:
        group = members[name]
        completion = mean([row.completion for row in group])
        out.append(
            GroupRow(
                label=name or str(none),
                n=completion or 0,
                commitments=len(group),
                milestones=sum(row.total for row in group),
                complete=sum(row.complete for row in group),
                delayed=sum(row.delayed for row in group),
                completion=completion,
                stored=bool(name),
            )
        )
    return Group(key=key, title=title, category=category, rows=out, note=note)


# --- Open data ----------------------------------------------------------------------------------------
OPEN_DATA_DICTIONARY = {
    "plan": "Plan de acción (nombre corto).",
    "commitment_number": "Número del compromiso en el plan.",
    "commitment_title": "Título del compromiso.",
    "lead_entity": "Entidad responsable del compromiso.",
    "theme": "Tema del compromiso.",
    "ogp_values": "Valores de OGP a los que el compromiso es relevante, separados por «; ».",
    "commitment_completion": (
        "Avance del compromiso en porcentaje entero (0 a 100): la media del avance de sus hitos según "
        "la regla publicada en /seguimiento/; vacío si no tiene hitos."
    ),
    "milestone": "Identificador del hito en el portal.",
    "milestone_order": "Orden del hito dentro del compromiso (1, 2, 3…).",
    "milestone_description": "Producto o actividad verificable del hito.",
    "responsible": "Entidad responsable del hito.",
    "start_date": "Fecha de inicio del hito.",
    "due_date": "Fecha de término (plazo) del hito.",
    "status": (
        "Estado del hito en la escala del IRM, código: no_iniciado, limitado, sustancial o completo "
        "(el de su último reporte validado; no_iniciado mientras ninguno lo ha sido)."
    ),
    "status_label": "Estado del hito en palabras.",
    "milestone_completion": "Avance del hito en porcentaje según su estado (0, 33, 67 o 100).",
    "delayed": "Retrasado: su plazo venció y el hito no está completo (True/False).",
    "reported_on": "Fecha del último reporte validado del hito, del que viene su estado; vacío si no hay.",
    "validated_reports": "Número de reportes validados del hito.",
}
OPEN_DATA_TYPES = {
    "plan": "texto",
    "commitment_number": "entero",
    "commitment_title": "texto",
    "lead_entity": "texto",
    "theme": "texto",
    "ogp_values": "texto",
    "commitment_completion": "entero o vacío",
    "milestone": "entero",
    "milestone_order": "entero",
    "milestone_description": "texto",
    "responsible": "texto",
    "start_date": "fecha (AAAA-MM-DD) o vacío",
    "due_date": "fecha (AAAA-MM-DD) o vacío",
    "status": "texto (código)",
    "status_label": "texto",
    "milestone_completion": "entero",
    "delayed": "booleano (True/False en CSV, true/false en JSON)",
    "reported_on": "fecha (AAAA-MM-DD) o vacío",
    "validated_reports": "entero",
}


def open_data_rows(data: Tracking) -> list[dict]:
    """One row per milestone of the plan's commitments in implementation (OPEN_DATA_DICTIONARY's
    columns, in its order)."""
    rows = []
    for row in data.commitments:
        c = row.commitment
        for n, m in enumerate(row.milestones, start=1):
            rows.append(
                {
                    "plan": data.plan.short_name,
                    "commitment_number": c.number,
                    "commitment_title": c.title,
                    "lead_entity": str(c.lead_entity) if c.lead_entity else "",
                    "theme": c.theme.name if c.theme else "",
                    "ogp_values": "; ".join(row.values),
                    "commitment_completion": row.completion,
                    "milestone": m.milestone.pk,
                    "milestone_order": n,
                    "milestone_description": m.milestone.description,
                    "responsible": str(m.milestone.responsible) if m.milestone.responsible else "",
                    "start_date": m.milestone.start_date,
                    "due_date": m.milestone.due_date,
                    "status": m.status,
                    "status_label": m.status_label,
                    "milestone_completion": m.percent,
                    "delayed": m.delayed,
                    "reported_on": m.as_of,
                    "validated_reports": m.milestone.n_validated,
                }
            )
    return rows


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _cell(value) -> str:
    text = "" if value is None else str(_plain(value))
    return f"'{text}" if text.startswith(FORMULA_START) else text


def open_data_csv(data: Tracking) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(OPEN_DATA_DICTIONARY))
    writer.writeheader()
    for row in open_data_rows(data):
        writer.writerow({name: _cell(value) for name, value in row.items()})
    return out.getvalue()


def open_data_json(data: Tracking, *, license: dict, generated_at: datetime.datetime) -> dict:
    return {
        "plan": str(data.plan),
        "generated_at": generated_at.isoformat(),
        "as_of": data.today.isoformat(),
        "license": license,
        "rule": data.rule,
        "commitments": [
            {
                "number": row.commitment.number,
                "title": row.commitment.title,
                "completion": _plain(row.completion),
                "milestones": row.total,
                "complete": row.complete,
                "delayed": row.delayed,
            }
            for row in data.commitments
        ],
        "data_dictionary": {
            name: {"type": OPEN_DATA_TYPES[name], "description": text}
            for name, text in OPEN_DATA_DICTIONARY.items()
        },
        "rows": [{name: _plain(value) for name, value in row.items()} for row in open_data_rows(data)],
    }


# --- A commitment's page ----------------------------------------------------------------------------
@dataclass
class MilestoneHistory:
    row: MilestoneRow
    reports: list[ProgressReport]  # validated, newest first, each with `evidence_list`

    @property
    def milestone(self) -> Milestone:
        return self.row.milestone


MILESTONE_COLUMNS = ("pk", "commitment_id", "order", "description", "start_date", "due_date")
PROGRESS_COLUMNS = ("progress_status", "progress_as_of")  # progress.with_progress's annotations
REPORT_COLUMNS = ("pk", "number", "status", "as_of", "done")
EVIDENCE_COLUMNS = ("pk", "kind", "title", "url", "size")


def commitment_reports(commitment: Commitment, today: datetime.date) -> list[MilestoneHistory]:
    """Each milestone of `commitment` with its status (progress.py) and its validated reports, newest
    first, with their evidence; [] for a commitment not in implementation (no query for one not included
    in the plan). One query: the milestones of the commitment if it is in its plan's approved version in
    force, with their status, joined to their validated reports and those to their evidence (a milestone
    without reports, a report without evidence: one row with empty columns), so that a commitment's page
    keeps to the detail page's goal of 12 queries (bench/run.py)."""
    if commitment.status not in IMPLEMENTED:
        return []
    rows = (
        progress.with_progress(
            Milestone.objects.filter(
                commitment=commitment, commitment__in=implemented_commitments(commitment.plan_id)
            ).annotate(
                validated=FilteredRelation(
                    "progress_reports", condition=Q(progress_reports__state=ReportState.VALIDATED)
                )
            )
        )
        .order_by("order", "pk", "-validated__number", "validated__evidence__pk")
        .values_list(
            *MILESTONE_COLUMNS,
            *PROGRESS_COLUMNS,
            *(f"validated__{name}" for name in REPORT_COLUMNS),
            *(f"validated__evidence__{name}" for name in EVIDENCE_COLUMNS),
        )
    )
    found: dict[int, MilestoneHistory] = {}
    reports: dict[int, ProgressReport] = {}
    cut = [len(MILESTONE_COLUMNS), len(PROGRESS_COLUMNS), len(REPORT_COLUMNS), len(EVIDENCE_COLUMNS)]
    for row in rows:
        fields, row = row[: cut[0]], row[cut[0] :]
        annotations, row = row[: cut[1]], row[cut[1] :]
        report, evidence = row[: cut[2]], row[cut[2] :]
        milestone_pk = fields[0]
        if milestone_pk not in found:
            milestone = Milestone(**dict(zip(MILESTONE_COLUMNS, fields, strict=True)))
            for name, value in zip(PROGRESS_COLUMNS, annotations, strict=True):
                setattr(milestone, name, value)
            found[milestone_pk] = MilestoneHistory(_milestone_row(milestone, today), [])
        report_pk = report[0]
        if report_pk is None:
            continue
        if report_pk not in reports:
            reports[report_pk] = ProgressReport(
                milestone_id=milestone_pk, **dict(zip(REPORT_COLUMNS, report, strict=True))
            )
            reports[report_pk].evidence_list = []
            found[milestone_pk].reports.append(reports[report_pk])
        if evidence[0] is not None:
            reports[report_pk].evidence_list.append(
                Evidence(report_id=report_pk, **dict(zip(EVIDENCE_COLUMNS, evidence, strict=True)))
            )
    return list(found.values())
