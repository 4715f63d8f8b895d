"""The Secretaría's pages for what an event produced, under /gestion/talleres/<slug>/ (namespace
"workshops", names starting "outcomes_"): contributions typed in or imported from the input sheets'
CSV, proposals credited to or created at the event, and a national table's decisions.

Every page needs a signed-in member of the Secretaría or an administrator (the login page for anonymous
visitors, 403 for other roles): workshops.record_outcomes, or .record_decision for decisions
(rules.py). Each POST calls one service (outcomes.py) and puts its ValidationError back on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commitments.forms import put_back
from commitments.models import Commitment
from commitments.staff_views import staff_required
from paga import plans

from . import outcomes
from .models import Decision, Event, EventInput, Kind, TableDecision
from .outcome_forms import DecisionForm, EventInputForm, ImportForm, LinkProposalForm, NewProposalForm

RECORD = outcomes.RECORD
DECIDE = outcomes.DECIDE
PER_PAGE = 50
MAX_ERRORS_SHOWN = 100


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("region"), slug=slug)
    plans.require(request, event.plan_id)
    return event


def _national_table(request, slug: str) -> Event:
    event = _event(request, slug)
    if event.kind != Kind.NATIONAL_TABLE:
        raise Http404("Only national tables record decisions")
    return event


# --- Contributions ---------------------------------------------------------------------------------
@staff_required(RECORD)
@require_safe
def inputs(request, slug: str):
    """The contributions recorded for the event, with their proposal, sheet row and response."""
    event = _event(request, slug)
    rows = (
        EventInput.objects.filter(event=event)
        .select_related(
            "contribution", "contribution__commitment", "contribution__consultation", "contribution__response"
        )
        .only(
            "pk", "sheet_row", "actor_type", "event_id",
            "contribution__id", "contribution__given_name", "contribution__text", "contribution__state",
            "contribution__consultation__id", "contribution__consultation__slug",
            "contribution__consultation__title",
            "contribution__commitment__id", "contribution__commitment__number",
            "contribution__commitment__title",
            "contribution__response__id", "contribution__response__published_at",
            "contribution__response__disposition",
        )
        .order_by("pk")
    )  # fmt: skip
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "workshops/outcomes/inputs.html", {"event": event, "page": page})


@staff_required(RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def input_new(request, slug: str):
    """One contribution made at the event, typed in from its input sheet."""
    event = _event(request, slug)
    posted = request.method == "POST"
    form = EventInputForm(request.POST if posted else None, event=event)
    if posted and form.is_valid():
        try:
            made = outcomes.record_event_input(event=event, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The contribution n.º %(n)s from “%(name)s” was recorded; answer it in its consultation.")
                % {"n": made.contribution_id, "name": made.contribution.given_name},
            )
            return redirect(reverse("workshops:outcomes_inputs", args=[event.slug]))
    return render(request, "workshops/outcomes/input_form.html", {"event": event, "form": form})


@staff_required(RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def input_import(request, slug: str):
    """The CSV of the input sheets: every row checked first; any bad row, and nothing is imported."""
    event = _event(request, slug)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None, event=event)
    check = None
    if posted and form.is_valid():
        try:
            made = outcomes.import_input_sheet(
                event=event,
                actor=request.user,
                data=form.cleaned_data["sheet"],
                received_on=form.cleaned_data.get("received_on"),
            )
        except outcomes.SheetRefused as refused:
            check = refused.check
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s contribution was imported; answer it in its consultation.",
                    "%(n)s contributions were imported; answer them in their consultation.",
                    len(made),
                )
                % {"n": len(made)},
            )
            return redirect(reverse("workshops:outcomes_inputs", args=[event.slug]))
    status = 400 if check is not None else 200
    return render(
        request,
        "workshops/outcomes/import.html",
        {
            "event": event,
            "form": form,
            "check": check,
            "row_errors": check.row_errors[:MAX_ERRORS_SHOWN] if check else [],
            "more_errors": max(0, len(check.row_errors) - MAX_ERRORS_SHOWN) if check else 0,
            "columns": outcomes.COLUMNS,
            "required": outcomes.REQUIRED_COLUMNS,
            "max_rows": outcomes.MAX_ROWS,
        },
        status=status,
    )


@staff_required(RECORD)
@require_safe
def input_template(request, slug: str):
    """The input sheet's template: the header and one example row."""
    event = _event(request, slug)
    response = HttpResponse(outcomes.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aportes-{event.slug}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Proposals -------------------------------------------------------------------------------------
@staff_required(RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def proposals(request, slug: str):
    """The proposals credited to the event; credit another one."""
    event = _event(request, slug)
    linked = list(
        event.proposals.only("pk", "plan_id", "number", "slug", "title", "status").order_by(
            "number", "title", "pk"
        )
    )
    posted = request.method == "POST"
    form = LinkProposalForm(request.POST if posted else None, event=event, linked={c.pk for c in linked})
    if posted and form.is_valid():
        commitment = form.chosen()
        try:
            outcomes.link_proposal(event=event, commitment=commitment, actor=request.user)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request, _("“%(proposal)s” is credited to this event.") % {"proposal": commitment}
            )
            return redirect(reverse("workshops:outcomes_proposals", args=[event.slug]))
    return render(
        request, "workshops/outcomes/proposals.html", {"event": event, "linked": linked, "form": form}
    )


@staff_required(RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_new(request, slug: str):
    """A new proposal drafted at the event, credited to it, with the origin of the event's kind."""
    event = _event(request, slug)
    posted = request.method == "POST"
    form = NewProposalForm(request.POST if posted else None, event=event)
    if posted and form.is_valid():
        try:
            made = outcomes.create_proposal(event=event, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The proposal “%(proposal)s” was created and credited to this event.") % {"proposal": made},
            )
            return redirect(reverse("workshops:outcomes_proposals", args=[event.slug]))
    return render(request, "workshops/outcomes/proposal_form.html", {"event": event, "form": form})


@staff_required(RECORD)
@require_POST
def proposal_unlink(request, slug: str, pk: int):
    """Withdraw a credit given by mistake (the proposal itself is untouched)."""
    event = _event(request, slug)
    commitment = get_object_or_404(Commitment.objects.only("pk", "number", "title"), pk=pk)
    try:
        outcomes.unlink_proposal(event=event, commitment=commitment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("“%(proposal)s” is no longer credited to this event.") % {"proposal": commitment}
        )
    return redirect(reverse("workshops:outcomes_proposals", args=[event.slug]))


# --- National tables' decisions --------------------------------------------------------------------
@staff_required(DECIDE)
@require_safe
def decisions(request, slug: str):
    """Each proposal the national table discussed, with its decision or a link to record it."""
    event = _national_table(request, slug)
    rows = list(
        outcomes.discussed_proposals(event).only("pk", "plan_id", "number", "slug", "title", "status")
    )
    recorded = {d.commitment_id: d for d in TableDecision.objects.filter(event=event)}
    for row in rows:
        row.table_decision = recorded.get(row.pk)
    return render(request, "workshops/outcomes/decisions.html", {"event": event, "rows": rows})


@staff_required(DECIDE)
@require_http_methods(["GET", "HEAD", "POST"])
def decision(request, slug: str, pk: int):
    """Record or correct the table's decision on one proposal it discussed."""
    event = _national_table(request, slug)
    commitment = get_object_or_404(
        outcomes.discussed_proposals(event).only("pk", "plan_id", "number", "slug", "title"), pk=pk
    )
    existing = TableDecision.objects.filter(event=event, commitment=commitment).first()
    initial = (
        {
            "decision": existing.decision,
            "notes": existing.notes,
            "sectors_present": existing.sectors_present,
        }
        if existing
        else None
    )
    posted = request.method == "POST"
    form = DecisionForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        try:
            saved = outcomes.record_decision(
                event=event, commitment=commitment, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("Decision on “%(proposal)s” recorded: %(decision)s.")
                % {"proposal": commitment, "decision": Decision(saved.decision).label},
            )
            return redirect(reverse("workshops:outcomes_decisions", args=[event.slug]))
    return render(
        request,
        "workshops/outcomes/decision_form.html",
        {"event": event, "commitment": commitment, "existing": existing, "form": form},
    )
