"""The approved plan as a document: what the HTML page /plan/ and the PDF both show (issue 6).

Built from a frozen plan version only (never from live commitments), so a version reads the same
forever. `commitments.plan_services.document(version)` builds it; `commitments.pdf` renders it.

The process summary and the annex (paga.reports blocks) of an approved version are stored with it as
JSON (PlanVersion.snapshot and .annex, written in the approval's transaction): `blocks_to_data` and
`blocks_from_data` turn blocks into JSON and back, each table cell keeping its type (a date stays a
date, a Decimal a Decimal), so a document read from the snapshot renders byte for byte like the one
built live at approval.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise

from paga.reports import Block, Table


@dataclass
class SignOff:
    entity: str  # the ministry that signed off
    by: str  # display name of the reviewer who decided
    on: datetime.date


@dataclass
class PlanCommitment:
    number: int
    title: str
    data: dict  # commitments.services.snapshot() of the commitment as frozen (text, values, milestones…)
    sign_off: SignOff | None
    version_number: int  # the commitment's own Version number that was frozen


@dataclass
class PlanDocument:
    plan_name: str  # e.g. "III Plan de Acción de Gobierno Abierto del Perú 2017-2019"
    plan_short_name: str
    country: str
    secretariat: str
    general_objective: str
    objectives: list[str]
    version_number: int  # the plan version (1, 2, …)
    frozen_at: datetime.datetime
    instrument: str  # "Resolución Ministerial" / "Decreto Supremo" ("" before approval)
    instrument_number: str
    instrument_date: datetime.date | None
    instrument_url: str
    commitments: list[PlanCommitment] = field(default_factory=list)
    process_summary: list[Block] = field(default_factory=list)  # paga.reports.collect("process_summary")
    annex: list[Block] = field(default_factory=list)  # paga.reports.collect("annex"), co-creation report


# --- Blocks as JSON (the snapshot of an approved version) ----------------------------------------------
def _cell_to_data(value):
    """A table cell as JSON: str, int, float, bool and None as they are; dates, moments and decimals tagged,
    so they come back as what they were (the templates format each type in its own way)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Promise):  # a lazy translation: its text in the language active now
        return str(value)
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise TypeError(f"a report table cell cannot be stored: {type(value).__name__}")


def _cell_from_data(value):
    if isinstance(value, dict):
        (kind, text), *_rest = value.items()
        if kind == "datetime":
            return datetime.datetime.fromisoformat(text)
        if kind == "date":
            return datetime.date.fromisoformat(text)
        if kind == "decimal":
            return Decimal(text)
        raise ValueError(f"unknown cell type in a stored block: {kind!r}")
    return value


def blocks_to_data(blocks: list[Block]) -> list[dict]:
    """paga.reports blocks as JSON, in their order."""
    return [
        {
            "key": block.key,
            "title": str(block.title),
            "paragraphs": [str(p) for p in block.paragraphs],
            "tables": [
                {
                    "caption": str(table.caption),
                    "headers": [str(h) for h in table.headers],
                    "rows": [[_cell_to_data(cell) for cell in row] for row in table.rows],
                }
                for table in block.tables
            ],
            "order": block.order,
        }
        for block in blocks
    ]


def blocks_from_data(data: list[dict]) -> list[Block]:
    """The blocks `blocks_to_data` stored, equal to the ones it was given."""
    return [
        Block(
            key=block["key"],
            title=block["title"],
            paragraphs=list(block["paragraphs"]),
            tables=[
                Table(
                    caption=table["caption"],
                    headers=list(table["headers"]),
                    rows=[[_cell_from_data(cell) for cell in row] for row in table["rows"]],
                )
                for table in block["tables"]
            ],
            order=block["order"],
        )
        for block in data
    ]
