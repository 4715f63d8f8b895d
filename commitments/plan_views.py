"""The plan's versions: the Secretaría assembles, previews, freezes and records the approval under
/gestion/plan/; everyone reads the approved plan at /plan/ and downloads its PDFs with their SHA-256.

Staff pages: signed in (else the login page) with `commitments.manage_plan` (else 403). Each POST calls
one plan service and puts its ValidationError back on the form, then redirects with a message.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paga import storage
from paga.pagecache import SITE, kept_page, public_page
from paga.selectors import current_plan

from . import plan_services
from .forms import put_back
from .models import MilestoneStatus
from .plan_forms import ApproveForm, FreezeForm, ItemsForm
from .plan_models import PlanVersion, RenderedDocument, RenderJob
from .staff_views import staff_required

PERM = plan_services.PERM
V = PlanVersion.State


# --- Presenting a document ---------------------------------------------------------------------------
def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def present(document) -> list[dict]:
    """The commitments of a PlanDocument, ready for the templates: dates as dates, statuses in words."""
    labels = dict(MilestoneStatus.choices)
    shown = []
    for commitment in document.commitments:
        data = commitment.data
        shown.append(
            {
                "number": commitment.number,
                "title": commitment.title,
                "data": data,
                "sign_off": commitment.sign_off,
                "version_number": commitment.version_number,
                "start_date": _date(data.get("start_date")),
                "end_date": _date(data.get("end_date")),
                "milestones": [
                    {
                        **m,
                        "start_date": _date(m.get("start_date")),
                        "due_date": _date(m.get("due_date")),
                        "status_label": labels.get(m.get("status"), m.get("status", "")),
                    }
                    for m in data.get("milestones", [])
                ],
            }
        )
    return shown


# --- The Secretaría's pages -------------------------------------------------------------------------
def _version(request, number: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("plan", "created_by", "frozen_by", "approved_by").defer("annex"),
        plan=current_plan(request),
        number=number,
    )


def _back(version: PlanVersion):
    return redirect(reverse("commitments:plan_staff_version", args=[version.number]))


def _jobs():
    return Prefetch("jobs", queryset=RenderJob.objects.order_by("kind"))


_SNAPSHOT = [f"version__{name}" for name in PlanVersion.SNAPSHOT_FIELDS]  # a job's page needs neither


@staff_required(PERM)
@require_safe
def staff_home(request):
    """Every version of the plan, with its state and its documents' jobs; a button to start a draft."""
    plan = current_plan(request)
    versions = (
        PlanVersion.objects.filter(plan=plan)
        .select_related("frozen_by", "approved_by")
        .defer(*PlanVersion.SNAPSHOT_FIELDS)
        .prefetch_related(_jobs())
        .order_by("-number")
    )
    return render(
        request,
        "commitments/plan/staff_home.html",
        {"plan": plan, "versions": versions, "has_draft": any(v.is_draft for v in versions)},
    )


@staff_required(PERM)
@require_POST
def create_draft(request):
    plan = current_plan(request)
    try:
        version = plan_services.create_draft(plan=plan, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("commitments:plan_staff")
    messages.success(
        request,
        _("Version %(n)s was created as a draft. Choose and order its commitments.") % {"n": version.number},
    )
    return _back(version)


def _version_context(request, version: PlanVersion, **bound) -> dict:
    context = {"plan": version.plan, "version": version, "jobs": list(version.jobs.order_by("kind"))}
    if version.is_draft:
        candidates = list(plan_services.candidates(version.plan))
        items = list(version.items.order_by("number"))
        places = {i.commitment_id: i.number for i in items}
        signed = plan_services.sign_offs([c.pk for c in candidates])
        for commitment in candidates:
            commitment.sign_off = signed.get(commitment.pk)
            commitment.ready = commitment.status in plan_services.SIGNED_OFF_STATUSES and commitment.sign_off
        by_pk = {c.pk: c for c in candidates}
        context.update(
            form=bound.get("form") or ItemsForm(candidates=candidates, places=places),
            included=[(i.number, by_pk.get(i.commitment_id)) for i in items],
            lacking=[by_pk[i.commitment_id] for i in items if not by_pk[i.commitment_id].ready],
        )
    else:
        if version.state == V.FROZEN:
            context["approve_form"] = bound.get("approve_form") or _approve_form(version)
        items = version.items.order_by("number").only("version_id", "number", "data", "signoff_entity")
        context["items"] = list(items)
    return context


@staff_required(PERM)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_version(request, number: int):
    """A version: on a draft, choose and order its commitments; on a frozen one, record the approval;
    on every one, the state of its documents."""
    version = _version(request, number)
    if request.method == "POST":
        if not version.is_draft:
            messages.error(request, _("Version %(n)s is frozen: it cannot change.") % {"n": version.number})
            return _back(version)
        candidates = list(plan_services.candidates(version.plan))
        form = ItemsForm(request.POST, candidates=candidates, places={})
        if form.is_valid():
            try:
                items = plan_services.set_items(
                    version=version, commitment_ids=form.ordered_ids(), actor=request.user
                )
            except ValidationError as error:
                put_back(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The draft now has %(n)s commitment.",
                        "The draft now has %(n)s commitments, numbered in the order given.",
                        len(items),
                    )
                    % {"n": len(items)},
                )
                return _back(version)
        return render(
            request, "commitments/plan/staff_version.html", _version_context(request, version, form=form)
        )
    return render(request, "commitments/plan/staff_version.html", _version_context(request, version))


@staff_required(PERM)
@require_safe
def preview(request, number: int):
    """The version as the published page will show it (a draft: from the commitments as they stand)."""
    version = _version(request, number)
    document = plan_services.document(version, annex=False)
    return render(
        request,
        "commitments/plan/preview.html",
        {"plan": version.plan, "version": version, "document": document, "commitments": present(document)},
    )


@staff_required(PERM)
@require_http_methods(["GET", "HEAD", "POST"])
def freeze(request, number: int):
    """Freeze a draft, after a confirmation; refused, with the commitments named, while any lacks its
    ministry's sign-off."""
    version = _version(request, number)
    form = FreezeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            plan_services.freeze(version=version, actor=request.user)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("Version %(n)s is frozen. Record its approval when the instrument is issued.")
                % {"n": version.number},
            )
            return _back(version)
    items = list(version.items.select_related("commitment").order_by("number"))
    return render(
        request,
        "commitments/plan/freeze.html",
        {
            "plan": version.plan,
            "version": version,
            "form": form,
            "items": items,
            "lacking": plan_services.missing_sign_offs(version) if version.is_draft else [],
        },
    )


def _approve_form(version: PlanVersion, data=None) -> ApproveForm:
    """The approval form; its date's hint gives the earliest day the service accepts (the freezing's)."""
    form = ApproveForm(data)
    if version.frozen_at:
        form.fields["instrument_date"].help_text = _(
            "Not before %(day)s, the day the version was frozen, nor after today."
        ) % {"day": date_format(timezone.localdate(version.frozen_at), "DATE_FORMAT")}
    return form


@staff_required(PERM)
@require_http_methods(["GET", "HEAD", "POST"])
def approve(request, number: int):
    """Record the approval of a frozen version: its instrument, number, date and publication link. The
    documents are rendered by the worker afterwards; this request does not wait for them."""
    version = _version(request, number)
    form = _approve_form(version, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            plan_services.approve(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("Version %(n)s is approved. Its documents are being prepared: their state shows below.")
                % {"n": version.number},
            )
            return _back(version)
    return render(
        request, "commitments/plan/approve.html", {"plan": version.plan, "version": version, "form": form}
    )


@staff_required(PERM)
@require_POST
def rerun(request, pk: int):
    job = get_object_or_404(
        RenderJob.objects.select_related("version").defer(*_SNAPSHOT),
        pk=pk,
        version__plan=current_plan(request),
    )
    try:
        plan_services.rerun_job(job=job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("“%(kind)s” was sent to be rendered again.") % {"kind": job.get_kind_display()}
        )
    return _back(job.version)


# --- Public pages -----------------------------------------------------------------------------------
def _approved(plan):
    """Approved versions, for their page: the annex is only in the PDF."""
    return PlanVersion.objects.filter(plan=plan, state=V.APPROVED).select_related("plan").defer("annex")


def _public_context(plan, version: PlanVersion) -> dict:
    document = plan_services.document(version, annex=False)
    jobs = list(version.jobs.order_by("kind"))
    versions = list(
        PlanVersion.objects.filter(plan=plan, state=V.APPROVED)
        .order_by("-number")
        .only("number", "instrument", "instrument_number", "instrument_date")
    )
    return {
        "plan": plan,
        "version": version,
        "document": document,
        "commitments": present(document),
        "downloads": [j for j in jobs if j.state == RenderJob.State.DONE],
        "pending": [j for j in jobs if j.state != RenderJob.State.DONE],
        "versions": versions,
        "latest": versions[0] if versions else None,
    }


@require_safe
@public_page(reads=(SITE,))
def public_plan(request):
    """The plan as approved (its latest approved version), or, before any approval, when it is expected."""
    plan = current_plan(request)
    version = _approved(plan).order_by("-number").first()
    if version is None:
        return kept_page(
            request,
            "commitments/plan/not_approved.html",
            lambda: {
                "plan": plan,
                "stage": plan.stages.filter(title__icontains="aprobación").order_by("-order").first(),
            },
        )
    return kept_page(request, "commitments/plan/public.html", lambda: _public_context(plan, version))


@require_safe
@public_page(reads=(SITE,))
def public_version(request, number: int):
    """One approved version, old ones included: they stay readable."""
    plan = current_plan(request)
    version = get_object_or_404(_approved(plan), number=number)
    return kept_page(request, "commitments/plan/public.html", lambda: _public_context(plan, version))


@require_safe
def download(request, number: int, kind: str):
    """The stored PDF of an approved version (its SHA-256 is on the page that links here)."""
    plan = current_plan(request)
    if kind not in RenderJob.Kind.values:
        raise Http404("No such document")
    job = get_object_or_404(
        RenderJob.objects.select_related("version__plan").defer(*_SNAPSHOT),
        version__plan=plan,
        version__number=number,
        version__state=V.APPROVED,
        kind=kind,
        state=RenderJob.State.DONE,
    )
    return pdf_response(job)


def pdf_response(job: RenderedDocument) -> FileResponse:
    """A rendered document's PDF, downloaded with its SHA-256 in a header; streamed from the storage
    (the disk or the object store), never from the store's address; 404 when the file is missing. The
    plan's documents and the self-assessment's (implementation) are served by it."""
    try:
        handle = storage.open_stored(job.file)
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename,
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = job.sha256
    return response
