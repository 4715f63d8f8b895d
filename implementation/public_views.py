"""Public pages of the plan's implementation: `/seguimiento/` (progress per commitment, lead entity, theme
and OGP value, charts with their tables), its open data (CSV, JSON, data dictionary), the milestones' due
dates as a calendar, and the download of a validated report's evidence file.

Thin wrappers over implementation/public_selectors.py; everything is public and served from the page
cache to anonymous visitors, except the evidence download (a file: FileResponse streams it).
"""

from __future__ import annotations

import json

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from consultations.data_views import BOM, LICENSE
from paga import audit, clock
from paga.ics import ics_response
from paga.pagecache import SITE, kept_page, public_page
from paga.selectors import current_plan
from workshops.views import content_disposition, safe_filename

from . import public_selectors as selectors
from .ics import milestones_calendar
from .models import Evidence, ReportState


def _download(body: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _name(plan, extension: str) -> str:
    return f"{plan.slug}-avance-{clock.today():%Y-%m-%d}.{extension}"


@require_safe
@public_page(reads=(SITE,))
def tracking(request):
    plan = current_plan(request)

    def context() -> dict:
        found = selectors.tracking(plan, clock.today())
        return {"plan": plan, "tracking": found, "by_commitment": found.by_commitment, "license": LICENSE}

    return kept_page(request, "implementation/public/tracking.html", context)


@require_safe
@public_page(reads=(SITE,))
def tracking_csv(request):
    plan = current_plan(request)
    body = BOM + selectors.open_data_csv(selectors.tracking(plan, clock.today()))
    audit.record_export(request, fmt="csv", what="progress", obj=plan)
    return _download(body, content_type="text/csv", filename=_name(plan, "csv"))


@require_safe
@public_page(reads=(SITE,))
def tracking_json(request):
    plan = current_plan(request)
    data = selectors.open_data_json(
        selectors.tracking(plan, clock.today()),
        license=LICENSE,
        generated_at=timezone.localtime(clock.now()),
    )
    audit.record_export(request, fmt="json", what="progress", obj=plan)
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return _download(body, content_type="application/json", filename=_name(plan, "json"))


@require_safe
@public_page(reads=(SITE,))
def data_dictionary(request):
    plan = current_plan(request)
    return render(
        request,
        "implementation/public/dictionary.html",
        {
            "plan": plan,
            "columns": [
                (name, selectors.OPEN_DATA_TYPES[name], meaning)
                for name, meaning in selectors.OPEN_DATA_DICTIONARY.items()
            ],
            "license": LICENSE,
        },
    )


@require_safe
@public_page(reads=(SITE,))
def milestones_ics(request):
    plan = current_plan(request)
    found = selectors.tracking(plan, clock.today())
    body = milestones_calendar(
        plan=plan,
        rows=found.commitments,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host(),
    )
    return ics_response(body, f"{plan.slug}-hitos.ics")


@require_safe
def evidence_download(request, pk: int):
    """The file of a VALIDATED report's evidence, in the address's plan; 404 for anything else (a report
    submitted or returned, a link, another plan's)."""
    plan = current_plan(request)
    evidence = get_object_or_404(
        Evidence.objects.select_related("report"),
        pk=pk,
        kind=Evidence.Kind.FILE,
        report__state=ReportState.VALIDATED,
        report__milestone__commitment__plan=plan,
        report__milestone__commitment__in=selectors.implemented(plan),
    )
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("Missing file") from missing
    response = FileResponse(handle, content_type=evidence.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(
        safe_filename(evidence.original_name or evidence.file.name)
    )
    response["Content-Length"] = str(evidence.file.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
