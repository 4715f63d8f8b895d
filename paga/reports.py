"""What each app tells about the co-creation process, for pages and documents that cover all of it.

`paga` imports no app; the plan's PDF (process summary, annex) and the OGP compliance page need figures
from every app (the timeline here, consultations, workshops…). Each installed project app may have a
`reports` module with any of these functions, each taking the plan:

    process_summary(plan) -> list[Block]      sections of "how the plan was co-created"
    compliance(plan) -> list[Line]            lines of the OGP compliance page (/cumplimiento/)
    annex(plan) -> list[Block]                annexes of the co-creation report (e.g. every response)

`collect(name, plan)` calls them in INSTALLED_APPS order (paga/registry.py `app_modules`; paga's own are
in paga/timeline_reports.py) and returns the concatenated results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import registry

HOOKS = ("process_summary", "compliance", "annex")


@dataclass
class Table:
    """A table with a caption, header cells and rows of plain values (str, int, Decimal, date)."""

    caption: str
    headers: list[str]
    rows: list[list]


@dataclass
class Block:
    """A titled section: paragraphs of plain text and tables (rendered in HTML and PDF alike)."""

    key: str  # stable identifier, e.g. "consultations-by-channel" (anchors, tests)
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    order: int = 100  # smaller first, across apps


@dataclass
class Line:
    """One line of the OGP compliance page: what the standard asks, what the data shows, whether it is
    met (True, False, or None when there is no data yet), and where the evidence is."""

    key: str
    requirement: str  # what the OGP standard asks, in words
    finding: str  # what the data shows, with figures
    met: bool | None
    evidence_url: str = ""
    note: str = ""  # e.g. "the 2017 standards applied then"
    order: int = 100


def collect(hook: str, plan) -> list:
    """The results of `hook(plan)` from every app that provides it, ordered by their `order`."""
    if hook not in HOOKS:
        raise ValueError(f"unknown report hook {hook!r}")
    found = []
    for module in registry.app_modules("reports", paga="paga.timeline_reports"):
        function = getattr(module, hook, None)
        if function is not None:
            found += function(plan)
    return sorted(found, key=lambda item: item.order)
