"""The approved plan as a document: what the HTML page /plan/ and the PDF both show (issue 6).

Built from a frozen plan version only (never from live commitments), so a version reads the same
forever. `commitments.plan_services.document(version)` builds it; `commitments.pdf` renders it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from paga.reports import Block


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
