"""The Secretaría's pages for events, attendance and documents, under /gestion/talleres/ (namespace
"workshops", names starting with "staff_"): the events list, creating and editing an event, its staff page
(registrations with names, counts, CSV, state changes), attendance (check-in and walk-ins) and the
repository's documents.

Every page needs a signed-in member of the Secretaría or an administrator (the login page for anonymous
visitors, 403 for other roles). Names of who registered or came are shown here only. Each POST calls one
service (workshops/services.py) and puts its ValidationError back on the form, with what was typed, then
redirects with a message. Pages run a fixed number of queries, whatever the data.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commitments.forms import put_back
from commitments.staff_views import staff_required
from paga import audit, plans
from paga.selectors import current_plan

from . import services
from .models import Attendance, Document, Event, Registration
from .staff_forms import (
    CancelForm,
    CheckInForm,
    DocumentForm,
    EventFilterForm,
    EventForm,
    HeldForm,
    RescheduleForm,
    WalkInForm,
)

R = Registration.State
PER_PAGE = 50
REGISTRATIONS_PER_PAGE = 100
PAGE = "pagina"
MANAGE = services.MANAGE
ATTEND = services.ATTEND
UPLOAD = services.UPLOAD
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that Excel opens the UTF-8 CSV with its accents intact


def _page(request, queryset, per_page: int = PER_PAGE):
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get(PAGE))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("plan", "region", "stage"), slug=slug)
    plans.require(request, event.plan)
    return event


def _public_url(event: Event) -> str | None:
    """The event's public page, when the public pages are installed."""
    try:
        return event.get_absolute_url()
    except NoReverseMatch:
        return None


def _staff_url(event: Event) -> str:
    return reverse("workshops:staff_event", args=[event.slug])


def _counts(event: Event) -> dict:
    """Registrations by state and attendance (from registrations, walk-ins), in two queries."""
    by_state = dict(event.registrations.order_by().values_list("state").annotate(n=Count("pk")))
    came = event.attendances.aggregate(
        total=Count("pk"), walk_ins=Count("pk", filter=Q(registration__isnull=True))
    )
    return {
        "confirmed": by_state.get(R.CONFIRMED, 0),
        "waiting": by_state.get(R.WAITING, 0),
        "pending": by_state.get(R.PENDING, 0),
        "cancelled": by_state.get(R.CANCELLED, 0),
        "attended": came["total"],
        "walk_ins": came["walk_ins"],
        "checked_in": came["total"] - came["walk_ins"],
        "free": max(0, (event.capacity or 0) - by_state.get(R.CONFIRMED, 0)) if event.capacity else None,
    }


# --- Events ----------------------------------------------------------------------------------------
@staff_required(MANAGE)
@require_safe
def events(request):
    """Every event of the plan, in every state, with its registration and attendance counts; filtered by
    kind and state."""
    plan = current_plan(request)
    form = EventFilterForm(request.GET or None)
    chosen = form.values()
    rows = (
        Event.objects.filter(plan=plan)
        .select_related("region")
        .only(
            "pk", "slug", "title", "kind", "state", "starts_at", "ends_at", "all_day", "capacity",
            "is_illustrative", "region__id", "region__name",
        )
        .annotate(
            n_confirmed=Count("registrations", filter=Q(registrations__state=R.CONFIRMED), distinct=True),
            n_waiting=Count("registrations", filter=Q(registrations__state=R.WAITING), distinct=True),
            n_pending=Count("registrations", filter=Q(registrations__state=R.PENDING), distinct=True),
            n_attended=Count("attendances", distinct=True),
        )
    )  # fmt: skip
    if kind := chosen.get("tipo"):
        rows = rows.filter(kind=kind)
    if state := chosen.get("estado"):
        rows = rows.filter(state=state)
    page, page_range = _page(request, rows.order_by(*Event._meta.ordering, "pk"))
    return render(
        request,
        "workshops/staff/events.html",
        {"plan": plan, "form": form, "filtered": bool(chosen), "page": page, "page_range": page_range},
    )


@staff_required(MANAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request):
    """A new event: a thematic table may stay undated; registration needs a capacity and a window that
    closes before the start."""
    plan = current_plan(request)
    posted = request.method == "POST"
    form = EventForm(request.POST if posted else None, plan=plan)
    if posted and form.is_valid():
        try:
            event = services.create_event(
                plan=plan, actor=request.user, values=form.values(), themes=form.chosen_themes()
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("The event “%(title)s” was created.") % {"title": event.title})
            return redirect(_staff_url(event))
    return render(request, "workshops/staff/event_form.html", {"form": form, "event": None, "plan": plan})


@staff_required(MANAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, slug: str):
    event = _event(request, slug)
    posted = request.method == "POST"
    form = EventForm(
        request.POST if posted else None,
        plan=event.plan,
        initial=None if posted else EventForm.initial_for(event),
    )
    if posted and form.is_valid():
        try:
            event = services.update_event(
                event=event, actor=request.user, values=form.values(), themes=form.chosen_themes()
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("The event “%(title)s” was saved.") % {"title": event.title})
            return redirect(_staff_url(event))
    return render(
        request, "workshops/staff/event_form.html", {"form": form, "event": event, "plan": event.plan}
    )


def _event_page(request, event: Event, *, status: int = 200, **bound):
    """The event's staff page: details, counts, registrations with names (paginated), history, state
    actions (bound forms on errors)."""
    registrations = (
        event.registrations.select_related("region", "attendance")
        .only(
            "pk", "event_id", "name", "email", "organisation", "actor_type", "gender", "state", "created",
            "waiting_since", "region__id", "region__name", "attendance__id",
        )
        .order_by("created", "pk")
    )  # fmt: skip
    page, page_range = _page(request, registrations, REGISTRATIONS_PER_PAGE)
    return render(
        request,
        "workshops/staff/event.html",
        {
            "event": event,
            "themes": list(event.themes.all()),
            "public_url": _public_url(event),
            "counts": _counts(event),
            "page": page,
            "page_range": page_range,
            "history": list(event.transitions.select_related("actor").order_by("created", "pk")),
            "documents": list(event.documents.only("pk", "title", "doc_type", "dated", "event_id")),
            "held_form": bound.get("held_form") or HeldForm(),
            "cancel_form": bound.get("cancel_form") or CancelForm(),
            "reschedule_form": bound.get("reschedule_form") or RescheduleForm(),
            "state_errors": bound.get("state_errors", []),
            "attendance_refusal": services.attendance_refusal(event),
        },
        status=status,
    )


@staff_required(MANAGE)
@require_safe
def event(request, slug: str):
    return _event_page(request, _event(request, slug))


def _state_change(request, slug: str, *, form_class, key: str, service, success: str):
    """A change of state from the event's page: the service decides; an error comes back on the page
    with what was typed."""
    event = _event(request, slug)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(event, form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                put_back(form, error)
            else:
                return _event_page(request, event, state_errors=error.messages, **{key: form})
        else:
            messages.success(request, success)
            return redirect(_staff_url(event))
    return _event_page(request, event, **{key: form})


@staff_required(MANAGE)
@require_POST
def mark_held(request, slug: str):
    return _state_change(
        request,
        slug,
        form_class=HeldForm,
        key="held_form",
        service=lambda e, reason: services.mark_held(event=e, actor=request.user, reason=reason),
        success=_("The event is marked as held. Record its attendance and upload its minutes."),
    )


@staff_required(MANAGE)
@require_POST
def cancel(request, slug: str):
    return _state_change(
        request,
        slug,
        form_class=CancelForm,
        key="cancel_form",
        service=lambda e, reason: services.cancel_event(event=e, actor=request.user, reason=reason),
        success=_("The event was cancelled; everyone registered is told, with the reason."),
    )


@staff_required(MANAGE)
@require_POST
def reschedule(request, slug: str):
    return _state_change(
        request,
        slug,
        form_class=RescheduleForm,
        key="reschedule_form",
        service=lambda e, reason: services.reschedule(event=e, actor=request.user, reason=reason),
        success=_("The event is scheduled again."),
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


@staff_required("workshops.view_registrations")
@require_safe
def registrations_csv(request, slug: str):
    """Everyone registered for the event, with their state and whether they came (personal data: for the
    Secretaría only, never cached)."""
    event = _event(request, slug)
    rows = (
        event.registrations.select_related("region", "attendance")
        .only(
            "pk", "event_id", "name", "email", "organisation", "actor_type", "gender", "state", "created",
            "confirmed_at", "waiting_since", "region__id", "region__name", "attendance__id",
        )
        .order_by("created", "pk")
    )  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Name"),
            _("Email"),
            _("Organisation"),
            _("Actor type"),
            _("Gender"),
            _("Region"),
            _("State"),
            _("Registered at"),
            _("Confirmed at"),
            _("Came"),
        ]
    )
    for r in rows:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r.name,
                    r.email,
                    r.organisation,
                    r.get_actor_type_display(),
                    r.get_gender_display(),
                    r.region.name if r.region else "",
                    r.get_state_display(),
                    timezone.localtime(r.created).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(r.confirmed_at).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else "",
                    _("yes") if getattr(r, "attendance", None) else _("no"),
                )
            ]
        )
    audit.record_export(request, fmt="csv", what="registrations", obj=event, rows=len(rows))
    response = HttpResponse((BOM + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-inscripciones.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Attendance ------------------------------------------------------------------------------------
def _attendance_page(request, event: Event, **bound):
    registrations = (
        event.registrations.exclude(state=R.CANCELLED)
        .select_related("attendance")
        .only("pk", "event_id", "name", "organisation", "actor_type", "state", "attendance__id")
        .order_by("name", "pk")
    )
    walk_ins = event.attendances.filter(registration__isnull=True).select_related("region").order_by("pk")
    check_in_form = bound.get("check_in_form") or CheckInForm(event=event)
    registrations = list(registrations)
    refusal = services.attendance_refusal(event)
    # Where the error summary sends "select at least one person": the first box still to tick.
    first_box = next((r.pk for r in registrations if not hasattr(r, "attendance")), None)
    return render(
        request,
        "workshops/staff/attendance.html",
        {
            "event": event,
            "counts": _counts(event),
            "registrations": registrations,
            "walk_ins": list(walk_ins),
            "refusal": refusal,
            "check_in_form": check_in_form,
            "first_box_id": f"inscripcion-{first_box}" if first_box and not refusal else "",
            "selected": check_in_form.selected_ids(),
            "walk_in_form": bound.get("walk_in_form") or WalkInForm(),
            "undo_errors": bound.get("undo_errors", []),
        },
    )


def _attendance_url(event: Event) -> str:
    return reverse("workshops:staff_attendance", args=[event.slug])


@staff_required(ATTEND)
@require_safe
def attendance(request, slug: str):
    """Who came: tick the registrations present, add walk-ins; counts by source."""
    return _attendance_page(request, _event(request, slug))


@staff_required(ATTEND)
@require_POST
def check_in(request, slug: str):
    event = _event(request, slug)
    form = CheckInForm(request.POST, event=event)
    if form.is_valid():
        try:
            done = services.check_in_many(
                event=event, registrations=form.cleaned_data["inscripciones"], actor=request.user
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("%(n)s people checked in.") % {"n": len(done)})
            return redirect(_attendance_url(event))
    return _attendance_page(request, event, check_in_form=form)


@staff_required(ATTEND)
@require_POST
def walk_in(request, slug: str):
    event = _event(request, slug)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            person = services.add_walk_in(event=event, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("%(name)s was added as a walk-in.") % {"name": person.name})
            return redirect(_attendance_url(event))
    return _attendance_page(request, event, walk_in_form=form)


@staff_required(ATTEND)
@require_POST
def undo_check_in(request, slug: str, pk: int):
    """Remove a mistaken attendance row (recorded in the back office's log)."""
    event = _event(request, slug)
    row = get_object_or_404(Attendance.objects.only("pk", "event_id", "name"), pk=pk, event=event)
    try:
        services.undo_check_in(attendance=row, actor=request.user)
    except ValidationError as error:
        return _attendance_page(request, event, undo_errors=error.messages)
    messages.success(request, _("The attendance of %(name)s was removed.") % {"name": row.name})
    return redirect(_attendance_url(event))


# --- Documents -------------------------------------------------------------------------------------
@staff_required(UPLOAD)
@require_safe
def documents(request):
    """Every document of the plan's repository, newest first, with its type, date, event and stage."""
    plan = current_plan(request)
    rows = (
        Document.objects.filter(plan=plan)
        .select_related("event", "stage", "uploaded_by")
        .only(
            "pk", "title", "doc_type", "dated", "original_name", "size", "uploaded_at", "plan_id",
            "event__id", "event__slug", "event__title", "stage__id", "stage__title",
            "uploaded_by__id", "uploaded_by__display_name",
        )
    )  # fmt: skip
    page, page_range = _page(request, rows)
    return render(
        request, "workshops/staff/documents.html", {"plan": plan, "page": page, "page_range": page_range}
    )


@staff_required(UPLOAD)
@require_http_methods(["GET", "HEAD", "POST"])
def document_upload(request):
    """Upload a document: checked by content, at most COCREA_DOCUMENT_MAX_MB, stored under a random name.
    `?evento=<slug>` chooses the event (the link from an event's page)."""
    plan = current_plan(request)
    posted = request.method == "POST"
    initial = {}
    if not posted and (slug := request.GET.get("evento")):
        chosen = Event.objects.filter(plan=plan, slug=slug).only("pk", "stage_id").first()
        if chosen:
            initial = {"event": chosen.pk, "stage": chosen.stage_id}
    form = DocumentForm(
        request.POST if posted else None, request.FILES if posted else None, plan=plan, initial=initial
    )
    if posted and form.is_valid():
        try:
            document = services.upload_document(plan=plan, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request, _("The document “%(title)s” is in the repository.") % {"title": document.title}
            )
            if document.event_id:
                return redirect(_staff_url(document.event))
            return redirect("workshops:staff_documents")
    return render(
        request,
        "workshops/staff/document_form.html",
        {"plan": plan, "form": form, "file_lost": posted and bool(request.FILES) and bool(form.errors)},
    )
