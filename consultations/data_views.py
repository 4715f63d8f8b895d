"""Pages of what came of the consultations: the public responses report of a consultation (HTML, CSV,
JSON), "Mis aportes", following a proposal/commitment, and the open data (`/datos/`).

Read-only pages are thin wrappers over consultations/selectors.py, which keeps personal data out (the
name a person agreed to show, never an email address, no hidden text) and runs a fixed number of
queries. Following is a POST that changes one row, then goes back where the person was.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from commitments.models import Commitment
from paga import audit, clock, plans
from paga.pagecache import public_page
from paga.selectors import current_plan, find_current_plan

from . import notifications, selectors
from .models import Consultation

# The open licence of everything under /datos/ and of the reports' downloads.
LICENSE = {
    "name": "Creative Commons Atribución 4.0 Internacional (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.es",
}
ROW = 44  # height of one bar of the chart, with its label above it, in SVG units
BOM = "\ufeff"  # so that Excel opens the UTF-8 CSV with its accents intact


def _download(body: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return _download(body, content_type="application/json", filename=filename)


# --- The responses report of a consultation ---------------------------------------------------------
def _consultation(request, slug: str) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("plan"), slug=slug)
    plans.require(request, consultation.plan)
    return consultation


def _bars(report: selectors.ResponsesReport) -> list[dict]:
    """Bars of the disposition chart: the same figures as the table, as a share of all contributions."""
    rows = [*report.by_disposition, selectors.Total("", _("Awaiting a response"), report.awaiting)]
    bars = []
    for n, total in enumerate(rows):
        percent = selectors.share(total.count, report.total) or 0
        width = float(percent) * 3.6  # 100 % = 360 units of the 420-unit-wide chart (its count after it)
        bars.append(
            {
                "label": total.label,
                "count": total.count,
                "percent": percent,
                "label_y": n * ROW + 14,
                "bar_y": n * ROW + 19,
                "count_y": n * ROW + 33,
                "width": f"{width:.1f}",
                "count_x": f"{width + 6:.1f}",
            }
        )
    return bars


@require_safe
@public_page
def report(request, slug: str):
    consultation = _consultation(request, slug)
    found = selectors.responses_report(consultation)
    bars = _bars(found)
    return render(
        request,
        "consultations/data/report.html",
        {
            "consultation": consultation,
            "report": found,
            "bars": bars,
            "chart_height": len(bars) * ROW,
            "license": LICENSE,
        },
    )


@require_safe
@public_page
def report_csv(request, slug: str):
    consultation = _consultation(request, slug)
    body = BOM + selectors.report_csv(selectors.responses_report(consultation))
    audit.record_export(request, fmt="csv", what="responses_report", obj=consultation)
    return _download(body, content_type="text/csv", filename=f"{consultation.slug}-respuestas.csv")


@require_safe
@public_page
def report_json(request, slug: str):
    consultation = _consultation(request, slug)
    data = selectors.report_json(selectors.responses_report(consultation))
    data["generated_at"] = timezone.localtime(clock.now()).isoformat()
    data["license"] = LICENSE
    audit.record_export(request, fmt="json", what="responses_report", obj=consultation)
    return _json(data, f"{consultation.slug}-respuestas.json")


# --- Mis aportes -----------------------------------------------------------------------------------
@login_required
@require_safe
def my_contributions(request):
    plan = find_current_plan(request)  # the address's plan's contributions; none without a plan
    mine = selectors.my_contributions(request.user, plan=plan) if plan is not None else []
    return render(
        request,
        "consultations/data/my_contributions.html",
        {
            "mine": [
                {
                    "entry": entry,
                    "url": selectors.contribution_url(entry.contribution),
                    "version_url": (
                        selectors.version_url(entry.response.commitment_version)
                        if entry.response and entry.response.commitment_version_id
                        else ""
                    ),
                }
                for entry in mine
            ],
            "answered": sum(1 for entry in mine if entry.response),
        },
    )


# --- Following a proposal/commitment ---------------------------------------------------------------
def _followed(request, pk: int) -> Commitment:
    commitment = get_object_or_404(Commitment, pk=pk)
    if not request.user.has_perm("commitments.view_commitment", commitment):
        raise Http404
    plans.require(request, commitment.plan_id)
    return commitment


def _back(request, commitment: Commitment):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(commitment.get_absolute_url())


@login_required
@require_POST
def follow(request, pk: int):
    commitment = _followed(request, pk)
    notifications.follow(user=request.user, commitment=commitment)
    messages.success(
        request,
        _("You follow “%(item)s”: we will email you about new comments on it.") % {"item": commitment},
    )
    return _back(request, commitment)


@login_required
@require_POST
def unfollow(request, pk: int):
    commitment = _followed(request, pk)
    notifications.unfollow(user=request.user, commitment=commitment)
    messages.success(
        request,
        _("You no longer follow “%(item)s”: commenting on it again will not follow it either.")
        % {"item": commitment},
    )
    return _back(request, commitment)


# --- Open data -------------------------------------------------------------------------------------
def _open_data_name(plan, extension: str) -> str:
    return f"{plan.slug}-aportes-{clock.today():%Y-%m-%d}.{extension}"


@require_safe
@public_page
def open_data(request):
    plan = current_plan(request)
    consultations = (
        Consultation.objects.filter(plan=plan).annotate(n=Count("contributions")).order_by("opens_at", "pk")
    )
    return render(
        request,
        "consultations/data/open_data.html",
        {
            "plan": plan,
            "consultations": consultations,
            "license": LICENSE,
            "generated_at": timezone.localtime(clock.now()),
        },
    )


@require_safe
@public_page
def open_data_csv(request):
    plan = current_plan(request)
    body = BOM + selectors.open_data_csv(selectors.open_data(plan))
    audit.record_export(request, fmt="csv", what="open_data", obj=plan)
    return _download(body, content_type="text/csv", filename=_open_data_name(plan, "csv"))


@require_safe
@public_page
def open_data_json(request):
    plan = current_plan(request)
    data = selectors.open_data_json(selectors.open_data(plan), license=LICENSE)
    audit.record_export(request, fmt="json", what="open_data", obj=plan)
    return _json(data, _open_data_name(plan, "json"))


@require_safe
@public_page
def data_dictionary(request):
    plan = current_plan(request)
    return render(
        request,
        "consultations/data/dictionary.html",
        {
            "plan": plan,
            "columns": [
                (name, selectors.OPEN_DATA_TYPES[name], meaning)
                for name, meaning in selectors.OPEN_DATA_DICTIONARY.items()
            ],
            "license": LICENSE,
        },
    )
