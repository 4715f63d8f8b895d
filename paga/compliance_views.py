"""The OGP compliance page (/cumplimiento/): what OGP's Participation and Co-Creation Standards ask,
what the portal's data shows, whether it is met, and where the evidence is.

Every line comes from an app's `reports.compliance(plan)` (paga/reports.py), so paga imports no app.
A requirement nothing records yet shows "No data" and says why: the page never claims what it cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_safe

from . import clock, registry, reports, selectors
from .pagecache import kept_page, public_page

# What the evidence link leads to, by the name of its URL pattern (the lines give only the address):
# paga's own, and those each app declares on its AppConfig (`evidence`, paga/registry.py).
OWN_EVIDENCE = {"paga:timeline": gettext_lazy("The published timeline")}


@cache
def evidence() -> dict[str, str]:
    return registry.merged("evidence", OWN_EVIDENCE)


@dataclass(frozen=True)
class Row:
    line: reports.Line
    status: str  # in words: the colour of the label only reinforces it
    css: str
    evidence_label: str


def status_of(met: bool | None) -> tuple[str, str]:
    """The status in words (its own context: "Cumple", not a milestone's "Cumplido")."""
    if met is True:
        return pgettext("compliance status", "Met"), "met"
    if met is False:
        return pgettext("compliance status", "Not met"), "not-met"
    return pgettext("compliance status", "No data"), "no-data"


def evidence_label(url: str) -> str:
    if not url:
        return ""
    path = urlsplit(url).path
    script_prefix = get_script_prefix()  # on another plan's page, its addresses carry /planes/<slug>/
    if path.startswith(script_prefix):
        path = "/" + path[len(script_prefix) :]
    try:
        name = resolve(path).view_name
    except Resolver404:
        return _("The evidence")
    return str(evidence().get(name, _("The evidence")))


@require_safe
@public_page
def compliance(request):
    plan = selectors.current_plan(request)

    def context() -> dict:
        lines = reports.collect("compliance", plan)
        return {
            "plan": plan,
            "rows": [Row(line, *status_of(line.met), evidence_label(line.evidence_url)) for line in lines],
            "today": clock.today(),
            "met": sum(1 for line in lines if line.met is True),
            "not_met": sum(1 for line in lines if line.met is False),
            "no_data": sum(1 for line in lines if line.met is None),
        }

    return kept_page(request, "paga/compliance.html", context)
