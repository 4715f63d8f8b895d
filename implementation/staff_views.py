"""Staff pages of implementation tracking (issue 14): a ministry reviewer reports on their entity's
milestones (/revision/seguimiento/), the Secretaría validates or returns reports (/gestion/seguimiento/).

Thin views: fetch (a row the user may not see answers 404), validate a form, call one service, put its
ValidationError back on the form keeping what was typed, render. Of the address's plan only
(paga/plans.py); each page costs a fixed number of queries whatever the number of reports.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from commitments.forms import put_back
from commitments.models import Milestone
from paga import clock, plans
from paga.selectors import find_current_plan

from . import progress, selectors, services
from .forms import ReportForm, ReturnForm
from .models import Evidence, ProgressReport, ProgressStatus, ReportState
from .rules import may

REPORT_QUEUE = "implementation.report_queue"
VIEW_ALL = "implementation.view_all"
DECIDE = "implementation.decide"


def staff_required(perm: str):
    """Signed in (else the login page) and allowed `perm` by the rules (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- Ministry reviewers -----------------------------------------------------------------------------
@staff_required(REPORT_QUEUE)
@require_safe
def milestones(request):
    """The milestones of the commitments the reviewer's entity leads in the plan's approved version, with
    their current status, delays and the state of their latest report."""
    plan = find_current_plan(request)
    rows = selectors.milestones_to_report(user=request.user, plan=plan) if plan else []
    today = clock.today()
    for row in rows:
        row.delayed = progress.is_delayed(row.progress_status, row.due_date, today)
        row.progress_label = ProgressStatus(row.progress_status).label
    return render(
        request,
        "implementation/staff/milestones.html",
        {
            "plan": plan,
            "rows": rows,
            "approved": plan is not None and selectors.approved_version(plan) is not None,
            "rule": progress.RULE,
        },
    )


def _milestone(request, pk: int) -> Milestone:
    milestone = get_object_or_404(
        Milestone.objects.select_related("commitment__plan", "commitment__lead_entity"), pk=pk
    )
    if not may(request.user, "implementation.report_progress", milestone):
        raise Http404("Not a milestone of your entity")
    plans.require(request, milestone.commitment.plan)
    if not selectors.is_implemented(milestone.commitment):
        raise Http404("Not in the plan's approved version")
    return milestone


@staff_required(REPORT_QUEUE)
@require_http_methods(["GET", "HEAD", "POST"])
def milestone(request, pk: int):
    """A milestone's reports (every version, newest first) and the form for a new one, or for the
    correction of the report the Secretaría returned."""
    target = _milestone(request, pk)
    reports = selectors.history(target)
    latest = reports[0] if reports else None
    waiting = latest is not None and latest.state == ReportState.SUBMITTED
    corrects = latest if latest is not None and latest.state == ReportState.RETURNED else None
    posted = request.method == "POST"
    form = ReportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and not waiting and form.is_valid():
        try:
            report = services.submit_report(
                milestone=target, actor=request.user, corrects=corrects, **form.service_kwargs()
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("Report %(n)s is with the Secretaría, which will validate it or return it with a reason.")
                % {"n": report.number},
            )
            return redirect("implementation:review_milestone", pk=target.pk)
    status = _validated_status(reports)
    return render(
        request,
        "implementation/staff/milestone.html",
        {
            "milestone": target,
            "commitment": target.commitment,
            "reports": reports,
            "waiting": waiting,
            "corrects": corrects,
            "form": form,
            "status": ProgressStatus(status).label,
            "delayed": progress.is_delayed(status, target.due_date),
            "file_lost": posted and bool(request.FILES) and bool(form.errors),
        },
    )


def _validated_status(reports: list[ProgressReport]) -> str:
    """The milestone's status from its history (newest first) already fetched: no query."""
    for report in reports:
        if report.state == ReportState.VALIDATED:
            return report.status
    return ProgressStatus.NOT_STARTED


@require_safe
def evidence_file(request, pk: int):
    """A file of evidence, for who may see its report (the reporting entity and the Secretaría before
    validation, anyone after): downloaded, never shown inline."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    evidence = get_object_or_404(
        Evidence.objects.select_related("report__milestone__commitment__plan"), pk=pk, kind=Evidence.Kind.FILE
    )
    return _file_response(request, evidence)


def _file_response(request, evidence: Evidence):
    if not may(request.user, "implementation.view_report", evidence.report):
        raise Http404("No such evidence")
    plans.require(request, evidence.report.milestone.commitment.plan)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The evidence's file is missing") from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The Secretaría ---------------------------------------------------------------------------------
@staff_required(VIEW_ALL)
@require_safe
def queue(request):
    """Reports waiting for the Secretaría in the address's plan, oldest first (administrators read it)."""
    plan = find_current_plan(request)
    return render(
        request,
        "implementation/staff/queue.html",
        {"plan": plan, "reports": selectors.queue(plan) if plan else []},
    )


@staff_required(VIEW_ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def decide(request, pk: int):
    """One submitted report, its evidence and the milestone's earlier reports; "Validar" or "Devolver con
    un motivo" for the Secretaría (administrators read it). A report already decided shows its decision."""
    report = get_object_or_404(
        ProgressReport.objects.select_related(
            "milestone__commitment__plan",
            "milestone__commitment__lead_entity",
            "entity",
            "author",
            "decided_by",
        ),
        pk=pk,
    )
    plans.require(request, report.milestone.commitment.plan)
    may_decide = may(request.user, DECIDE, report)
    if request.method == "POST" and not may_decide:
        raise PermissionDenied
    return_form = ReturnForm(request.POST if request.POST.get("action") == "devolver" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "validar":
                services.validate_report(report=report, actor=request.user)
                messages.success(request, _("Report validated: it is public and the followers are told."))
                return redirect("implementation:queue")
            if action == "devolver" and return_form.is_valid():
                services.return_report(
                    report=report, actor=request.user, reason=return_form.cleaned_data["reason"]
                )
                messages.success(request, _("Report returned to the entity with your reason."))
                return redirect("implementation:queue")
            if action not in ("validar", "devolver"):
                return_form.add_error(None, _("Choose “Validate” or “Return with a reason”."))
        except ValidationError as error:
            put_back(return_form, error)
    earlier = selectors.history(report.milestone)
    return render(
        request,
        "implementation/staff/decide.html",
        {
            "report": report,
            "milestone": report.milestone,
            "commitment": report.milestone.commitment,
            "evidence": next((r.evidence.all() for r in earlier if r.pk == report.pk), []),
            "earlier": [r for r in earlier if r.pk != report.pk],
            "return_form": return_form,
            "may_decide": may_decide,
        },
    )
