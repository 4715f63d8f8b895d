"""Pages of the self-assessment (issue 14): the Secretaría's under /gestion/seguimiento/autoevaluacion/
(list and generate, a report, edit a section, publish for consultation, finalize), and the public page of
a final report and its PDF under /seguimiento/autoevaluacion/.

Thin views: fetch (of the address's plan only), validate a form, call one service, put its
ValidationError back on the form keeping what was typed, render. The consultation itself (comments,
reasoned responses) is the forum's: these pages link to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from commitments.forms import put_back
from commitments.plan_views import pdf_response
from paga import clock, plans
from paga.pagecache import public_page
from paga.selectors import current_plan, find_current_plan

from . import assessment_services as services
from .assessment_forms import FinalizeForm, GenerateForm, PublishForm, SectionForm
from .assessment_models import AssessmentDocument, Section, SectionVersion, SelfAssessment
from .staff_views import staff_required

PERM = services.PERM
GET_POST = ["GET", "HEAD", "POST"]


def _assessment(request, pk: int) -> SelfAssessment:
    assessment = get_object_or_404(
        SelfAssessment.objects.select_related("plan", "consultation", "document"), pk=pk
    )
    plans.require(request, assessment.plan)
    return assessment


def _back(assessment: SelfAssessment):
    return redirect("implementation:assessment", pk=assessment.pk)


@staff_required(PERM)
@require_http_methods(GET_POST)
def assessments(request):
    """The plan's self-assessments, and the form that generates one from the data at a date."""
    plan = find_current_plan(request)
    posted = request.method == "POST"
    form = GenerateForm(request.POST if posted else None, initial={"as_of": clock.today()})
    if posted and plan is not None and form.is_valid():
        try:
            assessment = services.generate(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The report was generated from the data. Check and complete each section."),
            )
            return _back(assessment)
    reports = (
        list(SelfAssessment.objects.filter(plan=plan).select_related("consultation", "document"))
        if plan
        else []
    )
    return render(
        request,
        "implementation/assessment/list.html",
        {"plan": plan, "reports": reports, "form": form},
    )


@staff_required(PERM)
@require_safe
def assessment(request, pk: int):
    """A report: its state, its sections with their current text and number of versions, and the next
    step (publish, finalize, or the PDF)."""
    report = _assessment(request, pk)
    sections = list(
        report.sections.annotate(n_versions=Count("versions")).prefetch_related(
            Prefetch(
                "versions",
                queryset=SectionVersion.objects.select_related("author").order_by("-number"),
                to_attr="newest_first",
            )
        )
    )
    return render(
        request,
        "implementation/assessment/detail.html",
        {
            "plan": report.plan,
            "report": report,
            "sections": [(s, s.newest_first[0]) for s in sections],
            "unanswered": services.unanswered(report),
            "document": _document(report),
        },
    )


def _document(report: SelfAssessment) -> AssessmentDocument | None:
    try:
        return report.document
    except AssessmentDocument.DoesNotExist:
        return None


@staff_required(PERM)
@require_http_methods(GET_POST)
def section(request, pk: int, key: str):
    """Edit a section's text with a reason (a new version), beside every earlier version."""
    report = _assessment(request, pk)
    target = get_object_or_404(Section, assessment=report, key=key)
    target.assessment = report
    versions = list(target.versions.select_related("author").order_by("-number"))
    current = versions[0]
    posted = request.method == "POST"
    form = SectionForm(request.POST if posted else None, initial={"text": current.text})
    if posted and form.is_valid():
        try:
            version = services.edit_section(section=target, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("Version %(n)s of the section is saved.") % {"n": version.number})
            return _back(report)
    return render(
        request,
        "implementation/assessment/section.html",
        {"plan": report.plan, "report": report, "section": target, "versions": versions, "form": form},
    )


@staff_required(PERM)
@require_http_methods(GET_POST)
def publish(request, pk: int):
    """Put the report to public consultation, paragraph by paragraph, with its window."""
    report = _assessment(request, pk)
    posted = request.method == "POST"
    form = PublishForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            services.publish(assessment=report, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The report is in public consultation: answer each comment on the forum's pages."),
            )
            return _back(report)
    return render(
        request,
        "implementation/assessment/publish.html",
        {"plan": report.plan, "report": report, "form": form},
    )


@staff_required(PERM)
@require_http_methods(GET_POST)
def finalize(request, pk: int):
    """Finalize the report after its consultation, with a confirmation: frozen, hashed, its PDF rendered."""
    report = _assessment(request, pk)
    posted = request.method == "POST"
    form = FinalizeForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            services.finalize(assessment=report, actor=request.user)
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("The report is final. Its PDF is being rendered."))
            return _back(report)
    return render(
        request,
        "implementation/assessment/finalize.html",
        {
            "plan": report.plan,
            "report": report,
            "form": form,
            "unanswered": services.unanswered(report),
            "closed": report.consultation is not None and report.consultation.closes_at <= clock.now(),
        },
    )


# --- Public -----------------------------------------------------------------------------------------
def _final(request, kind: str) -> SelfAssessment:
    plan = current_plan(request)
    return get_object_or_404(
        SelfAssessment.objects.select_related("plan", "document", "consultation"),
        plan=plan,
        kind=kind,
        state=SelfAssessment.State.FINAL,
    )


@require_safe
@public_page
def public_assessment(request, kind: str):
    """A final self-assessment as it was frozen, with its SHA-256, its consultation and its PDF."""
    report = _final(request, kind)
    return render(
        request,
        "implementation/assessment/public.html",
        {
            "plan": report.plan,
            "report": report,
            "sections": [
                {**section, "paragraphs": services.paragraphs(section["text"])}
                for section in report.content["sections"]
            ],
            "document": _document(report),
        },
    )


@require_safe
def public_pdf(request, kind: str):
    """The PDF of a final self-assessment (its SHA-256 is on the page that links here)."""
    report = _final(request, kind)
    document = _document(report)
    if document is None or not document.is_done:
        raise Http404("The PDF is not ready")
    return pdf_response(document)
