"""Public pages of the events (list, month calendar, detail, iCalendar) and the documents' repository.

All GET only, the same for everyone (events and documents are public: workshops/rules.py), served from
the page cache to anonymous visitors."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from paga import clock
from paga import selectors as paga_selectors
from paga.ics import ics_response
from paga.pagecache import SITE, kept_page, public_page

from . import selectors
from .filters import DocumentFilter, EventFilter, month_filter
from .ics import events_calendar
from .models import Document


def _event_filter(request, plan, data=None, *, queryset=None) -> EventFilter:
    return EventFilter(
        request.GET if data is None else data,
        queryset=selectors.public_events(plan) if queryset is None else queryset,
        request=request,
        plan=plan,
    )


def _active(filterset) -> bool:
    return filterset.is_valid() and any(v not in (None, "") for v in filterset.form.cleaned_data.values())


@require_safe
@public_page(reads=(SITE,))
def event_list(request):
    plan = paga_selectors.current_plan(request)

    def context() -> dict:
        filterset = _event_filter(request, plan)
        events = selectors.split_events(filterset.qs, today=clock.today())
        return {"plan": plan, "filter": filterset, "events": events, "filtered": _active(filterset)}

    return kept_page(request, "workshops/list.html", context)


@require_safe
@public_page(reads=(SITE,))
def event_calendar(request):
    plan = paga_selectors.current_plan(request)

    def context() -> dict:
        today = clock.today()
        filterset = _event_filter(request, plan, queryset=selectors.month_events(plan))
        events = filterset.qs
        month = filterset.month
        if (
            month is None
        ):  # none asked for (the next event's month), or one typed wrong (today's, and the error)
            month = (
                today.replace(day=1)
                if request.GET.get("mes")
                else selectors.next_event_month(events, today=today)
            )
            events = month_filter(events, month)
        grid = selectors.month_grid(events, month=month, today=today)
        params = request.GET.copy()
        params.pop("mes", None)
        return {
            "plan": plan,
            "filter": filterset,
            "month": grid,
            "other_params": params.urlencode(),
            "month_param": month.strftime("%Y-%m"),
            # Filters other than the month (clearing them keeps the month shown).
            "filtered": any(any(values) for _, values in params.lists()),
        }

    return kept_page(request, "workshops/calendar.html", context)


@require_safe
@public_page  # reads the forum's contributions: "*" (tests/paga/test_pagecache_generations.py)
def detail(request, slug: str):
    plan = paga_selectors.current_plan(request)
    event = selectors.event_detail(plan=plan, slug=slug)
    # Rendered for each visitor, not kept for everyone (pagecache.kept_page): it shows a signed-in person
    # their own registration, and the Secretaría the draft proposals the event produced.
    return render(
        request,
        "workshops/detail.html",
        {
            "plan": plan,
            "event": event,
            "cancelled_at": selectors.cancelled_on(event),
            "documents": event.documents.all(),
        },
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
@public_page(reads=(SITE,))
def event_ics(request, slug: str):
    plan = paga_selectors.current_plan(request)
    event = get_object_or_404(
        selectors.calendar_events(plan).select_related("region"), slug=slug
    )  # undated events have no calendar entry: 404
    body = events_calendar(
        name=event.title, events=[event], base_url=_base_url(request), host=request.get_host().split(":")[0]
    )
    return ics_response(body, f"{event.slug}.ics")


@require_safe
@public_page(reads=(SITE,))
def events_ics(request):
    plan = paga_selectors.current_plan(request)
    body = events_calendar(
        name=_("%(plan)s: workshops and tables") % {"plan": plan.short_name},
        events=selectors.calendar_events(plan),
        base_url=_base_url(request),
        host=request.get_host().split(":")[0],
    )
    return ics_response(body, f"{plan.slug}-talleres.ics")


@require_safe
@public_page(reads=(SITE,))
def repository(request):
    plan = paga_selectors.current_plan(request)

    def context() -> dict:
        filterset = DocumentFilter(
            request.GET, queryset=selectors.repository(plan), request=request, plan=plan
        )
        documents = list(filterset.qs)
        return {
            "plan": plan,
            "filter": filterset,
            "documents": documents,
            "last_updated": documents[0].last_updated if documents else selectors.last_updated(plan),
            "filtered": _active(filterset),
        }

    return kept_page(request, "workshops/repository.html", context)


def safe_filename(name: str) -> str:
    """The original name without folders, control characters or quotes; never empty."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'["<>:|?*]', "_", name).strip(" .")
    return name[:150] or "documento"


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact one as RFC 5987 `filename*`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip(" .") or "documento"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@require_safe
def document_download(request, pk: int):
    plan = paga_selectors.current_plan(request)
    document = get_object_or_404(Document, pk=pk, plan=plan)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("Missing file") from missing
    response = FileResponse(handle, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(safe_filename(document.original_name))
    response["Content-Length"] = str(document.file.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
